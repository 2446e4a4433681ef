import type { Bot } from "grammy";
import { GrammyError } from "grammy";
import type { Update } from "grammy/types";
import type { Logger } from "../../api/logger";
import type { TelegramInbox } from "./inbox";

export const ALLOWED_UPDATES = ["message", "callback_query"] as const;

export type TelegramPollerOptions = {
  bot: Bot;
  inbox: TelegramInbox;
  logger: Logger;
  /** getUpdates long-poll timeout. */
  timeoutSeconds?: number;
  /** The longest wait between two tries while Telegram cannot be reached. */
  maxBackoffMs?: number;
};

/**
 * Long polling of our own (not @grammyjs/runner), for one rule: an update is acknowledged to Telegram
 * — by asking for the next offset — only after the inbox recorded it (DECISIONS §41). A failed poll
 * waits with a doubling delay capped at `maxBackoffMs` (10 s: polling resumes within 10 s of the
 * end of an outage), says once that Telegram cannot be reached, and once that it is back.
 */
export class TelegramPoller {
  private stopped = false;
  private abort: AbortController | undefined;
  private wakeSleep: (() => void) | undefined;
  private loopDone: Promise<void> = Promise.resolve();
  private offset: number | undefined;
  private downSince: number | undefined;

  constructor(private readonly options: TelegramPollerOptions) {}

  start(): this {
    this.loopDone = this.loop();
    return this;
  }

  /** Stop fetching: the poll in flight is cut (what it would have brought stays at Telegram). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    this.wakeSleep?.();
    await this.loopDone;
  }

  private async loop(): Promise<void> {
    const { bot, inbox, logger } = this.options;
    let failures = 0;
    while (!this.stopped) {
      this.abort = new AbortController();
      let updates: Update[];
      try {
        updates = await bot.api.getUpdates(
          {
            offset: this.offset,
            timeout: this.options.timeoutSeconds ?? 25,
            allowed_updates: [...ALLOWED_UPDATES],
          },
          // grammY types its signal with the abort-controller polyfill's type; Node's is the same thing.
          this.abort.signal as Parameters<Bot["api"]["getUpdates"]>[1],
        );
      } catch (error) {
        if (this.stopped) {
          break;
        }
        failures++;
        this.unreachable(error);
        await this.sleep(this.backoff(failures));
        continue;
      }
      failures = 0;
      this.reachable();
      if (updates.length === 0) {
        continue;
      }
      // Record before acknowledging. If the database refuses, the offset stays: the same updates
      // come again with the next poll.
      try {
        await inbox.receive(updates);
      } catch (error) {
        logger.error(
          { err: error, updates: updates.length },
          "could not record telegram updates; polling them again",
        );
        await this.sleep(this.backoff(1));
        continue;
      }
      const last = updates.at(-1);
      if (last) {
        this.offset = last.update_id + 1;
      }
    }
  }

  private backoff(failures: number): number {
    return Math.min(500 * 2 ** Math.max(0, failures - 1), this.options.maxBackoffMs ?? 10_000);
  }

  private unreachable(error: unknown): void {
    if (this.downSince !== undefined) {
      return;
    }
    this.downSince = Date.now();
    const conflict = error instanceof GrammyError && error.error_code === 409;
    this.options.logger.warn(
      { err: error instanceof GrammyError ? error.description : String(error) },
      conflict
        ? "telegram: another process is polling this bot (409); retrying"
        : "telegram cannot be reached: polling is retried (at most 10 s apart)",
    );
  }

  private reachable(): void {
    if (this.downSince === undefined) {
      return;
    }
    const seconds = Math.round((Date.now() - this.downSince) / 100) / 10;
    this.downSince = undefined;
    this.options.logger.info({ seconds }, "telegram is reachable again: polling resumed");
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleep = done;
    });
  }
}
