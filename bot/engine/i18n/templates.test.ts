import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { LANGS, TEMPLATE_AREAS } from "./index";

/**
 * Entries whose Pidgin is rightly the same as the English: names of things (Confirm, Cancel and
 * PIN keep their English names), plain numbers and units.
 */
const SAME_IN_PIDGIN = new Set([
  "replies.airtime",
  "replies.data",
  "replies.cable",
  "replies.gift",
  "replies.menu",
  "replies.cancel",
  "replies.confirm",
  "pin.titleChange",
  "pin.titleSet",
  "gift-time.hours",
  "gift-time.days",
  "orders.orderLine",
  // "Value: ₦500" on a receipt; "today" is the same word in Pidgin.
  "orders.receiptValue",
  "schedule.todayConfirmed",
  // Points are counted the same way in Pidgin; "Redeem points" is the button's name.
  "points.onePoint",
  "points.manyPoints",
  "points.redeem",
  // "Good evening Ada" and what was bought last ("₦500 MTN airtime for 0803…"): names and numbers.
  "greeting.hello",
  "greeting.airtime",
  "greeting.data",
  "greeting.cable",
  "greeting.electricity",
  // What was bought ("₦500 MTN airtime for 0803…", "MTN 1GB for 0803…") and product names.
  "airtime.placed",
  "data.placed",
  "cable.renew",
  "cable.renewal",
  "cable.subscription",
  "cable.placed",
  "withdraw.bank",
  "withdraw.no",
  "withdraw.what",
  "gift-room.airtime",
  "gift-room.data",
  "gift-room.confirm",
  "gift-room.what",
  "purchase.airtime",
  "purchase.data",
  "purchase.cable",
]);

/** Placeholder arguments: a string or number for each parameter the template takes. */
function sampleArgs(count: number): unknown[] {
  return Array.from({ length: count }, (_, i) => (i % 2 === 0 ? `X${i}` : 3));
}

const ROOT = join(__dirname, "../../..");

/** Every module under bot/ that declares templates (found by reading the sources, not listed by hand). */
function modulesDeclaringTemplates(dir = join(ROOT, "bot")): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === "node_modules" ? [] : modulesDeclaringTemplates(path);
    }
    const isSource = entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts");
    return isSource && /\btemplates\(\s*"/.test(readFileSync(path, "utf8")) ? [path] : [];
  });
}

const MODULES = modulesDeclaringTemplates();

// Imported before the tests are collected, so that every template is registered (TEMPLATE_AREAS).
await Promise.all(MODULES.map((path) => import(path)));

describe("reply templates", () => {
  const entries = [...TEMPLATE_AREAS].flatMap(([area, templates]) =>
    Object.entries(templates).map(([name, template]) => ({ key: `${area}.${name}`, template })),
  );

  it("are registered from every module that declares them", () => {
    const files = MODULES.map((path) => relative(ROOT, path));
    expect(files).toEqual(
      expect.arrayContaining(["bot/engine/engine.ts", "bot/outbox/notification-text.ts"]),
    );
    expect(entries.length).toBeGreaterThan(150);
  });

  it.each(entries)("$key exists in every language, non-empty, and Pidgin differs", ({ key, template }) => {
    const shown: Record<string, string> = {};
    for (const lang of LANGS) {
      const render = template[lang];
      expect(typeof render, `${key} has no ${lang} form`).toBe("function");
      const text = render(...sampleArgs(render.length));
      expect(typeof text).toBe("string");
      expect(text.trim().length, `${key}.${lang} is empty`).toBeGreaterThan(0);
      shown[lang] = text;
    }
    if (!SAME_IN_PIDGIN.has(key)) {
      expect(shown.pcm, `${key}: the Pidgin form is the English one`).not.toBe(shown.en);
    }
  });

  it("the allow-list names only real entries", () => {
    const keys = new Set(entries.map((e) => e.key));
    expect([...SAME_IN_PIDGIN].filter((k) => !keys.has(k))).toEqual([]);
  });
});

/** Files whose replies are all templates: none may hold an English reply literal. */
const CONVERTED_FILES = [
  "bot/engine/engine.ts",
  "bot/engine/replies.ts",
  "bot/engine/flows/balance.ts",
  "bot/engine/flows/history.ts",
  "bot/engine/flows/receipt.ts",
  "bot/engine/flows/help.ts",
  "bot/engine/flows/start.ts",
  "bot/engine/flows/pin.ts",
  "bot/engine/flows/pin-reset.ts",
  "bot/engine/flows/pin-guard.ts",
  "bot/engine/flows/secure-pin.ts",
  "bot/engine/flows/link.ts",
  "bot/engine/flows/referral.ts",
  "bot/engine/flows/tier.ts",
  "bot/engine/flows/saved.ts",
  "bot/engine/flows/withdraw-banks.ts",
  "bot/engine/flows/known-network.ts",
  "bot/engine/flows/gift-time.ts",
  "bot/engine/flows/gift-room-mine.ts",
  "bot/engine/flows/slots.ts",
  "bot/engine/flows/purchase.ts",
  "bot/engine/flows/airtime.ts",
  "bot/engine/flows/data.ts",
  "bot/engine/flows/cable.ts",
  "bot/engine/flows/electricity.ts",
  "bot/engine/flows/fund.ts",
  "bot/engine/flows/fund-transfer.ts",
  "bot/engine/flows/bvn-guard.ts",
  "bot/engine/flows/withdraw.ts",
  "bot/engine/flows/gift-room.ts",
  "bot/engine/flows/gift-room-ask.ts",
  "bot/engine/flows/gift-room-create.ts",
  "bot/engine/flows/repeat.ts",
  "bot/engine/flows/recommend.ts",
  "bot/engine/flows/greeting.ts",
  "bot/telegram/bot.ts",
  "bot/outbox/notification-text.ts",
  "bot/engine/flows/thanks.ts",
  "bot/engine/flows/written.ts",
  "bot/engine/flows/hand-off.ts",
];

/** Where a reply's words go: a literal there with English words in it was written in place. */
const REPLY_SLOTS = [
  /\btext:\s*/,
  /\blabel:\s*/,
  /\btitle:\s*/,
  /\baskContact:\s*/,
  /\bmenuReply\(\s*/,
  /\bdoneReply\(\s*/,
  /\bagain\(\s*state,\s*/,
  /\bretryPin\([^,()]+,[^,()]+,\s*/,
  /\bquestion\(\s*[^,()]+,\s*[^,()]+,\s*[^,()]+,\s*/,
];

/** The literals (quoted or template) in the reply slots of `code` that hold words, not just values. */
function wordyLiterals(code: string): string[] {
  const found: string[] = [];
  for (const slot of REPLY_SLOTS) {
    const re = new RegExp(`${slot.source}(["'\`])((?:\\\\.|(?!\\1)[^\\\\])*)\\1`, "g");
    for (const match of code.matchAll(re)) {
      const words = (match[2] ?? "").replace(/\\./g, " ").replace(/\$\{[^}]*(?:\}|$)/g, " ");
      if (/[A-Za-z]{2,}/.test(words)) {
        found.push(match[0]);
      }
    }
  }
  return found;
}

/** Calls that drop the language: they would answer in English whatever the person chose. */
const ENGLISH_ONLY_CALLS = [/\berrorText\(\s*\w+\s*\)/, /\bdoneReply\(\s*[^,()]+\)/, /\bmenuReply\(\s*\)/];

describe("converted files", () => {
  it("the scan finds English written in place", () => {
    expect(wordyLiterals('return { text: "Your balance is" }')).toHaveLength(1);
    const dollar = "$";
    expect(wordyLiterals(`doneReply(\`Saved ${dollar}{x}.\`)`)).toHaveLength(1);
    expect(wordyLiterals('again(state, "Tap one.")')).toHaveLength(1);
    expect(wordyLiterals(`{ text: \`${dollar}{a}\\n\\n${dollar}{b}\` }`)).toEqual([]);
    expect(wordyLiterals("{ text: T.x[fc.lang]() }")).toEqual([]);
  });

  it.each(CONVERTED_FILES)("%s writes no English reply in place", (file) => {
    const source = readFileSync(join(ROOT, file), "utf8");
    // The template declarations themselves (`templates("area", { … })`) are where the text lives.
    const code = source.replace(/templates\(\s*"[^"]+",\s*\{[\s\S]*?\n\}\);/g, "");
    expect(wordyLiterals(code)).toEqual([]);
    expect(ENGLISH_ONLY_CALLS.filter((re) => re.test(code)).map(String)).toEqual([]);
  });
});
