import type { Update } from "grammy/types";
import type { Logger } from "../../api/logger";
import {
  claimUnhandledUpdates,
  type InboundUpdate,
  markUpdatesHandled,
  recordUpdates,
} from "../../api/services/chat-inbox";
import type { ServiceContext } from "../../api/services/context";
import { storableJson } from "../../api/services/storable-text";
import { holdsSecret } from "../engine/engine";

const CHANNEL = "telegram";
const REDACTED = "tadaRedactedPin";

/** An update taken back from the inbox after a restart whose PIN-shaped text was not kept. */
export function isRedactedUpdate(update: Update): boolean {
  return (update as Update & { [REDACTED]?: boolean })[REDACTED] === true;
}

/** The chat an update belongs to (its updates run one at a time, in order). */
function chatOf(update: Update): string {
  const id = update.message?.chat.id ?? update.callback_query?.from.id ?? update.update_id;
  return String(id);
}

/**
 * The update as the inbox keeps it: whole, except a text that looks like a PIN or holds a BVN,
 * which is never stored (S11). Such an update, taken back after a crash, is answered "send it again".
 */
function toInbound(update: Update, key: string): InboundUpdate {
  const text = update.message?.text;
  const payload: Record<string, unknown> =
    update.message && holdsSecret(text)
      ? { ...update, message: { ...update.message, text: "[redacted]" }, [REDACTED]: true }
      : { ...update };
  // A name or text may carry NUL or a lone surrogate, which jsonb refuses: kept as escape text.
  return { key, externalId: chatOf(update), payload: storableJson(payload) as Record<string, unknown> };
}

export type TelegramInboxOptions = {
  ctx: () => ServiceContext;
  /** This process's boot id: the updates it receives are its own until it dies. */
  owner: string | undefined;
  logger: Logger;
  /** The bot's id: update ids are unique per bot only (a new token starts again). */
  botId: () => number;
  /** Handle one update (the bot); throwing leaves it unhandled, for the recovery pass. */
  handle: (update: Update) => Promise<void>;
  /** How often to look for updates a dead or stuck receiver left unhandled. */
  recoverEveryMs?: number;
};

/** How long handled marks gather before one statement writes them. */
const HANDLED_FLUSH_MS = 20;

/** Recorded, unhandled updates older than this are taken over even from a live receiver. */
const STALE_SECONDS = 60;

/**
 * Telegram's inbound side (DECISIONS §41, "acknowledgement"): an update counts as received only once
 * it is a row in `chat_updates`; the poller advances its offset (and the webhook answers 200) only
 * after `receive` resolved. Updates then run one chat at a time, in order, different chats side by
 * side; each is marked handled when the bot finished it. What a process never finished (it was
 * killed, or shut down past its drain timeout) is handled by the next recovery pass of whichever
 * process runs, this one after a restart included.
 */
export class TelegramInbox {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<string>();
  private handledBatch: string[] = [];
  private handledFlush: Promise<void> | undefined;
  private accepting = true;
  private recoverTimer: NodeJS.Timeout | undefined;
  private recovering: Promise<void> = Promise.resolve();
  private recoveryStarted = false;

  constructor(private readonly options: TelegramInboxOptions) {}

  /** Record a batch durably (throws if the database refused: do not acknowledge), then handle it. */
  async receive(updates: Update[]): Promise<void> {
    const inbound = updates.map((u) => toInbound(u, this.keyOf(u)));
    const fresh = await recordUpdates(this.options.ctx(), {
      channel: CHANNEL,
      owner: this.options.owner,
      updates: inbound,
    });
    if (!this.accepting) {
      return; // shutting down: recorded, handled after the restart
    }
    for (const update of updates) {
      const key = this.keyOf(update);
      if (fresh.has(key)) {
        this.dispatch(key, chatOf(update), update);
      }
    }
  }

  /** Start the recovery pass: now, then every `recoverEveryMs`. */
  startRecovery(): this {
    if (this.recoveryStarted) {
      return this;
    }
    this.recoveryStarted = true;
    const every = this.options.recoverEveryMs ?? 10_000;
    const tick = () => {
      this.recovering = this.recover()
        .then(() => undefined)
        .catch((error) => this.options.logger.warn({ err: error }, "telegram inbox recovery pass failed"))
        .finally(() => {
          if (this.accepting) {
            this.recoverTimer = setTimeout(tick, every);
            this.recoverTimer.unref();
          }
        });
    };
    tick();
    return this;
  }

  /** Take over what a dead (or stuck) receiver recorded and never handled. */
  async recover(): Promise<number> {
    if (!this.accepting) {
      return 0;
    }
    const rows = await claimUnhandledUpdates(this.options.ctx(), {
      channel: CHANNEL,
      owner: this.options.owner,
      staleSeconds: STALE_SECONDS,
      limit: 500,
    });
    const taken = rows.filter((r) => !this.inFlight.has(r.key));
    if (taken.length > 0) {
      this.options.logger.info(
        { updates: taken.length },
        "telegram updates left unhandled by a stopped process are handled now",
      );
    }
    for (const row of taken) {
      this.dispatch(row.key, row.externalId, row.payload as unknown as Update);
    }
    return taken.length;
  }

  /** Stop taking new work (the poller stopped); what is in flight goes on. */
  stopAccepting(): void {
    this.accepting = false;
    clearTimeout(this.recoverTimer);
  }

  /**
   * Wait for the updates in flight, at most `timeoutMs` (shutdown). Returns how many did not finish:
   * they stay unhandled in the inbox and are handled after the restart.
   */
  async drain(timeoutMs: number): Promise<number> {
    this.stopAccepting();
    await this.recovering;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.allSettled([...this.chains.values()]), timeout]);
    clearTimeout(timer);
    await this.flushHandled();
    return this.inFlight.size;
  }

  private keyOf(update: Update): string {
    return `${this.options.botId()}:${update.update_id}`;
  }

  get pending(): number {
    return this.inFlight.size;
  }

  private dispatch(key: string, chat: string, update: Update): void {
    this.inFlight.add(key);
    const run = async () => {
      try {
        await this.options.handle(update);
        this.markHandled(key);
      } catch (error) {
        // Left unhandled: the recovery pass tries again (a few times, then sets it aside, logged).
        this.options.logger.error({ err: error, updateId: key }, "telegram update failed");
      } finally {
        this.inFlight.delete(key);
      }
    };
    const previous = this.chains.get(chat) ?? Promise.resolve();
    const next = previous.then(run, run);
    this.chains.set(chat, next);
    void next.finally(() => {
      if (this.chains.get(chat) === next) {
        this.chains.delete(chat);
      }
    });
  }

  /**
   * Handled marks go out in batches, one statement per HANDLED_FLUSH_MS: nobody waits for them (an
   * update left unmarked by a crash is answered once anyway, by message id), and each statement is a
   * write to PostgreSQL that costs the bot process more than the answer's own work (DECISIONS §49).
   */
  private markHandled(key: string): void {
    this.handledBatch.push(key);
    this.handledFlush ??= new Promise<void>((resolve) => setTimeout(resolve, HANDLED_FLUSH_MS)).then(() =>
      this.flushHandled(),
    );
  }

  private async flushHandled(): Promise<void> {
    const keys = this.handledBatch;
    this.handledBatch = [];
    this.handledFlush = undefined;
    if (keys.length === 0) {
      return;
    }
    await markUpdatesHandled(this.options.ctx(), CHANNEL, keys).catch((error) =>
      // Unmarked, they look unhandled: the recovery pass finds the engine already answered them
      // (each message id is handled once) and marks them then.
      this.options.logger.warn(
        { err: error, updates: keys.length },
        "could not mark telegram updates handled",
      ),
    );
  }
}
