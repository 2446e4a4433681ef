import type { Logger } from "../../api/logger";
import type { Lang } from "./i18n";
import type { FlowContext } from "./types";

/**
 * The LLM may word an answer, never decide it (issue 16). A flow drafts the answer from catalogue
 * rows and hands the draft and its facts to `phrase`; the wording comes back only if `checkPhrasing`
 * finds in it nothing the draft did not say (no other amount, size, number or plan) and nothing of
 * the draft's plans missing. Anything else (no LLM, a failure, a slow answer, an invented plan or
 * price) shows the draft.
 */

/** One plan an answer shows, as its draft writes it. */
export type PhrasedPlan = { name: string; network: string; size: string };

export type PhraseRequest = {
  lang: Lang;
  /** The answer as the flow wrote it: the only source of amounts, sizes and plans. */
  draft: string;
  /** The plans the draft shows: every one must still be named in the wording. */
  plans: PhrasedPlan[];
  /** What the customer wrote: passed to the model as data, never as instructions. */
  customerText?: string;
};

/** A friendlier wording of the draft, or undefined (not configured, failed, slow). */
export type Phrase = (request: PhraseRequest) => Promise<string | undefined>;

/** The wording if it passes the check, else the draft. Never throws. */
export async function phraseOrDraft(fc: FlowContext, request: PhraseRequest): Promise<string> {
  if (!fc.deps.phrase) {
    return request.draft;
  }
  const phrased = await fc.deps.phrase(request).catch(() => undefined);
  if (phrased === undefined) {
    return request.draft;
  }
  if (!checkPhrasing(request, phrased)) {
    fc.ctx.logger.info({ lang: request.lang }, "LLM wording overruled: it changed the facts");
    return request.draft;
  }
  return phrased.trim();
}

const NETWORK_WORDS = "MTN|Airtel|Glo|9mobile|Etisalat";
/** "₦1,300", "N1300", "NGN 1,300.50". */
const AMOUNT = /(?:₦|\bNGN\s?|\bN(?=\d))\s?(\d[\d,]*(?:\.\d+)?)/gi;
/** "2GB", "500 MB", "1.5gb". */
const SIZE = /(\d+(?:\.\d+)?)\s?(MB|GB|TB)\b/gi;
/** Any number at all, commas included. */
const NUMBER = /\d[\d,]*(?:\.\d+)?/g;
/** "2k", "1.5k naira": amounts in a form the draft never uses. */
const THOUSANDS = /\d\s?k\b/i;
/** A plan mentioned by network and size: "MTN 2GB", "glo 5 GB". */
const PLAN_MENTION = new RegExp(`\\b(${NETWORK_WORDS})\\s+(\\d+(?:\\.\\d+)?)\\s?(MB|GB|TB)\\b`, "gi");
const LINK = /https?:|www\.|\.com\b|\.ng\b/i;

const numberKey = (text: string) => String(Number(text.replace(/,/g, "")));
const sizeKey = (value: string, unit: string) => `${numberKey(value)}${unit.toUpperCase()}`;

function keysOf(text: string, pattern: RegExp, key: (m: RegExpExecArray) => string): Set<string> {
  const keys = new Set<string>();
  for (const m of text.matchAll(pattern)) {
    keys.add(key(m));
  }
  return keys;
}

/**
 * Whether a wording keeps to the draft: every ₦ amount, data size, number and plan it names is one
 * the draft names, every plan of the draft is still named, and it adds no link. Deliberately strict:
 * a rejected wording costs only friendliness, an accepted wrong one would cost trust.
 */
export function checkPhrasing(request: PhraseRequest, phrased: string): boolean {
  const text = phrased.trim();
  const { draft } = request;
  if (text === "" || text.length > draft.length * 2 + 300) {
    return false;
  }
  if (THOUSANDS.test(text) || (LINK.test(text) && !LINK.test(draft))) {
    return false;
  }
  const amount = (m: RegExpExecArray) => numberKey(m[1] ?? "");
  const size = (m: RegExpExecArray) => sizeKey(m[1] ?? "", m[2] ?? "");
  const number = (m: RegExpExecArray) => numberKey(m[0]);
  const checks: [RegExp, (m: RegExpExecArray) => string][] = [
    [AMOUNT, amount],
    [SIZE, size],
    [NUMBER, number],
  ];
  for (const [pattern, key] of checks) {
    const allowed = keysOf(draft, pattern, key);
    for (const found of keysOf(text, pattern, key)) {
      if (!allowed.has(found)) {
        return false;
      }
    }
  }
  const allowedPlans = new Set(
    request.plans.map((p) => `${p.network.toLowerCase()} ${sizeKey(...splitSize(p.size))}`),
  );
  for (const m of text.matchAll(PLAN_MENTION)) {
    if (!allowedPlans.has(`${(m[1] ?? "").toLowerCase()} ${sizeKey(m[2] ?? "", m[3] ?? "")}`)) {
      return false;
    }
  }
  const lower = text.toLowerCase();
  return request.plans.every((p) => lower.includes(p.name.toLowerCase()));
}

function splitSize(size: string): [string, string] {
  const m = /^(\d+(?:\.\d+)?)\s?(MB|GB|TB)$/i.exec(size.trim());
  return m ? [m[1] ?? "", m[2] ?? ""] : [size, ""];
}

/**
 * What the engine needs of a language model for wording: a friendlier text for a draft, or why not.
 * The composition root plugs in a vendor's client (api/providers/groq/phrase-client.ts).
 */
export type PhraseWriter = {
  phrase(input: {
    /** "English" or "Nigerian Pidgin". */
    language: string;
    draft: string;
    customerText?: string;
  }): Promise<{ ok: true; text: string } | { ok: false; reason: string; detail: string }>;
};

/** The engine's wording helper on a model: a failure is undefined, and the draft is shown. */
export function phraseWith(writer: PhraseWriter, logger: Logger): Phrase {
  return async (request) => {
    const result = await writer.phrase({
      language: request.lang === "pcm" ? "Nigerian Pidgin" : "English",
      draft: request.draft,
      customerText: request.customerText,
    });
    if (!result.ok) {
      logger.info({ reason: result.reason }, "LLM wording fell back to the draft");
      return undefined;
    }
    return result.text;
  };
}
