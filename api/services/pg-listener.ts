import pg from "pg";
import type { Logger } from "../logger";

/** Longest wait between two tries to get the listening connection back. */
const MAX_RECONNECT_MS = 5_000;

type Handler = (payload: string) => void;

/**
 * One LISTEN connection per process for PostgreSQL's notifications (order outcomes, catalogue
 * changes). Triggers send them on commit, from whichever process made the change. The connection is
 * re-made when lost (logged once, and once when back). A notification sent while it was down is
 * lost: `epoch` changes on every (re)connect and `onReconnect` handlers run, so what depends on
 * notifications (a waiter, a cache) looks again rather than trusting what it heard before.
 */
export class PgListener {
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly reconnectHandlers = new Set<() => void>();
  private client: pg.Client | undefined;
  private connected = false;
  private closed = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private currentEpoch = 0;

  constructor(
    private readonly databaseUrl: string,
    private readonly logger: Logger,
    private readonly channels: readonly string[],
  ) {}

  /** Connect and LISTEN; resolves once listening, or once the first try failed (retried meanwhile). */
  async start(): Promise<this> {
    await this.connect();
    return this;
  }

  /** Whether notifications arrive now. */
  get listening(): boolean {
    return this.connected;
  }

  /** Changes whenever the connection was re-made (what was heard before may be incomplete). */
  get epoch(): number {
    return this.currentEpoch;
  }

  /** Whether this listener was started with `channel` among its channels. */
  listensTo(channel: string): boolean {
    return this.channels.includes(channel);
  }

  on(channel: string, handler: Handler): () => void {
    if (!this.channels.includes(channel)) {
      throw new Error(`pg listener: channel ${channel} is not listened to`);
    }
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Run after every reconnect (not the first connect). */
  onReconnect(handler: () => void): () => void {
    this.reconnectHandlers.add(handler);
    return () => this.reconnectHandlers.delete(handler);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    this.connected = false;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    if (this.closed) {
      return;
    }
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: "tada-listener" });
    // A dropped connection arrives as an error and/or an end event: one handler re-makes it.
    const lost = (error?: Error) => {
      if (this.client !== client) {
        return;
      }
      this.client = undefined;
      this.connected = false;
      client.removeAllListeners("notification");
      client.end().catch(() => {});
      if (!this.closed) {
        if (this.failures === 0) {
          this.logger.warn(
            { err: error?.message },
            "database notifications lost their connection; purchases and caches read the database meanwhile",
          );
        }
        this.retry();
      }
    };
    client.on("error", lost);
    client.on("end", () => lost());
    client.on("notification", (message) => {
      for (const handler of this.handlers.get(message.channel) ?? []) {
        handler(message.payload ?? "");
      }
    });
    this.client = client;
    try {
      await client.connect();
      for (const channel of this.channels) {
        await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      }
      if (this.client !== client) {
        return; // closed meanwhile
      }
      this.currentEpoch++;
      this.connected = true;
      const reconnected = this.currentEpoch > 1;
      if (this.failures > 0) {
        this.logger.info("database notifications are back");
      }
      this.failures = 0;
      if (reconnected) {
        for (const handler of this.reconnectHandlers) {
          handler();
        }
      }
    } catch (error) {
      lost(error as Error);
    }
  }

  private retry(): void {
    this.failures++;
    const delay = Math.min(100 * 2 ** Math.min(this.failures, 10), MAX_RECONNECT_MS);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.retryTimer.unref();
  }
}
