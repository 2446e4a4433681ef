import { z } from "zod";
import type { Db, ServiceContext } from "../context";
import { NotFoundError, ValidationError } from "../errors";
import { type OrderDto, toOrderDto, withSettlement } from "./order-dto";
import type { OrderOutcomes } from "./order-outcomes";

function orderQuery(db: Db) {
  return db
    .selectFrom("vtu_orders as o")
    .innerJoin("catalogue_products as p", "p.id", "o.product_id")
    .selectAll("o")
    .select("p.name as product_name");
}

/** One of the user's orders. Another user's order is a 404, not a 403 (no existence leak). */
export async function getOrder(args: {
  ctx: ServiceContext;
  userId: string;
  orderId: string;
}): Promise<OrderDto> {
  const row = await orderQuery(args.ctx.db)
    .where("o.id", "=", args.orderId)
    .where("o.user_id", "=", args.userId)
    .executeTakeFirst();
  if (!row) {
    throw new NotFoundError("That order", "ORDER_NOT_FOUND");
  }
  return toOrderDto(args.ctx.config, row);
}

export const ListOrdersInput = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  /** Opaque cursor from the previous page's `nextCursor`. */
  cursor: z.string().max(200).optional(),
  service: z.enum(["airtime", "data", "cable", "electricity"]).optional(),
});

/** The user's orders, newest first, keyset-paginated (stable while new orders arrive). */
export async function listOrders(args: {
  ctx: ServiceContext;
  userId: string;
  input: z.input<typeof ListOrdersInput>;
}): Promise<{ orders: OrderDto[]; nextCursor: string | null }> {
  const input = ListOrdersInput.parse(args.input);
  const cursor = input.cursor ? decodeCursor(input.cursor) : undefined;
  const rows = await orderQuery(args.ctx.db)
    .where("o.user_id", "=", args.userId)
    .$if(input.service !== undefined, (q) => q.where("o.service", "=", input.service ?? "airtime"))
    .$if(cursor !== undefined, (q) =>
      q.where((eb) =>
        eb.or([
          eb("o.created_at", "<", cursor?.createdAt ?? new Date()),
          eb.and([
            eb("o.created_at", "=", cursor?.createdAt ?? new Date()),
            eb("o.id", "<", cursor?.id ?? ""),
          ]),
        ]),
      ),
    )
    .orderBy("o.created_at", "desc")
    .orderBy("o.id", "desc")
    .limit(input.limit + 1)
    .execute();
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    orders: page.map((r) => toOrderDto(args.ctx.config, r)),
    nextCursor: rows.length > input.limit && last ? encodeCursor(last.created_at, last.id) : null,
  };
}

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`).toString("base64url");
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const createdAt = new Date(at ?? "");
  if (!id || Number.isNaN(createdAt.getTime())) {
    throw new ValidationError(
      "That page cursor is not valid. Use the nextCursor of the previous page.",
      { field: "cursor" },
      "INVALID_CURSOR",
    );
  }
  return { createdAt, id };
}

/** How often a waiter looks again while notifications arrive (a safety net), and while they do not. */
export const OUTCOME_RECHECK_MS = { listening: 2_000, polling: 250 } as const;

/**
 * Wait (up to `timeoutMs`) until the order has left held/submitting, so a purchase request can
 * answer "delivered" or "failed" right away when the provider is quick. After the wait the caller
 * answers with whatever the state is; the order carries on in the background either way. With
 * `outcomes` (order-outcomes.ts) the order is read again when its notification arrives; without,
 * or while the listening connection is down, it is polled. `placed` is the order as its creator just
 * wrote it: then the first read is skipped, and a notification that carries the settlement (the
 * usual case) completes it, so a purchase reads its order not at all.
 */
export async function waitForOrderOutcome(args: {
  ctx: ServiceContext;
  userId: string;
  orderId: string;
  timeoutMs: number;
  outcomes?: OrderOutcomes;
  placed?: OrderDto;
}): Promise<OrderDto> {
  const deadline = Date.now() + args.timeoutMs;
  const subscription = args.outcomes?.subscribe(args.orderId);
  let known = args.placed?.id === args.orderId ? args.placed : undefined;
  try {
    let delay = 25;
    for (;;) {
      const order = known ?? (await getOrder(args));
      known = undefined;
      const left = deadline - Date.now();
      if ((order.state !== "held" && order.state !== "submitting") || left <= 0) {
        return order;
      }
      if (subscription && args.outcomes?.listening) {
        const heard = await subscription.next(Math.min(left, OUTCOME_RECHECK_MS.listening));
        // The notification says what changed: with the order as placed, that is the whole answer.
        const settlement = heard ? subscription.settlement() : undefined;
        if (settlement && args.placed?.id === args.orderId) {
          known = withSettlement(args.ctx.config, args.placed, settlement);
        }
      } else {
        await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
        delay = Math.min(delay * 2, OUTCOME_RECHECK_MS.polling);
      }
    }
  } finally {
    subscription?.cancel();
  }
}
