import type { Logger } from "../../api/logger";
import { handleChatInput } from "../engine/engine";
import type { ChatInput, EngineDeps } from "../engine/types";
import type { ChatSender, ChatSenders } from "../outbound";
import { renderReplies } from "./render";

/** The parts of a whatsapp-web.js Message we read (an object literal stands in for it in tests). */
export type WhatsAppMessage = {
  from: string;
  body: string;
  type: string;
  fromMe: boolean;
  hasMedia?: boolean;
  broadcast?: boolean;
  isStatus?: boolean;
  id: { _serialized: string };
  notifyName?: string;
  _data?: { notifyName?: string };
};

/**
 * The parts of the whatsapp-web.js Client the adapter uses. Structural, so a plain EventEmitter
 * with a `sendMessage` can stand in for it (environment.md §7).
 */
export type WhatsAppClientLike = {
  on(event: "message", listener: (message: WhatsAppMessage) => void): unknown;
  sendMessage(chatId: string, content: string, options?: { linkPreview?: boolean }): Promise<unknown>;
};

/** Things a person sends that are not text: they get a polite "please type". */
const NOT_TEXT_TYPES = new Set([
  "audio",
  "ptt",
  "image",
  "album",
  "video",
  "document",
  "sticker",
  "location",
  "vcard",
  "multi_vcard",
  "poll_creation",
  "oversized",
]);

export const NOT_TEXT_REPLY =
  "Sorry, I can only read text messages. Please type what you need, or send menu to see what I can do.";

const SORRY = "Sorry, something went wrong on our side. Please send that again in a moment.";

/** One-to-one chats only: groups, status updates, broadcast lists and channels are not for the bot. */
function isPersonalChat(message: WhatsAppMessage): boolean {
  const from = message.from;
  return (
    !message.fromMe &&
    !message.broadcast &&
    !message.isStatus &&
    !from.endsWith("@g.us") &&
    !from.endsWith("@broadcast") &&
    !from.endsWith("@newsletter")
  );
}

/** "2348031234567@c.us" → "2348031234567"; other ids (e.g. "…@lid") are kept whole to send back to. */
export function userRefOf(from: string): string {
  return from.endsWith("@c.us") ? from.slice(0, -"@c.us".length) : from;
}

export function chatIdOf(userRef: string): string {
  return userRef.includes("@") ? userRef : `${userRef}@c.us`;
}

/** Links we send are one-time PIN pages and checkouts: no preview card is fetched for them. */
const NO_PREVIEW = { linkPreview: false };

export function whatsAppSender(client: Pick<WhatsAppClientLike, "sendMessage">): ChatSender {
  return {
    channel: "whatsapp",
    async send(userRef, replies) {
      await client.sendMessage(chatIdOf(userRef), renderReplies(replies), NO_PREVIEW);
    },
  };
}

/**
 * Connect a WhatsApp client to the chat engine. Messages of one person are handled in arrival order
 * (a per-person promise chain, S9); different people run concurrently. Registers the WhatsApp
 * sender, so server-initiated messages (the PIN page's answer) reach this client.
 * `idle()` resolves when every message received so far has been answered.
 */
export function attachWhatsApp(
  client: WhatsAppClientLike,
  deps: { engine: EngineDeps; senders: ChatSenders; logger: Logger },
): { idle(): Promise<void> } {
  const sender = whatsAppSender(client);
  deps.senders.register(sender);
  const chains = new Map<string, Promise<void>>();

  const handle = async (message: WhatsAppMessage, userRef: string): Promise<void> => {
    try {
      if (message.type !== "chat" || message.hasMedia) {
        // System entries (deleted messages, encryption notices, reactions, undecrypted "waiting for
        // this message") are not something the person said: no answer.
        if (message.hasMedia || NOT_TEXT_TYPES.has(message.type)) {
          await client.sendMessage(message.from, NOT_TEXT_REPLY);
        }
        return;
      }
      const input: ChatInput = {
        channel: "whatsapp",
        userRef,
        messageId: message.id._serialized,
        text: message.body,
      };
      const displayName = message.notifyName ?? message._data?.notifyName;
      if (displayName) {
        input.displayName = displayName;
      }
      const out = await handleChatInput(deps.engine, input);
      if (!out.duplicate && out.replies.length > 0) {
        await client.sendMessage(message.from, renderReplies(out.replies), NO_PREVIEW);
      }
    } catch (error) {
      // Never the message body in the log: it may be a PIN someone typed despite being told not to.
      deps.logger.error({ err: error, channel: "whatsapp" }, "whatsapp message failed");
      await client.sendMessage(message.from, SORRY).catch(() => {});
    }
  };

  client.on("message", (message) => {
    if (!isPersonalChat(message)) {
      return;
    }
    const userRef = userRefOf(message.from);
    const previous = chains.get(userRef) ?? Promise.resolve();
    const current = previous.then(() => handle(message, userRef));
    chains.set(userRef, current);
    void current.finally(() => {
      if (chains.get(userRef) === current) {
        chains.delete(userRef);
      }
    });
  });

  return {
    async idle() {
      while (chains.size > 0) {
        await Promise.all(chains.values());
      }
    },
  };
}
