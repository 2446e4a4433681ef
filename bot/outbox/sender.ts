import type { Logger } from "../../api/logger";
import {
  chatOutboxDepth,
  claimChatHeads,
  claimChatRows,
  leasedChatRows,
  markChatRowFailed,
  markChatRowRetry,
  markChatRowsSent,
  type OutboxRow,
  renewChatLeases,
  repairChatOutbox,
  sentMessageIdsByTag,
} from "../../api/services/chat-outbox";
import {
  countChatSendFailure,
  countChatSent,
  type SendFailureKind,
} from "../../api/services/chat-send-stats";
import type { ServiceContext } from "../../api/services/context";
import { getOrder } from "../../api/services/vtu";
import type { Reply } from "../engine/types";
import {
  type ChatSender,
  type OutboxHandle,
  PermanentSendError,
  type QueuedReplies,
  RateLimitedError,
} from "../outbound";
import { notificationChoices, notificationCopy, notificationText } from "./notification-text";
import { SendPacer } from "./pace";

export type OutboxSenderOptions = {
  ctx: () => ServiceContext;
  transport: ChatSender;
  /** The lease owner: this process's boot id. */
  owner: string;
  logger: Logger;
  /** How often to look for due rows when nothing woke the sender. */
  pollMs: number;
  limits: { perSecond?: number; perChatPerSecond?: number };
  /** The longest wait between two tries of a message the channel refused (5xx, network). */
  maxBackoffMs?: number;
  /** Unsent after this long: failed as expired. */
  maxAgeHours?: number;
};

/** Long enough for a paced send behind a full second of others; a dead sender's rows come back after it. */
const LEASE_SECONDS = 30;
const REPAIR_EVERY_MS = 5_000;
/** Well inside a lease, so a row waiting its turn behind the pace keeps its lease. */
const RENEW_EVERY_MS = (LEASE_SECONDS * 1000) / 3;

/**
 * The chat outbox's sender for one channel in this process (DECISIONS §40). It sends the rows the
 * engine just wrote (`sendNow`, the synchronous reply path) and, in a loop, the due head of every
 * chat's queue (notifications, retries, rows another process left). Each chat's messages go out
 * in order and one at a time; chats go side by side, paced to the channel's flood limits. A row is
 * marked sent only when the channel took it; a refusal is retried with a capped backoff, a flood
 * wait after the channel's retry_after, a permanent refusal is recorded.
 */
export class OutboxSender implements OutboxHandle {
  readonly owner: string;
  private readonly pacer: SendPacer;
  private readonly chains = new Map<string, Promise<void>>();
  private stopped = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private lastRepair = 0;
  private sentBatch: { id: number; channelMessageId?: string }[] = [];
  private batchFlush: Promise<void> | undefined;
  private unreachableSince: number | undefined;
  /** Rows this sender holds a lease on and has not finished: never taken twice, leases kept alive. */
  private readonly held = new Set<number>();
  /** Rows were seen queued behind ones being sent: look for them as soon as marks are written. */
  private waitingBehind = false;
  private renewTimer: NodeJS.Timeout | undefined;
  private claiming = false;

  constructor(private readonly options: OutboxSenderOptions) {
    this.owner = options.owner;
    this.pacer = new SendPacer(options.limits);
  }

  get channel() {
    return this.options.transport.channel;
  }

  start(): this {
    this.loopDone = this.loop();
    this.renewTimer = setInterval(() => {
      void renewChatLeases(this.options.ctx(), {
        owner: this.owner,
        ids: [...this.held],
        leaseSeconds: LEASE_SECONDS,
      }).catch((error) => this.options.logger.warn({ err: error }, "could not renew chat outbox leases"));
    }, RENEW_EVERY_MS);
    this.renewTimer.unref();
    return this;
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Resolves true when the channel accepted every one of these messages now. */
  async sendNow(out: QueuedReplies): Promise<boolean> {
    if (this.stopped || out.outboxIds.length === 0) {
      return false;
    }
    const ctx = this.options.ctx();
    const rows = out.leased
      ? (out.rows ?? (await leasedChatRows(ctx, { ids: out.outboxIds, owner: this.owner })))
      : await claimChatRows(ctx, { ids: out.outboxIds, owner: this.owner, leaseSeconds: LEASE_SECONDS });
    if (rows.length < out.outboxIds.length) {
      this.waitingBehind = true; // some wait behind older messages of their chat
      this.wake(); // the loop sends them in turn
    }
    const sent = await this.deliverAll(ctx, rows);
    return sent === out.outboxIds.length;
  }

  /**
   * Send what is due until nothing is left or `timeoutMs` passed (shutdown: flush what the channel
   * can take). Returns how many messages of the channel are still unsent (waiting for a retry, or
   * leased by another process; 0 when the database cannot say).
   */
  async drain(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    const ctx = this.options.ctx();
    while (Date.now() < deadline) {
      const rows = await this.claim(ctx).catch(() => []);
      if (rows.length > 0) {
        await this.deliverAll(ctx, rows);
      } else if (this.chains.size > 0 || this.claiming) {
        // The loop's sends in flight (or its claim under way): the next messages of their chats are
        // due once they are marked.
        const remaining = Math.max(0, deadline - Date.now());
        await Promise.race([
          ...(this.chains.size > 0 ? [Promise.allSettled([...this.chains.values()])] : []),
          new Promise((resolve) =>
            setTimeout(resolve, this.claiming ? Math.min(10, remaining) : remaining).unref(),
          ),
        ]);
      } else {
        break;
      }
    }
    // (Counting with a claim of 0 rows, as before, always said 0.)
    const depth = await chatOutboxDepth(ctx).catch(() => []);
    return depth.find((d) => d.channel === this.channel)?.unsent ?? 0;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.pacer.close();
    clearInterval(this.renewTimer);
    this.wakeUp?.();
    await this.loopDone;
    await Promise.allSettled([...this.chains.values()]);
    await this.flushSent();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const ctx = this.options.ctx();
      try {
        if (Date.now() - this.lastRepair > REPAIR_EVERY_MS) {
          this.lastRepair = Date.now();
          const repaired = await repairChatOutbox(ctx, {
            channel: this.channel,
            maxAgeHours: this.options.maxAgeHours ?? 24,
            owner: this.owner,
          });
          if (repaired.released + repaired.expired > 0) {
            this.options.logger.warn(
              { channel: this.channel, ...repaired },
              "chat outbox: messages of a stopped sender are sent again; expired ones are failed",
            );
          }
        }
        let rows: OutboxRow[] = [];
        this.claiming = true;
        try {
          rows = await this.claim(ctx, Math.max(0, this.batchLimit() - this.held.size));
          // Not awaited: a chat whose send is slow (paced, or the channel not answering) holds only
          // itself. Its next message is no head while this one is unsent, so no claim takes it.
          this.dispatch(ctx, rows);
          if (rows.length > 0) {
            this.waitingBehind = true; // a head was taken: the rest of its chat follows once it is sent
          }
        } finally {
          this.claiming = false;
        }
        if (rows.length > 0) {
          continue;
        }
      } catch (error) {
        this.options.logger.warn({ err: error, channel: this.channel }, "chat outbox pass failed");
      }
      await this.sleep(this.options.pollMs);
    }
  }

  private claim(ctx: ServiceContext, limit = this.batchLimit()): Promise<OutboxRow[]> {
    if (limit === 0) {
      return Promise.resolve([]);
    }
    return claimChatHeads(ctx, {
      channel: this.channel,
      owner: this.owner,
      limit,
      leaseSeconds: LEASE_SECONDS,
      externalIds: this.options.transport.reaches,
    });
  }

  /** No more than can be paced out well inside a lease. */
  private batchLimit(): number {
    const perSecond = this.options.limits.perSecond;
    return perSecond === undefined ? 200 : Math.max(1, Math.min(200, perSecond * (LEASE_SECONDS / 3)));
  }

  /** Like `deliverAll`, not awaited (the loop's claims): a failure is logged, never left unhandled. */
  private dispatch(ctx: ServiceContext, rows: OutboxRow[]): void {
    for (const row of rows) {
      if (this.held.has(row.id)) {
        continue; // already on its way here
      }
      this.held.add(row.id);
      this.inChat(row.externalId, async () => {
        await this.deliver(ctx, row);
      })
        .catch((error) =>
          this.options.logger.warn({ err: error, channel: this.channel }, "chat outbox pass failed"),
        )
        .finally(() => this.held.delete(row.id));
    }
  }

  /** Send these rows (each in its chat's turn); resolves with how many the channel accepted. */
  private async deliverAll(ctx: ServiceContext, rows: OutboxRow[]): Promise<number> {
    const mine = rows.filter((row) => !this.held.has(row.id)); // already on its way here
    for (const row of mine) {
      this.held.add(row.id);
    }
    let sent = 0;
    await Promise.all(
      mine.map((row) =>
        this.inChat(row.externalId, async () => {
          if (await this.deliver(ctx, row)) {
            sent++;
          }
        }).finally(() => this.held.delete(row.id)),
      ),
    );
    return sent;
  }

  /** One chat's sends in this process run one at a time, in the order they were queued here. */
  private inChat(chat: string, task: () => Promise<void>): Promise<void> {
    const previous = this.chains.get(chat) ?? Promise.resolve();
    const next = previous.then(task, task);
    this.chains.set(chat, next);
    // Both ways: a `.finally` here would be a second, unhandled copy of a rejection (a crash).
    const forget = () => {
      if (this.chains.get(chat) === next) {
        this.chains.delete(chat);
      }
    };
    next.then(forget, forget);
    return next;
  }

  /** One row to the channel; true when the channel accepted it (else it is left for a retry or failed). */
  private async deliver(ctx: ServiceContext, row: OutboxRow): Promise<boolean> {
    const { transport, logger } = this.options;
    // Stopping: what has not gone yet stays leased to this boot, which ends with the process; the
    // next run takes it over (the shutdown's flush came before this).
    if (this.stopped || !(await this.pacer.acquire(row.externalId))) {
      return false;
    }
    try {
      let channelMessageId: string | undefined;
      if (row.op === "send") {
        const sent = await transport.send(row.externalId, [await renderRow(ctx, row)]);
        channelMessageId = sent?.messageIds?.[0];
      } else if (row.op === "clear_buttons" && row.target && transport.clearButtons) {
        const ids = await sentMessageIdsByTag(ctx, {
          channel: row.channel,
          externalId: row.externalId,
          tag: row.target,
        });
        for (const id of ids) {
          await transport.clearButtons(row.externalId, id);
        }
      } else if (row.op === "delete" && row.target && transport.deleteMessage) {
        await transport.deleteMessage(row.externalId, row.target);
      }
      this.reachable();
      countChatSent(row.channel);
      await this.markSent({ id: row.id, channelMessageId });
      return true;
    } catch (error) {
      const kind = failureKind(error);
      countChatSendFailure(row.channel, kind);
      const message = error instanceof Error ? error.message : String(error);
      if (kind === "rate_limited") {
        const waitMs = (error as RateLimitedError).retryAfterMs;
        this.pacer.pause(row.externalId, waitMs);
        await markChatRowRetry(ctx, {
          id: row.id,
          owner: this.owner,
          delayMs: waitMs,
          error: message,
          countAttempt: false,
        });
        logger.info({ channel: row.channel, outboxId: row.id, waitMs }, "chat flood limit: waiting as asked");
        this.wakeAfter(waitMs);
      } else if (kind === "permanent") {
        await markChatRowFailed(ctx, { id: row.id, owner: this.owner, error: message });
        logger.warn(
          { channel: row.channel, outboxId: row.id, kind: row.kind, reason: message },
          "chat message refused for good (blocked, chat gone or malformed); not retried",
        );
      } else {
        this.unreachable(error);
        const delayMs = Math.min(
          1_000 * 2 ** Math.max(0, row.attempts - 1),
          this.options.maxBackoffMs ?? 30_000,
        );
        await markChatRowRetry(ctx, {
          id: row.id,
          owner: this.owner,
          delayMs,
          error: message,
          countAttempt: true,
        });
        this.wakeAfter(delayMs);
      }
      return false;
    }
  }

  /** Marks go out in batches (one statement for the sends that finished together). */
  private markSent(entry: { id: number; channelMessageId?: string }): Promise<void> {
    this.sentBatch.push(entry);
    this.batchFlush ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flushSent());
    return this.batchFlush;
  }

  private async flushSent(): Promise<void> {
    const batch = this.sentBatch;
    this.sentBatch = [];
    this.batchFlush = undefined;
    if (batch.length === 0) {
      return;
    }
    try {
      await markChatRowsSent(this.options.ctx(), this.owner, batch);
    } catch (error) {
      // The channel has them; the rows come back as pending when the lease runs out (a repeat).
      this.options.logger.error({ err: error, rows: batch.length }, "could not mark chat messages sent");
    }
    // The next message of a chat may go now, if any was seen waiting behind one. Otherwise no claim:
    // one claim per batch of marks cost a quarter of the Telegram bench's answers a second (278 →
    // 377/s without it); rows queued elsewhere are found by the next poll. The flag stays up while
    // other sends are in flight here, since a row may wait behind one of those.
    if (this.waitingBehind) {
      this.waitingBehind = this.held.size > batch.length;
      this.wake();
    }
  }

  private unreachable(error: unknown): void {
    if (this.unreachableSince === undefined) {
      this.unreachableSince = Date.now();
      this.options.logger.warn(
        { channel: this.channel, err: error },
        `${this.channel} cannot be reached: messages wait in the outbox and are retried`,
      );
    }
  }

  private reachable(): void {
    if (this.unreachableSince !== undefined) {
      const seconds = Math.round((Date.now() - this.unreachableSince) / 100) / 10;
      this.unreachableSince = undefined;
      this.options.logger.info({ channel: this.channel, seconds }, `${this.channel} is reachable again`);
    }
  }

  private wakeAfter(ms: number): void {
    setTimeout(() => this.wake(), ms + 5).unref();
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      // Cleared on a timeout too: a stale wakeUp would swallow the next wake() (it resets `woken`).
      const timer = setTimeout(() => this.wakeUp?.(), ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        this.woken = false;
        resolve();
      };
    });
  }
}

function failureKind(error: unknown): SendFailureKind {
  if (error instanceof RateLimitedError) {
    return "rate_limited";
  }
  if (error instanceof PermanentSendError) {
    return "permanent";
  }
  return "transient";
}

/**
 * The message as the chat shows it. The electricity token is read from the order, decrypted for
 * its owner, at the moment of sending: it is never stored in the outbox (P11).
 */
async function renderRow(ctx: ServiceContext, row: OutboxRow): Promise<Reply> {
  // A notification for someone who chose Pidgin is shown in Pidgin (its English text is the record).
  const translated = row.language === "pcm" ? notificationText(row.kind, row.payload, "pcm") : undefined;
  const stored = row.reply as Reply;
  // An account number in a notification is marked for copying, like the chat's own replies.
  const copy = stored.copy ?? notificationCopy(row.kind, row.payload);
  // A notification's tap choices travel in its payload (chat_notify stores the text only; §66).
  const choices = stored.choices ?? notificationChoices(row.payload, row.language === "pcm" ? "pcm" : "en");
  const reply = {
    ...stored,
    ...(translated ? { text: translated } : {}),
    ...(copy ? { copy } : {}),
    ...(choices ? { choices } : {}),
  };
  const orderId = row.payload.orderId;
  if (row.payload.hasToken !== true || typeof orderId !== "string" || !row.userId) {
    return reply;
  }
  const order = await getOrder({ ctx, userId: row.userId, orderId });
  return order.token ? { ...reply, text: `${reply.text}\nToken: ${order.token}` } : reply;
}
