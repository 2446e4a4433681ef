import type { ChatChannel, Reply } from "./engine/types";

/**
 * How the server speaks first on a channel (notifications, the answer to a PIN entered on the web
 * page): each adapter registers one sender. `send` throws when the channel failed, so the caller
 * (the notification job) can retry; it must not retry on its own.
 */
export type ChatSender = {
  channel: ChatChannel;
  /** The only chats this sender can reach (the console reaches the person typing); all when unset. */
  reaches?: string[];
  send(userRef: string, replies: Reply[]): Promise<void>;
};

/** The channel will never take this message (the person blocked the bot, the chat is gone): do not retry. */
export class PermanentSendError extends Error {}

/** The senders of the adapters running in this process. */
export class ChatSenders {
  private readonly byChannel = new Map<ChatChannel, ChatSender>();

  register(sender: ChatSender): void {
    this.byChannel.set(sender.channel, sender);
  }

  get(channel: ChatChannel): ChatSender | undefined {
    return this.byChannel.get(channel);
  }

  all(): ChatSender[] {
    return [...this.byChannel.values()];
  }
}
