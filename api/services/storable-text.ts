/**
 * Strings that come from outside (a provider's answer, a webhook) may carry characters PostgreSQL
 * cannot store: `text` and `jsonb` refuse U+0000, and a lone UTF-16 surrogate has no UTF-8 encoding.
 * One failed insert rolls back the transaction that books a delivery, so such a string must never
 * reach an INSERT as it is. Two tools, for two needs:
 * - `storableText` for what people read (messages, names, references): the bad characters become
 *   U+FFFD, visibly replaced.
 * - `exactJsonText` for the record of what was said: JSON text in which NUL and lone surrogates are
 *   escapes (`\u0000`, `\ud800`), so it stores in a `text` column and parses back to the same value.
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
 * A copy that jsonb accepts: every string (keys included) made storable. For payloads kept for
 * people to read (webhook bodies) where an exact copy is not needed.
 */
export function storableJson(value: unknown, depth = 0): unknown {
  if (typeof value === "string") {
    return storableText(value);
  }
  if (value === null || typeof value !== "object" || depth > 32) {
    return typeof value === "number" && !Number.isFinite(value) ? null : value;
  }
  if (Array.isArray(value)) {
    return value.map((item) => storableJson(item, depth + 1));
  }
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[storableText(key)] = storableJson(item, depth + 1);
  }
  return copy;
}
