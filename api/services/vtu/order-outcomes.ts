import type { PgListener } from "../pg-listener";
import { isOrderState, type OrderSettlement } from "./order-dto";

/** The channel the vtu_orders trigger notifies when an order leaves held/submitting (its id). */
export const ORDER_SETTLED_CHANNEL = "vtu_order_settled";

const RECENT_MS = 30_000;
const RECENT_MAX = 10_000;

/** One waiter's view: resolves on the next notification for its order, or after `ms`. */
export type OutcomeSubscription = {
  /** True when notified since the last call (or since subscribing), false when `ms` passed. */
  next(ms: number): Promise<boolean>;
  /** What the last notification heard said about the order, when it said it (see parseSettled). */
  settlement(): OrderSettlement | undefined;
  cancel(): void;
};

type Waiter = { notified: boolean; settlement: OrderSettlement | undefined; wake: (() => void) | undefined };
type Heard = { at: number; settlement: OrderSettlement | undefined };

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
  private readonly recent = new Map<string, Heard>();

  constructor(private readonly listener: PgListener) {
    listener.on(ORDER_SETTLED_CHANNEL, (payload) => {
      const heard = parseSettled(payload);
      this.notify(heard.orderId, heard.settlement);
    });
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
    const heard = this.recent.get(orderId);
    this.recent.delete(orderId);
    const fresh = heard !== undefined && Date.now() - heard.at < RECENT_MS;
    const waiter: Waiter = {
      notified: fresh,
      settlement: fresh ? heard.settlement : undefined,
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
      settlement: () => waiter.settlement,
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

  /**
   * Wake the waiters of an order (its notification arrived, with what it said, or a reconnect asks
   * them to look). Without a settlement a waiter reads the order.
   */
  notify(orderId: string, settlement?: OrderSettlement): void {
    const waiting = this.waiters.get(orderId);
    if (!waiting) {
      this.remember(orderId, settlement);
      return;
    }
    for (const waiter of waiting) {
      waiter.notified = true;
      waiter.settlement = settlement;
      waiter.wake?.();
    }
  }

  private remember(orderId: string, settlement: OrderSettlement | undefined): void {
    this.recent.delete(orderId);
    this.recent.set(orderId, { at: Date.now(), settlement });
    for (const [id, { at }] of this.recent) {
      if (this.recent.size <= RECENT_MAX && Date.now() - at < RECENT_MS) {
        break;
      }
      this.recent.delete(id);
    }
  }
}

/**
 * A settled notification's payload: the order's new state and the fields that came with it, as
 * JSON, or the bare order id (a payload too long to send, or from before that migration). Anything
 * unexpected in the JSON makes it an id-only notification: the waiter then reads the order.
 */
export function parseSettled(payload: string): { orderId: string; settlement?: OrderSettlement } {
  if (!payload.startsWith("{")) {
    return { orderId: payload };
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(payload) as Record<string, unknown>;
  } catch {
    return { orderId: payload };
  }
  const orderId = typeof json.id === "string" ? json.id : payload;
  const text = (value: unknown): value is string | null => value === null || typeof value === "string";
  const updatedAt = typeof json.updated_at === "string" ? new Date(json.updated_at) : undefined;
  const deliveredAt = typeof json.delivered_at === "string" ? new Date(json.delivered_at) : null;
  if (
    !isOrderState(json.state) ||
    !text(json.message) ||
    !text(json.token_encrypted) ||
    !text(json.units) ||
    !updatedAt ||
    Number.isNaN(updatedAt.getTime()) ||
    !text(json.delivered_at) ||
    (deliveredAt && Number.isNaN(deliveredAt.getTime()))
  ) {
    return { orderId };
  }
  return {
    orderId,
    settlement: {
      id: orderId,
      state: json.state,
      message: json.message,
      token_encrypted: json.token_encrypted,
      units: json.units,
      updated_at: updatedAt,
      delivered_at: deliveredAt,
    },
  };
}
