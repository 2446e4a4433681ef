/**
 * Strings that come from outside (a provider's answer, a webhook) may carry characters PostgreSQL
 * cannot store: `text` and `jsonb` refuse U+0000, and a lone UTF-16 surrogate has no UTF-8 encoding.
 * One failed insert rolls back the transaction that books a delivery, so such a string must never
 * reach an INSERT as it is. Two tools, for two needs:
 * - `storableText` for what people read (messages, names, references): the bad characters become
 *   U+FFFD, visibly replaced.
 * - `exactJsonText` for the record of what was said: JSON text in which NUL and lone surrogates are
 *   escapes (`\u0000`, `\ud800`), so it stores in a `text` column and parses back to the same value.
 * - `storableJson` for a payload kept in `jsonb`: the bad characters become their escape text.
 */

/** NUL, or a high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const UNSTORABLE_SOURCE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point.
  /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.source;
const UNSTORABLE = new RegExp(UNSTORABLE_SOURCE, "g");
const HAS_UNSTORABLE = new RegExp(UNSTORABLE_SOURCE);

export function hasUnstorableCharacters(value: string): boolean {
  return HAS_UNSTORABLE.test(value);
}

/** The string with NUL and lone surrogates replaced by U+FFFD (the replacement character). */
export function storableText(value: string): string {
  return value.replace(UNSTORABLE, "\ufffd");
}

export function storableOptional(value: string | null | undefined): string | null {
  return value === null || value === undefined ? null : storableText(value);
}

/**
 * Lossless JSON text of any value. `JSON.stringify` escapes control characters and (since ES2019)
 * lone surrogates, so the result contains neither; values JSON cannot hold (a cycle, a BigInt) are
 * described instead of throwing.
 */
export function exactJsonText(value: unknown): string {
  try {
    return JSON.stringify(value ?? null) ?? "null";
  } catch (error) {
    return JSON.stringify({ unserializable: String((error as Error).message) });
  }
}

/**
 * JSON from outside (a signed payment webhook, a provider webhook) made storable in a `jsonb` column
 * without dropping anything: each NUL or lone surrogate becomes the six characters of its JSON
 * escape (`\u0000` as text), in values and keys alike, so the event is kept and can still be read.
 * Nesting deeper than MAX_STORED_DEPTH (no real event comes close) is replaced by a note, because
 * serialising it would overflow the stack.
 */
export function storableJson(value: unknown): unknown {
  return storable(value, 0);
}

export const MAX_STORED_DEPTH = 32;
export const TOO_DEEP = `[nested deeper than ${MAX_STORED_DEPTH} levels: not stored]`;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** NUL and lone surrogates as their JSON escape text (`\u0000`, `\ud800`). */
export function escapeUnstorable(text: string): string {
  return text
    .replaceAll("\u0000", "\\u0000")
    .replace(LONE_SURROGATE, (ch) => `\\u${ch.charCodeAt(0).toString(16)}`);
}

function storable(value: unknown, depth: number): unknown {
  if (typeof value === "string") {
    return escapeUnstorable(value);
  }
  if (value === null || typeof value !== "object") {
    return value;
  }
  if (depth >= MAX_STORED_DEPTH) {
    return TOO_DEEP;
  }
  if (Array.isArray(value)) {
    return value.map((item) => storable(item, depth + 1));
  }
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [escapeUnstorable(key), storable(item, depth + 1)]),
  );
}
