import type { Config } from "../../../api/config";
import { formatNaira } from "../../../api/services/money";
import { type Lang, templates } from "../i18n";
import { readAmount } from "../intents/extract";
import { METER_DIGITS, type Problem, SMARTCARD_DIGITS } from "../intents/intent";
import type { FlowContext, Reply, StepResult } from "../types";
import { pinShaped } from "./secure-pin";

/**
 * Validation in words (issue 16): every value the customer writes is checked where it is read, and
 * a bad one is answered by quoting what was written and saying what is allowed, with the limits
 * from the configuration. Nothing of a bad value is used: no minus sign dropped, no default number
 * offered in its place. The grammar reports what no configuration could make right (`Problem`);
 * the ranges that depend on configuration are checked here, in one place for every flow.
 */

/** What an amount pays for: each has its own limits in the configuration. */
export type AmountUse = "airtime" | "electricity" | "fund" | "withdraw" | "gift";

export function amountLimits(config: Config, use: AmountUse): { min: number; max: number } {
  switch (use) {
    case "airtime":
    case "gift":
      return { min: config.VTU_AIRTIME_MIN_KOBO, max: config.VTU_AIRTIME_MAX_KOBO };
    case "electricity":
      return { min: config.VTU_ELECTRICITY_MIN_KOBO, max: config.VTU_ELECTRICITY_MAX_KOBO };
    case "fund":
      return { min: config.FUNDING_MIN_KOBO, max: config.FUNDING_MAX_KOBO };
    case "withdraw":
      // Daily limits are checked by the withdrawal service against the day's total.
      return { min: config.WITHDRAWAL_MIN_KOBO, max: Number.MAX_SAFE_INTEGER };
  }
}

const USE_NAMES: Record<AmountUse, Record<Lang, string>> = {
  airtime: { en: "airtime", pcm: "airtime" },
  electricity: { en: "electricity", pcm: "light" },
  fund: { en: "wallet funding", pcm: "wallet funding" },
  withdraw: { en: "a withdrawal", pcm: "withdrawal" },
  gift: { en: "an airtime gift", pcm: "airtime gift" },
};

const T = templates("written", {
  negativeAmount: {
    en: (written: string) => `You wrote "${written}": an amount can't be negative.`,
    pcm: (written: string) => `You write "${written}": amount no fit get minus.`,
  },
  zeroAmount: {
    en: (written: string) => `You wrote "${written}": the amount can't be zero.`,
    pcm: (written: string) => `You write "${written}": amount no fit be zero.`,
  },
  fractionAmount: {
    en: (written: string) => `You wrote "${written}": amounts go down to the kobo only (like 500 or 500.50).`,
    pcm: (written: string) => `You write "${written}": amount no fit pass kobo (like 500 or 500.50).`,
  },
  incompletePhone: {
    en: (shown: string) =>
      `${shown} is not a whole phone number: Nigerian numbers have 11 digits, like 08031234567.`,
    pcm: (shown: string) => `${shown} no complete: Naija number get 11 digits, like 08031234567.`,
  },
  notAPhone: {
    en: (shown: string) => `${shown} is not a Nigerian mobile number: type 11 digits, like 08031234567.`,
    pcm: (shown: string) => `${shown} no be Naija phone number: type 11 digits, like 08031234567.`,
  },
  /** What stands for a PIN-shaped answer, which is never quoted back. */
  that: { en: () => "That", pcm: () => "That one" },
  badSize: {
    en: (written: string) => `You wrote "${written}": a data size must be more than zero.`,
    pcm: (written: string) => `You write "${written}": data size must pass zero.`,
  },
  meterLength: {
    en: (shown: string, digits: number) =>
      `${shown} has ${digits} digits: a meter number has ${METER_DIGITS.min} to ${METER_DIGITS.max}.`,
    pcm: (shown: string, digits: number) =>
      `${shown} get ${digits} digits: meter number get ${METER_DIGITS.min} reach ${METER_DIGITS.max}.`,
  },
  smartcardLength: {
    en: (shown: string, digits: number) =>
      `${shown} has ${digits} digits: a smartcard / IUC number has ${SMARTCARD_DIGITS.min} to ${SMARTCARD_DIGITS.max}.`,
    pcm: (shown: string, digits: number) =>
      `${shown} get ${digits} digits: smartcard / IUC number get ${SMARTCARD_DIGITS.min} reach ${SMARTCARD_DIGITS.max}.`,
  },
  badCount: {
    en: (written: string, max: number) =>
      `You wrote "${written}": the number of people is a whole number from 1 to ${max}.`,
    pcm: (written: string, max: number) =>
      `You write "${written}": number of people na whole number from 1 reach ${max}.`,
  },
  tooSmall: {
    en: (amount: string, what: string, min: string) =>
      `${amount} is less than the least for ${what} (${min}).`,
    pcm: (amount: string, what: string, min: string) =>
      `${amount} too small: the least for ${what} na ${min}.`,
  },
  tooLarge: {
    en: (amount: string, what: string, max: string) =>
      `${amount} is more than the most for ${what} at once (${max}).`,
    pcm: (amount: string, what: string, max: string) =>
      `${amount} too much: the most for ${what} one time na ${max}.`,
  },
  allowedRange: {
    en: (what: string, min: string, max: string) => `Amounts for ${what} are ${min} to ${max}.`,
    pcm: (what: string, min: string, max: string) => `Amount for ${what} na ${min} reach ${max}.`,
  },
  allowedFrom: {
    en: (what: string, min: string) => `The least for ${what} is ${min}.`,
    pcm: (what: string, min: string) => `The least for ${what} na ${min}.`,
  },
  typeAmount: {
    en: () => "Type an amount like 500 or 1k.",
    pcm: () => "Type amount like 500 or 1k.",
  },
});

/** One sentence for one problem, quoting what was written. */
function describe(fc: FlowContext, problem: Problem, use?: AmountUse): string {
  const lang = fc.lang;
  const digits = problem.written.replace(/\D/g, "").length;
  switch (`${problem.slot}:${problem.reason}`) {
    case "amount:negative":
      return T.negativeAmount[lang](problem.written) + allowed(fc, use);
    case "amount:zero":
      return T.zeroAmount[lang](problem.written) + allowed(fc, use);
    case "amount:fraction":
      return T.fractionAmount[lang](problem.written) + allowed(fc, use);
    // Part of a longer request (no PIN, and still in the chat): quoted as written.
    case "phone:incomplete_phone":
      return T.incompletePhone[lang](`"${problem.written}"`);
    case "phone:not_a_phone":
      return T.notAPhone[lang](`"${problem.written}"`);
    case "meter:wrong_length":
      return T.meterLength[lang](`"${problem.written}"`, digits);
    case "smartcard:wrong_length":
      return T.smartcardLength[lang](`"${problem.written}"`, digits);
    case "count:negative":
    case "count:zero":
    case "count:fraction":
      return T.badCount[lang](problem.written, fc.ctx.config.GIFT_ROOM_MAX_CAPACITY);
    default:
      return T.badSize[lang](problem.written);
  }
}

function allowed(fc: FlowContext, use: AmountUse | undefined): string {
  if (!use) {
    return "";
  }
  const { min, max } = amountLimits(fc.ctx.config, use);
  const what = USE_NAMES[use][fc.lang];
  return ` ${max >= Number.MAX_SAFE_INTEGER ? T.allowedFrom[fc.lang](what, formatNaira(min)) : T.allowedRange[fc.lang](what, formatNaira(min), formatNaira(max))}`;
}

/** The sentences for every problem in a first message, or undefined when there are none. */
export function explainProblems(
  fc: FlowContext,
  problems: readonly Problem[] | undefined,
  use?: AmountUse,
): string | undefined {
  return problems && problems.length > 0 ? problems.map((p) => describe(fc, p, use)).join("\n") : undefined;
}

/** Why an amount cannot be used for `use` (below the least, above the most), or undefined if it can. */
export function amountOutOfRange(fc: FlowContext, use: AmountUse, amountKobo: number): string | undefined {
  const { min, max } = amountLimits(fc.ctx.config, use);
  const what = USE_NAMES[use][fc.lang];
  if (amountKobo < min) {
    return T.tooSmall[fc.lang](formatNaira(amountKobo), what, formatNaira(min));
  }
  if (amountKobo > max) {
    return T.tooLarge[fc.lang](formatNaira(amountKobo), what, formatNaira(max));
  }
  return undefined;
}

/**
 * An amount from a first message: kept when it is usable, else dropped with the reason. The flow
 * then asks for it like any missing value, after the reason.
 */
export function checkedAmount(
  fc: FlowContext,
  use: AmountUse,
  amountKobo: number | undefined,
): { amountKobo?: number; note?: string } {
  if (amountKobo === undefined) {
    return {};
  }
  const note = amountOutOfRange(fc, use, amountKobo);
  return note ? { note } : { amountKobo };
}

/**
 * A typed answer to "how much?": the amount, or the sentence that says what is wrong with it
 * (quoting it) and what is allowed. Undefined when no amount was written at all.
 */
export function readAmountAnswer(
  fc: FlowContext,
  use: AmountUse,
  text: string | undefined,
): { amountKobo: number } | { problem: string } | undefined {
  const read = readAmount((text ?? "").toLowerCase());
  if (!read) {
    return undefined;
  }
  if (read.problem) {
    return { problem: describe(fc, read.problem, use) };
  }
  const outOfRange = amountOutOfRange(fc, use, read.amountKobo);
  return outOfRange ? { problem: `${outOfRange}${allowed(fc, use)}` } : { amountKobo: read.amountKobo };
}

/**
 * The answer to a typed recipient that is not a phone number: what was written, quoted (shortened),
 * and what a number looks like.
 */
export function notAPhone(fc: FlowContext, text: string | undefined): string {
  const written = (text ?? "").trim().slice(0, 24) || "?";
  const digits = written.replace(/\D/g, "");
  return /^0[789]/.test(digits) && digits.length < 11
    ? T.incompletePhone[fc.lang](quoted(fc.lang, written))
    : T.notAPhone[fc.lang](quoted(fc.lang, written));
}

/**
 * What was written, in quotes, to start an answer that says what is wrong with it; "That" when it
 * looks like a PIN ("2580", "2580 9876"): a PIN sent by mistake is never repeated back (§82).
 */
export function quoted(lang: Lang, written: string): string {
  return pinShaped(written) ? T.that[lang]() : `"${written}"`;
}

/** "Type an amount like 500 or 1k." in the person's language. */
export function typeAnAmount(fc: FlowContext): string {
  return T.typeAmount[fc.lang]();
}

/** Put the notes (what was wrong in the first message) before the step's first reply. */
export function withNotes(notes: readonly (string | undefined)[], result: StepResult): StepResult {
  const text = notes.filter((note): note is string => Boolean(note)).join("\n");
  const [first, ...rest] = result.replies;
  if (!text || !first) {
    return result;
  }
  const noted: Reply = { ...first, text: `${text}\n\n${first.text}` };
  return { ...result, replies: [noted, ...rest] };
}
