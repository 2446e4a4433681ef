/**
 * Flood pacing for one channel in one process: at most `perSecond` sends in any second overall and
 * `perChatPerSecond` to one chat (Telegram: about 30/s per bot, about 1/s per chat). A send waits
 * for its slot instead of being refused; a chat the channel told to wait (429 retry_after) waits
 * that long. Undefined limits are off.
 */
/**
 * The window the limits are counted over: a second, plus a margin for the network. A send is
 * counted when it leaves here and by the channel when it arrives; two sends that leave 1,000 ms
 * apart can arrive 990 ms apart and be refused (seen against the emulator: 34 429s in 600 sends).
 */
const WINDOW_MS = 1_100;

export class SendPacer {
  private readonly overall: number[] = [];
  private readonly perChat = new Map<string, number[]>();
  private readonly pausedUntil = new Map<string, number>();
  /** The sends waiting for a slot, first come first: a stream of newer sends cannot starve one. */
  private readonly waiting: { chat: string }[] = [];

  constructor(private readonly limits: { perSecond?: number; perChatPerSecond?: number }) {}

  private closed = false;
  /** Wakes the sends sleeping for their slot (close). */
  private readonly sleepers = new Set<() => void>();

  /**
   * Resolves true when `chat` may be sent to (the slot is taken), or false once the pacer is closed
   * (shutdown: what still waits is left in the outbox for the next run).
   */
  async acquire(chat: string): Promise<boolean> {
    const ticket = { chat };
    this.waiting.push(ticket);
    try {
      for (;;) {
        if (this.closed) {
          return false;
        }
        const now = Date.now();
        const wait = this.waitMs(chat, now);
        if (wait <= 0 && !this.earlierMayGo(ticket, now)) {
          this.take(chat, now);
          return true;
        }
        // (A starved send would outlive its lease and be sent twice.) Behind an earlier send that
        // may go now: look again in a moment, once it has taken its slot.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, wait > 0 ? Math.min(wait, 1_000) : 2);
          const sleepers = this.sleepers;
          function done() {
            clearTimeout(timer);
            sleepers.delete(done);
            resolve();
          }
          sleepers.add(done);
        });
      }
    } finally {
      this.waiting.splice(this.waiting.indexOf(ticket), 1);
    }
  }

  private earlierMayGo(ticket: { chat: string }, now: number): boolean {
    for (const other of this.waiting) {
      if (other === ticket) {
        return false;
      }
      if (other.chat !== ticket.chat && this.waitMs(other.chat, now) <= 0) {
        return true;
      }
    }
    return false;
  }

  /** Stop handing out slots: every waiting and later `acquire` resolves false, at once. */
  close(): void {
    this.closed = true;
    for (const wake of [...this.sleepers]) {
      wake();
    }
  }

  /** The channel said to wait (429): nothing goes to this chat before then. */
  pause(chat: string, ms: number): void {
    this.pausedUntil.set(chat, Math.max(this.pausedUntil.get(chat) ?? 0, Date.now() + ms));
  }

  private waitMs(chat: string, now: number): number {
    let wait = (this.pausedUntil.get(chat) ?? 0) - now;
    if (wait <= 0) {
      this.pausedUntil.delete(chat);
    }
    const { perSecond, perChatPerSecond } = this.limits;
    if (perSecond !== undefined) {
      prune(this.overall, now);
      if (this.overall.length >= perSecond) {
        wait = Math.max(wait, (this.overall[0] ?? now) + WINDOW_MS - now);
      }
    }
    if (perChatPerSecond !== undefined) {
      const times = this.perChat.get(chat);
      if (times) {
        prune(times, now);
        if (times.length === 0) {
          this.perChat.delete(chat);
        } else if (times.length >= perChatPerSecond) {
          wait = Math.max(wait, (times[0] ?? now) + WINDOW_MS - now);
        }
      }
    }
    return wait;
  }

  private take(chat: string, now: number): void {
    if (this.limits.perSecond !== undefined) {
      this.overall.push(now);
    }
    if (this.limits.perChatPerSecond !== undefined) {
      const times = this.perChat.get(chat) ?? [];
      times.push(now);
      this.perChat.set(chat, times);
    }
  }
}

/** Drop send times older than the window (the arrays are in time order). */
function prune(times: number[], now: number): void {
  let drop = 0;
  while (drop < times.length && (times[drop] ?? 0) <= now - WINDOW_MS) {
    drop++;
  }
  if (drop > 0) {
    times.splice(0, drop);
  }
}
