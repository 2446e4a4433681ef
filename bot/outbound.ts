import type { ChatChannel, Reply } from "./engine/types";

/**
 * How the server speaks first on a channel (notifications, the answer to a PIN entered on the web
 * page): each adapter registers one sender. `send` throws when the channel failed, so the caller
 * (the notification job) can retry; it must not retry on its own.
 */
export type ChatSender = {
  channel: ChatChannel;
  send(userRef: string, replies: Reply[]): Promise<void>;
};

/** The senders of the adapters running in this process. */
export class ChatSenders {
  private readonly byChannel = new Map<ChatChannel, ChatSender>();

  register(sender: ChatSender): void {
    this.byChannel.set(sender.channel, sender);
  }

  get(channel: ChatChannel): ChatSender | undefined {
    return this.byChannel.get(channel);
  }

  channels(): ChatChannel[] {
    return [...this.byChannel.keys()];
  }
}
