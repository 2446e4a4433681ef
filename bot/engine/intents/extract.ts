import {
  parseCableName,
  parseDataSizeMb,
  parseDiscoName,
  parseNetworkName,
  parseValidityDays,
} from "../../../api/services/catalogue/normalize";
import { normalizePhone } from "../../../api/services/phone";
import type { CableProvider, Disco, Network } from "../../../api/services/vtu/provider";
import { METER_DIGITS, type Problem, SMARTCARD_DIGITS } from "./intent";

export { METER_DIGITS, SMARTCARD_DIGITS };

/**
 * Slot extractors for the grammar: pure functions from a chat message to one value each (an amount,
 * a phone, a smartcard, …). They never throw and return undefined rather than a guess. Numbers found
 * for one slot are "masked" (blanked) before looking for the next, so the digits of 08031234567 are
 * never read as an amount and "2GB" never as ₦2.
 */

// ---------------------------------------------------------------------------------------------
// Cleaning
// ---------------------------------------------------------------------------------------------

/** Spelling variants → one form, so the rules match one word. Applied to lowercase text. */
const ALIASES: [RegExp, string][] = [
  [/\b(?:air\s?time|airtym|airtyme|airtme|airtiem|artime|airtim|aitime|aritime|airitime)\b/g, "airtime"],
  // SMS spelling: "4 me" is "for me", "biy" is "buy".
  [/\b4\s+(me|my|mi)\b/g, "for $1"],
  [/\bbiy\b/g, "buy"],
  [/\b(?:etisalat|etisalt|etisallat|9\s?mobile|nine\s?mobile|9mob)\b/g, "9mobile"],
  [/\b(?:airtell|artel|aitel|airtl|airtel)\b/g, "airtel"],
  [/\b(?:mtnn|m\.t\.n|emtn)\b/g, "mtn"],
  [/\b(?:globacom|gloo)\b/g, "glo"],
  [/\bd\s?s\s?tv\b/g, "dstv"],
  [/\bgo\s?tv\b/g, "gotv"],
  [/\bstar\s?times?\b/g, "startimes"],
  [/\b(?:elect?ricity|electrisity|electricty|eletricity|electrcity|elecricity)\b/g, "electricity"],
  [/\b(?:balanse|ballance|blance|balnce|balace|bal)\b/g, "balance"],
  [/\b(?:recharg|rechage|rechaege|recharged)\b/g, "recharge"],
  [/\b(?:histroy|hstory|histori|hist)\b/g, "history"],
  [/\b(?:dta|deta)\b/g, "data"],
  [/\b(?:reciept|receit|recept|reciet)\b/g, "receipt"],
  [/\bphc\b/g, "port harcourt"],
  // "2 gigs", "1gig" → "2gb": how people say it, not how the catalogue writes it.
  [/(\d)\s*(?:gigs?|giga|gigabytes?|gee|g)\b/g, "$1gb"],
  [/(\d)\s*(?:megs?|megabytes?)\b/g, "$1mb"],
  // "a month", "one week" → digits, so the catalogue's validity parser reads them.
  [/\b(?:a|one)\s+(day|week|month|year)\b/g, "1 $1"],
  [/\btwo\s+(days|weeks|months)\b/g, "2 $1"],
];

/**
 * Lowercase, NFKC, curly quotes straightened, emoji and other symbols turned into spaces (₦ and #
 * stay: both mean naira), "+234 (0)803" made normalisable, spelling variants unified.
 */
export function cleanText(input: string): string {
  let text = input
    .normalize("NFKC")
    // Yoruba and Igbo tone marks ("Ẹ kú àárọ̀") are dropped, so the plain spelling matches.
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .normalize("NFC")
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`]/g, "'")
    .replace(/(\+?234)\s*\(0\)/g, "$1")
    .replace(/[()[\]{}]/g, " ")
    .replace(/[^\p{L}\p{N}₦#+/@.,:;'_\-?!\s]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  for (const [pattern, replacement] of ALIASES) {
    text = text.replace(pattern, replacement);
  }
  return text;
}

/** Letters, digits and single spaces only: for matching whole short messages ("good morning!!"). */
export function bareWords(text: string): string {
  return text
    .replace(/[^\p{L}\p{N}\s]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

// ---------------------------------------------------------------------------------------------
// Spans and masking
// ---------------------------------------------------------------------------------------------

export type Span = { start: number; end: number };

/** Replace each span by spaces of the same length, so later patterns neither see it nor shift. */
export function mask(text: string, spans: readonly Span[]): string {
  let out = text;
  for (const span of spans) {
    out = out.slice(0, span.start) + " ".repeat(span.end - span.start) + out.slice(span.end);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Digit runs: the raw material of phones, smartcards and meters
// ---------------------------------------------------------------------------------------------

type DigitGroup = { text: string; start: number; end: number };

/**
 * Groups of digits (a leading "+" kept) not glued to letters, chained into runs when only spaces,
 * dots or dashes separate them: "+234 803 123 4567" is one run of four groups; "500 for 0803…" is two
 * runs. A number may be any contiguous part of a run ("500 08031234567" → 08031234567).
 */
function digitRuns(text: string): DigitGroup[][] {
  const runs: DigitGroup[][] = [];
  let current: DigitGroup[] = [];
  for (const match of text.matchAll(/(?<![\p{L}\d])\+?\d+(?![\p{L}\d])/gu)) {
    const group = { text: match[0], start: match.index, end: match.index + match[0].length };
    const previous = current.at(-1);
    if (
      previous &&
      /^[ .-]{1,3}$/.test(text.slice(previous.end, group.start)) &&
      !group.text.startsWith("+")
    ) {
      current.push(group);
    } else {
      if (current.length > 0) {
        runs.push(current);
      }
      current = [group];
    }
  }
  if (current.length > 0) {
    runs.push(current);
  }
  return runs;
}

function join(groups: readonly DigitGroup[]): string {
  return groups.map((group) => group.text).join("");
}

// ---------------------------------------------------------------------------------------------
// Phones
// ---------------------------------------------------------------------------------------------

export type FoundPhone = Span & {
  /** The 11-digit local form, e.g. 08031234567. */
  phone: string;
  /** Written as 10 bare digits (8031234567): a phone only where a phone is expected. */
  bare: boolean;
};

function tryPhone(candidate: string): string | undefined {
  const digits = candidate.replace(/\D/g, "").length;
  if (digits < 10 || digits > 13) {
    return undefined;
  }
  try {
    return normalizePhone(candidate);
  } catch {
    return undefined;
  }
}

/**
 * Every Nigerian mobile number in the text, in any form `normalizePhone` accepts (+234…, 234…, 0…,
 * grouped with spaces, dots or dashes). Within a run the longest valid part wins, so an amount
 * typed right before the number stays an amount.
 */
export function findPhones(text: string): FoundPhone[] {
  const found: FoundPhone[] = [];
  for (const run of digitRuns(text)) {
    let i = 0;
    while (i < run.length) {
      let best: { j: number; phone: string; digits: number } | undefined;
      for (let j = i; j < run.length; j++) {
        const candidate = join(run.slice(i, j + 1));
        if (candidate.replace(/\D/g, "").length > 13) {
          break;
        }
        const phone = tryPhone(candidate);
        if (phone && (!best || candidate.length > best.digits)) {
          best = { j, phone, digits: candidate.length };
        }
      }
      const first = run[i];
      const last = best ? run[best.j] : undefined;
      if (best && first && last) {
        found.push({
          phone: best.phone,
          start: first.start,
          end: last.end,
          bare: /^[789]\d{9}$/.test(join(run.slice(i, best.j + 1))),
        });
        i = best.j + 1;
      } else {
        i += 1;
      }
    }
  }
  return found;
}

/**
 * Digits written as a phone number that is not one, where a phone is expected: "0803" or
 * "0803123456" (started, not finished), "080312345678" or "12345678901" (too long, or not a
 * Nigerian mobile). The flow quotes them and asks again instead of offering another number.
 */
export function findBadPhones(text: string, phones: readonly Span[]): (Span & { problem: Problem })[] {
  const bad: (Span & { problem: Problem })[] = [];
  for (const whole of digitRuns(text)) {
    // "500 0803123456": the phone-like part starts at the group that starts like a phone.
    const from = whole.findIndex((group) => /^(?:\+?234[789]|0[789])/.test(group.text));
    const run = from >= 0 ? whole.slice(from) : whole.slice(-1);
    const first = run[0];
    const last = run.at(-1);
    if (!first || !last || phones.some((phone) => phone.start < last.end && first.start < phone.end)) {
      continue;
    }
    const written = join(run);
    const digits = written.replace(/\D/g, "");
    const local = /^0[789]/.test(digits)
      ? digits
      : /^234[789]/.test(digits)
        ? `0${digits.slice(3)}`
        : undefined;
    let reason: Problem["reason"] | undefined;
    if (local && local.length >= 4 && local.length < 11) {
      reason = "incomplete_phone";
    } else if ((local && local.length > 11) || (from < 0 && digits.length >= 11 && digits.length <= 14)) {
      reason = "not_a_phone";
    }
    if (reason) {
      const span = { start: first.start, end: last.end };
      bad.push({
        ...span,
        problem: { slot: "phone", written: text.slice(span.start, span.end).slice(0, 40), reason },
      });
    }
  }
  return bad;
}

// ---------------------------------------------------------------------------------------------
// Account numbers: smartcards, IUCs, meters
// ---------------------------------------------------------------------------------------------

export type FoundAccount = Span & { digits: string; looksLikePhone: boolean };

/**
 * Digit strings of `min`–`max` digits: a single group ("7012345678"), a dashed one ("4512-3456-789"),
 * or a whole spaced run ("0123 4567 890") when the run is nothing else. Candidates that are not
 * phone numbers come first, so "light 45123456789 for 08031234567" picks the meter.
 */
export function findAccountNumbers(text: string, min: number, max: number): FoundAccount[] {
  const found: FoundAccount[] = [];
  for (const run of digitRuns(text)) {
    const whole = join(run);
    const first = run[0];
    const last = run.at(-1);
    if (run.length > 1 && first && last && !whole.includes("+") && inRange(whole, min, max)) {
      found.push(account(whole, first.start, last.end));
      continue;
    }
    for (const group of run) {
      if (!group.text.includes("+") && inRange(group.text, min, max)) {
        found.push(account(group.text, group.start, group.end));
      }
    }
  }
  return found.sort((a, b) => Number(a.looksLikePhone) - Number(b.looksLikePhone) || a.start - b.start);
}

function inRange(digits: string, min: number, max: number): boolean {
  return /^\d+$/.test(digits) && digits.length >= min && digits.length <= max;
}

function account(digits: string, start: number, end: number): FoundAccount {
  return { digits, start, end, looksLikePhone: /^0[789][01]\d{8}$/.test(digits) };
}

// ---------------------------------------------------------------------------------------------
// Data sizes and validity (values from the catalogue normalisers; spans for masking)
// ---------------------------------------------------------------------------------------------

const SIZE_SPAN = /(?<![\d.,])(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?:mb|gb|tb)(?![a-z])/g;
const VALIDITY_SPAN =
  /(?<![\d.])\d+\s*(?:days?|d|weeks?|wks?|wk|months?|mnths?|mths?|mos?|years?|yrs?|hours?|hrs?|hr|h)(?![a-z])/g;

export function findDataSize(text: string): (Span & { sizeMb: number }) | undefined {
  for (const match of text.matchAll(SIZE_SPAN)) {
    const sizeMb = parseDataSizeMb(match[0]);
    if (sizeMb !== undefined) {
      return { sizeMb, start: match.index, end: match.index + match[0].length };
    }
  }
  return undefined;
}

/**
 * A data size written as zero or negative ("0gb", "-1gb"): a problem, not a size. Undefined when
 * the sizes written are fine or there are none.
 */
export function findBadDataSize(text: string): (Span & { problem: Problem }) | undefined {
  for (const match of text.matchAll(SIZE_SPAN)) {
    const negative = /(?:^|[^\d\p{L}])-\s?$/u.test(text.slice(Math.max(0, match.index - 2), match.index));
    const zero = parseDataSizeMb(match[0]) === undefined && /^[0.,\s]*0(?:[.,]0*)?\s*[mgt]b$/.test(match[0]);
    if (negative || zero) {
      const written = `${negative ? "-" : ""}${match[0]}`;
      return {
        start: match.index,
        end: match.index + match[0].length,
        problem: { slot: "size", written, reason: negative ? "negative" : "zero" },
      };
    }
  }
  return undefined;
}

/** "30 days", "1 month", "7d", "48hrs", or a word ("monthly"). Spans only for the numeric forms. */
export function findValidity(text: string): { validityDays: number; spans: Span[] } | undefined {
  const spans = [...text.matchAll(VALIDITY_SPAN)].map((match) => ({
    start: match.index,
    end: match.index + match[0].length,
  }));
  const first = spans[0];
  const validityDays = parseValidityDays(first ? text.slice(first.start, first.end) : text);
  return validityDays === undefined ? undefined : { validityDays, spans };
}

/** Every numeric size and validity span, so they are never read as money. */
export function sizeAndValiditySpans(text: string): Span[] {
  return [...text.matchAll(SIZE_SPAN), ...text.matchAll(VALIDITY_SPAN)].map((match) => ({
    start: match.index,
    end: match.index + match[0].length,
  }));
}

// ---------------------------------------------------------------------------------------------
// Amounts
// ---------------------------------------------------------------------------------------------

const WORD_NUMBERS: Record<string, number> = {
  a: 1,
  one: 1,
  two: 2,
  three: 3,
  tree: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  hundred: 100,
};

/** "five hundred" → "5 hundred", "two thousand" → "2 thousand": digits for the amount pattern. */
function wordNumbersToDigits(text: string): string {
  return combineThousandsAndHundreds(spellOut(text));
}

function spellOut(text: string): string {
  return text.replace(
    /\b(a|one|two|three|tree|four|five|six|seven|eight|nine|ten|fifteen|twenty|thirty|forty|fifty|hundred)\s+(hundred|thousand|grand|k)\b/g,
    (whole, word: string, unit: string) => {
      const value = WORD_NUMBERS[word];
      // "a hundred" is 100, but "a k" is nonsense: keep the text as it was.
      return value === undefined || (word === "a" && unit === "k") ? whole : `${value} ${unit}`;
    },
  );
}

/** "1 thousand 5 hundred" (from "one thousand five hundred") → "₦1500": one amount, not two. */
function combineThousandsAndHundreds(text: string): string {
  return text.replace(
    /\b(\d{1,3})\s*(?:thousand|k|grand)\s+(?:and\s+)?(\d)\s*hundred\b/g,
    (_whole, thousands: string, hundreds: string) => `₦${Number(thousands) * 1000 + Number(hundreds) * 100}`,
  );
}

const MULTIPLIERS: Record<string, number> = { k: 1000, thousand: 1000, grand: 1000, hundred: 100 };

/**
 * One amount: an optional currency mark (₦, N, NGN, #), digits with optional thousands commas and
 * decimals, an optional multiplier (k, thousand, grand, hundred) and an optional "naira".
 */
const AMOUNT =
  /(?<![\p{L}\d.,])(?:(?<currency>₦|#|ngn|n)\s?)?(?<whole>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?<fraction>\d+))?(?:\s?(?<multiplier>k|thousand|grand|hundred)(?![\p{L}]))?(?:\s?(?<naira>naira|niara|nairas|ngn|n)(?![\p{L}]))?(?![\p{L}\d])/giu;

/** An amount as read: its value, or what is wrong with what was written ("-500", "₦0", "₦5.005"). */
export type AmountRead =
  | { amountKobo: number; problem?: undefined }
  | { amountKobo?: undefined; problem: Problem };

/**
 * The amount of money in the text. A marked amount ("N500", "1.5k", "2 thousand", "500 naira") wins
 * over a bare number; a bare number needs 2–9 digits (ten or more are accounts and phones; a lone
 * digit is too often something else: "option 2"). A bare "500.50" is ₦500.50, unless a whole bare
 * number is there too or it reads as a time or a date ("10.30 am", "12.05.2026"). A minus sign, a
 * zero or a fraction of a kobo is a problem, reported with the words as written, never dropped
 * silently (issue 16): "-500" is not ₦500. Undefined when there is none.
 */
export function readAmount(text: string): AmountRead | undefined {
  const normalised = wordNumbersToDigits(text);
  let bare: AmountRead | undefined;
  let withKobo: AmountRead | undefined;
  for (const match of normalised.matchAll(AMOUNT)) {
    const groups = match.groups ?? {};
    const marked = Boolean(groups.currency || groups.multiplier || groups.naira);
    const digits = (groups.whole ?? "").replace(/,/g, "");
    const negative = /(?:^|[^\d\p{L}])-\s?$/u.test(
      normalised.slice(Math.max(0, match.index - 2), match.index),
    );
    const written = `${negative ? "-" : ""}${match[0].trim()}`.slice(0, 40);
    const kobo = toKobo(groups.whole ?? "", groups.fraction, groups.multiplier);
    let read: AmountRead;
    if (negative) {
      read = { problem: { slot: "amount", written, reason: "negative" } };
    } else if (kobo === undefined) {
      read = { problem: { slot: "amount", written, reason: "fraction" } };
    } else if (kobo === 0) {
      read = { problem: { slot: "amount", written, reason: "zero" } };
    } else {
      read = { amountKobo: kobo };
    }
    if (marked) {
      return read;
    }
    const plausible =
      (digits.length >= 2 && digits.length <= 9) || (read.problem !== undefined && digits.length >= 1);
    if (!plausible) {
      continue;
    }
    if (groups.fraction === undefined || read.problem) {
      bare ??= read;
    } else if (!looksLikeTimeOrDate(normalised.slice(match.index + match[0].length))) {
      // "500.50": naira and kobo. A whole bare number elsewhere in the text wins over it.
      withKobo ??= read;
    }
  }
  return bare ?? withKobo;
}

/** What follows "10.30" when it is a time or a date, not money: "10.30 am", "12.05.2026". */
function looksLikeTimeOrDate(after: string): boolean {
  return /^(?:\s?(?:am|pm|a\.m|p\.m|o'?clock|hrs?|hours?)\b|[.:/]\d)/.test(after);
}

/** The amount in kobo, or undefined when there is none or it cannot be used (see readAmount). */
export function findAmountKobo(text: string): number | undefined {
  return readAmount(text)?.amountKobo;
}

/** Exact integer arithmetic: "1.5" × k → 150_000 kobo; a fraction of a kobo is refused. */
function toKobo(
  whole: string,
  fraction: string | undefined,
  multiplier: string | undefined,
): number | undefined {
  const factor = (multiplier ? (MULTIPLIERS[multiplier.toLowerCase()] ?? 1) : 1) * 100;
  const wholeKobo = Number(whole.replace(/,/g, "")) * factor;
  let fractionKobo = 0;
  if (fraction !== undefined) {
    const scale = 10 ** fraction.length;
    const scaled = Number(fraction) * factor;
    if (fraction.length > 6 || scaled % scale !== 0) {
      return undefined;
    }
    fractionKobo = scaled / scale;
  }
  const kobo = wholeKobo + fractionKobo;
  return Number.isSafeInteger(kobo) ? kobo : undefined;
}

// ---------------------------------------------------------------------------------------------
// Names: networks, cable providers and bouquets, DisCos, meter types
// ---------------------------------------------------------------------------------------------

export function findNetwork(text: string): Network | undefined {
  return parseNetworkName(text);
}

export function findCableProvider(text: string): CableProvider | undefined {
  return parseCableName(text);
}

/** A city's name alone ("Kano") is a DisCo only in an electricity message; the grammar decides. */
export function findDisco(text: string): Disco | undefined {
  return parseDiscoName(text);
}

type BouquetName = { pattern: RegExp; slug: string; provider: CableProvider; distinctive: boolean };

/**
 * Bouquet names as customers type them → catalogue slugs (`bouquetSlug`). Distinctive names are
 * cable words on their own ("compact 1234567890" is DStv); the others are ordinary English or
 * Pidgin ("padi" is a friend, "confam" is "confirm", "max", "super") and count only next to a
 * provider or another cable word. Longest names first so "compact plus" beats "compact".
 */
const BOUQUETS: BouquetName[] = [
  { pattern: /\bcompact\s*(?:plus|\+)/, slug: "compact-plus", provider: "dstv", distinctive: true },
  { pattern: /\bcompact\b/, slug: "compact", provider: "dstv", distinctive: true },
  { pattern: /\bpadi\b/, slug: "padi", provider: "dstv", distinctive: false },
  { pattern: /\byanga\b/, slug: "yanga", provider: "dstv", distinctive: false },
  { pattern: /\bconfam\b/, slug: "confam", provider: "dstv", distinctive: false },
  { pattern: /\bpremium\b/, slug: "premium", provider: "dstv", distinctive: false },
  { pattern: /\bsmallie\b/, slug: "smallie", provider: "gotv", distinctive: true },
  { pattern: /\bjinja\b/, slug: "jinja", provider: "gotv", distinctive: true },
  { pattern: /\bjoll[iy]\b/, slug: "jolli", provider: "gotv", distinctive: true },
  { pattern: /\bsupa\s*(?:plus|\+)/, slug: "supa-plus", provider: "gotv", distinctive: false },
  { pattern: /\bsupa\b/, slug: "supa", provider: "gotv", distinctive: false },
  { pattern: /\bmax\b/, slug: "max", provider: "gotv", distinctive: false },
  { pattern: /\bnova\b/, slug: "nova", provider: "startimes", distinctive: true },
  { pattern: /\bbasic\b/, slug: "basic", provider: "startimes", distinctive: false },
  { pattern: /\bsmart\b(?!\s*card)/, slug: "smart", provider: "startimes", distinctive: false },
  { pattern: /\bclassic\b/, slug: "classic", provider: "startimes", distinctive: false },
  { pattern: /\bsuper\b/, slug: "super", provider: "startimes", distinctive: false },
];

export type FoundBouquet = { slug: string; provider: CableProvider; distinctive: boolean };

/** The bouquet named in the text, for `provider` when known (DStv "premium" ≠ a GOtv word). */
export function findBouquet(text: string, provider: CableProvider | undefined): FoundBouquet | undefined {
  const hit = BOUQUETS.find(
    (entry) => (!provider || entry.provider === provider) && entry.pattern.test(text),
  );
  return hit ? { slug: hit.slug, provider: hit.provider, distinctive: hit.distinctive } : undefined;
}

export function findMeterType(text: string): "prepaid" | "postpaid" | undefined {
  if (/\bpost\s?-?paid\b/.test(text)) {
    return "postpaid";
  }
  // A token (or units) is what a prepaid meter gets; postpaid bills have none.
  if (/\bpre\s?-?paid\b|\btokens?\b|\bunits?\b/.test(text)) {
    return "prepaid";
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Recipient words
// ---------------------------------------------------------------------------------------------

/**
 * "for my number", "to me", "myself", "my line", "recharge me": the customer's own number. Not "help
 * me buy … for my sister": only "me" as the recipient counts.
 */
const SELF =
  /\b(?:(?:this|dis)\s+(?:line|number|sim|phone)\b|(?:for|to|on|into|enter)\s+(?:me|my\s*self|mine)\b|my\s*self\b|(?:my|my\s+own|mine)\s+(?:number|line|phone|fone|sim|no|num|nomba|mtn|airtel|glo|9mobile)\b|(?:recharge|load|credit|top\s?up|send|give|buy)\s+me\b|my\s+own\b|for\s+self\b)/;

/** "for my sister", "to my customer": someone else, even when "me" appears ("buy me 1GB for my wife"). */
const SOMEONE_ELSE =
  /\b(?:for|to|on)\s+(?:my|our|the|this|dis|una)?\s*(?:wife|husband|hubby|sister|sis|brother|bro|mum|mom|mama|mummy|mother|dad|daddy|papa|father|son|daughter|pikin|friend|padi|babe|baby|boo|customer|aunty|auntie|uncle|oga|boss|madam|pastor|neighbou?r|guy|girlfriend|boyfriend|gf|bf|cousin|staff|driver|family)\b/;

export function mentionsSelf(text: string): boolean {
  return SELF.test(text) && !SOMEONE_ELSE.test(text);
}
