import type { Logger } from "../../api/logger";
import {
  claimUnhandledUpdates,
  type InboundUpdate,
  markUpdatesHandled,
  recordUpdates,
} from "../../api/services/chat-inbox";
import { enqueueChatMessages } from "../../api/services/chat-outbox";
import { handleChatInput, holdsSecret } from "../engine/engine";
import type { ChatInput, EngineDeps } from "../engine/types";
import { type ChatSender, type ChatSenders, PermanentSendError, type QueuedReplies } from "../outbound";
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
  /** Resolves with the sent Message (its `id._serialized`), or undefined when no chat was found. */
  sendMessage(chatId: string, content: string, options?: { linkPreview?: boolean }): Promise<unknown>;
  /** The number's WhatsApp id, or null when the number is not on WhatsApp. */
  getNumberId?(number: string): Promise<unknown>;
};

const CHANNEL = "whatsapp";

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

/** A PIN-shaped message (or one holding a BVN) is stored redacted: after a crash it cannot be read back, so we ask for it again. */
export const SEND_AGAIN_REPLY =
  "Sorry, your last message arrived while we were restarting and could not be read. Please send it again. " +
  "(Never send your PIN here: use the PIN link.)";

/** Longer than WhatsApp Web takes to send; well inside the outbox lease (30 s), so no one else sends it meanwhile. */
const SEND_TIMEOUT_MS = 15_000;

/** How whatsapp-web.js says a number or id cannot be written to (checked with getNumberId before giving up). */
const NOT_A_CHAT = /invalid wid|wid error|No LID for user|not a (registered )?WhatsApp user/i;

const DEFAULT_RECOVERY = { everyMs: 30_000, staleSeconds: 120 };
const RECOVERY_BATCH = 200;

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

/** A message as the adapter handles it, live or read back from the inbox after a restart. */
type Received = {
  key: string;
  userRef: string;
  kind: "text" | "not_text";
  text?: string;
  /** PIN-shaped text, stored redacted: only the live handler ever sees it. */
  redacted?: boolean;
  displayName?: string;
};

/** What is stored in chat_updates.payload: enough to answer after a crash, never a PIN. */
type StoredPayload = {
  kind: Received["kind"];
  text?: string;
  redacted?: boolean;
  displayName?: string;
  /** Arrival (ms) and sequence in the receiving process: the per-chat order after a restart. */
  at: number;
  seq: number;
};

let sequence = 0;

/**
 * The inbox record of a message the bot answers (undefined for the ones it ignores: groups, its own,
 * system entries). A PIN-shaped text is stored redacted (S4): a PIN is never at rest in the inbox.
 */
export function toInboundUpdate(
  message: WhatsAppMessage,
): { update: InboundUpdate; received: Received } | undefined {
  if (!isPersonalChat(message)) {
    return undefined;
  }
  let kind: Received["kind"];
  if (message.type === "chat" && !message.hasMedia) {
    kind = "text";
  } else if (message.hasMedia || NOT_TEXT_TYPES.has(message.type)) {
    kind = "not_text";
  } else {
    // System entries (deleted messages, encryption notices, reactions, undecrypted "waiting for
    // this message") are not something the person said: no answer.
    return undefined;
  }
  const userRef = userRefOf(message.from);
  const displayName = message.notifyName ?? message._data?.notifyName;
  const received: Received = { key: message.id._serialized, userRef, kind };
  if (kind === "text") {
    received.text = message.body;
  }
  if (displayName) {
    received.displayName = displayName;
  }
  const redacted = kind === "text" && holdsSecret(message.body);
  const payload: StoredPayload = {
    kind,
    ...(kind === "text" ? (redacted ? { redacted: true } : { text: message.body }) : {}),
    ...(displayName ? { displayName } : {}),
    at: Date.now(),
    seq: ++sequence,
  };
  return { update: { key: received.key, externalId: userRef, payload }, received };
}

function fromStored(key: string, userRef: string, payload: Record<string, unknown>): Received | undefined {
  const p = payload as Partial<StoredPayload>;
  if (p.kind !== "text" && p.kind !== "not_text") {
    return undefined;
  }
  const received: Received = { key, userRef, kind: p.kind };
  if (p.redacted === true) {
    received.redacted = true;
  } else if (typeof p.text === "string") {
    received.text = p.text;
  }
  if (typeof p.displayName === "string") {
    received.displayName = p.displayName;
  }
  return received;
}

function orderOf(payload: Record<string, unknown>): [number, number] {
  return [Number(payload.at ?? 0), Number(payload.seq ?? 0)];
}

function messageIdOf(sent: unknown): string | undefined {
  const id = (sent as { id?: { _serialized?: unknown } } | undefined)?.id?._serialized;
  return typeof id === "string" ? id : undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export type WhatsAppAdapterDeps = {
  engine: EngineDeps;
  senders: ChatSenders;
  logger: Logger;
  /** This process's boot id: it owns the messages it records (a dead owner's are answered by the next). */
  owner: string;
  /** How often to look for messages a stopped process recorded but never answered, and when one of ours is stuck. */
  recovery?: { everyMs: number; staleSeconds: number };
};

/**
 * WhatsApp in front of the chat engine, through the chat inbox and outbox (DECISIONS §40).
 *
 * In: every message the bot answers is first recorded (`chat_updates`, key = the WhatsApp message
 * id), then handled, then marked handled. Messages of one person are handled in arrival order (a
 * per-person promise chain, S9); different people run concurrently. What a process recorded but
 * did not handle (it was stopped or killed) is handled by the recovery pass of whoever runs next.
 *
 * Out: the engine queues every answer in the outbox; the adapter asks the outbox to send them at
 * once (`senders.sendNow`). The outbox sends through `sender` (registered here), paced, in order per
 * chat, retried while WhatsApp cannot be reached. Nothing here calls the client for a reply.
 */
export class WhatsAppAdapter {
  readonly sender: ChatSender;
  private client: WhatsAppClientLike | undefined;
  private receiving = true;
  private readonly chains = new Map<string, Promise<void>>();
  /** Inbox writes of messages received while stopping. */
  private readonly recording = new Set<Promise<unknown>>();
  /** Answers handed to the outbox to send now. */
  private readonly sending = new Set<Promise<unknown>>();
  private recordQueue: { update: InboundUpdate; resolve: () => void; reject: (error: unknown) => void }[] =
    [];
  private handledQueue: string[] = [];
  private handledFlush: Promise<void> | undefined;
  private recoveryTimer: NodeJS.Timeout | undefined;
  private recoveryPass: Promise<unknown> = Promise.resolve();
  private readonly recovery: { everyMs: number; staleSeconds: number };

  constructor(private readonly deps: WhatsAppAdapterDeps) {
    this.recovery = deps.recovery ?? DEFAULT_RECOVERY;
    this.sender = {
      channel: CHANNEL,
      send: (userRef, replies) => this.send(userRef, renderReplies(replies)),
    };
    deps.senders.register(this.sender);
  }

  /** Receive this client's messages. */
  listen(client: Pick<WhatsAppClientLike, "on">): void {
    client.on("message", (message) => this.receive(message));
  }

  /** Send through this client from now on (it is linked and ready); undefined: nothing can be sent. */
  connect(client: WhatsAppClientLike | undefined): void {
    this.client = client;
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  /** Answer what a stopped process left (at once), then look again every `recovery.everyMs`. */
  start(): this {
    const pass = () => {
      this.recoveryPass = this.recover()
        .catch((error: unknown) =>
          this.deps.logger.warn({ err: error, channel: CHANNEL }, "whatsapp recovery pass failed"),
        )
        .finally(() => {
          if (this.receiving) {
            this.recoveryTimer = setTimeout(pass, this.recovery.everyMs);
            this.recoveryTimer.unref();
          }
        });
    };
    pass();
    return this;
  }

  /**
   * Shutdown, first step: messages that still arrive are recorded (the next process answers them)
   * but no longer handled here.
   */
  async stopReceiving(): Promise<void> {
    this.receiving = false;
    clearTimeout(this.recoveryTimer);
    await this.recoveryPass;
  }

  /**
   * Shutdown, second step: let the messages in hand be handled (their answers are then in the
   * outbox, which flushes next), for at most `timeoutMs`; returns how many chats did not finish.
   */
  async drain(timeoutMs: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.settle(false),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    return this.chains.size;
  }

  /** Resolves when every message received so far is handled and the outbox was asked to send its answers. */
  idle(): Promise<void> {
    return this.settle(true);
  }

  private async settle(withSends: boolean): Promise<void> {
    for (;;) {
      const waiting = [...this.chains.values(), ...this.recording, ...(withSends ? this.sending : [])];
      if (this.handledFlush) {
        waiting.push(this.handledFlush);
      }
      if (waiting.length === 0 && this.recordQueue.length === 0) {
        return;
      }
      await Promise.all(waiting.map((p) => p.catch(() => {})));
      if (waiting.length === 0) {
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  /**
   * Take over messages recorded but never handled: their receiver is gone, or one of ours has been
   * stuck for `staleSeconds`. Per chat in the order they arrived. Returns how many were taken.
   */
  async recover(): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await claimUnhandledUpdates(this.deps.engine.ctx(), {
        channel: CHANNEL,
        owner: this.deps.owner,
        staleSeconds: this.recovery.staleSeconds,
        limit: RECOVERY_BATCH,
      });
      rows.sort((a, b) => {
        const [atA, seqA] = orderOf(a.payload);
        const [atB, seqB] = orderOf(b.payload);
        return atA - atB || seqA - seqB;
      });
      for (const row of rows) {
        const received = fromStored(row.key, row.externalId, row.payload);
        if (received) {
          this.inChat(received.userRef, () => this.handle(received));
        } else {
          this.markHandled(row.key);
        }
      }
      total += rows.length;
      if (rows.length < RECOVERY_BATCH) {
        break;
      }
    }
    if (total > 0) {
      this.deps.logger.info(
        { channel: CHANNEL, messages: total },
        "whatsapp messages received but not answered before a restart are answered now",
      );
    }
    return total;
  }

  private receive(message: WhatsAppMessage): void {
    const inbound = toInboundUpdate(message);
    if (!inbound) {
      return;
    }
    const recorded = this.record(inbound.update);
    if (!this.receiving) {
      // Shutting down: on record for the next process (its recovery pass answers it), not handled here.
      this.track(
        this.recording,
        recorded.catch((error: unknown) =>
          this.deps.logger.error({ err: error, channel: CHANNEL }, "whatsapp message could not be recorded"),
        ),
      );
      return;
    }
    this.inChat(inbound.received.userRef, async () => {
      await recorded.catch((error: unknown) =>
        this.deps.logger.error(
          { err: error, channel: CHANNEL },
          "whatsapp message could not be recorded; handling it anyway",
        ),
      );
      await this.handle(inbound.received);
    });
  }

  /** One person's messages one at a time, in the order they came. */
  private inChat(userRef: string, task: () => Promise<void>): void {
    const previous = this.chains.get(userRef) ?? Promise.resolve();
    const current = previous.then(task);
    this.chains.set(userRef, current);
    void current.finally(() => {
      if (this.chains.get(userRef) === current) {
        this.chains.delete(userRef);
      }
    });
  }

  private async handle(received: Received): Promise<void> {
    const ctx = this.deps.engine.ctx();
    try {
      if (received.kind === "not_text") {
        await this.answer(received, NOT_TEXT_REPLY, "not_text");
      } else if (received.redacted) {
        await this.answer(received, SEND_AGAIN_REPLY, "send_again");
      } else {
        const input: ChatInput = {
          channel: CHANNEL,
          userRef: received.userRef,
          messageId: received.key,
          text: received.text ?? "",
        };
        if (received.displayName) {
          input.displayName = received.displayName;
        }
        const out = await handleChatInput(this.deps.engine, input, {
          sendingBy: this.deps.senders.owner(CHANNEL),
        });
        if (!out.duplicate) {
          this.sendNow(out);
        }
      }
      this.markHandled(received.key);
    } catch (error) {
      // Never the message body in the log: it may be a PIN someone typed despite being told not to.
      ctx.logger.error({ err: error, channel: CHANNEL }, "whatsapp message failed");
      // Say sorry if the database takes it; if it does not, the message stays unhandled and the
      // recovery pass tries it again later.
      await this.answer(received, SORRY, "sorry").then(
        () => this.markHandled(received.key),
        () => {},
      );
    }
  }

  /** An answer of the adapter's own (not the engine's): one per message, also after a redelivery. */
  private async answer(received: Received, text: string, what: string): Promise<void> {
    const ids = await enqueueChatMessages(this.deps.engine.ctx().db, [
      {
        channel: CHANNEL,
        externalId: received.userRef,
        kind: "reply",
        reply: { text },
        dedupeKey: `whatsapp:${what}:${received.key}`,
      },
    ]);
    this.sendNow({ outboxIds: ids, leased: false });
  }

  private sendNow(out: QueuedReplies): void {
    // The rows are in the outbox already: a failure here only means they wait for the next try.
    this.track(
      this.sending,
      this.deps.senders
        .sendNow(CHANNEL, out)
        .catch((error: unknown) =>
          this.deps.logger.warn(
            { err: error, channel: CHANNEL },
            "whatsapp answer not sent yet; the outbox retries",
          ),
        ),
    );
  }

  private track(set: Set<Promise<unknown>>, promise: Promise<unknown>): void {
    set.add(promise);
    void promise.finally(() => set.delete(promise));
  }

  /** Messages that arrive together are recorded together (one statement). */
  private record(update: InboundUpdate): Promise<void> {
    return new Promise((resolve, reject) => {
      this.recordQueue.push({ update, resolve, reject });
      if (this.recordQueue.length === 1) {
        setImmediate(() => void this.flushRecords());
      }
    });
  }

  private async flushRecords(): Promise<void> {
    const batch = this.recordQueue;
    this.recordQueue = [];
    const unique = [...new Map(batch.map((b) => [b.update.key, b.update])).values()];
    try {
      await recordUpdates(this.deps.engine.ctx(), {
        channel: CHANNEL,
        owner: this.deps.owner,
        updates: unique,
      });
      for (const b of batch) {
        b.resolve();
      }
    } catch (error) {
      for (const b of batch) {
        b.reject(error);
      }
    }
  }

  private markHandled(key: string): void {
    this.handledQueue.push(key);
    this.handledFlush ??= new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      const keys = this.handledQueue;
      this.handledQueue = [];
      this.handledFlush = undefined;
      // Not marked (database away): the recovery pass hands it to the engine again, which knows
      // the message id was answered (W8) and does nothing twice.
      await markUpdatesHandled(this.deps.engine.ctx(), CHANNEL, keys).catch((error: unknown) =>
        this.deps.logger.warn({ err: error, channel: CHANNEL }, "could not mark whatsapp messages handled"),
      );
    });
  }

  /**
   * The transport under the outbox: one rendered message to one chat. "Not connected", a timeout or
   * any other failure is for the outbox to retry; a number that is not on WhatsApp is refused for good.
   */
  private async send(userRef: string, text: string): Promise<{ messageIds: string[] }> {
    const client = this.client;
    if (!client) {
      throw new Error("WhatsApp is not connected");
    }
    let sent: unknown;
    try {
      sent = await withTimeout(
        client.sendMessage(chatIdOf(userRef), text, NO_PREVIEW),
        SEND_TIMEOUT_MS,
        `WhatsApp did not confirm the message within ${SEND_TIMEOUT_MS / 1000} s`,
      );
    } catch (error) {
      if (NOT_A_CHAT.test(String(error)) && (await this.notOnWhatsApp(client, userRef))) {
        throw new PermanentSendError(`${userRef} is not on WhatsApp (${String(error)})`);
      }
      throw error;
    }
    if (!sent) {
      // whatsapp-web.js resolves with nothing when it found no chat for the id.
      if (await this.notOnWhatsApp(client, userRef)) {
        throw new PermanentSendError(`${userRef} is not on WhatsApp`);
      }
      throw new Error("WhatsApp did not take the message");
    }
    const id = messageIdOf(sent);
    return { messageIds: id ? [id] : [] };
  }

  /** True only when WhatsApp says so: a lookup that fails proves nothing (the message is retried). */
  private async notOnWhatsApp(client: WhatsAppClientLike, userRef: string): Promise<boolean> {
    if (!client.getNumberId || userRef.includes("@")) {
      return false;
    }
    try {
      return (
        (await withTimeout(client.getNumberId(userRef), SEND_TIMEOUT_MS, "number lookup timed out")) === null
      );
    } catch {
      return false;
    }
  }
}

/**
 * One WhatsApp client in front of the engine, receiving and sending at once (tests, and a client
 * that is already linked). The supervisor (client.ts) does the same across client restarts.
 */
export function attachWhatsApp(client: WhatsAppClientLike, deps: WhatsAppAdapterDeps): WhatsAppAdapter {
  const adapter = new WhatsAppAdapter(deps);
  adapter.listen(client);
  adapter.connect(client);
  return adapter.start();
}
