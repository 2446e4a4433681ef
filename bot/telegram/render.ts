import type {
  InlineKeyboardButton,
  InlineKeyboardMarkup,
  MessageEntity,
  ReplyKeyboardMarkup,
} from "grammy/types";
import type { Reply } from "../engine/types";

/**
 * Callback data is typed by its prefix: `c:<choice id>` answers with the choice itself; a choice id
 * too long for Telegram's 64-byte limit is sent as `n:<position>`, which the engine reads like a
 * typed number.
 */
export type CallbackData = { kind: "choice"; id: string } | { kind: "number"; position: number };

const CALLBACK_DATA_MAX_BYTES = 64;

export function encodeCallback(id: string, position: number): string {
  const data = `c:${id}`;
  return Buffer.byteLength(data) <= CALLBACK_DATA_MAX_BYTES ? data : `n:${position}`;
}

export function decodeCallback(data: string): CallbackData | undefined {
  if (data.startsWith("c:") && data.length > 2) {
    return { kind: "choice", id: data.slice(2) };
  }
  const n = /^n:(\d{1,2})$/.exec(data);
  return n ? { kind: "number", position: Number(n[1]) } : undefined;
}

/**
 * One engine reply as a Telegram message: text plus an inline keyboard (two short buttons a row).
 * A reply asking for the person's phone number gets a one-time reply keyboard instead: Telegram's
 * "share my phone number" button, with the choices as plain buttons (their labels answer them).
 */
export function renderReply(reply: Reply): {
  text: string;
  reply_markup?: InlineKeyboardMarkup | ReplyKeyboardMarkup;
  entities?: MessageEntity[];
} {
  const entities = copyEntities(reply);
  if (reply.askContact) {
    return {
      text: reply.text,
      ...entities,
      reply_markup: {
        keyboard: [
          [{ text: reply.askContact, request_contact: true }],
          ...(reply.choices ?? []).map((c) => [{ text: c.label }]),
        ],
        one_time_keyboard: true,
        resize_keyboard: true,
      },
    };
  }
  const rows: InlineKeyboardButton[][] = [];
  const choices = reply.choices ?? [];
  const short = choices.every((c) => c.label.length <= 18);
  choices.forEach((choice, i) => {
    const button = { text: choice.label, callback_data: encodeCallback(choice.id, i + 1) };
    const last = rows[rows.length - 1];
    if (short && last && last.length === 1 && i % 2 === 1) {
      last.push(button);
    } else {
      rows.push([button]);
    }
  });
  let text = reply.text;
  if (reply.link) {
    // Telegram only accepts https URL buttons; the link is always in the text as well.
    text = `${text}\n${reply.link.label}: ${reply.link.url}`;
    if (reply.link.url.startsWith("https://")) {
      rows.unshift([{ text: reply.link.label, url: reply.link.url }]);
    }
  }
  return rows.length > 0
    ? { text, ...entities, reply_markup: { inline_keyboard: rows } }
    : { text, ...entities };
}

/**
 * The reply's `copy` text (an account number) as a `code` entity: Telegram shows it in monospace and
 * copies it on a tap. Entities, not `parse_mode`, so nothing in the text needs escaping. Offsets are
 * UTF-16 code units, which is what JavaScript string indices count. Only its first occurrence.
 */
function copyEntities(reply: Reply): { entities?: MessageEntity[] } {
  const copy = reply.copy;
  const offset = copy ? reply.text.indexOf(copy) : -1;
  return copy && offset >= 0 ? { entities: [{ type: "code", offset, length: copy.length }] } : {};
}
