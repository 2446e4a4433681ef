import type { Logger } from "../logger";
import { raiseSlowResponse } from "../services/alerts";
import type { ServiceContext } from "../services/context";

/** How long slow responses of a route are gathered before one alert write reports them all. */
export const SLOW_REPORT_EVERY_MS = 5_000;

type Pending = { method: string; route: string; times: number; slowest: number };

/**
 * Slow responses (over 5 s) reported to the admins as one alert per route. Under a storm every
 * request is slow, and one alert write per slow request (an upsert of the same admin_alerts row)
 * made the storm worse: they are gathered in memory and written once per route every
 * SLOW_REPORT_EVERY_MS. A crash loses at most that many seconds of counts; the request metrics
 * (/metrics) count every one as it happens.
 */
export class SlowResponses {
  private readonly pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;
  private ctx: Pick<ServiceContext, "db"> | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly everyMs = SLOW_REPORT_EVERY_MS,
  ) {}

  record(ctx: Pick<ServiceContext, "db">, method: string, route: string, seconds: number): void {
    this.ctx = ctx;
    const key = `${method} ${route}`;
    const entry = this.pending.get(key) ?? { method, route, times: 0, slowest: 0 };
    entry.times++;
    entry.slowest = Math.max(entry.slowest, seconds);
    this.pending.set(key, entry);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.everyMs);
      this.timer.unref();
    }
  }

  /** Write what was gathered (also on shutdown); never throws. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const ctx = this.ctx;
    const entries = [...this.pending.values()];
    this.pending.clear();
    if (!ctx) {
      return;
    }
    for (const entry of entries) {
      await raiseSlowResponse(ctx, {
        method: entry.method,
        route: entry.route,
        seconds: entry.slowest,
        times: entry.times,
      }).catch((error) => this.logger.error({ err: error }, "could not record a slow-response alert"));
    }
  }
}
