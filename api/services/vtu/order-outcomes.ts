import type { PgListener } from "../pg-listener";

/** The channel the vtu_orders trigger notifies when an order leaves held/submitting (its id). */
export const ORDER_SETTLED_CHANNEL = "vtu_order_settled";

const RECENT_MS = 30_000;
const RECENT_MAX = 10_000;

/** One waiter's view: resolves on the next notification for its order, or after `ms`. */
export type OutcomeSubscription = {
  /** True when notified since the last call (or since subscribing), false when `ms` passed. */
  next(ms: number): Promise<boolean>;
  cancel(): void;
};

type Waiter = { notified: boolean; wake: (() => void) | undefined };

/**
 * Push instead of polling for a purchase's answer (issue 15, DECISIONS §44): a trigger on
 * vtu_orders notifies ORDER_SETTLED_CHANNEL in the transaction that moves an order out of
 * held/submitting, so whichever process ran the provider call (this one, or a worker elsewhere),
 * the API process holding the request hears it on commit (pg-listener.ts). A notification lost
 * while the listening connection was down costs only time: waiters also look again now and then
 * (`listening` says how often is enough), and all of them at once after a reconnect.
 */
export class OrderOutcomes {
  private readonly waiters = new Map<string, Set<Waiter>>();
  /**
   * Notifications nobody waited for yet, by order, with when they came: a purchase subscribes after
   * its order is written and its job dispatched, and a quick provider can settle the order before
   * that. Kept RECENT_MS and at most RECENT_MAX (oldest dropped first); a miss costs only a look
   * after OUTCOME_RECHECK_MS.listening.
   */
  private readonly recent = new Map<string, number>();

  constructor(private readonly listener: PgListener) {
    listener.on(ORDER_SETTLED_CHANNEL, (orderId) => this.notify(orderId));
    listener.onReconnect(() => {
      for (const orderId of this.waiters.keys()) {
        this.notify(orderId);
      }
    });
  }

  /** Whether notifications arrive now (waiters may then look again rarely). */
  get listening(): boolean {
    return this.listener.listening;
  }

  /** Subscribe before reading the order's state, so a change between the two is never missed. */
  subscribe(orderId: string): OutcomeSubscription {
    const heardAt = this.recent.get(orderId);
    this.recent.delete(orderId);
    const waiter: Waiter = {
      notified: heardAt !== undefined && Date.now() - heardAt < RECENT_MS,
      wake: undefined,
    };
    let set = this.waiters.get(orderId);
    if (!set) {
      set = new Set();
      this.waiters.set(orderId, set);
    }
    set.add(waiter);
    return {
      next: (ms) =>
        new Promise<boolean>((resolve) => {
          if (waiter.notified) {
            waiter.notified = false;
            resolve(true);
            return;
          }
          const timer = setTimeout(() => {
            waiter.wake = undefined;
            resolve(false);
          }, ms);
          waiter.wake = () => {
            clearTimeout(timer);
            waiter.wake = undefined;
            waiter.notified = false;
            resolve(true);
          };
        }),
      cancel: () => {
        waiter.wake?.();
        const current = this.waiters.get(orderId);
        current?.delete(waiter);
        if (current?.size === 0) {
          this.waiters.delete(orderId);
        }
      },
    };
  }

  /** Wake the waiters of an order (its notification arrived). */
  notify(orderId: string): void {
    const waiting = this.waiters.get(orderId);
    if (!waiting) {
      this.remember(orderId);
      return;
    }
    for (const waiter of waiting) {
      waiter.notified = true;
      waiter.wake?.();
    }
  }

  private remember(orderId: string): void {
    this.recent.delete(orderId);
    this.recent.set(orderId, Date.now());
    for (const [id, at] of this.recent) {
      if (this.recent.size <= RECENT_MAX && Date.now() - at < RECENT_MS) {
        break;
      }
      this.recent.delete(id);
    }
  }
}
