import type { ChatInput } from "./types";

/**
 * Chat text may hold any character a phone can send, and two of them cannot be stored: PostgreSQL
 * refuses NUL (U+0000) in text and jsonb, and a lone UTF-16 surrogate cannot be encoded as UTF-8.
 * A bot answers every message, so instead of refusing the input (a refused Telegram update is
 * retried for ever) the engine drops NUL, which no keyboard types on purpose, and writes U+FFFD for a
 * lone surrogate, as any UTF-8 encoder would. Every channel's input passes through here first.
 */
export function normalizeChatInput(input: ChatInput): ChatInput {
  const out: ChatInput = { ...input };
  for (const key of STRING_FIELDS) {
    const value = out[key];
    if (typeof value === "string") {
      out[key] = storableText(value);
    }
  }
  return out;
}

const STRING_FIELDS = [
  "userRef",
  "messageId",
  "text",
  "choice",
  "displayName",
  "contactPhone",
  "pinLinkFor",
] as const satisfies readonly (keyof ChatInput)[];

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `text` without NUL, and with U+FFFD for each unpaired surrogate. */
export function storableText(text: string): string {
  return text.replaceAll("\u0000", "").replace(LONE_SURROGATE, "\ufffd");
}
