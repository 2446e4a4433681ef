import { sql } from "kysely";
import { z } from "zod";
import type { ScheduleRow, ScheduleRunRow } from "../../../db/database";
import {
  bouquetSlug,
  CABLE_NAMES,
  DISCO_NAMES,
  describeDataKey,
  NETWORK_NAMES,
} from "../catalogue/normalize";
import type { ServiceContext, Trx } from "../context";
import { withTransaction } from "../context";
import { ConflictError, NotFoundError, ServiceError, ValidationError } from "../errors";
import { newId } from "../ids";
import { fingerprintOf } from "../ledger";
import { formatNaira } from "../money";
import { maskPhone, normalizePhone } from "../phone";
import { verifyPin } from "../pins";
import { getCustomerTier, tierPricing } from "../rewards/tiers";
import { priceProduct } from "../vtu/create-order";
import {
  CABLE_PROVIDERS,
  type CableProvider,
  DISCOS,
  type Disco,
  METER_TYPES,
  NETWORKS,
  type Network,
} from "../vtu/provider";
import type { VtuRuntime } from "../vtu/runtime";
import { verifyAccount } from "../vtu/verify-account";
import { cardStateOf, nextDueOf, planOf, reopenCycleOnResume } from "./auto-renew";
import {
  describeRecurrence,
  formatLagosDate,
  isLagosDate,
  lagosDate,
  nextOccurrence,
  occurrenceOnOrAfter,
  type Recurrence,
  type ScheduleRecurrence,
  WEEKDAYS,
} from "./recurrence";

const kobo = z
  .number()
  .int("must be a whole number of kobo")
  .positive("must be more than zero")
  .max(Number.MAX_SAFE_INTEGER);
/**
 * A Lagos calendar day, "YYYY-MM-DD". A day written that way that is not on the calendar
 * ("2027-02-30") is told so, not told to write YYYY-MM-DD, which it did.
 */
export const lagosDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "must be a date written YYYY-MM-DD", abort: true })
  .refine(isLagosDate, {
    error: (issue) => `is not a real date: ${String(issue.input)} is not on the calendar`,
  });
const weekday = z.union([
  z.number().int().min(0).max(6),
  z
    .string()
    .transform((s) => WEEKDAYS.indexOf(s.toLowerCase() as (typeof WEEKDAYS)[number]))
    .pipe(z.number().int().min(0, "must be a day of the week (sunday … saturday, or 0–6)")),
]);

export const RecurrenceInput = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("daily") }),
  z.strictObject({ kind: z.literal("weekly"), weekday }),
  z.strictObject({ kind: z.literal("monthly"), day: z.number().int().min(1).max(31) }),
  z.strictObject({ kind: z.literal("every_n_days"), days: z.number().int().min(2).max(365) }),
  /** Cable auto-renew: days before each of the card's due dates (CABLE_AUTORENEW_DAYS_BEFORE unless given). */
  z.strictObject({ kind: z.literal("before_due"), daysBefore: z.number().int().min(0).max(14).optional() }),
]);

export const CreateScheduleInput = z.strictObject({
  service: z.enum(["airtime", "data", "electricity", "cable"]),
  /** The phone (airtime, data), meter number (electricity) or smartcard (cable). */
  recipient: z.string().min(6).max(30),
  network: z.enum(NETWORKS).optional(),
  amountKobo: kobo.optional(),
  planId: z.string().min(1).max(100).optional(),
  disco: z.enum(DISCOS).optional(),
  meterType: z.enum(METER_TYPES).optional(),
  cableProvider: z.enum(CABLE_PROVIDERS).optional(),
  /** A phone for the provider's receipt (electricity, cable). */
  phone: z.string().min(1).max(30).optional(),
  label: z.string().min(1).max(80).optional(),
  recurrence: RecurrenceInput,
  startOn: lagosDay.optional(),
  endOn: lagosDay.optional(),
  maxRuns: z.number().int().min(1).max(10_000).optional(),
  perRunCapKobo: kobo.optional(),
  monthlyCapKobo: kobo.optional(),
  pin: z.string().min(1, "Send your transaction PIN as `pin`.").max(12),
});
export type CreateScheduleInput = z.input<typeof CreateScheduleInput>;

export const ChangeScheduleInput = z.strictObject({
  amountKobo: kobo.optional(),
  perRunCapKobo: kobo.optional(),
  monthlyCapKobo: kobo.optional(),
  pin: z.string().min(1, "Send your transaction PIN as `pin`.").max(12),
});
export type ChangeScheduleInput = z.input<typeof ChangeScheduleInput>;

export type ScheduleRunDto = {
  dueOn: string;
  state: ScheduleRunRow["state"];
  orderId: string | null;
  outcome: string | null;
  message: string | null;
  priceKobo: number | null;
  fundsDeadline: string | null;
};

export type ScheduleDto = {
  id: string;
  service: ScheduleRow["service"];
  recipient: string;
  network: string | null;
  amountKobo: number | null;
  planId: string | null;
  disco: string | null;
  meterType: string | null;
  cableProvider: string | null;
  label: string | null;
  recurrence: ScheduleRecurrence;
  /** Auto-renew: the cable card (GET /api/vtu/cable/cards) whose due dates it follows. */
  cableCardId: number | null;
  /** The schedule in words: "MTN airtime ₦500 for 0803***4567, every Friday". */
  description: string;
  startOn: string;
  endOn: string | null;
  maxRuns: number | null;
  runsMade: number;
  perRunCapKobo: number;
  monthlyCapKobo: number;
  status: ScheduleRow["status"];
  pauseReason: ScheduleRow["pause_reason"];
  nextDueOn: string | null;
  consecutiveSkips: number;
  createdAt: string;
  lastRun: ScheduleRunDto | null;
  runs?: ScheduleRunDto[];
};

export function recurrenceOf(
  row: Pick<ScheduleRow, "recurrence" | "weekday" | "month_day" | "interval_days" | "days_before">,
): ScheduleRecurrence {
  switch (row.recurrence) {
    case "before_due":
      return { kind: "before_due", daysBefore: row.days_before ?? 0 };
    case "daily":
      return { kind: "daily" };
    case "weekly":
      return { kind: "weekly", weekday: row.weekday ?? 0 };
    case "monthly":
      return { kind: "monthly", day: row.month_day ?? 1 };
    case "every_n_days":
      return { kind: "every_n_days", days: row.interval_days ?? 2 };
  }
}

/** What a schedule buys, in words (no recurrence). */
export function whatItBuys(
  row: Pick<
    ScheduleRow,
    | "service"
    | "recipient"
    | "network"
    | "amount_kobo"
    | "plan_id"
    | "disco"
    | "meter_type"
    | "cable_provider"
  >,
): string {
  // The names the catalogue and the purchase flows use ("DStv", "Ikeja Electric (IKEDC)").
  const network = row.network ? (NETWORK_NAMES[row.network as Network] ?? row.network) : "";
  switch (row.service) {
    case "airtime":
      return `${network} airtime ${formatNaira(row.amount_kobo ?? 0)} for ${maskPhone(row.recipient)}`;
    case "data":
      return `${network} data (${describeDataKey(row.plan_id ?? "")}) for ${maskPhone(row.recipient)}`;
    case "electricity": {
      const disco = DISCO_NAMES[row.disco as Disco] ?? row.disco ?? "";
      return `${disco} ${row.meter_type} electricity ${formatNaira(row.amount_kobo ?? 0)} for meter ${row.recipient}`;
    }
    case "cable": {
      const cable = CABLE_NAMES[row.cable_provider as CableProvider] ?? row.cable_provider ?? "";
      return `${cable} renewal for card ${row.recipient}`;
    }
  }
}

export function toRunDto(run: ScheduleRunRow): ScheduleRunDto {
  return {
    dueOn: run.due_on,
    state: run.state,
    orderId: run.order_id,
    outcome: run.outcome,
    message: run.message,
    priceKobo: run.price_kobo,
    fundsDeadline: run.funds_deadline ? run.funds_deadline.toISOString() : null,
  };
}

export function toScheduleDto(row: ScheduleRow, lastRun?: ScheduleRunRow | null): ScheduleDto {
  const recurrence = recurrenceOf(row);
  return {
    id: row.id,
    service: row.service,
    recipient: row.recipient,
    network: row.network,
    amountKobo: row.amount_kobo,
    planId: row.plan_id,
    disco: row.disco,
    meterType: row.meter_type,
    cableProvider: row.cable_provider,
    label: row.label,
    recurrence,
    cableCardId: row.cable_card_id,
    description: `${whatItBuys(row)}, ${describeRecurrence(recurrence)}`,
    startOn: row.start_on,
    endOn: row.end_on,
    maxRuns: row.max_runs,
    runsMade: row.runs_made,
    perRunCapKobo: row.per_run_cap_kobo,
    monthlyCapKobo: row.monthly_cap_kobo,
    status: row.status,
    pauseReason: row.pause_reason,
    nextDueOn: row.next_due_on,
    consecutiveSkips: row.consecutive_skips,
    createdAt: row.created_at.toISOString(),
    lastRun: lastRun ? toRunDto(lastRun) : null,
  };
}

function fail(error: z.ZodError): never {
  const issue = error.issues[0];
  const field = issue?.path.join(".") || undefined;
  throw new ValidationError(
    issue?.code === "unrecognized_keys"
      ? `Unknown field(s): ${issue.keys.join(", ")}.`
      : `${field ?? "body"}: ${issue?.message ?? "is invalid"}.`,
    { field, issues: error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) },
  );
}

/**
 * The most runs a recurrence can make in one month (for the default monthly cap). Auto-renew: two
 * (a 30-day bouquet's due dates can both fall in a 31-day month: the 1st and the 31st).
 */
export function runsPerMonth(rule: ScheduleRecurrence): number {
  switch (rule.kind) {
    case "before_due":
      return 2;
    case "daily":
      return 31;
    case "weekly":
      return 5;
    case "monthly":
      return 1;
    case "every_n_days":
      return Math.ceil(31 / rule.days);
  }
}

type WhatToBuy = Pick<
  ScheduleRow,
  | "service"
  | "recipient"
  | "network"
  | "amount_kobo"
  | "plan_id"
  | "disco"
  | "meter_type"
  | "cable_provider"
  | "contact_phone"
>;

/** Check what a schedule buys (as an order would be checked) and price it now, at the customer's tier. */
export async function priceSchedule(
  ctx: ServiceContext,
  vtu: VtuRuntime,
  userId: string,
  what: WhatToBuy,
  /** Cable: remember the card's due date for the customer (auto-renew is timed from it). */
  remember = false,
): Promise<number> {
  const tier = tierPricing(await getCustomerTier(ctx.db, userId));
  switch (what.service) {
    case "airtime": {
      const { priced } = await priceProduct(
        ctx,
        `airtime:${what.network}`,
        "airtime",
        what.amount_kobo ?? 0,
        vtu.catalogue,
        tier,
      );
      return priced.priceKobo;
    }
    case "data": {
      const { product, priced } = await priceProduct(
        ctx,
        what.plan_id ?? "",
        "data",
        undefined,
        vtu.catalogue,
        tier,
      );
      if (what.network && product.network !== what.network) {
        throw new ValidationError(
          `Plan ${what.plan_id} is a ${product.network} plan, not ${what.network}.`,
          { field: "planId" },
          "PLAN_NETWORK_MISMATCH",
        );
      }
      return priced.priceKobo;
    }
    case "electricity": {
      const { priced } = await priceProduct(
        ctx,
        `electricity:${what.disco}`,
        "electricity",
        what.amount_kobo ?? 0,
        vtu.catalogue,
        tier,
      );
      return priced.priceKobo;
    }
    case "cable": {
      const verified = await verifyAccount({
        ctx,
        vtu,
        ...(remember ? { userId } : {}),
        input: {
          kind: "smartcard",
          provider: what.cable_provider as (typeof CABLE_PROVIDERS)[number],
          number: what.recipient,
        },
      });
      if (!verified.currentBouquet) {
        throw new ValidationError(
          "We could not tell which bouquet this card is on, so it cannot be renewed on a schedule.",
          { field: "recipient" },
          "RENEW_UNAVAILABLE",
        );
      }
      const productId = `cable:${what.cable_provider}:${bouquetSlug(what.cable_provider as (typeof CABLE_PROVIDERS)[number], verified.currentBouquet)}`;
      const { priced } = await priceProduct(ctx, productId, "cable", undefined, vtu.catalogue, tier);
      return priced.priceKobo;
    }
  }
}

function whatToBuy(input: z.output<typeof CreateScheduleInput>): WhatToBuy {
  const need = (ok: unknown, field: string, text: string) => {
    if (ok === undefined || ok === null) {
      throw new ValidationError(`${field}: ${text}`, { field });
    }
  };
  const base = {
    service: input.service,
    network: null,
    amount_kobo: null,
    plan_id: null,
    disco: null,
    meter_type: null,
    cable_provider: null,
    contact_phone: input.phone ? normalizePhone(input.phone) : null,
  } as const;
  switch (input.service) {
    case "airtime":
      need(input.network, "network", `confirm the network of the number (one of ${NETWORKS.join(", ")}).`);
      need(input.amountKobo, "amountKobo", "the airtime amount in kobo is required.");
      return {
        ...base,
        recipient: normalizePhone(input.recipient),
        network: input.network ?? null,
        amount_kobo: input.amountKobo ?? null,
      };
    case "data":
      need(input.planId, "planId", "the data plan id is required (GET /api/vtu/plans/:network).");
      return {
        ...base,
        recipient: normalizePhone(input.recipient),
        network: input.network ?? null,
        plan_id: input.planId ?? null,
      };
    case "electricity":
      need(input.disco, "disco", "the distribution company is required.");
      need(input.meterType, "meterType", "prepaid or postpaid is required.");
      need(input.amountKobo, "amountKobo", "the amount in kobo is required.");
      if (!/^\d{6,13}$/.test(input.recipient)) {
        throw new ValidationError("recipient: must be the 6–13 digit meter number.", { field: "recipient" });
      }
      return {
        ...base,
        recipient: input.recipient,
        disco: input.disco ?? null,
        meter_type: input.meterType ?? null,
        amount_kobo: input.amountKobo ?? null,
      };
    case "cable":
      need(input.cableProvider, "cableProvider", "the cable provider is required.");
      if (!/^\d{8,12}$/.test(input.recipient)) {
        throw new ValidationError("recipient: must be the 8–12 digit smartcard/IUC number.", {
          field: "recipient",
        });
      }
      return { ...base, recipient: input.recipient, cable_provider: input.cableProvider ?? null };
  }
}

function autoRenewExists(smartcard: string): ConflictError {
  return new ConflictError(
    `Card ${smartcard} already renews automatically. See "my schedules" (GET /api/schedules) to change, pause or delete it.`,
    "AUTORENEW_EXISTS",
  );
}

/**
 * The customer's card an auto-renew follows (just verified for them by priceSchedule), and its first
 * run date. A card whose due date is unknown cannot be timed: that is said plainly, not guessed.
 */
async function autoRenewCard(
  ctx: ServiceContext,
  userId: string,
  what: WhatToBuy,
  rule: { kind: "before_due"; daysBefore: number },
): Promise<{ id: number; first: string }> {
  const card = await ctx.db
    .selectFrom("cable_cards")
    .select(["id", "due_date"])
    .where("user_id", "=", userId)
    .where("provider", "=", what.cable_provider ?? "")
    .where("smartcard", "=", what.recipient)
    .executeTakeFirst();
  if (!card?.due_date) {
    throw new ServiceError(
      "unprocessable",
      "CABLE_DUE_DATE_UNKNOWN",
      `We do not know when card ${what.recipient}'s subscription ends (the provider did not say), so auto-renew cannot be timed. Renew it once with us — its due date is then counted from that payment — and set up auto-renew again.`,
      { field: "recipient" },
    );
  }
  const live = await ctx.db
    .selectFrom("schedules")
    .select("id")
    .where("cable_card_id", "=", card.id)
    .where("status", "in", ["active", "paused"])
    .executeTakeFirst();
  if (live) {
    throw autoRenewExists(what.recipient);
  }
  const state = await cardStateOf(ctx.db, { id: "", cable_card_id: card.id });
  const plan = planOf(ctx, { days_before: rule.daysBefore }, { ...state, lastCycle: null });
  const first = nextDueOf(plan);
  if (!first) {
    throw new Error("a card with a due date has no auto-renew date");
  }
  return { id: card.id, first };
}

/** The first due date of a schedule starting `startOn`, seen from now. */
export function firstDueOn(rule: Recurrence, startOn: string, now: Date): string {
  return occurrenceOnOrAfter(rule, startOn, lagosDate(now));
}

/**
 * Create a schedule: what to buy is checked and priced as an order would be, the PIN is checked
 * once, and the standing authorisation is recorded (per-run cap: the current price unless given;
 * monthly cap: the per-run cap times the most runs a month can hold unless given). The same
 * Idempotency-Key returns the first schedule.
 */
export async function createSchedule(args: {
  ctx: ServiceContext;
  vtu: VtuRuntime;
  userId: string;
  idempotencyKey?: string;
  input: CreateScheduleInput;
}): Promise<{ schedule: ScheduleDto; replayed: boolean; priceKobo: number }> {
  const { ctx, userId } = args;
  const parsed = CreateScheduleInput.safeParse(args.input);
  if (!parsed.success) {
    fail(parsed.error);
  }
  const input = parsed.data;
  const { pin: _pin, ...request } = input;
  const fingerprint = fingerprintOf("schedules.create", request);
  /** The schedule this key made, if any: only for the same request (else 409, as purchases do). */
  const replayOf = async () => {
    const existing = await ctx.db
      .selectFrom("schedules")
      .selectAll()
      .where("user_id", "=", userId)
      .where("idempotency_key", "=", args.idempotencyKey ?? "")
      .executeTakeFirst();
    if (existing && existing.request_fingerprint !== null && existing.request_fingerprint !== fingerprint) {
      throw new ConflictError(
        "This Idempotency-Key was used for another schedule. Use a new key for a new schedule.",
        "IDEMPOTENCY_KEY_REUSED",
      );
    }
    return existing;
  };
  if (args.idempotencyKey) {
    const existing = await replayOf();
    if (existing) {
      return { schedule: toScheduleDto(existing), replayed: true, priceKobo: existing.per_run_cap_kobo };
    }
  }
  const now = ctx.now();
  const today = lagosDate(now);
  const startOn = input.startOn ?? today;
  if (startOn < today) {
    throw new ValidationError(`startOn: must be today (${today}) or later.`, { field: "startOn" });
  }
  if (input.endOn && input.endOn < startOn) {
    throw new ValidationError("endOn: must be on or after startOn.", { field: "endOn" });
  }
  const rule: ScheduleRecurrence =
    input.recurrence.kind === "before_due"
      ? {
          kind: "before_due",
          daysBefore: input.recurrence.daysBefore ?? ctx.config.CABLE_AUTORENEW_DAYS_BEFORE,
        }
      : input.recurrence;
  if (rule.kind === "before_due" && input.service !== "cable") {
    throw new ValidationError("recurrence: before_due (auto-renew) is for cable cards only.", {
      field: "recurrence",
    });
  }
  if (rule.kind === "before_due" && input.startOn !== undefined) {
    throw new ValidationError("startOn: an auto-renew starts from the card's due date; leave startOn out.", {
      field: "startOn",
    });
  }
  const what = whatToBuy(input);
  await verifyPin({ ctx, userId, pin: input.pin });
  if (what.service === "electricity") {
    // A meter the provider does not know would fail every run: refused now, as a purchase is, after
    // the PIN (a stranger with a token cannot probe meters). Cable cards are verified by the pricing.
    await verifyAccount({
      ctx,
      vtu: args.vtu,
      input: {
        kind: "meter",
        disco: what.disco as (typeof DISCOS)[number],
        meterType: what.meter_type as (typeof METER_TYPES)[number],
        number: what.recipient,
      },
    });
  }
  const priceKobo = await priceSchedule(ctx, args.vtu, userId, what, rule.kind === "before_due");
  const card = rule.kind === "before_due" ? await autoRenewCard(ctx, userId, what, rule) : undefined;
  const perRunCap = input.perRunCapKobo ?? priceKobo;
  if (perRunCap < priceKobo) {
    throw new ValidationError(
      `perRunCapKobo: ${formatNaira(perRunCap)} is less than today's price, ${formatNaira(priceKobo)}.`,
      { field: "perRunCapKobo", priceKobo },
      "CAP_BELOW_PRICE",
    );
  }
  const monthlyCap = input.monthlyCapKobo ?? perRunCap * runsPerMonth(rule);
  if (monthlyCap < perRunCap) {
    throw new ValidationError("monthlyCapKobo: must be at least the per-run cap.", {
      field: "monthlyCapKobo",
    });
  }
  const first = card ? card.first : firstDueOn(rule as Recurrence, startOn, now);
  if (input.endOn && first > input.endOn) {
    throw new ValidationError(`This schedule would never run: its first date, ${first}, is after endOn.`, {
      field: "endOn",
    });
  }
  const row: ScheduleRow = {
    id: newId("sch", now.getTime()),
    user_id: userId,
    ...what,
    label: input.label ?? null,
    recurrence: rule.kind,
    weekday: rule.kind === "weekly" ? rule.weekday : null,
    month_day: rule.kind === "monthly" ? rule.day : null,
    interval_days: rule.kind === "every_n_days" ? rule.days : null,
    cable_card_id: card ? card.id : null,
    days_before: rule.kind === "before_due" ? rule.daysBefore : null,
    start_on: startOn,
    end_on: input.endOn ?? null,
    max_runs: input.maxRuns ?? null,
    runs_made: 0,
    per_run_cap_kobo: perRunCap,
    monthly_cap_kobo: monthlyCap,
    authorised_at: now,
    status: "active",
    pause_reason: null,
    next_due_on: first,
    consecutive_skips: 0,
    not_before: now,
    idempotency_key: args.idempotencyKey ?? null,
    request_fingerprint: args.idempotencyKey ? fingerprint : null,
    created_at: now,
    updated_at: now,
  };
  const inserted = await ctx.db
    .insertInto("schedules")
    .values(row)
    .onConflict((oc) =>
      oc.columns(["user_id", "idempotency_key"]).where("idempotency_key", "is not", null).doNothing(),
    )
    .returningAll()
    .executeTakeFirst()
    .catch((error: unknown) => {
      // Two creates for one card racing: the unique index keeps one live auto-renew per card.
      if ((error as { constraint?: string }).constraint === "schedules_autorenew_card") {
        throw autoRenewExists(what.recipient);
      }
      throw error;
    });
  if (!inserted) {
    const existing = await replayOf();
    if (!existing) {
      throw new Error("a schedule's idempotency key conflicted with no row");
    }
    return { schedule: toScheduleDto(existing), replayed: true, priceKobo };
  }
  return { schedule: toScheduleDto(inserted), replayed: false, priceKobo };
}

async function lastRuns(ctx: ServiceContext, scheduleIds: string[]): Promise<Map<string, ScheduleRunRow>> {
  if (scheduleIds.length === 0) {
    return new Map();
  }
  const rows = await ctx.db
    .selectFrom("schedule_runs")
    .selectAll()
    .distinctOn("schedule_id")
    .where("schedule_id", "in", scheduleIds)
    .orderBy("schedule_id")
    .orderBy("due_on", "desc")
    .execute();
  return new Map(rows.map((r) => [r.schedule_id, r]));
}

/** The customer's schedules (not deleted), newest first; `cursor` is the last id of the previous page. */
export async function listSchedules(args: {
  ctx: ServiceContext;
  userId: string;
  limit?: number;
  cursor?: string;
}): Promise<{ items: ScheduleDto[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(args.limit ?? 20, 1), 100);
  let query = args.ctx.db
    .selectFrom("schedules")
    .selectAll()
    .where("user_id", "=", args.userId)
    .where("status", "<>", "deleted")
    .orderBy("id", "desc")
    .limit(limit + 1);
  if (args.cursor) {
    query = query.where("id", "<", args.cursor);
  }
  const rows = await query.execute();
  const page = rows.slice(0, limit);
  const runs = await lastRuns(
    args.ctx,
    page.map((r) => r.id),
  );
  return {
    items: page.map((r) => toScheduleDto(r, runs.get(r.id))),
    nextCursor: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}

async function loadOwned(
  db: ServiceContext["db"] | Trx,
  userId: string,
  id: string,
  lock = false,
): Promise<ScheduleRow> {
  let query = db
    .selectFrom("schedules")
    .selectAll()
    .where("id", "=", id)
    .where("user_id", "=", userId)
    .where("status", "<>", "deleted");
  if (lock) {
    query = query.forUpdate();
  }
  const row = await query.executeTakeFirst();
  if (!row) {
    throw new NotFoundError("Schedule", "SCHEDULE_NOT_FOUND");
  }
  return row;
}

/** One schedule with its recent runs (newest first). */
export async function getSchedule(args: {
  ctx: ServiceContext;
  userId: string;
  scheduleId: string;
  runs?: number;
}): Promise<ScheduleDto> {
  const row = await loadOwned(args.ctx.db, args.userId, args.scheduleId);
  const runs = await args.ctx.db
    .selectFrom("schedule_runs")
    .selectAll()
    .where("schedule_id", "=", row.id)
    .orderBy("due_on", "desc")
    .limit(args.runs ?? 10)
    .execute();
  return { ...toScheduleDto(row, runs[0]), runs: runs.map(toRunDto) };
}

/** Open runs (due or waiting for funds) end as skipped when the customer pauses or deletes. */
async function skipOpenRuns(trx: Trx, scheduleId: string, outcome: string, now: Date): Promise<void> {
  await trx
    .updateTable("schedule_runs")
    .set({ state: "skipped", outcome, updated_at: now })
    .where("schedule_id", "=", scheduleId)
    .where("state", "in", ["due", "waiting_funds"])
    .execute();
}

async function reload(ctx: ServiceContext, userId: string, id: string): Promise<ScheduleDto> {
  return getSchedule({ ctx, userId, scheduleId: id, runs: 5 });
}

export async function pauseSchedule(args: {
  ctx: ServiceContext;
  userId: string;
  scheduleId: string;
}): Promise<ScheduleDto> {
  const { ctx } = args;
  await withTransaction(ctx, async (trx) => {
    const row = await loadOwned(trx, args.userId, args.scheduleId, true);
    if (row.status === "ended") {
      throw new ConflictError("This schedule has ended.", "SCHEDULE_ENDED");
    }
    if (row.status === "paused") {
      return;
    }
    const now = ctx.now();
    await trx
      .updateTable("schedules")
      .set({ status: "paused", pause_reason: "customer", updated_at: now })
      .where("id", "=", row.id)
      .execute();
    await skipOpenRuns(trx, row.id, "paused", now);
  });
  return reload(ctx, args.userId, args.scheduleId);
}

/**
 * Resume a paused schedule: the next date is the first due date from today (a date passed while
 * paused is not made up), runs from now on (not_before), and the skip count starts again.
 */
export async function resumeSchedule(args: {
  ctx: ServiceContext;
  userId: string;
  scheduleId: string;
}): Promise<ScheduleDto> {
  const { ctx } = args;
  await withTransaction(ctx, async (trx) => {
    const row = await loadOwned(trx, args.userId, args.scheduleId, true);
    if (row.status === "ended") {
      throw new ConflictError("This schedule has ended; create a new one.", "SCHEDULE_ENDED");
    }
    if (row.status === "active") {
      return;
    }
    const now = ctx.now();
    const today = lagosDate(now);
    const rule = recurrenceOf(row);
    if (rule.kind === "before_due") {
      // Auto-renew: the card's current cycle, not bought because of the pause, is bought now; the
      // next date follows the card.
      await reopenCycleOnResume(ctx, trx, row);
      const plan = planOf(ctx, row, await cardStateOf(trx, row));
      await trx
        .updateTable("schedules")
        .set({
          status: "active",
          pause_reason: null,
          consecutive_skips: 0,
          next_due_on: nextDueOf(plan),
          not_before: now,
          updated_at: now,
        })
        .where("id", "=", row.id)
        .execute();
      return;
    }
    const from = row.next_due_on && row.next_due_on > today ? row.next_due_on : today;
    let next = occurrenceOnOrAfter(rule, row.start_on, from);
    // A date already run (or skipped) is not run again.
    const taken = await trx
      .selectFrom("schedule_runs")
      .select("due_on")
      .where("schedule_id", "=", row.id)
      .where("due_on", ">=", next)
      .execute();
    const used = new Set(taken.map((t) => t.due_on));
    while (used.has(next)) {
      next = nextOccurrence(rule, row.start_on, next);
    }
    await trx
      .updateTable("schedules")
      .set({
        status: "active",
        pause_reason: null,
        consecutive_skips: 0,
        next_due_on: next,
        not_before: now,
        updated_at: now,
      })
      .where("id", "=", row.id)
      .execute();
  });
  return reload(ctx, args.userId, args.scheduleId);
}

/**
 * Skip the next run: an open run (due, waiting for funds) is skipped; otherwise the next date is
 * recorded as skipped (so no sweep makes it) and the schedule moves on. Not counted as a missed run.
 */
export async function skipNextRun(args: {
  ctx: ServiceContext;
  userId: string;
  scheduleId: string;
}): Promise<ScheduleDto> {
  const { ctx } = args;
  await withTransaction(ctx, async (trx) => {
    const row = await loadOwned(trx, args.userId, args.scheduleId, true);
    if (row.status !== "active" && row.status !== "paused") {
      throw new ConflictError("This schedule has ended.", "SCHEDULE_ENDED");
    }
    const now = ctx.now();
    const open = await trx
      .updateTable("schedule_runs")
      .set({ state: "skipped", outcome: "skipped_by_customer", updated_at: now })
      .where("schedule_id", "=", row.id)
      .where("state", "in", ["due", "waiting_funds"])
      .returning("id")
      .execute();
    if (open.length > 0 || !row.next_due_on) {
      return;
    }
    const rule = recurrenceOf(row);
    if (rule.kind === "before_due") {
      // Auto-renew: the card's current due date is recorded as skipped (its one run, not bought).
      const card = await cardStateOf(trx, row);
      const plan = planOf(ctx, row, card);
      if (plan.kind !== "due") {
        return;
      }
      await trx
        .insertInto("schedule_runs")
        .values({
          schedule_id: row.id,
          user_id: row.user_id,
          due_on: plan.cycle,
          due_at: now,
          state: "skipped",
          idempotency_key: `schedule:${row.id}:${plan.cycle}`,
          outcome: "skipped_by_customer",
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.columns(["schedule_id", "due_on"]).doNothing())
        .execute();
      await trx
        .updateTable("schedules")
        .set({
          next_due_on: nextDueOf(planOf(ctx, row, { ...card, lastCycle: plan.cycle })),
          runs_made: row.runs_made + 1,
          updated_at: now,
        })
        .where("id", "=", row.id)
        .execute();
      return;
    }
    const due = row.next_due_on;
    await trx
      .insertInto("schedule_runs")
      .values({
        schedule_id: row.id,
        user_id: row.user_id,
        due_on: due,
        due_at: now,
        state: "skipped",
        idempotency_key: `schedule:${row.id}:${due}`,
        outcome: "skipped_by_customer",
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.columns(["schedule_id", "due_on"]).doNothing())
      .execute();
    await trx
      .updateTable("schedules")
      .set({
        next_due_on: nextOccurrence(rule, row.start_on, due),
        runs_made: row.runs_made + 1,
        updated_at: now,
      })
      .where("id", "=", row.id)
      .execute();
  });
  return reload(ctx, args.userId, args.scheduleId);
}

/**
 * The caps a change records (the chat's summary shows the same before the PIN). Caps the customer
 * names are taken as they are. Otherwise a new amount moves the per-run cap up to its price (never
 * down), and when the per-run cap rises the monthly cap covers as many runs as a new schedule's would
 * (never lowered): keeping the old monthly cap would skip and pause the second run of the month.
 */
export function capsAfterChange(args: {
  current: { perRunCapKobo: number; monthlyCapKobo: number; recurrence: ScheduleRecurrence };
  priceKobo: number;
  amountChanged: boolean;
  given: { perRunCapKobo?: number; monthlyCapKobo?: number };
}): { perRunCap: number; monthlyCap: number } {
  const { current, given } = args;
  const perRunCap =
    given.perRunCapKobo ?? Math.max(current.perRunCapKobo, args.amountChanged ? args.priceKobo : 0);
  const monthlyCap =
    given.monthlyCapKobo ??
    (perRunCap > current.perRunCapKobo
      ? Math.max(current.monthlyCapKobo, perRunCap * runsPerMonth(current.recurrence))
      : Math.max(current.monthlyCapKobo, perRunCap));
  return { perRunCap, monthlyCap };
}

/** Change the amount or the caps (the PIN again: it is a new authorisation). */
export async function changeSchedule(args: {
  ctx: ServiceContext;
  vtu: VtuRuntime;
  userId: string;
  scheduleId: string;
  input: ChangeScheduleInput;
}): Promise<ScheduleDto> {
  const { ctx, userId } = args;
  const parsed = ChangeScheduleInput.safeParse(args.input);
  if (!parsed.success) {
    fail(parsed.error);
  }
  const input = parsed.data;
  if (
    input.amountKobo === undefined &&
    input.perRunCapKobo === undefined &&
    input.monthlyCapKobo === undefined
  ) {
    throw new ValidationError("Send amountKobo, perRunCapKobo or monthlyCapKobo to change.", {
      field: "body",
    });
  }
  const row = await loadOwned(ctx.db, userId, args.scheduleId);
  if (input.amountKobo !== undefined && row.service !== "airtime" && row.service !== "electricity") {
    throw new ValidationError(
      `amountKobo: a ${row.service} schedule has no amount (its plan sets the price).`,
      { field: "amountKobo" },
    );
  }
  await verifyPin({ ctx, userId, pin: input.pin });
  const what = { ...row, amount_kobo: input.amountKobo ?? row.amount_kobo };
  const priceKobo = await priceSchedule(ctx, args.vtu, userId, what);
  const { perRunCap, monthlyCap } = capsAfterChange({
    current: {
      perRunCapKobo: row.per_run_cap_kobo,
      monthlyCapKobo: row.monthly_cap_kobo,
      recurrence: recurrenceOf(row),
    },
    priceKobo,
    amountChanged: input.amountKobo !== undefined,
    given: input,
  });
  if (perRunCap < priceKobo) {
    throw new ValidationError(
      `perRunCapKobo: ${formatNaira(perRunCap)} is less than today's price, ${formatNaira(priceKobo)}.`,
      { field: "perRunCapKobo", priceKobo },
      "CAP_BELOW_PRICE",
    );
  }
  if (monthlyCap < perRunCap) {
    throw new ValidationError("monthlyCapKobo: must be at least the per-run cap.", {
      field: "monthlyCapKobo",
    });
  }
  const now = ctx.now();
  await ctx.db
    .updateTable("schedules")
    .set({
      amount_kobo: what.amount_kobo,
      per_run_cap_kobo: perRunCap,
      monthly_cap_kobo: monthlyCap,
      authorised_at: now,
      updated_at: now,
    })
    .where("id", "=", row.id)
    .execute();
  return reload(ctx, userId, row.id);
}

/** Delete: no more runs; the record stays (its runs point at orders). */
export async function deleteSchedule(args: {
  ctx: ServiceContext;
  userId: string;
  scheduleId: string;
}): Promise<void> {
  const { ctx } = args;
  await withTransaction(ctx, async (trx) => {
    const row = await loadOwned(trx, args.userId, args.scheduleId, true);
    const now = ctx.now();
    await trx
      .updateTable("schedules")
      .set({ status: "deleted", pause_reason: null, next_due_on: null, updated_at: now })
      .where("id", "=", row.id)
      .execute();
    await skipOpenRuns(trx, row.id, "deleted", now);
  });
}

/** "Fri 11 Dec 2026" or "today". */
export function dueInWords(date: string | null, now: Date): string {
  if (!date) {
    return "none";
  }
  return date === lagosDate(now) ? "today" : formatLagosDate(date);
}

export type AutoRenewPreview = {
  cardId: number;
  provider: string;
  smartcard: string;
  customerName: string | null;
  bouquet: string | null;
  /** The card's due date (Lagos), null when the provider gave none. */
  dueDate: string | null;
  daysBefore: number;
  /** When the first renewal would buy (never before today); null without a due date. */
  firstRunOn: string | null;
  /** Today's price at the customer's tier: the default per-run cap. */
  priceKobo: number;
  monthlyCapKobo: number;
  /** The card's auto-renew already on (active or paused), if any. */
  existing: ScheduleDto | null;
};

/**
 * What setting up auto-renew for one of the customer's cards would authorise (the chat's summary
 * before Confirm + PIN): the card is verified again (its due date remembered) and priced now.
 * Undefined for a card that is not the customer's.
 */
export async function previewAutoRenew(args: {
  ctx: ServiceContext;
  vtu: VtuRuntime;
  userId: string;
  cardId: number;
}): Promise<AutoRenewPreview | undefined> {
  const { ctx, userId } = args;
  const own = () =>
    ctx.db
      .selectFrom("cable_cards")
      .select([
        "id",
        "provider",
        "smartcard",
        "customer_name",
        "bouquet",
        sql<string | null>`due_date::text`.as("due"),
      ])
      .where("id", "=", args.cardId)
      .where("user_id", "=", userId)
      .executeTakeFirst();
  const before = await own();
  if (!before) {
    return undefined;
  }
  const existing = await ctx.db
    .selectFrom("schedules")
    .selectAll()
    .where("cable_card_id", "=", before.id)
    .where("status", "in", ["active", "paused"])
    .executeTakeFirst();
  const what: WhatToBuy = {
    service: "cable",
    recipient: before.smartcard,
    network: null,
    amount_kobo: null,
    plan_id: null,
    disco: null,
    meter_type: null,
    cable_provider: before.provider,
    contact_phone: null,
  };
  const priceKobo = existing
    ? existing.per_run_cap_kobo
    : await priceSchedule(ctx, args.vtu, userId, what, true);
  const card = (await own()) ?? before;
  const daysBefore = ctx.config.CABLE_AUTORENEW_DAYS_BEFORE;
  const state = await cardStateOf(ctx.db, { id: "", cable_card_id: card.id });
  const plan = planOf(ctx, { days_before: daysBefore }, { ...state, lastCycle: null });
  return {
    cardId: card.id,
    provider: card.provider,
    smartcard: card.smartcard,
    customerName: card.customer_name,
    bouquet: card.bouquet,
    dueDate: card.due,
    daysBefore,
    firstRunOn: nextDueOf(plan),
    priceKobo,
    monthlyCapKobo: priceKobo * runsPerMonth({ kind: "before_due", daysBefore }),
    existing: existing ? toScheduleDto(existing) : null,
  };
}
