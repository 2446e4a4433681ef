import { z } from "zod";
import type { ServiceContext } from "../context";
import { NotFoundError, ValidationError } from "../errors";
import { formatNaira } from "../money";
import { lagosDayStart, parseListFilters } from "./list-filters";

export const AdminOrderFilters = z.strictObject({
  state: z
    .enum(["held", "submitting", "pending", "unknown", "delivered", "failed", "manual_review", "reversed"])
    .optional(),
  service: z.enum(["airtime", "data", "cable", "electricity"]).optional(),
  provider: z.string().trim().max(40).optional(),
  userId: z.string().trim().max(60).optional(),
  /** Lagos calendar days, inclusive: 2026-11-25. */
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(100),
});
export type AdminOrderFilters = z.input<typeof AdminOrderFilters>;

export type AdminOrderRow = {
  id: string;
  createdAt: string;
  userId: string;
  service: string;
  product: string;
  recipient: string;
  priceKobo: number;
  costKobo: number | null;
  state: string;
  provider: string | null;
  channel: string;
};

/** Orders for the panel and its CSV export, newest first, filtered (empty filters = all). */
export async function listOrdersForAdmin(
  ctx: ServiceContext,
  filters: AdminOrderFilters,
): Promise<AdminOrderRow[]> {
  const f = parseListFilters(AdminOrderFilters, filters);
  if (f.from && f.to && f.from > f.to) {
    // Silently empty would read as "no orders"; the days were typed the wrong way round.
    throw new ValidationError(`from: ${f.from} is after to (${f.to}); swap them.`, { field: "from" });
  }
  let query = adminOrderQuery(ctx).orderBy("o.created_at", "desc").limit(f.limit);
  if (f.state) {
    query = query.where("o.state", "=", f.state);
  }
  if (f.service) {
    query = query.where("o.service", "=", f.service);
  }
  if (f.provider) {
    query = query.where("o.provider", "=", f.provider);
  }
  if (f.userId) {
    query = query.where("o.user_id", "=", f.userId);
  }
  if (f.from) {
    query = query.where("o.created_at", ">=", lagosDayStart(f.from));
  }
  if (f.to) {
    query = query.where("o.created_at", "<", lagosDayStart(f.to, 1));
  }
  const rows = await query.execute();
  return rows.map(toAdminOrderRow);
}

function adminOrderQuery(ctx: ServiceContext) {
  return ctx.db
    .selectFrom("vtu_orders as o")
    .innerJoin("catalogue_products as p", "p.id", "o.product_id")
    .select([
      "o.id",
      "o.created_at",
      "o.user_id",
      "o.service",
      "p.name as product",
      "o.recipient",
      "o.price_kobo",
      "o.cost_kobo",
      "o.state",
      "o.provider",
      "o.channel",
    ]);
}

function toAdminOrderRow(r: {
  id: string;
  created_at: Date;
  user_id: string;
  service: string;
  product: string;
  recipient: string;
  price_kobo: number;
  cost_kobo: number | null;
  state: string;
  provider: string | null;
  channel: string;
}): AdminOrderRow {
  return {
    id: r.id,
    createdAt: r.created_at.toISOString(),
    userId: r.user_id,
    service: r.service,
    product: r.product,
    recipient: r.recipient,
    priceKobo: r.price_kobo,
    costKobo: r.cost_kobo,
    state: r.state,
    provider: r.provider,
    channel: r.channel,
  };
}

/**
 * The rows as CSV (RFC 4180 quoting). A cell that a spreadsheet would run as a formula (=, +, -, @)
 * gets a leading apostrophe: recipients and names come from customers.
 */
export function ordersCsv(rows: AdminOrderRow[]): string {
  const cell = (value: string | number | null) => {
    const text = value === null ? "" : String(value);
    const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const header = [
    "id",
    "created_at",
    "user_id",
    "service",
    "product",
    "recipient",
    "price_naira",
    "cost_naira",
    "state",
    "provider",
    "channel",
  ];
  const lines = rows.map((r) =>
    [
      r.id,
      r.createdAt,
      r.userId,
      r.service,
      r.product,
      r.recipient,
      (r.priceKobo / 100).toFixed(2),
      r.costKobo === null ? null : (r.costKobo / 100).toFixed(2),
      r.state,
      r.provider,
      r.channel,
    ]
      .map(cell)
      .join(","),
  );
  return `${[header.join(","), ...lines].join("\r\n")}\r\n`;
}

export function describeOrderRow(r: AdminOrderRow): string {
  return `${r.product} for ${r.recipient}: ${formatNaira(r.priceKobo)} — ${r.state}${r.provider ? ` via ${r.provider}` : ""}`;
}

/** One order for support: the order, every provider attempt and every raw exchange, oldest first. */
export async function adminOrderDetail(ctx: ServiceContext, orderId: string) {
  const order = await adminOrderQuery(ctx)
    .where("o.id", "=", orderId)
    .executeTakeFirst()
    .then((row) => (row ? toAdminOrderRow(row) : undefined));
  if (!order) {
    throw new NotFoundError("Order");
  }
  const watch = await ctx.db
    .selectFrom("vtu_orders")
    .select(["delivered_at", "reversed_at", "verify_due_at", "verify_count"])
    .where("id", "=", orderId)
    .executeTakeFirstOrThrow();
  const attempts = await ctx.db
    .selectFrom("vtu_attempts")
    .select([
      "id",
      "attempt_no",
      "provider",
      "request_id",
      "state",
      "provider_reference",
      "message",
      "cost_kobo",
      "created_at",
    ])
    .where("order_id", "=", orderId)
    .orderBy("attempt_no")
    .execute();
  const exchanges = attempts.length
    ? await ctx.db
        .selectFrom("vtu_provider_exchanges")
        .select(["attempt_id", "kind", "outcome", "message", "raw", "created_at"])
        .where(
          "attempt_id",
          "in",
          attempts.map((a) => a.id),
        )
        .orderBy("id")
        .execute()
    : [];
  return {
    order,
    /** Truth after delivery: when the provider that delivered it is asked again, and how often it was. */
    afterDelivery: {
      deliveredAt: watch.delivered_at?.toISOString() ?? null,
      reversedAt: watch.reversed_at?.toISOString() ?? null,
      nextCheckAt: watch.verify_due_at?.toISOString() ?? null,
      checksDone: watch.verify_count,
    },
    attempts: attempts.map((a) => ({
      attemptNo: a.attempt_no,
      provider: a.provider,
      requestId: a.request_id,
      state: a.state,
      providerReference: a.provider_reference,
      message: a.message,
      costKobo: a.cost_kobo,
      createdAt: a.created_at.toISOString(),
      exchanges: exchanges
        .filter((x) => x.attempt_id === a.id)
        .map((x) => ({
          kind: x.kind,
          outcome: x.outcome,
          message: x.message,
          raw: x.raw,
          at: x.created_at.toISOString(),
        })),
    })),
  };
}

export type AdminOrderDetail = Awaited<ReturnType<typeof adminOrderDetail>>;
