import { sql } from "kysely";
import type { ServiceContext } from "../context";

export type AdminOverview = {
  users: number;
  ordersToday: Record<string, number>;
  openGiftRooms: number;
  manualReview: number;
};

/** The panel's first glance: live counts straight from the tables (the charts come with the rollups). */
export async function adminOverview(ctx: ServiceContext): Promise<AdminOverview> {
  // "Today" is the Lagos day, whatever the server's time zone.
  const today = sql<Date>`date_trunc('day', now() AT TIME ZONE 'Africa/Lagos') AT TIME ZONE 'Africa/Lagos'`;
  const [users, orders, rooms, review] = await Promise.all([
    ctx.db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow(),
    ctx.db
      .selectFrom("vtu_orders")
      .select(["state", (eb) => eb.fn.countAll<string>().as("n")])
      .where("created_at", ">=", today)
      .groupBy("state")
      .execute(),
    ctx.db
      .selectFrom("gift_rooms")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("status", "<>", "closed")
      .executeTakeFirstOrThrow(),
    ctx.db
      .selectFrom("vtu_orders")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("state", "=", "manual_review")
      .executeTakeFirstOrThrow(),
  ]);
  return {
    users: Number(users.n),
    ordersToday: Object.fromEntries(orders.map((o) => [o.state, Number(o.n)])),
    openGiftRooms: Number(rooms.n),
    manualReview: Number(review.n),
  };
}
