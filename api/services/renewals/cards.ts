import { sql } from "kysely";
import { bouquetSlug, CABLE_NAMES } from "../catalogue/normalize";
import { type ServiceContext, type Trx, withTransaction } from "../context";
import { addDays, lagosDate } from "../vtu/due-date";
import type { CableProvider } from "../vtu/provider";

/**
 * Cable cards (issue 19 §3, DECISIONS §66): per customer and smartcard, the provider's last word on
 * it — name, bouquet, renewal amount and the day the subscription ends — from the two moments we
 * learn it: a verification for the customer, and a delivered cable order of theirs.
 */

/** A bouquet runs this long when the catalogue does not say (DStv, GOtv and StarTimes bouquets are monthly). */
export const DEFAULT_BOUQUET_DAYS = 30;

export type CableCard = {
  id: number;
  userId: string;
  provider: string;
  smartcard: string;
  customerName: string | null;
  bouquet: string | null;
  productId: string | null;
  renewalAmountKobo: number | null;
  /** "YYYY-MM-DD", a Lagos calendar day. */
  dueDate: string | null;
  dueSource: "provider" | "renewal" | null;
  remindersOff: boolean;
};

/**
 * A smartcard verified for a customer: what the provider said replaces what we had; a due date the
 * provider did not give keeps the one we had (it may have come from a renewal we delivered).
 */
export async function rememberVerifiedCard(
  ctx: ServiceContext,
  card: {
    userId: string;
    provider: CableProvider;
    smartcard: string;
    customerName: string;
    bouquet: string | null;
    renewalAmountKobo: number | null;
    dueDate: string | null;
  },
): Promise<void> {
  const productId = card.bouquet
    ? `cable:${card.provider}:${bouquetSlug(card.provider, card.bouquet)}`
    : null;
  await sql`
    INSERT INTO cable_cards (user_id, provider, smartcard, customer_name, bouquet, product_id,
                             renewal_amount_kobo, due_date, due_source, verified_at)
    VALUES (${card.userId}, ${card.provider}, ${card.smartcard}, ${card.customerName}, ${card.bouquet},
            ${productId}, ${card.renewalAmountKobo}, ${card.dueDate}::date,
            ${card.dueDate ? "provider" : null}, ${ctx.now()})
    ON CONFLICT (user_id, provider, smartcard) DO UPDATE SET
      customer_name = EXCLUDED.customer_name,
      bouquet = coalesce(EXCLUDED.bouquet, cable_cards.bouquet),
      product_id = coalesce(EXCLUDED.product_id, cable_cards.product_id),
      renewal_amount_kobo = coalesce(EXCLUDED.renewal_amount_kobo, cable_cards.renewal_amount_kobo),
      due_date = coalesce(EXCLUDED.due_date, cable_cards.due_date),
      due_source = CASE WHEN EXCLUDED.due_date IS NULL THEN cable_cards.due_source ELSE 'provider' END,
      verified_at = EXCLUDED.verified_at,
      updated_at = now()`.execute(ctx.db);
}

/**
 * Delivered cable orders (the `cable_card_events` their delivery wrote, by a trigger in the same
 * transaction): each card's bouquet, amount and due date move on. Each event is taken and deleted in
 * the transaction that applies it (FOR UPDATE SKIP LOCKED), so it counts once whatever races; a
 * failing one stays for the next sweep.
 */
export async function applyCableDeliveries(args: { ctx: ServiceContext; limit?: number }) {
  const { ctx } = args;
  const pending = await ctx.db
    .selectFrom("cable_card_events")
    .select("id")
    .orderBy("id")
    .limit(args.limit ?? 500)
    .execute();
  let applied = 0;
  for (const { id } of pending) {
    try {
      const done = await withTransaction(ctx, async (trx) => {
        const { rows } = await sql<{ order_id: string }>`
          DELETE FROM cable_card_events
           WHERE id = (SELECT id FROM cable_card_events WHERE id = ${id} FOR UPDATE SKIP LOCKED)
          RETURNING order_id`.execute(trx);
        return rows[0] ? applyDelivery(trx, rows[0].order_id) : false;
      });
      applied += done ? 1 : 0;
    } catch (err) {
      ctx.logger.error({ err, cableCardEventId: id }, "cable card event failed; the next sweep retries it");
    }
  }
  return { events: pending.length, applied };
}

/**
 * The rule (DECISIONS §66): the card is now on the order's bouquet, its renewal amount is what the
 * order paid the biller (face amount), and the due date moves on by the bouquet's period (the
 * catalogue's validity, else 30 days) from the later of the old due date and the delivery day — a
 * renewal before the end adds to it, one after a lapse starts from the day it was paid. When the
 * provider was asked after the delivery (a verification newer than it), its due date already says
 * it and is kept.
 */
async function applyDelivery(trx: Trx, orderId: string): Promise<boolean> {
  const order = await trx
    .selectFrom("vtu_orders as o")
    .innerJoin("catalogue_products as p", "p.id", "o.product_id")
    .select([
      "o.user_id",
      "o.state",
      "o.recipient",
      "o.product_id",
      "o.customer_name",
      "o.face_amount_kobo",
      "o.delivered_at",
      "p.biller",
      "p.name",
      "p.validity_days",
    ])
    .where("o.id", "=", orderId)
    .executeTakeFirst();
  if (order?.state !== "delivered" || !order.biller || !order.delivered_at) {
    return false;
  }
  await trx
    .insertInto("cable_cards")
    .values({ user_id: order.user_id, provider: order.biller, smartcard: order.recipient })
    .onConflict((oc) => oc.columns(["user_id", "provider", "smartcard"]).doNothing())
    .execute();
  const card = await trx
    .selectFrom("cable_cards")
    .select(["id", sql<string | null>`due_date::text`.as("due"), "due_source", "verified_at"])
    .where("user_id", "=", order.user_id)
    .where("provider", "=", order.biller)
    .where("smartcard", "=", order.recipient)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const providerKnows =
    card.due_source === "provider" &&
    card.verified_at !== null &&
    card.verified_at.getTime() > order.delivered_at.getTime();
  const paidOn = lagosDate(order.delivered_at);
  const from = card.due && card.due > paidOn ? card.due : paidOn;
  const due = providerKnows ? card.due : addDays(from, order.validity_days ?? DEFAULT_BOUQUET_DAYS);
  await trx
    .updateTable("cable_cards")
    .set({
      customer_name: order.customer_name ?? undefined,
      // "DStv Compact" in the catalogue is "Compact" as the provider names it on the card.
      bouquet: order.name.replace(
        new RegExp(`^${CABLE_NAMES[order.biller as CableProvider] ?? order.biller}\\s+`, "i"),
        "",
      ),
      product_id: order.product_id,
      renewal_amount_kobo: order.face_amount_kobo,
      due_date: due,
      due_source: providerKnows ? "provider" : "renewal",
      last_order_id: orderId,
      updated_at: new Date(),
    })
    .where("id", "=", card.id)
    .execute();
  return true;
}

/** One of the customer's own cards (undefined for an unknown id or someone else's). */
export async function findOwnCard(
  ctx: ServiceContext,
  args: { userId: string; cardId: number },
): Promise<CableCard | undefined> {
  const row = await ctx.db
    .selectFrom("cable_cards")
    .select([
      "id",
      "user_id as userId",
      "provider",
      "smartcard",
      "customer_name as customerName",
      "bouquet",
      "product_id as productId",
      "renewal_amount_kobo as renewalAmountKobo",
      sql<string | null>`due_date::text`.as("dueDate"),
      "due_source as dueSource",
      "reminders_off as remindersOff",
    ])
    .where("id", "=", args.cardId)
    .where("user_id", "=", args.userId)
    .executeTakeFirst();
  return row
    ? { ...row, renewalAmountKobo: row.renewalAmountKobo === null ? null : Number(row.renewalAmountKobo) }
    : undefined;
}

/** The customer's cards, soonest due first. */
export async function listCableCards(ctx: ServiceContext, userId: string): Promise<CableCard[]> {
  const rows = await ctx.db
    .selectFrom("cable_cards")
    .select([
      "id",
      "user_id as userId",
      "provider",
      "smartcard",
      "customer_name as customerName",
      "bouquet",
      "product_id as productId",
      "renewal_amount_kobo as renewalAmountKobo",
      sql<string | null>`due_date::text`.as("dueDate"),
      "due_source as dueSource",
      "reminders_off as remindersOff",
    ])
    .where("user_id", "=", userId)
    .orderBy(sql`due_date NULLS LAST`)
    .orderBy("id")
    .execute();
  return rows.map((r) => ({
    ...r,
    renewalAmountKobo: r.renewalAmountKobo === null ? null : Number(r.renewalAmountKobo),
  }));
}

/** "Stop reminders" for one card (true when it was the customer's). */
export async function stopCardReminders(
  ctx: ServiceContext,
  args: { userId: string; cardId: number },
): Promise<CableCard | undefined> {
  await ctx.db
    .updateTable("cable_cards")
    .set({ reminders_off: true, updated_at: new Date() })
    .where("id", "=", args.cardId)
    .where("user_id", "=", args.userId)
    .execute();
  return findOwnCard(ctx, args);
}

/** "Stop these reminders" for a kind of purchase nudge. */
export async function stopPurchaseNudges(
  ctx: ServiceContext,
  args: { userId: string; kind: "electricity" | "data" },
): Promise<void> {
  await ctx.db
    .insertInto("purchase_nudge_opt_outs")
    .values({ user_id: args.userId, kind: args.kind })
    .onConflict((oc) => oc.columns(["user_id", "kind"]).doNothing())
    .execute();
}

/**
 * Renewal reminders for one of the customer's cards turned on or off (the chat's "turn on reminders
 * for …", `POST /api/vtu/cable/cards/:id/reminders`). Undefined for an unknown id or someone else's
 * card. Turning them back on sends nothing at once: the next sweep sends the nearest reminder still
 * due for the current due date, once, as for any card (DECISIONS §70).
 */
export async function setCardReminders(
  ctx: ServiceContext,
  args: { userId: string; cardId: number; on: boolean },
): Promise<CableCard | undefined> {
  await ctx.db
    .updateTable("cable_cards")
    .set({ reminders_off: !args.on, updated_at: new Date() })
    .where("id", "=", args.cardId)
    .where("user_id", "=", args.userId)
    .execute();
  return findOwnCard(ctx, args);
}

/** "Turn on reminders" for one card (the reverse of stopCardReminders). */
export async function resumeCardReminders(
  ctx: ServiceContext,
  args: { userId: string; cardId: number },
): Promise<CableCard | undefined> {
  return setCardReminders(ctx, { ...args, on: true });
}

/** "Turn on data reminders": the reverse of stopPurchaseNudges. */
export async function resumePurchaseNudges(
  ctx: ServiceContext,
  args: { userId: string; kind: "electricity" | "data" },
): Promise<void> {
  await ctx.db
    .deleteFrom("purchase_nudge_opt_outs")
    .where("user_id", "=", args.userId)
    .where("kind", "=", args.kind)
    .execute();
}

export const NUDGE_KINDS = ["electricity", "data"] as const;
export type NudgeKind = (typeof NUDGE_KINDS)[number];

/** The purchase nudges the customer turned off. */
export async function listNudgeOptOuts(ctx: ServiceContext, userId: string): Promise<NudgeKind[]> {
  const rows = await ctx.db
    .selectFrom("purchase_nudge_opt_outs")
    .select("kind")
    .where("user_id", "=", userId)
    .orderBy("kind")
    .execute();
  return rows.map((r) => r.kind as NudgeKind);
}

/** A card as the admin sees it: the customer's card and the last reminder sent for it. */
export type AdminCableCard = CableCard & { lastReminderAt: Date | null; lastReminderDays: number | null };

/** A customer's cards for the admin customer page, soonest due first. */
export async function adminCustomerCards(ctx: ServiceContext, userId: string): Promise<AdminCableCard[]> {
  const cards = await listCableCards(ctx, userId);
  if (cards.length === 0) {
    return [];
  }
  const last = await ctx.db
    .selectFrom("cable_reminders")
    .select(["card_id", "created_at", "days_before"])
    .distinctOn("card_id")
    .where(
      "card_id",
      "in",
      cards.map((c) => c.id),
    )
    .where("sent", "=", true)
    .orderBy("card_id")
    .orderBy("created_at", "desc")
    .execute();
  return cards.map((card) => {
    const row = last.find((r) => Number(r.card_id) === card.id);
    return { ...card, lastReminderAt: row?.created_at ?? null, lastReminderDays: row?.days_before ?? null };
  });
}

/**
 * The reminder counts for the admin: renewal reminders sent today (Lagos); upcoming, the cards with
 * reminders on whose due date is within the reminder window (the largest CABLE_REMINDER_DAYS) from
 * today, which the coming sweeps remind; cards with reminders off; nudge opt-outs by kind.
 */
export async function reminderCounts(ctx: ServiceContext): Promise<{
  sentToday: number;
  upcoming: number;
  windowDays: number;
  cardsOff: number;
  nudgeOptOuts: Record<NudgeKind, number>;
}> {
  const today = lagosDate(ctx.now());
  const window = Math.max(0, ...ctx.config.CABLE_REMINDER_DAYS);
  const { rows } = await sql<{ sent_today: string; upcoming: string; cards_off: string }>`
    SELECT
      (SELECT count(*) FROM cable_reminders
        WHERE sent AND created_at >= (${today}::date::timestamp AT TIME ZONE 'Africa/Lagos')) AS sent_today,
      (SELECT count(*) FROM cable_cards
        WHERE NOT reminders_off AND due_date BETWEEN ${today}::date AND ${addDays(today, window)}::date
      ) AS upcoming,
      (SELECT count(*) FROM cable_cards WHERE reminders_off) AS cards_off`.execute(ctx.db);
  const opts = await ctx.db
    .selectFrom("purchase_nudge_opt_outs")
    .select(["kind", (eb) => eb.fn.countAll<string>().as("n")])
    .groupBy("kind")
    .execute();
  const row = rows[0];
  return {
    sentToday: Number(row?.sent_today ?? 0),
    upcoming: Number(row?.upcoming ?? 0),
    windowDays: window,
    cardsOff: Number(row?.cards_off ?? 0),
    nudgeOptOuts: {
      electricity: Number(opts.find((o) => o.kind === "electricity")?.n ?? 0),
      data: Number(opts.find((o) => o.kind === "data")?.n ?? 0),
    },
  };
}

/** A card in the reminder window, for the admin's Reminders page. */
export type AdminDueCard = AdminCableCard & { userName: string | null };

/**
 * The cards due within the reminder window from today (the coming sweeps' work, reminders on or
 * off), soonest first, each with its customer's name and the last reminder sent.
 */
export async function adminCardsDueSoon(ctx: ServiceContext, limit = 100): Promise<AdminDueCard[]> {
  const today = lagosDate(ctx.now());
  const window = Math.max(0, ...ctx.config.CABLE_REMINDER_DAYS);
  const rows = await ctx.db
    .selectFrom("cable_cards as c")
    .innerJoin("users as u", "u.id", "c.user_id")
    .select([
      "c.id",
      "c.user_id as userId",
      "u.display_name as userName",
      "c.provider",
      "c.smartcard",
      "c.customer_name as customerName",
      "c.bouquet",
      "c.product_id as productId",
      "c.renewal_amount_kobo as renewalAmountKobo",
      sql<string | null>`c.due_date::text`.as("dueDate"),
      "c.due_source as dueSource",
      "c.reminders_off as remindersOff",
      (eb) =>
        eb
          .selectFrom("cable_reminders as r")
          .select("r.created_at")
          .whereRef("r.card_id", "=", "c.id")
          .where("r.sent", "=", true)
          .orderBy("r.created_at", "desc")
          .limit(1)
          .as("lastReminderAt"),
      (eb) =>
        eb
          .selectFrom("cable_reminders as r")
          .select("r.days_before")
          .whereRef("r.card_id", "=", "c.id")
          .where("r.sent", "=", true)
          .orderBy("r.created_at", "desc")
          .limit(1)
          .as("lastReminderDays"),
    ])
    .where(sql<boolean>`c.due_date BETWEEN ${today}::date AND ${addDays(today, window)}::date`)
    .orderBy("c.due_date")
    .orderBy("c.id")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    ...r,
    renewalAmountKobo: r.renewalAmountKobo === null ? null : Number(r.renewalAmountKobo),
    lastReminderAt: r.lastReminderAt ?? null,
    lastReminderDays: r.lastReminderDays ?? null,
  }));
}
