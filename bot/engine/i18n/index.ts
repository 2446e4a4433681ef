/**
 * The languages the chat answers in (issue 16): English and Nigerian Pidgin. Every reply a person
 * reads is a template with one form per language, declared with `templates`, so a test can check
 * that no template lacks its Pidgin form. Money words stay unambiguous in both: amounts are always
 * written with ₦ and digits, and "Confirm", "Cancel" and "PIN" keep their English names.
 */
export const LANGS = ["en", "pcm"] as const;
export type Lang = (typeof LANGS)[number];

export const DEFAULT_LANG: Lang = "en";

// biome-ignore lint/suspicious/noExplicitAny: a template's arguments are whatever its text needs.
type AnyArgs = any[];

/** One reply, in every language: a function of the values it shows (₦ amounts, numbers, names). */
export type Template<A extends AnyArgs = []> = Readonly<Record<Lang, (...args: A) => string>>;

/** Every area's templates, by area name: read by the completeness test. */
export const TEMPLATE_AREAS = new Map<string, Readonly<Record<string, Template<AnyArgs>>>>();

/**
 * Declare an area's templates ("airtime", "balance", …). Returns them unchanged, typed, so a flow
 * writes `T.askPhone[fc.lang]()`.
 */
export function templates<T extends Record<string, Template<AnyArgs>>>(area: string, entries: T): T {
  if (TEMPLATE_AREAS.has(area)) {
    throw new Error(`templates for "${area}" are declared twice`);
  }
  TEMPLATE_AREAS.set(area, entries);
  return entries;
}

export function isLang(value: unknown): value is Lang {
  return typeof value === "string" && (LANGS as readonly string[]).includes(value);
}
