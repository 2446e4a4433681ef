import { sql } from "kysely";
import { CABLE_NAMES, DISCO_NAMES } from "../catalogue/normalize";
import { type ServiceContext, type Trx, withTransaction } from "../context";
import { formatNaira } from "../money";
import { queueNotification } from "../notifications";
import { activeAutoRenewOf, cardStateOf, planOf } from "../schedules/auto-renew";
import { addDays, daysBetween, lagosDate } from "../vtu/due-date";
import type { CableProvider, Disco } from "../vtu/provider";
import { applyCableDeliveries } from "./cards";

/**
 * Cable renewal reminders and purchase nudges (issue 19 §3–§4, DECISIONS §66), driven from
 * PostgreSQL by the `sweep-cable-reminders` job. Each message is written with its own unique row
 * (`cable_reminders`, `purchase_nudges`) in the same transaction as its outbox rows, so it goes out
 * once whatever repeats: two workers, a sweep run twice, a restart.
 */

/** The tap choices a reminder carries (DECISIONS §66): the chat engine understands these ids. */
export const REMINDER_CHOICE_PREFIX = "rmd:";
export const renewChoiceId = (cardId: number) => `${REMINDER_CHOICE_PREFIX}renew:${cardId}`;
export const stopCardChoiceId = (cardId: number) => `${REMINDER_CHOICE_PREFIX}stop:${cardId}`;
/** "Auto-renew": set up an auto-renew schedule for the card (bot/engine/flows/auto-renew.ts, DECISIONS §67). */
export const autoRenewChoiceId = (cardId: number) => `${REMINDER_CHOICE_PREFIX}auto:${cardId}`;
export const stopNudgeChoiceId = (kind: "electricity" | "data") => `${REMINDER_CHOICE_PREFIX}stop:${kind}`;
/** The greeting's "same again" choice: reopens the order's own purchase flow (bot/engine/flows/repeat.ts). */
export const buyAgainChoiceId = (orderId: string) => `repeat:${orderId}`;

/** "Thu 10 Dec 2026". */
export function formatDay(date: string): string {
  return new Date(`${date}T12:00:00Z`).toLocaleDateString("en-GB", {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  });
}

const cableName = (provider: string) => CABLE_NAMES[provider as CableProvider] ?? provider;

export function cableReminderText(n: {
  provider: string;
  smartcard: string;
  bouquet: string;
  amountKobo: number | null;
  dueDate: string;
  daysLeft: number;
}): string {
  const when = n.daysLeft <= 0 ? "today" : n.daysLeft === 1 ? "tomorrow" : `in ${n.daysLeft} days`;
  const amount = n.amountKobo ? ` Renewal: ${formatNaira(n.amountKobo)}.` : "";
  return `Your ${cableName(n.provider)} ${n.bouquet} on card ${n.smartcard} ends ${when} (${formatDay(n.dueDate)}).${amount} Renew now?`;
}

/**
 * The reminder for a card that renews automatically (DECISIONS §67): when, instead of "Renew now?"
 * (a second, manual renewal would buy the cycle twice).
 */
export function cableAutoRenewText(n: {
  provider: string;
  smartcard: string;
  bouquet: string;
  amountKobo: number | null;
  dueDate: string;
  daysLeft: number;
  autoRenewOn: string;
  today: string;
}): string {
  const when = n.daysLeft <= 0 ? "today" : n.daysLeft === 1 ? "tomorrow" : `in ${n.daysLeft} days`;
  const on = n.autoRenewOn <= n.today ? "today" : `on ${formatDay(n.autoRenewOn)}`;
  const amount = n.amountKobo ? ` (${formatNaira(n.amountKobo)} from your wallet)` : "";
  return `Your ${cableName(n.provider)} ${n.bouquet} on card ${n.smartcard} ends ${when} (${formatDay(n.dueDate)}). It renews automatically ${on}${amount}: keep your wallet funded.`;
}

/**
 * The day the card's auto-renew buys this cycle, when it is on and the cycle is not already lost (its
 * run failed or skipped): then the reminder says so rather than asking to renew.
 */
async function autoRenewDay(ctx: ServiceContext, trx: Trx, cardId: number): Promise<string | undefined> {
  const schedule = await activeAutoRenewOf(trx, cardId);
  if (!schedule) {
    return undefined;
  }
  const plan = planOf(ctx, schedule, await cardStateOf(trx, schedule));
  if (plan.kind === "due") {
    return plan.runOn;
  }
  if (plan.kind === "done") {
    const run = await trx
      .selectFrom("schedule_runs")
      .select(["state", "due_at"])
      .where("schedule_id", "=", schedule.id)
      .where("due_on", "=", plan.cycle)
      .executeTakeFirst();
    if (run && run.state !== "failed" && run.state !== "skipped") {
      return lagosDate(run.due_at);
    }
  }
  return undefined;
}

/** The sweep: deliveries first (they move due dates), then reminders, then the nudges. */
export async function sweepCableReminders(args: { ctx: ServiceContext; limit?: number }) {
  const deliveries = await applyCableDeliveries(args);
  const reminders = await sendCableReminders(args);
  const electricity = await sendElectricityNudges(args);
  const data = await sendDataNudges(args);
  return { deliveries, reminders, electricity, data };
}

/**
 * Reminders N days before each card's due date (CABLE_REMINDER_DAYS). With d days left, every N ≥ d
 * is due; the nearest one (the smallest) is sent and the others are recorded as passed over, so a
 * sweep that missed a day (the service was down) sends one reminder, not a burst. Past the due date
 * nothing is sent.
 */
export async function sendCableReminders(args: { ctx: ServiceContext; limit?: number }) {
  const { ctx } = args;
  const days = ctx.config.CABLE_REMINDER_DAYS;
  if (days.length === 0) {
    return { sent: 0 };
  }
  const today = lagosDate(ctx.now());
  const last = addDays(today, Math.max(...days));
  const cards = await ctx.db
    .selectFrom("cable_cards")
    .select("id")
    .where("reminders_off", "=", false)
    .where(sql<boolean>`due_date BETWEEN ${today}::date AND ${last}::date`)
    .orderBy("due_date")
    .limit(args.limit ?? 500)
    .execute();
  let sent = 0;
  for (const { id } of cards) {
    try {
      const done = await withTransaction(ctx, async (trx) => {
        const card = await trx
          .selectFrom("cable_cards")
          .select([
            "id",
            "user_id",
            "provider",
            "smartcard",
            "bouquet",
            "renewal_amount_kobo",
            "reminders_off",
            sql<string | null>`due_date::text`.as("due"),
          ])
          .where("id", "=", id)
          .forUpdate()
          .skipLocked()
          .executeTakeFirst();
        if (!card || card.reminders_off || !card.due) {
          return false;
        }
        const daysLeft = daysBetween(today, card.due);
        const due = days.filter((n) => n >= daysLeft);
        if (daysLeft < 0 || due.length === 0) {
          return false;
        }
        const [nearest, ...passed] = due;
        const inserted = await trx
          .insertInto("cable_reminders")
          .values({ card_id: card.id, due_date: card.due, days_before: nearest as number, sent: true })
          .onConflict((oc) => oc.columns(["card_id", "due_date", "days_before"]).doNothing())
          .returning("card_id")
          .executeTakeFirst();
        if (!inserted) {
          return false;
        }
        if (passed.length > 0) {
          await trx
            .insertInto("cable_reminders")
            .values(
              passed.map((n) => ({
                card_id: card.id,
                due_date: card.due as string,
                days_before: n,
                sent: false,
              })),
            )
            .onConflict((oc) => oc.columns(["card_id", "due_date", "days_before"]).doNothing())
            .execute();
        }
        const notice = {
          provider: card.provider,
          smartcard: card.smartcard,
          bouquet: card.bouquet ?? "subscription",
          amountKobo: card.renewal_amount_kobo === null ? null : Number(card.renewal_amount_kobo),
          dueDate: card.due,
          daysLeft,
        };
        const stop = { id: stopCardChoiceId(card.id), key: "stopReminders", label: "Stop reminders" };
        // A card on auto-renew is told when it renews, with no "Renew now" (DECISIONS §67).
        const autoRenewOn = await autoRenewDay(ctx, trx, card.id);
        if (autoRenewOn) {
          const auto = { ...notice, autoRenewOn, today };
          await queueNotification(trx, {
            userId: card.user_id,
            kind: "cable.renewal_due",
            body: cableAutoRenewText(auto),
            payload: { notice: auto, cardId: card.id, choices: [stop] },
          });
          return true;
        }
        await queueNotification(trx, {
          userId: card.user_id,
          kind: "cable.renewal_due",
          body: cableReminderText(notice),
          payload: {
            notice,
            cardId: card.id,
            choices: [
              { id: renewChoiceId(card.id), key: "renewNow", label: "Renew now" },
              stop,
              { id: autoRenewChoiceId(card.id), key: "autoRenew", label: "Auto-renew" },
            ],
          },
        });
        return true;
      });
      sent += done ? 1 : 0;
    } catch (err) {
      ctx.logger.error({ err, cableCardId: id }, "cable reminder failed; the next sweep retries it");
    }
  }
  return { sent };
}

/** A nudge is not sent more than this many days late (an old purchase at deploy time stays quiet). */
const NUDGE_GRACE_DAYS = 7;

type NudgeCandidate = {
  id: string;
  user_id: string;
  recipient: string;
  face_amount_kobo: number | string;
  biller: string | null;
  name: string;
  network: string | null;
  ends_at?: Date;
};

/**
 * "Your last token was 14 days ago, buy again?" (ELECTRICITY_NUDGE_DAYS after the customer's last
 * delivered electricity purchase, once per that purchase; none when they bought since).
 */
export async function sendElectricityNudges(args: { ctx: ServiceContext; limit?: number }) {
  const { ctx } = args;
  const days = ctx.config.ELECTRICITY_NUDGE_DAYS;
  if (days <= 0) {
    return { sent: 0 };
  }
  const now = ctx.now();
  const dueBefore = new Date(now.getTime() - days * 86_400_000);
  const notBefore = new Date(dueBefore.getTime() - NUDGE_GRACE_DAYS * 86_400_000);
  const { rows } = await sql<NudgeCandidate & { delivered_at: Date }>`
    SELECT * FROM (
      SELECT DISTINCT ON (o.user_id) o.id, o.user_id, o.recipient, o.face_amount_kobo, o.delivered_at,
             p.biller, p.name, o.network
        FROM vtu_orders o JOIN catalogue_products p ON p.id = o.product_id
       WHERE o.service = 'electricity' AND o.state = 'delivered' AND o.channel <> 'gift'
         AND o.delivered_at > ${notBefore}
       ORDER BY o.user_id, o.delivered_at DESC, o.id DESC
    ) last
    WHERE last.delivered_at <= ${dueBefore}
      AND NOT EXISTS (SELECT 1 FROM purchase_nudges n WHERE n.order_id = last.id)
      AND NOT EXISTS (SELECT 1 FROM purchase_nudge_opt_outs x
                       WHERE x.user_id = last.user_id AND x.kind = 'electricity')
    LIMIT ${args.limit ?? 500}`.execute(ctx.db);
  let sent = 0;
  for (const order of rows) {
    const amountKobo = Number(order.face_amount_kobo);
    const disco = DISCO_NAMES[order.biller as Disco] ?? order.name;
    const notice = { meter: order.recipient, amountKobo, disco, days };
    sent += (await nudge(ctx, order, "electricity", {
      body: `Your last electricity token was ${days} days ago: ${formatNaira(amountKobo)} for meter ${order.recipient} (${disco}). Buy again?`,
      notice,
    }))
      ? 1
      : 0;
  }
  return { sent };
}

/**
 * A data plan of DATA_NUDGE_MIN_VALIDITY_DAYS or more is offered again DATA_NUDGE_DAYS_BEFORE days
 * before it ends (once per order; none when the same number got a newer plan since).
 */
export async function sendDataNudges(args: { ctx: ServiceContext; limit?: number }) {
  const { ctx } = args;
  const before = ctx.config.DATA_NUDGE_DAYS_BEFORE;
  if (before <= 0) {
    return { sent: 0 };
  }
  const now = ctx.now();
  const { rows } = await sql<NudgeCandidate & { ends_at: Date }>`
    SELECT o.id, o.user_id, o.recipient, o.face_amount_kobo, p.biller, p.name, o.network,
           o.delivered_at + make_interval(days => p.validity_days) AS ends_at
      FROM vtu_orders o JOIN catalogue_products p ON p.id = o.product_id
     WHERE o.service = 'data' AND o.state = 'delivered' AND o.channel <> 'gift'
       AND p.validity_days >= ${ctx.config.DATA_NUDGE_MIN_VALIDITY_DAYS}
       AND o.delivered_at > ${now}::timestamptz - make_interval(days => p.validity_days)
       AND o.delivered_at + make_interval(days => p.validity_days - ${before}) <= ${now}
       AND NOT EXISTS (SELECT 1 FROM purchase_nudges n WHERE n.order_id = o.id)
       AND NOT EXISTS (SELECT 1 FROM purchase_nudge_opt_outs x WHERE x.user_id = o.user_id AND x.kind = 'data')
       AND NOT EXISTS (SELECT 1 FROM vtu_orders newer
                        WHERE newer.user_id = o.user_id AND newer.service = 'data'
                          AND newer.recipient = o.recipient AND newer.state = 'delivered'
                          AND newer.delivered_at > o.delivered_at)
     ORDER BY o.delivered_at
     LIMIT ${args.limit ?? 500}`.execute(ctx.db);
  let sent = 0;
  for (const order of rows) {
    const endsOn = lagosDate(new Date(order.ends_at));
    const notice = { plan: order.name, phone: order.recipient, endsOn };
    sent += (await nudge(ctx, order, "data", {
      body: `Your ${order.name} for ${order.recipient} ends on ${formatDay(endsOn)}. Buy it again?`,
      notice,
    }))
      ? 1
      : 0;
  }
  return { sent };
}

/** One nudge: its row and its message in one transaction (a second writer finds the row and sends nothing). */
async function nudge(
  ctx: ServiceContext,
  order: NudgeCandidate,
  kind: "electricity" | "data",
  message: { body: string; notice: Record<string, unknown> },
): Promise<boolean> {
  try {
    return await withTransaction(ctx, async (trx) => {
      const inserted = await trx
        .insertInto("purchase_nudges")
        .values({ order_id: order.id, user_id: order.user_id, kind })
        .onConflict((oc) => oc.column("order_id").doNothing())
        .returning("order_id")
        .executeTakeFirst();
      if (!inserted) {
        return false;
      }
      await queueNotification(trx, {
        userId: order.user_id,
        kind: `nudge.${kind}`,
        body: message.body,
        payload: {
          notice: message.notice,
          nudgedOrderId: order.id,
          choices: [
            { id: buyAgainChoiceId(order.id), key: "buyAgain", label: "Buy again" },
            { id: stopNudgeChoiceId(kind), key: "stopReminders", label: "Stop these reminders" },
          ],
        },
      });
      return true;
    });
  } catch (err) {
    ctx.logger.error({ err, orderId: order.id, kind }, "purchase nudge failed; the next sweep retries it");
    return false;
  }
}
