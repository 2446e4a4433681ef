import type { OutboxRow } from "../api/services/chat-outbox";
import type { ChatChannel, Reply } from "./engine/types";

/**
 * How a channel sends (the transport under the chat outbox, bot/outbox/sender.ts): each adapter
 * registers one. `send` throws when the channel did not take the message — `PermanentSendError`
 * (blocked, chat gone: never retried), `RateLimitedError` (flood wait), anything else (retried with
 * backoff) — and must not retry on its own: the outbox decides.
 */
export type ChatSender = {
  channel: ChatChannel;
  /** The only chats this sender can reach (the console reaches the person typing); all when unset. */
  reaches?: string[];
  /** Send in order; resolves with the channel's ids of the messages (to clear their buttons later). */
  // biome-ignore lint/suspicious/noConfusingVoidType: a transport that cannot name its messages returns nothing.
  send(userRef: string, replies: Reply[]): Promise<void | { messageIds?: string[] }>;
  /** Remove the buttons of a message sent before (a stale summary). */
  clearButtons?(userRef: string, messageId: string): Promise<void>;
  /** Delete a message from the chat. */
  deleteMessage?(userRef: string, messageId: string): Promise<void>;
};

/** The channel will never take this message (the person blocked the bot, the chat is gone): do not retry. */
export class PermanentSendError extends Error {}

/** The channel asked us to slow down (Telegram 429 retry_after): try again after `retryAfterMs`. */
export class RateLimitedError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/** What the engine returned for one input: the outbox rows to send now. */
export type QueuedReplies = {
  outboxIds: number[];
  leased: boolean;
  /** The leased rows as written (saves reading them back); read by id when absent. */
  rows?: OutboxRow[];
};

/** The part of an outbox sender the adapters use (bot/outbox/sender.ts). */
export type OutboxHandle = {
  /**
   * Send these rows now (the synchronous reply path); resolves once they were sent or left for a
   * retry: true when the channel accepted all of them.
   */
  sendNow(out: QueuedReplies): Promise<boolean>;
  /** Something new is waiting: look now rather than at the next poll. */
  wake(): void;
  /** The owner the rows are leased to (`handleChatInput`'s `sendingBy`). */
  readonly owner: string;
};

/** The senders of the adapters running in this process, and their outbox senders once started. */
export class ChatSenders {
  private readonly byChannel = new Map<ChatChannel, ChatSender>();
  private readonly outboxes = new Map<ChatChannel, OutboxHandle>();

  register(sender: ChatSender): void {
    this.byChannel.set(sender.channel, sender);
  }

  get(channel: ChatChannel): ChatSender | undefined {
    return this.byChannel.get(channel);
  }

  all(): ChatSender[] {
    return [...this.byChannel.values()];
  }

  attachOutbox(channel: ChatChannel, outbox: OutboxHandle | undefined): void {
    if (outbox) {
      this.outboxes.set(channel, outbox);
    } else {
      this.outboxes.delete(channel);
    }
  }

  /** The owner to lease reply rows to, when this process sends `channel` now. */
  owner(channel: ChatChannel): string | undefined {
    return this.outboxes.get(channel)?.owner;
  }

  /**
   * Send an input's replies now when this process runs the channel's outbox sender; otherwise they
   * wait in the outbox for whoever does (another process, or this one once it starts). True when
   * the channel accepted every one of them now.
   */
  async sendNow(channel: ChatChannel, out: QueuedReplies): Promise<boolean> {
    const outbox = this.outboxes.get(channel);
    if (!outbox || out.outboxIds.length === 0) {
      return false;
    }
    return outbox.sendNow(out);
  }
}
