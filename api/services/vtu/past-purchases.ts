import type { PlanHistoryEntry } from "../catalogue/recommend-plans";
import type { Db, ServiceContext } from "../context";
import type { Network, VtuService } from "./provider";

/**
 * A customer's own past orders, read for a greeting's "same again?", a repeat and plan advice. Every
 * query filters by owner: another person's order id reads as no order at all.
 */
export type PastPurchase = {
  id: string;
  service: VtuService;
  state: string;
  productId: string;
  productName: string;
  recipient: string;
  network: Network | null;
  /** The DisCo or cable provider of the product. */
  biller: string | null;
  meterType: "prepaid" | "postpaid" | null;
  subscription: "renew" | "change" | null;
  faceAmountKobo: number;
  priceKobo: number;
  sizeMb: number | null;
  validityDays: number | null;
  createdAt: Date;
};

function purchaseQuery(db: Db, userId: string) {
  return db
    .selectFrom("vtu_orders as o")
    .innerJoin("catalogue_products as p", "p.id", "o.product_id")
    .where("o.user_id", "=", userId)
    .select([
      "o.id",
      "o.service",
      "o.state",
      "o.product_id as productId",
      "p.name as productName",
      "o.recipient",
      "o.network",
      "p.biller",
      "o.meter_type as meterType",
      "o.subscription",
      "o.face_amount_kobo as faceAmountKobo",
      "o.price_kobo as priceKobo",
      "p.size_mb as sizeMb",
      "p.validity_days as validityDays",
      "o.created_at as createdAt",
    ]);
}

/** The customer's newest delivered order, if any. */
export async function lastDeliveredPurchase(args: {
  ctx: ServiceContext;
  userId: string;
}): Promise<PastPurchase | undefined> {
  const row = await purchaseQuery(args.ctx.db, args.userId)
    .where("o.state", "=", "delivered")
    .orderBy("o.created_at", "desc")
    .orderBy("o.id", "desc")
    .limit(1)
    .executeTakeFirst();
  return row as PastPurchase | undefined;
}

/** One of the customer's own orders; undefined for an unknown id or someone else's order. */
export async function findOwnPurchase(args: {
  ctx: ServiceContext;
  userId: string;
  orderId: string;
}): Promise<PastPurchase | undefined> {
  const row = await purchaseQuery(args.ctx.db, args.userId)
    .where("o.id", "=", args.orderId)
    .executeTakeFirst();
  return row as PastPurchase | undefined;
}

/** How many recent data orders the plan advice looks at. */
const DATA_HISTORY_LIMIT = 50;

/** The customer's delivered data plans (of their last 50 data orders), with how often each. */
export async function dataPlanHistory(args: {
  ctx: ServiceContext;
  userId: string;
}): Promise<PlanHistoryEntry[]> {
  const recent = args.ctx.db
    .selectFrom("vtu_orders")
    .select(["product_id", "state"])
    .where("user_id", "=", args.userId)
    .where("service", "=", "data")
    .orderBy("created_at", "desc")
    .limit(DATA_HISTORY_LIMIT)
    .as("r");
  const rows = await args.ctx.db
    .selectFrom(recent)
    .innerJoin("catalogue_products as p", "p.id", "r.product_id")
    .where("r.state", "=", "delivered")
    .groupBy(["p.id", "p.network", "p.size_mb", "p.validity_days"])
    .select((eb) => [
      "p.id as planId",
      "p.network",
      "p.size_mb as sizeMb",
      "p.validity_days as validityDays",
      eb.fn.countAll<number>().as("count"),
    ])
    .orderBy("p.id")
    .execute();
  return rows.flatMap((r) =>
    r.network && r.sizeMb
      ? [
          {
            planId: r.planId,
            network: r.network as Network,
            sizeMb: r.sizeMb,
            validityDays: r.validityDays ?? 0,
            count: Number(r.count),
          },
        ]
      : [],
  );
}
