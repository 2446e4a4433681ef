import { sql } from "kysely";
import { z } from "zod";
import type { ServiceContext } from "../context";
import { NotFoundError } from "../errors";
import { formatNaira } from "../money";
import { lagosDayStart, parseListFilters } from "./list-filters";

export const AdminPaymentFilters = z.strictObject({
  kind: z.enum(["funding", "withdrawal"]).optional(),
  status: z.string().trim().max(20).optional(),
  userId: z.string().trim().max(60).optional(),
  /** Lagos calendar days, inclusive. */
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type AdminPaymentFilters = z.input<typeof AdminPaymentFilters>;

export type AdminPaymentRow = {
  kind: "funding" | "withdrawal";
  id: string;
  createdAt: string;
  userId: string;
  reference: string;
  gateway: string;
  amountKobo: number;
  feeKobo: number;
  /** funding: pending/credited/failed/manual_review; withdrawal: held/submitting/pending/unknown/successful/failed. */
  status: string;
};

/** Funding intents and withdrawals in one list, newest first (empty filters = all). */
export async function listPaymentsForAdmin(
  ctx: ServiceContext,
  filters: AdminPaymentFilters,
): Promise<AdminPaymentRow[]> {
  const f = parseListFilters(AdminPaymentFilters, filters);
  // One newest-first list over both tables, so the limit applies to the list people see.
  const funding = ctx.db
    .selectFrom("funding_intents")
    .select([
      sql<AdminPaymentRow["kind"]>`'funding'`.as("kind"),
      "id",
      "created_at",
      "user_id",
      "tx_ref as reference",
      "gateway",
      "amount_kobo",
      "fee_kobo",
      sql<string>`status::text`.as("status"),
    ]);
  const withdrawals = ctx.db
    .selectFrom("withdrawals")
    .select([
      sql<AdminPaymentRow["kind"]>`'withdrawal'`.as("kind"),
      "id",
      "created_at",
      "user_id",
      "reference",
      "gateway",
      "amount_kobo",
      "fee_kobo",
      sql<string>`state::text`.as("status"),
    ]);
  let query = ctx.db
    .selectFrom(funding.unionAll(withdrawals).as("p"))
    .selectAll()
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(f.limit);
  if (f.kind) {
    query = query.where("kind", "=", f.kind);
  }
  if (f.status) {
    query = query.where("status", "=", f.status);
  }
  if (f.userId) {
    query = query.where("user_id", "=", f.userId);
  }
  if (f.from) {
    query = query.where("created_at", ">=", lagosDayStart(f.from));
  }
  if (f.to) {
    query = query.where("created_at", "<", lagosDayStart(f.to, 1));
  }
  return (await query.execute()).map((r) => ({
    kind: r.kind,
    id: r.id,
    createdAt: r.created_at.toISOString(),
    userId: r.user_id,
    reference: r.reference,
    gateway: r.gateway,
    amountKobo: Number(r.amount_kobo),
    feeKobo: Number(r.fee_kobo),
    status: r.status,
  }));
}

const SECRET_KEY =
  /secret|token|password|passwd|hash|signature|authori[sz]ation|api[_-]?key|cvv|pin\b|card|bvn|otp/i;

/**
 * A raw payload fit for support's eyes: any field whose name smells of a secret or card data is
 * replaced by "[redacted]", at any depth.
 */
export function redactPayload(value: unknown, depth = 0): unknown {
  if (depth > 12) {
    return "[…]";
  }
  if (Array.isArray(value)) {
    return value.map((v) => redactPayload(v, depth + 1));
  }
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        SECRET_KEY.test(k) ? "[redacted]" : redactPayload(v, depth + 1),
      ]),
    );
  }
  return value;
}

export type AdminPaymentEvent = {
  id: number;
  event: string;
  scheme: string;
  deliveries: number;
  outcome: string | null;
  receivedAt: string;
  processedAt: string | null;
  payload: string;
};

async function webhookEvents(
  ctx: ServiceContext,
  field: "tx_ref" | "reference",
  value: string,
): Promise<AdminPaymentEvent[]> {
  const rows = await ctx.db
    .selectFrom("payment_webhook_events")
    .selectAll()
    .where(sql<string>`payload->'data'->>${field}`, "=", value)
    .orderBy("id")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    event: r.event,
    scheme: r.scheme,
    deliveries: r.deliveries,
    outcome: r.outcome,
    receivedAt: r.received_at.toISOString(),
    processedAt: r.processed_at?.toISOString() ?? null,
    payload: JSON.stringify(redactPayload(r.payload)),
  }));
}

export type AdminPaymentDetail =
  | {
      kind: "funding";
      id: string;
      userId: string;
      /** Label and value; a time is a Date, for the page to show in its own way. */
      fields: [string, string | Date][];
      amountKobo: number;
      status: string;
      events: AdminPaymentEvent[];
    }
  | {
      kind: "withdrawal";
      id: string;
      userId: string;
      fields: [string, string | Date][];
      amountKobo: number;
      status: string;
      events: AdminPaymentEvent[];
      transfers: { at: string; status: string; finalStatus: string | null; amountKobo: number }[];
    };

const iso = (d: Date | null): Date | string => d ?? "—";
const naira = formatNaira;

/** One funding intent (fnd_…) or withdrawal (wdr_…) with the webhook events and transfer records about it. */
export async function adminPaymentDetail(ctx: ServiceContext, id: string): Promise<AdminPaymentDetail> {
  if (id.startsWith("fnd_")) {
    const i = await ctx.db.selectFrom("funding_intents").selectAll().where("id", "=", id).executeTakeFirst();
    if (!i) {
      throw new NotFoundError("Funding intent");
    }
    return {
      kind: "funding",
      id: i.id,
      userId: i.user_id,
      amountKobo: i.amount_kobo,
      status: i.status,
      fields: [
        ["tx_ref", i.tx_ref],
        ["Gateway", i.gateway],
        ["Amount", naira(i.amount_kobo)],
        ["Fee", naira(i.fee_kobo)],
        ["Total charged", naira(i.total_kobo)],
        ["Paid (gateway says)", i.paid_kobo === null ? "—" : naira(i.paid_kobo)],
        ["Status", i.status],
        ["Failure / review reason", i.failure_reason ?? "—"],
        ["Gateway transaction id", i.gateway_tx_id ?? "—"],
        ["Credit entry", i.credit_entry_id === null ? "—" : String(i.credit_entry_id)],
        ["Channel", i.channel],
        ["Created", iso(i.created_at)],
        ["Expires", iso(i.expires_at)],
        ["Last checked", iso(i.last_checked_at)],
        ["Credited", iso(i.credited_at)],
      ],
      events: await webhookEvents(ctx, "tx_ref", i.tx_ref),
    };
  }
  if (id.startsWith("wdr_")) {
    const w = await ctx.db.selectFrom("withdrawals").selectAll().where("id", "=", id).executeTakeFirst();
    if (!w) {
      throw new NotFoundError("Withdrawal");
    }
    const transfers = await ctx.db
      .selectFrom("sandbox_gateway_transfers")
      .select(["created_at", "status", "final_status", "amount_kobo"])
      .where("reference", "=", w.reference)
      .orderBy("id")
      .execute();
    return {
      kind: "withdrawal",
      id: w.id,
      userId: w.user_id,
      amountKobo: w.amount_kobo,
      status: w.state,
      fields: [
        ["Reference", w.reference],
        ["Gateway", w.gateway],
        ["Amount", naira(w.amount_kobo)],
        ["Fee", naira(w.fee_kobo)],
        ["Bank", `${w.bank_name ?? w.bank_code} (${w.bank_code})`],
        ["Account", `${w.account_name}, ******${w.account_number.slice(-4)}`],
        ["State", w.state],
        ["Gateway transfer id", w.transfer_id ?? "—"],
        ["Message", w.message ?? "—"],
        ["Requeries", String(w.requery_count)],
        ["Sent to the gateway", w.send_count === 0 ? "not yet" : `${w.send_count}×`],
        ["Last sent", iso(w.sent_at)],
        ["Next check", iso(w.next_check_at)],
        ["Created", iso(w.created_at)],
        ["Completed", iso(w.completed_at)],
      ],
      events: await webhookEvents(ctx, "reference", w.reference),
      transfers: transfers.map((t) => ({
        at: t.created_at.toISOString(),
        status: t.status,
        finalStatus: t.final_status,
        amountKobo: t.amount_kobo,
      })),
    };
  }
  throw new NotFoundError("Payment");
}
