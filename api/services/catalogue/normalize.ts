import type { CableProvider, Disco, Network } from "../vtu/provider";

/**
 * Provider catalogues name the same product in many ways ("MTN 1GB SME - 30 days", dataPlan "1GB" +
 * validity "30 Days", "N100 100MB - 24 hrs"). Failover needs one canonical key per product
 * (providers.md §8), so every sync runs names through these pure functions. Each returns undefined
 * rather than a guess when the text does not say: a plan we cannot read is skipped, never mis-sold.
 */

export const NETWORK_NAMES: Record<Network, string> = {
  mtn: "MTN",
  airtel: "Airtel",
  glo: "Glo",
  "9mobile": "9mobile",
};

export const CABLE_NAMES: Record<CableProvider, string> = {
  dstv: "DStv",
  gotv: "GOtv",
  startimes: "StarTimes",
};

export const DISCO_NAMES: Record<Disco, string> = {
  abuja: "Abuja Electricity (AEDC)",
  benin: "Benin Electricity (BEDC)",
  eko: "Eko Electricity (EKEDC)",
  enugu: "Enugu Electricity (EEDC)",
  ibadan: "Ibadan Electricity (IBEDC)",
  ikeja: "Ikeja Electric (IKEDC)",
  jos: "Jos Electricity (JED)",
  kaduna: "Kaduna Electric (KAEDCO)",
  kano: "Kano Electricity (KEDCO)",
  portharcourt: "Port Harcourt Electricity (PHED)",
  yola: "Yola Electricity (YEDC)",
  aba: "Aba Power (ABA)",
};

// ---------------------------------------------------------------------------------------------
// Sizes and validity
// ---------------------------------------------------------------------------------------------

const MB_PER_UNIT: Record<string, number> = { mb: 1, gb: 1024, tb: 1024 * 1024 };

/**
 * The first "<number> <MB|GB|TB>" in the text, in MB (binary, as the telcos sell it: 1GB = 1024MB).
 * The lookbehind stops "1.5GB" being read as "5GB"; the lookahead stops "1GBP" style words.
 */
const SIZE_PATTERN = /(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(mb|gb|tb)(?![a-z])/i;

export function parseDataSizeMb(text: string): number | undefined {
  const match = SIZE_PATTERN.exec(text);
  if (!match?.[1] || !match[2]) {
    return undefined;
  }
  const amount = Number(match[1].replace(/,/g, ""));
  const perUnit = MB_PER_UNIT[match[2].toLowerCase()];
  if (!perUnit || !Number.isFinite(amount) || amount <= 0) {
    return undefined;
  }
  // 1.2GB is 1228.8MB; plans are whole MB, so round once here rather than carry fractions around.
  return Math.round(amount * perUnit);
}

const DAYS_PER_UNIT: { pattern: RegExp; days: number }[] = [
  { pattern: /^(?:days?|d)$/, days: 1 },
  { pattern: /^(?:weeks?|wks?|wk)$/, days: 7 },
  { pattern: /^(?:months?|mnths?|mths?|mos?)$/, days: 30 },
  { pattern: /^(?:years?|yrs?)$/, days: 365 },
];

const VALIDITY_NUMBER_PATTERN =
  /(?<![\d.])(\d+)\s*(days?|d|weeks?|wks?|wk|months?|mnths?|mths?|mos?|years?|yrs?|hours?|hrs?|hr|h)(?![a-z])/i;

/** Whole-word validity names, checked only when no "<number> <unit>" is present. */
const VALIDITY_WORDS: { pattern: RegExp; days: number }[] = [
  { pattern: /\b(?:bi-?weekly|fortnight(?:ly)?)\b/i, days: 14 },
  { pattern: /\bdaily\b/i, days: 1 },
  { pattern: /\bweekly\b/i, days: 7 },
  { pattern: /\bmonthly\b/i, days: 30 },
  { pattern: /\bquarterly\b/i, days: 90 },
  { pattern: /\b(?:yearly|annual(?:ly)?)\b/i, days: 365 },
];

/**
 * Validity in whole days. A month counts as 30 days and a year as 365, which is how Nigerian
 * telcos sell them. Hours count only in whole days ("24 hrs" = 1, "48hrs" = 2): an hourly bundle
 * ("1GB 2 hrs") is a different product and must not share a key with a 1-day plan, so it is undefined.
 */
export function parseValidityDays(text: string): number | undefined {
  const match = VALIDITY_NUMBER_PATTERN.exec(text);
  if (match?.[1] && match[2]) {
    return daysFor(Number(match[1]), match[2].toLowerCase());
  }
  return VALIDITY_WORDS.find((word) => word.pattern.test(text))?.days;
}

function daysFor(count: number, unit: string): number | undefined {
  if (!Number.isSafeInteger(count) || count <= 0) {
    return undefined;
  }
  if (/^(?:hours?|hrs?|hr|h)$/.test(unit)) {
    return count % 24 === 0 ? count / 24 : undefined;
  }
  const perUnit = DAYS_PER_UNIT.find((entry) => entry.pattern.test(unit))?.days;
  return perUnit === undefined ? undefined : count * perUnit;
}

// ---------------------------------------------------------------------------------------------
// Plan families
// ---------------------------------------------------------------------------------------------

/** Exact provider "dataType" values (after uppercasing and squeezing punctuation) → our family. */
const FAMILY_ALIASES: Record<string, string> = {
  "CORPORATE GIFTING": "cg",
  CORPORATE: "cg",
  CG: "cg",
  SME: "sme",
  SME2: "sme2",
  "SME 2": "sme2",
  "SME SHARE": "sme2",
  GIFTING: "gifting",
  GIFT: "gifting",
  DIRECT: "gifting",
  "DATA SHARE": "share",
  SHARE: "share",
  AWOOF: "awoof",
  "SOCIAL BUNDLES": "social",
  "SOCIAL BUNDLE": "social",
  SOCIAL: "social",
  TALKMORE: "talkmore",
  "TALK MORE": "talkmore",
};

/**
 * A provider's plan type → our family code. Empty means the provider did not say, and plain
 * retail ("gifting") is what an untyped plan is. Anything new keeps its own slug so it never
 * collides with a known family.
 */
export function normalizeDataFamily(text: string): string {
  const key = text
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, " ")
    .trim();
  if (key === "") {
    return "gifting";
  }
  const withoutSuffix = key.replace(/\s+(?:DATA|PLANS?|BUNDLES?)$/, "");
  return FAMILY_ALIASES[key] ?? FAMILY_ALIASES[withoutSuffix] ?? slugify(text);
}

/**
 * Family words inside a plan name, most specific first: "Corporate Gifting" must not read as
 * "gifting", "SME Share" must not read as "share", and "SME 2GB" is SME, not SME2.
 */
const FAMILY_IN_NAME: { pattern: RegExp; family: string }[] = [
  { pattern: /\bcorporate\b|\bc\.?g\b/i, family: "cg" },
  { pattern: /\bsme[\s-]?share\b|\bsme[\s-]?2\b(?!\s*(?:[.,]\d|[gmt]b\b))/i, family: "sme2" },
  { pattern: /\bsme\b/i, family: "sme" },
  { pattern: /\bshare\b/i, family: "share" },
  { pattern: /\bawoof\b/i, family: "awoof" },
  { pattern: /\bsocial\b/i, family: "social" },
  { pattern: /\btalk[\s-]?more\b/i, family: "talkmore" },
  { pattern: /\bgifting\b|\bdirect\b/i, family: "gifting" },
];

export function parseFamilyFromName(name: string): string | undefined {
  return FAMILY_IN_NAME.find((entry) => entry.pattern.test(name))?.family;
}

// ---------------------------------------------------------------------------------------------
// Networks, DisCos, cable providers
// ---------------------------------------------------------------------------------------------

const NETWORK_PATTERNS: { pattern: RegExp; network: Network }[] = [
  { pattern: /\bmtn\b/i, network: "mtn" },
  { pattern: /\bairtel\b/i, network: "airtel" },
  { pattern: /\bglo(?:bacom)?\b/i, network: "glo" },
  { pattern: /\b(?:9\s?mobile|etisalat|t2)\b/i, network: "9mobile" },
];

export function parseNetworkName(text: string): Network | undefined {
  return onlyOne(NETWORK_PATTERNS.filter((entry) => entry.pattern.test(text)).map((entry) => entry.network));
}

/** Matched against lowercase text whose punctuation became spaces ("ikeja-electric" → "ikeja electric"). */
const DISCO_PATTERNS: { pattern: RegExp; disco: Disco }[] = [
  { pattern: /\b(?:abuja|aedc)\b/, disco: "abuja" },
  { pattern: /\b(?:benin|bedc)\b/, disco: "benin" },
  { pattern: /\b(?:eko|ekedc|ekdc)\b/, disco: "eko" },
  { pattern: /\b(?:enugu|eedc)\b/, disco: "enugu" },
  { pattern: /\b(?:ibadan|ibedc)\b/, disco: "ibadan" },
  { pattern: /\b(?:ikeja|ikedc|iedc)\b/, disco: "ikeja" },
  { pattern: /\b(?:jos|jed|jedc)\b/, disco: "jos" },
  { pattern: /\b(?:kaduna|kaedco|kaedc)\b/, disco: "kaduna" },
  { pattern: /\b(?:kano|kedco|kedc)\b/, disco: "kano" },
  { pattern: /\b(?:port\s?harcourt|phed|phedc)\b/, disco: "portharcourt" },
  { pattern: /\b(?:yola|yedc)\b/, disco: "yola" },
  { pattern: /\b(?:aba|apl|aple)\b/, disco: "aba" },
];

export function parseDiscoName(text: string): Disco | undefined {
  const words = text.toLowerCase().replace(/[^a-z0-9]+/g, " ");
  return onlyOne(DISCO_PATTERNS.filter((entry) => entry.pattern.test(words)).map((entry) => entry.disco));
}

const CABLE_PATTERNS: { pattern: RegExp; cable: CableProvider }[] = [
  { pattern: /\bdstv\b/i, cable: "dstv" },
  { pattern: /\bgotv\b/i, cable: "gotv" },
  { pattern: /\bstar\s?times\b/i, cable: "startimes" },
];

export function parseCableName(text: string): CableProvider | undefined {
  return onlyOne(CABLE_PATTERNS.filter((entry) => entry.pattern.test(text)).map((entry) => entry.cable));
}

/**
 * "DStv Compact Plus" → "compact-plus". Only the given provider's name is stripped, so the slug is
 * stable whether or not a provider prefixes its bouquet names. A name that is only the provider's
 * name keeps it rather than becoming an empty slug.
 */
export function bouquetSlug(cable: CableProvider, name: string): string {
  const pattern = CABLE_PATTERNS.find((entry) => entry.cable === cable)?.pattern;
  const stripped = pattern ? name.replace(new RegExp(pattern.source, "gi"), " ") : name;
  return slugify(stripped) || slugify(name);
}

// ---------------------------------------------------------------------------------------------
// Canonical keys and labels
// ---------------------------------------------------------------------------------------------

export type DataPlanShape = { sizeMb: number; validityDays: number; family: string };

/** `data:mtn:1024mb:30d:sme`: the key that maps one product to every provider's plan id. */
export function canonicalDataKey(plan: DataPlanShape & { network: Network }): string {
  return `data:${plan.network}:${plan.sizeMb}mb:${plan.validityDays}d:${plan.family}`;
}

/** "1GB · 30 days · SME" for a canonical data key; the key itself when it is not one. */
export function describeDataKey(key: string): string {
  const match = /^data:[^:]+:(\d+)mb:(\d+)d:([a-z0-9_]+)$/.exec(key);
  return match
    ? describeDataPlan({ sizeMb: Number(match[1]), validityDays: Number(match[2]), family: match[3] ?? "" })
    : key;
}

/** "1GB · 30 days · SME", for menus and receipts. */
export function describeDataPlan(plan: DataPlanShape): string {
  const days = plan.validityDays === 1 ? "1 day" : `${plan.validityDays} days`;
  return `${describeSize(plan.sizeMb)} · ${days} · ${familyLabel(plan.family)}`;
}

function describeSize(sizeMb: number): string {
  if (sizeMb >= 1024 * 1024) {
    return `${trimDecimals(sizeMb / (1024 * 1024))}TB`;
  }
  if (sizeMb >= 1024) {
    return `${trimDecimals(sizeMb / 1024)}GB`;
  }
  return `${sizeMb}MB`;
}

/** 1.5 → "1.5", 1.2001953125 → "1.2", 2 → "2". Display only. */
function trimDecimals(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function familyLabel(family: string): string {
  if (family === "cg") {
    return "Corporate";
  }
  if (family === "gifting") {
    return "Gifting";
  }
  return family.toUpperCase();
}

// ---------------------------------------------------------------------------------------------

function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** A name that mentions two networks (or DisCos) is ambiguous: better no answer than the first one. */
function onlyOne<T>(values: T[]): T | undefined {
  const distinct = [...new Set(values)];
  return distinct.length === 1 ? distinct[0] : undefined;
}
