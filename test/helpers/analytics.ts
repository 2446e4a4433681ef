import { randomInt } from "node:crypto";
import { sql } from "kysely";
import { createPaymentGateway } from "../../api/providers/payment-gateway";
import type { ServiceContext } from "../../api/services/context";
import {
  completeSandboxCheckout,
  createFundingIntent,
  createWithdrawal,
  type PaymentsRuntime,
  processPaymentEvent,
  submitWithdrawal,
  webhookSecretHash,
} from "../../api/services/funding";
import { claimGift, createGiftRoom } from "../../api/services/gift-rooms";
import { setOrChangePin } from "../../api/services/pins";
import type { Database } from "../../db/database";
import { createTestUser } from "./fixtures";
import { createBuyer, type makeVtu, placeOrder, sandboxNumber, sandboxPhone, TEST_PIN } from "./vtu";

type Harness = ReturnType<typeof makeVtu>;

/** The Lagos calendar day `n` days from now (Lagos is UTC+1 all year: shift, then read the date). */
export function lagosDayOffset(n: number, now = new Date()): string {
  return new Date(now.getTime() + 3_600_000 + n * 86_400_000).toISOString().slice(0, 10);
}

/** Noon of a Lagos day, as an instant. */
const noon = (day: string) => `${day}T12:00:00+01:00`;

/**
 * Move rows to a past Lagos day, the way time would have placed them: the services write "now",
 * the test rewrites the timestamps afterwards.
 */
export async function moveTo(
  ctx: ServiceContext,
  day: string,
  rows: { table: keyof Database; id: string }[],
) {
  // created_at is insert-only in the table types (nothing in the app moves it): raw SQL here.
  const at = noon(day);
  for (const { table, id } of rows) {
    if (table === "vtu_orders") {
      await sql`UPDATE vtu_orders SET created_at = ${at} WHERE id = ${id}`.execute(ctx.db);
      await sql`UPDATE vtu_attempts SET created_at = ${at} WHERE order_id = ${id}`.execute(ctx.db);
    } else if (table === "funding_intents") {
      await sql`UPDATE funding_intents SET created_at = ${at}, credited_at = ${at} WHERE id = ${id}`.execute(
        ctx.db,
      );
    } else if (table === "gift_rooms") {
      await sql`UPDATE gift_rooms SET created_at = ${at} WHERE id = ${id}`.execute(ctx.db);
      await sql`UPDATE gift_claims SET created_at = ${at} WHERE room_id = ${id}`.execute(ctx.db);
      const orders = await ctx.db
        .selectFrom("gift_claims")
        .select("order_id")
        .where("room_id", "=", id)
        .execute();
      for (const o of orders) {
        if (o.order_id) {
          await moveTo(ctx, day, [{ table: "vtu_orders", id: o.order_id }]);
        }
      }
    } else if (table === "withdrawals") {
      await sql`UPDATE withdrawals SET created_at = ${at}, completed_at = ${at} WHERE id = ${id}`.execute(
        ctx.db,
      );
    } else if (table === "users") {
      await sql`UPDATE users SET created_at = ${at} WHERE id = ${id}`.execute(ctx.db);
    } else {
      throw new Error(`moveTo: ${table} is not handled`);
    }
  }
}

/** The sandbox gateway, with the webhook's job run at once instead of queued. */
export function sandboxPayments(ctx: ServiceContext): PaymentsRuntime {
  const payments: PaymentsRuntime = {
    gateway: createPaymentGateway({ config: ctx.config, db: ctx.db }),
    webhookSecretHash: webhookSecretHash(ctx.config),
    async dispatch(job) {
      if (job.name === "process-payment-event") {
        await processPaymentEvent({ ctx, payments, eventId: job.eventId });
      } else if (job.name === "submit-withdrawal") {
        await submitWithdrawal({ ctx, payments, withdrawalId: job.withdrawalId });
      }
    },
  };
  return payments;
}

/** A top-up through the real sandbox checkout (intent → pay → signed webhook → credit). */
export async function fund(
  ctx: ServiceContext,
  payments: PaymentsRuntime,
  userId: string,
  amountKobo: number,
) {
  const intent = await createFundingIntent({ ctx, payments, userId, channel: "api", input: { amountKobo } });
  await completeSandboxCheckout({ ctx, payments, txRef: intent.txRef, action: "pay" });
  const row = await ctx.db
    .selectFrom("funding_intents")
    .select("status")
    .where("id", "=", intent.id)
    .executeTakeFirstOrThrow();
  if (row.status !== "credited") {
    throw new Error(`funding ${intent.id} is ${row.status}, not credited`);
  }
  return intent.id;
}

export async function buyAirtime(
  ctx: ServiceContext,
  h: Harness,
  userId: string,
  phone: string,
  amountKobo = 50_000,
) {
  const order = await placeOrder(ctx, h.vtu, userId, {
    service: "airtime",
    input: { network: "mtn", phone, amountKobo, pin: TEST_PIN },
  });
  await h.drain();
  return order.id;
}

/**
 * Four Lagos days of activity through the real services: orders of three services (delivered,
 * failed, failed over), top-ups, a gift room with two claims, and a claimer who later signs up and
 * buys. d3 = three days ago … today (left empty here: tests add live orders).
 */
export async function seedActivity(ctx: ServiceContext, h: Harness, payments: PaymentsRuntime) {
  const d = {
    d3: lagosDayOffset(-3),
    d2: lagosDayOffset(-2),
    d1: lagosDayOffset(-1),
    today: lagosDayOffset(0),
  };
  const b1 = await createBuyer(ctx, 2_000_000);
  const b2 = await createBuyer(ctx, 2_000_000);
  const b3 = await createBuyer(ctx, 2_000_000);
  const creator = await createBuyer(ctx, 2_000_000);
  await moveTo(ctx, d.d3, [
    { table: "users", id: b1.id },
    { table: "users", id: b2.id },
  ]);
  await moveTo(ctx, d.d2, [
    { table: "users", id: b3.id },
    { table: "users", id: creator.id },
  ]);

  // d3: two airtime deliveries and a definite failure for b1, a data plan for b2, b1 tops up.
  const plan = await ctx.db
    .selectFrom("catalogue_products")
    .select("id")
    .where("service", "=", "data")
    .where("network", "=", "mtn")
    .where("enabled", "=", true)
    .orderBy("id")
    .executeTakeFirstOrThrow();
  const d3Orders = [
    await buyAirtime(ctx, h, b1.id, sandboxPhone(), 50_000),
    await buyAirtime(ctx, h, b1.id, sandboxPhone(), 20_000),
    await buyAirtime(ctx, h, b1.id, sandboxPhone("0001"), 10_000),
  ];
  const data = await placeOrder(ctx, h.vtu, b2.id, {
    service: "data",
    input: { network: "mtn", phone: sandboxPhone(), planId: plan.id, pin: TEST_PIN },
  });
  await h.drain();
  d3Orders.push(data.id);
  await moveTo(ctx, d.d3, [
    ...d3Orders.map((id) => ({ table: "vtu_orders" as const, id })),
    { table: "funding_intents", id: await fund(ctx, payments, b1.id, 500_000) },
  ]);

  // d2: b2's airtime fails over (0007: first provider out of float), b3 buys electricity, the
  // creator opens a room of 3 airtime gifts and two numbers claim.
  const failover = await buyAirtime(ctx, h, b2.id, sandboxPhone("0007"), 30_000);
  const meter = sandboxNumber(11);
  const power = await placeOrder(ctx, h.vtu, b3.id, {
    service: "electricity",
    input: { disco: "ikeja", meterType: "prepaid", meterNumber: meter, amountKobo: 300_000, pin: TEST_PIN },
  });
  await h.drain();
  const { room } = await createGiftRoom({
    ctx,
    userId: creator.id,
    idempotencyKey: `analytics-room-${randomInt(1e12)}`,
    input: { kind: "airtime", amountKobo: 10_000, capacity: 3, pin: TEST_PIN },
  });
  const claimers = [sandboxPhone(), sandboxPhone()];
  for (const [i, phone] of claimers.entries()) {
    await claimGift({
      ctx,
      vtu: h.vtu,
      input: { token: room.token, phone, network: "mtn" },
      claimant: { deviceHash: `analytics-dev-${randomInt(1e12)}-${i}`, ip: `10.9.0.${i + 1}` },
    });
  }
  await h.drain();
  await moveTo(ctx, d.d2, [
    { table: "vtu_orders", id: failover },
    { table: "vtu_orders", id: power.id },
    { table: "gift_rooms", id: room.id },
  ]);

  // d1: the first claimer signs up with the number they claimed to, tops up and buys (a converted
  // claimer); b1 buys again.
  const convert = await createTestUser(ctx.db, { phone: claimers[0] });
  await setOrChangePin({ ctx, userId: convert.id, input: { pin: TEST_PIN } });
  const convertFunding = await fund(ctx, payments, convert.id, 200_000);
  const convertOrder = await buyAirtime(ctx, h, convert.id, sandboxPhone(), 40_000);
  const b1Again = await buyAirtime(ctx, h, b1.id, sandboxPhone(), 60_000);
  const { withdrawal } = await createWithdrawal({
    ctx,
    payments,
    userId: b2.id,
    idempotencyKey: `analytics-withdraw-${randomInt(1e12)}`,
    input: {
      bankCode: "058",
      accountNumber: "0123456789",
      accountName: "ADAEZE OKAFOR (SANDBOX)",
      amountKobo: 100_000,
      pin: TEST_PIN,
    },
  });
  const sent = await ctx.db
    .selectFrom("withdrawals")
    .select("state")
    .where("id", "=", withdrawal.id)
    .executeTakeFirstOrThrow();
  if (sent.state !== "successful") {
    throw new Error(`withdrawal ${withdrawal.id} is ${sent.state}, not successful`);
  }
  await moveTo(ctx, d.d1, [
    { table: "users", id: convert.id },
    { table: "funding_intents", id: convertFunding },
    { table: "vtu_orders", id: convertOrder },
    { table: "vtu_orders", id: b1Again },
    { table: "withdrawals", id: withdrawal.id },
  ]);
  return { days: d, users: { b1, b2, b3, creator, convert }, room, claimers };
}

// ---------------------------------------------------------------------------------------------
// Independent SQL: the expected figures, written again from the tables with another day formula
// (UTC + 1 hour) and without the analytics module's rules or helpers.

const lagos = (column: string) => sql.raw(`((${column} AT TIME ZONE 'UTC') + interval '1 hour')::date`);

async function one(ctx: ServiceContext, query: ReturnType<typeof sql>): Promise<number> {
  const result = await (query as ReturnType<typeof sql<{ n: number | string | null }>>).execute(ctx.db);
  return Number(result.rows[0]?.n ?? 0);
}

export type ExpectedDay = {
  orders: number;
  delivered: number;
  unsuccessful: number;
  revenueKobo: number;
  costKobo: number;
  ordersByService: Record<string, number>;
  revenueByService: Record<string, number>;
  newUsers: number;
  activeUsers: number;
  fundingKobo: number;
  fundingCount: number;
  withdrawalsKobo: number;
  withdrawalsCount: number;
  giftRooms: number;
  giftCapacity: number;
  giftClaims: number;
  providerDelivered: Record<string, number>;
  failoverOrders: number;
  failoverAttempts: number;
};

async function grouped(ctx: ServiceContext, query: ReturnType<typeof sql>): Promise<Record<string, number>> {
  const result = await (query as ReturnType<typeof sql<{ k: string; n: number | string }>>).execute(ctx.db);
  return Object.fromEntries(result.rows.map((r) => [r.k, Number(r.n)]));
}

/** Every daily figure of one Lagos day, from the source tables. */
export async function expectedDay(ctx: ServiceContext, day: string): Promise<ExpectedDay> {
  const on = (column: string) => sql`${lagos(column)} = ${day}::date`;
  return {
    orders: await one(ctx, sql`SELECT count(*) AS n FROM vtu_orders WHERE ${on("created_at")}`),
    delivered: await one(
      ctx,
      sql`SELECT count(*) AS n FROM vtu_orders WHERE state = 'delivered' AND ${on("created_at")}`,
    ),
    unsuccessful: await one(
      ctx,
      sql`SELECT count(*) AS n FROM vtu_orders WHERE state IN ('failed', 'reversed') AND ${on("created_at")}`,
    ),
    revenueKobo: await one(
      ctx,
      sql`SELECT sum(price_kobo) AS n FROM vtu_orders WHERE state = 'delivered' AND ${on("created_at")}`,
    ),
    costKobo: await one(
      ctx,
      sql`SELECT sum(coalesce(cost_kobo, price_kobo)) AS n FROM vtu_orders WHERE state = 'delivered' AND ${on("created_at")}`,
    ),
    ordersByService: await grouped(
      ctx,
      sql`SELECT service AS k, count(*) AS n FROM vtu_orders WHERE ${on("created_at")} GROUP BY service`,
    ),
    revenueByService: await grouped(
      ctx,
      sql`SELECT service AS k, sum(price_kobo) AS n FROM vtu_orders
          WHERE state = 'delivered' AND ${on("created_at")} GROUP BY service`,
    ),
    newUsers: await one(ctx, sql`SELECT count(*) AS n FROM users WHERE ${on("created_at")}`),
    activeUsers: await one(
      ctx,
      sql`SELECT count(*) AS n FROM users u WHERE
            EXISTS (SELECT 1 FROM vtu_orders o WHERE o.user_id = u.id AND o.channel <> 'gift' AND ${on("o.created_at")})
         OR EXISTS (SELECT 1 FROM funding_intents f WHERE f.user_id = u.id AND f.status = 'credited' AND ${on("f.credited_at")})`,
    ),
    fundingKobo: await one(
      ctx,
      sql`SELECT sum(amount_kobo) AS n FROM funding_intents WHERE status = 'credited' AND ${on("credited_at")}`,
    ),
    fundingCount: await one(
      ctx,
      sql`SELECT count(*) AS n FROM funding_intents WHERE status = 'credited' AND ${on("credited_at")}`,
    ),
    withdrawalsKobo: await one(
      ctx,
      sql`SELECT sum(amount_kobo) AS n FROM withdrawals WHERE state = 'successful' AND ${on("completed_at")}`,
    ),
    withdrawalsCount: await one(
      ctx,
      sql`SELECT count(*) AS n FROM withdrawals WHERE state = 'successful' AND ${on("completed_at")}`,
    ),
    giftRooms: await one(ctx, sql`SELECT count(*) AS n FROM gift_rooms WHERE ${on("created_at")}`),
    giftCapacity: await one(ctx, sql`SELECT sum(capacity) AS n FROM gift_rooms WHERE ${on("created_at")}`),
    giftClaims: await one(
      ctx,
      sql`SELECT count(*) AS n FROM gift_claims WHERE state <> 'failed' AND ${on("created_at")}`,
    ),
    providerDelivered: await grouped(
      ctx,
      sql`SELECT provider AS k, count(*) AS n FROM vtu_orders
          WHERE state = 'delivered' AND ${on("created_at")} GROUP BY provider`,
    ),
    failoverOrders: await one(
      ctx,
      sql`SELECT count(DISTINCT o.id) AS n FROM vtu_orders o JOIN vtu_attempts a ON a.order_id = o.id
          WHERE a.attempt_no = 2 AND ${on("o.created_at")}`,
    ),
    failoverAttempts: await one(
      ctx,
      sql`SELECT count(*) AS n FROM vtu_attempts a JOIN vtu_orders o ON o.id = a.order_id
          WHERE a.attempt_no >= 2 AND ${on("o.created_at")}`,
    ),
  };
}

/** The range figures that are not sums of days. */
export async function expectedRange(ctx: ServiceContext, from: string, to: string, previousFrom: string) {
  const between = (column: string, a: string, b: string) =>
    sql`${lagos(column)} BETWEEN ${a}::date AND ${b}::date`;
  const activeIn = (a: string, b: string) => sql`
    SELECT u.id FROM users u WHERE
      EXISTS (SELECT 1 FROM vtu_orders o WHERE o.user_id = u.id AND o.channel <> 'gift' AND ${between("o.created_at", a, b)})
   OR EXISTS (SELECT 1 FROM funding_intents f WHERE f.user_id = u.id AND f.status = 'credited' AND ${between("f.credited_at", a, b)})`;
  const dayBefore = new Date(Date.parse(`${from}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  const rooms = sql`SELECT * FROM gift_rooms WHERE ${between("created_at", from, to)}`;
  return {
    totalUsers: await one(
      ctx,
      sql`SELECT count(*) AS n FROM users WHERE ${lagos("created_at")} <= ${to}::date`,
    ),
    activeUsers: await one(ctx, sql`SELECT count(*) AS n FROM (${activeIn(from, to)}) a`),
    previousActive: await one(ctx, sql`SELECT count(*) AS n FROM (${activeIn(previousFrom, dayBefore)}) p`),
    retained: await one(
      ctx,
      sql`SELECT count(*) AS n FROM (${activeIn(previousFrom, dayBefore)}) p WHERE p.id IN (${activeIn(from, to)})`,
    ),
    rooms: await one(ctx, sql`SELECT count(*) AS n FROM (${rooms}) r`),
    capacity: await one(ctx, sql`SELECT sum(capacity) AS n FROM (${rooms}) r`),
    claimsOnRooms: await one(
      ctx,
      sql`SELECT count(*) AS n FROM gift_claims c WHERE c.state <> 'failed' AND c.room_id IN (SELECT id FROM (${rooms}) r)`,
    ),
    roomsClaimed: await one(
      ctx,
      sql`SELECT count(*) AS n FROM (${rooms}) r WHERE EXISTS (SELECT 1 FROM gift_claims c WHERE c.room_id = r.id AND c.state <> 'failed')`,
    ),
    creators: await one(ctx, sql`SELECT count(DISTINCT creator_id) AS n FROM (${rooms}) r`),
    converted: await one(
      ctx,
      sql`SELECT count(DISTINCT c.recipient_msisdn) AS n FROM gift_claims c
          JOIN users u ON u.phone = c.recipient_msisdn
          WHERE c.state <> 'failed' AND c.room_id IN (SELECT id FROM (${rooms}) r)
            AND (EXISTS (SELECT 1 FROM vtu_orders o WHERE o.user_id = u.id AND o.channel <> 'gift' AND o.created_at > c.created_at)
              OR EXISTS (SELECT 1 FROM funding_intents f WHERE f.user_id = u.id AND f.status = 'credited' AND f.credited_at > c.created_at))`,
    ),
  };
}
