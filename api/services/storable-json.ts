/**
 * JSON from outside (a signed payment webhook) made storable in a PostgreSQL `jsonb` column without
 * dropping it. `jsonb` refuses two things JSON can carry: the `\u0000` escape (NUL) and a lone UTF-16
 * surrogate (`\ud800` without its pair). Each such character becomes the six characters of its JSON
 * escape (`\u0000` as text), in values and keys alike, so the event is kept and can still be read;
 * nothing else changes. Nesting deeper than MAX_STORED_DEPTH (no real event comes close) is replaced
 * by a note, because serialising it would overflow the stack.
 */
export function toStorableJson(value: unknown): unknown {
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
