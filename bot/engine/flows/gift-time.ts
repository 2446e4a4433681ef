import { DEFAULT_LANG, type Lang, templates } from "../i18n";
import type { Choice } from "../types";

const T = templates("gift-time", {
  in1h: { en: () => "In 1 hour", pcm: () => "After 1 hour" },
  in6h: { en: () => "In 6 hours", pcm: () => "After 6 hours" },
  tonight: { en: () => "Tonight 8pm", pcm: () => "Tonight by 8pm" },
  tomorrow: { en: () => "Tomorrow 8pm", pcm: () => "Tomorrow by 8pm" },
  lagosTime: { en: (at: string) => `${at} Lagos time`, pcm: (at: string) => `${at} (Lagos time)` },
  usual: {
    en: (label: string) => `${label} (usual)`,
    pcm: (label: string) => `${label} (na the normal one)`,
  },
  hours: {
    en: (n: number) => `${n} hour${n === 1 ? "" : "s"}`,
    pcm: (n: number) => `${n} hour${n === 1 ? "" : "s"}`,
  },
  days: { en: (n: number) => `${n} days`, pcm: (n: number) => `${n} days` },
});

/**
 * Times for gift rooms, as people say them in Nigeria: "tonight 8pm" means 20:00 in Lagos whatever
 * the server's zone. Lagos is UTC+1 all year (no daylight saving), so a fixed offset is exact.
 */
const LAGOS_OFFSET_MS = 3_600_000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
/** A draw sooner than this gives nobody time to join. */
const MIN_DRAW_LEAD_MS = 5 * MINUTE;

/** `hour`:00 in Lagos, `daysAhead` days after today's Lagos date. */
function lagosAt(now: Date, daysAhead: number, hour: number, minute = 0): Date {
  const lagos = new Date(now.getTime() + LAGOS_OFFSET_MS);
  return new Date(
    Date.UTC(lagos.getUTCFullYear(), lagos.getUTCMonth(), lagos.getUTCDate() + daysAhead, hour, minute) -
      LAGOS_OFFSET_MS,
  );
}

/** The draw-time buttons; "tonight 8pm" only while it is still ahead. */
export function drawChoices(now: Date, lang: Lang = DEFAULT_LANG): Choice[] {
  const tonight = lagosAt(now, 0, 20);
  return [
    { id: "draw:m60", label: T.in1h[lang]() },
    { id: "draw:m360", label: T.in6h[lang]() },
    ...(tonight.getTime() - now.getTime() >= 15 * MINUTE
      ? [{ id: "draw:tonight", label: T.tonight[lang]() }]
      : []),
    { id: "draw:tomorrow", label: T.tomorrow[lang]() },
  ];
}

/**
 * A draw time from a button or typed words: "in 30 min", "2 hours", "tonight", "tomorrow 9am",
 * "8:30pm" (today if still ahead, else tomorrow). Undefined when unreadable or too soon.
 */
export function parseDrawTime(now: Date, answer: { choice?: string; text?: string }): Date | undefined {
  const read = readDrawTime(now, answer);
  return "at" in read ? read.at : undefined;
}

/** The draw time, or why not: a time we could not read is not "too soon" (a typo deserves its own answer). */
export function readDrawTime(
  now: Date,
  answer: { choice?: string; text?: string },
): { at: Date } | { problem: "unreadable" | "too_soon" } {
  const at = fromChoice(now, answer.choice) ?? fromText(now, (answer.text ?? "").trim().toLowerCase());
  if (!at) {
    return { problem: "unreadable" };
  }
  return at.getTime() - now.getTime() >= MIN_DRAW_LEAD_MS ? { at } : { problem: "too_soon" };
}

function fromChoice(now: Date, choice: string | undefined): Date | undefined {
  if (choice === "draw:tonight") {
    return lagosAt(now, 0, 20);
  }
  if (choice === "draw:tomorrow") {
    return lagosAt(now, 1, 20);
  }
  const minutes = /^draw:m(\d+)$/.exec(choice ?? "")?.[1];
  return minutes ? new Date(now.getTime() + Number(minutes) * MINUTE) : undefined;
}

function fromText(now: Date, text: string): Date | undefined {
  const relative = /^(?:in\s+)?(\d{1,4})\s*(m|mins?|minutes?|h|hrs?|hours?)$/.exec(text);
  if (relative) {
    const unit = relative[2]?.startsWith("h") ? HOUR : MINUTE;
    return new Date(now.getTime() + Number(relative[1]) * unit);
  }
  if (text === "tonight") {
    return lagosAt(now, 0, 20);
  }
  if (text === "tomorrow") {
    return lagosAt(now, 1, 20);
  }
  const clock = /^(tonight|today|tomorrow)?\s*(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*(am|pm)$/.exec(text);
  if (!clock) {
    return undefined;
  }
  const hour12 = Number(clock[2]);
  const minute = Number(clock[3] ?? 0);
  if (hour12 < 1 || hour12 > 12 || minute > 59) {
    return undefined;
  }
  const hour = (hour12 % 12) + (clock[4] === "pm" ? 12 : 0);
  if (clock[1] === "tomorrow") {
    return lagosAt(now, 1, hour, minute);
  }
  const today = lagosAt(now, 0, hour, minute);
  // "8pm" said after 8pm means tomorrow's; "tonight 8pm" said after it is simply too late.
  return today > now || clock[1] ? today : lagosAt(now, 1, hour, minute);
}

/** "Wed 25 Nov, 20:00 Lagos time". */
export function lagosLabel(at: Date, lang: Lang = DEFAULT_LANG): string {
  const text = at.toLocaleString("en-GB", {
    timeZone: "Africa/Lagos",
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
  });
  return T.lagosTime[lang](text);
}

/** How long a room stays open: the usual lengths that fit the limit and end after the draw. */
export function hoursChoices(
  now: Date,
  maxHours: number,
  drawAt: Date | undefined,
  lang: Lang = DEFAULT_LANG,
): Choice[] {
  return [6, 24, 48, 72, 168]
    .filter((h) => h <= maxHours && (!drawAt || now.getTime() + h * HOUR > drawAt.getTime() + 30 * MINUTE))
    .map((h) => ({
      id: `hours:${h}`,
      label: h === 24 ? T.usual[lang](hoursLabel(h, lang)) : hoursLabel(h, lang),
    }));
}

/** "24 hours", "3 days", "7 days". */
export function hoursLabel(hours: number, lang: Lang = DEFAULT_LANG): string {
  return hours >= 48 && hours % 24 === 0 ? T.days[lang](hours / 24) : T.hours[lang](hours);
}

/** A typed length: "12", "12h", "2 days". */
export function parseHours(text: string | undefined): number | undefined {
  const match = /^(\d{1,4})\s*(h|hrs?|hours?|d|days?)?$/.exec((text ?? "").trim().toLowerCase());
  if (!match) {
    return undefined;
  }
  const n = Number(match[1]) * (match[2]?.startsWith("d") ? 24 : 1);
  return n > 0 ? n : undefined;
}
