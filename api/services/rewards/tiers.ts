import { sql } from "kysely";
import { z } from "zod";
import type { CustomerTiersTable } from "../../../db/database";
import { assertSuperAdmin, MARGIN_LIMITS, Reason, type SettingsActor } from "../admins/catalogue-settings";
import { recordAudit } from "../audit";
import { invalidateCatalogueCache } from "../catalogue/cache";
import { getPricingRule, getProductOffers, priceOffer, type TierPricing } from "../catalogue/offers";
import type { CatalogueCache } from "../catalogue/order-cache";
import type { PricingRule } from "../catalogue/pricing";
import type { Db, ServiceContext, Trx } from "../context";
import { withTransaction } from "../context";
import { ForbiddenError, NotFoundError, ValidationError } from "../errors";
import { formatNaira } from "../money";
import { queueNotification } from "../notifications";
import type { VtuService } from "../vtu/provider";

/**
 * Customer tiers with their own prices (issue 18 §3, DECISIONS §62). Each tier (customer_tiers:
 * Regular, Smart Buyer, Reseller by default) has a rank, the delivered volume over the last
 * TIER_WINDOW_DAYS that earns it, and per service a margin that replaces the service rule. A
 * customer's tier is automatic (the sweeper recomputes it from the volume) unless an admin set it.
 * An order is priced by the tier at the moment it is created (create-order.ts); the price goes into
 * the order row and its hold, so a later change of tier does not touch it.
 */

export const TIER_SERVICES = [
  "airtime",
  "data",
  "cable",
  "electricity",
] as const satisfies readonly VtuService[];
/** The tier every customer starts in (rank 0, no volume needed) and gift claims are priced at. */
export const REGULAR_TIER = "regular";

export type TierRule = {
  code: string;
  name: string;
  rank: number;
  minVolumeKobo: number;
  /** Per service: the margin replacing the service rule, or null (the Regular price). */
  margins: Record<(typeof TIER_SERVICES)[number], PricingRule | null>;
  updatedBy: string | null;
  updatedAt: string;
};

type TierRow = Pick<
  CustomerTiersTable,
  | "code"
  | "name"
  | "rank"
  | "min_volume_kobo"
  | "airtime_margin_type"
  | "airtime_margin_value"
  | "data_margin_type"
  | "data_margin_value"
  | "cable_margin_type"
  | "cable_margin_value"
  | "electricity_margin_type"
  | "electricity_margin_value"
  | "updated_by"
> & { updated_at: Date };

const TIER_COLUMNS = [
  "code",
  "name",
  "rank",
  "min_volume_kobo",
  "airtime_margin_type",
  "airtime_margin_value",
  "data_margin_type",
  "data_margin_value",
  "cable_margin_type",
  "cable_margin_value",
  "electricity_margin_type",
  "electricity_margin_value",
  "updated_by",
  "updated_at",
] as const;

function toRule(row: TierRow): TierRule {
  const margin = (type: "flat" | "percent" | null, value: number | null): PricingRule | null =>
    type && value !== null ? { marginType: type, marginValue: value } : null;
  return {
    code: row.code,
    name: row.name,
    rank: row.rank,
    minVolumeKobo: row.min_volume_kobo,
    margins: {
      airtime: margin(row.airtime_margin_type, row.airtime_margin_value),
      data: margin(row.data_margin_type, row.data_margin_value),
      cable: margin(row.cable_margin_type, row.cable_margin_value),
      electricity: margin(row.electricity_margin_type, row.electricity_margin_value),
    },
    updatedBy: row.updated_by,
    updatedAt: row.updated_at.toISOString(),
  };
}

/** What priceOffer needs of a tier. */
export function tierPricing(rule: Pick<TierRule, "code" | "margins">): TierPricing {
  return { code: rule.code, margins: rule.margins };
}

/** The published tiers, lowest rank first. */
export async function listTierRules(db: Db | Trx): Promise<TierRule[]> {
  const rows = await db.selectFrom("customer_tiers").select(TIER_COLUMNS).orderBy("rank").execute();
  return rows.map(toRule);
}

/**
 * A customer's tier, in one indexed read (users by id joined to its tier): the order path's only
 * extra query. Throws NotFound for an unknown user.
 */
export async function getCustomerTier(
  db: Db | Trx,
  userId: string,
): Promise<TierRule & { setByAdmin: string | null }> {
  const row = await db
    .selectFrom("users as u")
    .innerJoin("customer_tiers as t", "t.code", "u.tier")
    .select(TIER_COLUMNS.map((c) => `t.${c}` as const))
    .select("u.tier_set_by_admin")
    .where("u.id", "=", userId)
    .executeTakeFirst();
  if (!row) {
    throw new NotFoundError("That customer", "USER_NOT_FOUND");
  }
  return { ...toRule(row), setByAdmin: row.tier_set_by_admin };
}

/**
 * The tier pricing an order of `userId` is priced at: through the process's catalogue cache when it
 * has one (forgotten when the customer's tier or the rules change), else read now.
 */
export function tierPricingFor(
  cache: CatalogueCache | undefined,
  db: Db | Trx,
  userId: string,
): Promise<TierPricing> {
  const load = () => getCustomerTier(db, userId).then(tierPricing);
  return cache ? cache.tier(userId, load) : load();
}

/** The start of the rolling window the tiers count volume over. */
function windowStart(ctx: Pick<ServiceContext, "config" | "now">): Date {
  return new Date(ctx.now().getTime() - ctx.config.TIER_WINDOW_DAYS * 86_400_000);
}

/**
 * A customer's delivered volume over the window: the face value of their own purchases delivered
 * (gift claims are the room's, not the claimer's; failed and reversed orders are not delivered).
 */
export async function tierVolume(
  ctx: ServiceContext,
  userId: string,
  db: Db | Trx = ctx.db,
): Promise<number> {
  const row = await db
    .selectFrom("vtu_orders")
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("face_amount_kobo"), eb.lit(0)).as("volume"))
    .where("user_id", "=", userId)
    .where("state", "=", "delivered")
    .where("channel", "<>", "gift")
    .where("delivered_at", ">=", windowStart(ctx))
    .executeTakeFirstOrThrow();
  return Number(row.volume);
}

export type TierProgress = {
  tier: { code: string; name: string; rank: number };
  /** True when the tier follows the volume; false when an admin set it. */
  automatic: boolean;
  windowDays: number;
  volumeKobo: number;
  /** The next tier up and how much more delivered volume earns it (null: the top tier). */
  next: { code: string; name: string; minVolumeKobo: number; neededKobo: number } | null;
  tiers: TierRule[];
};

/** The caller's tier, their volume over the window, what the next tier needs, and the published tiers. */
export async function tierProgress(ctx: ServiceContext, userId: string): Promise<TierProgress> {
  const [current, volumeKobo, tiers] = await Promise.all([
    getCustomerTier(ctx.db, userId),
    tierVolume(ctx, userId),
    listTierRules(ctx.db),
  ]);
  const up = tiers.find((t) => t.rank > current.rank);
  return {
    tier: { code: current.code, name: current.name, rank: current.rank },
    automatic: current.setByAdmin === null,
    windowDays: ctx.config.TIER_WINDOW_DAYS,
    volumeKobo,
    next: up
      ? {
          code: up.code,
          name: up.name,
          minVolumeKobo: up.minVolumeKobo,
          neededKobo: Math.max(0, up.minVolumeKobo - volumeKobo),
        }
      : null,
    tiers,
  };
}

/** "data 3%, cable ₦30 flat" — a tier's margins in words (null margins left out). */
export function describeTierMargins(rule: Pick<TierRule, "margins">): string {
  return TIER_SERVICES.flatMap((s) => {
    const m = rule.margins[s];
    if (!m) {
      return [];
    }
    return [
      `${s} ${m.marginType === "flat" ? `${formatNaira(m.marginValue)} flat` : `${m.marginValue / 100}%`}`,
    ];
  }).join(", ");
}

/**
 * Recompute the automatic tiers from each customer's delivered volume over the window; admin-set
 * tiers stay. One UPDATE whose WHERE repeats the change it makes (`tier <> new`), so two workers
 * running it at once change a customer once: the second waits on the row and then finds nothing
 * to do. A transaction advisory lock lets only one sweep work at a time (the other returns at
 * once), so two sweeps never lock the same rows in different orders. An upgrade is told to the
 * customer through the chat outbox in the same transaction; a downgrade is silent.
 */
export async function sweepCustomerTiers(args: {
  ctx: ServiceContext;
  limit?: number;
}): Promise<{ changed: number; upgraded: number; skipped?: true }> {
  const { ctx } = args;
  const since = windowStart(ctx);
  const now = ctx.now();
  return withTransaction(ctx, async (trx) => {
    const { rows: lock } = await sql<{ ok: boolean }>`
      SELECT pg_try_advisory_xact_lock(hashtext('sweep-customer-tiers')) AS ok`.execute(trx);
    if (!lock[0]?.ok) {
      return { changed: 0, upgraded: 0, skipped: true as const };
    }
    const { rows } = await sql<{ id: string; old_rank: number; new_rank: number; name: string }>`
      WITH vol AS (
        SELECT user_id, sum(face_amount_kobo) AS v
          FROM vtu_orders
         WHERE state = 'delivered' AND channel <> 'gift' AND delivered_at >= ${since}
         GROUP BY user_id
      ), base AS (
        SELECT code FROM customer_tiers ORDER BY rank LIMIT 1
      ), target AS (
        SELECT u.id, cur.rank AS old_rank,
               (SELECT t.code FROM customer_tiers t
                 WHERE t.min_volume_kobo <= coalesce(vol.v, 0)
                 ORDER BY t.rank DESC LIMIT 1) AS new_tier
          FROM users u
          JOIN customer_tiers cur ON cur.code = u.tier
          LEFT JOIN vol ON vol.user_id = u.id
         WHERE u.tier_set_by_admin IS NULL
           AND (vol.v IS NOT NULL OR u.tier <> (SELECT code FROM base))
      ), changes AS (
        SELECT * FROM target WHERE new_tier IS NOT NULL
         ORDER BY id LIMIT ${args.limit ?? 1000}
      )
      UPDATE users u
         SET tier = changes.new_tier, tier_changed_at = ${now}
        FROM changes JOIN customer_tiers nt ON nt.code = changes.new_tier
       WHERE u.id = changes.id AND u.tier_set_by_admin IS NULL AND u.tier <> changes.new_tier
      RETURNING u.id, changes.old_rank, nt.rank AS new_rank, nt.name`.execute(trx);
    let upgraded = 0;
    for (const row of rows) {
      if (row.new_rank > row.old_rank) {
        upgraded += 1;
        await queueNotification(trx, {
          userId: row.id,
          kind: "tier.upgraded",
          body: `You are now a ${row.name}! Your purchases in the last ${ctx.config.TIER_WINDOW_DAYS} days earned it, and you now get ${row.name} prices. Send "my tier" to see them.`,
          payload: { notice: { tierName: row.name, windowDays: ctx.config.TIER_WINDOW_DAYS } },
        });
      }
    }
    return { changed: rows.length, upgraded };
  });
}

export const SetCustomerTierInput = z.strictObject({
  /** A tier code, or null / "automatic" to let the volume decide again. */
  tier: z.string().trim().min(1).max(30).nullable(),
  reason: Reason,
});

/** An admin fixes a customer's tier (or returns it to automatic), audited. Role: admin. */
export async function setCustomerTier(args: {
  ctx: ServiceContext;
  admin: SettingsActor;
  userId: string;
  input: z.input<typeof SetCustomerTierInput>;
}): Promise<{ tier: string; automatic: boolean }> {
  const { ctx, admin } = args;
  if (admin.role === "support") {
    throw new ForbiddenError("Only an admin can set a customer's tier.", "ROLE_REQUIRED");
  }
  const parsed = SetCustomerTierInput.safeParse(args.input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`${issue?.path.join(".") || "body"}: ${issue?.message ?? "is invalid"}`);
  }
  const wanted = parsed.data.tier === null || parsed.data.tier === "automatic" ? null : parsed.data.tier;
  return withTransaction(ctx, async (trx) => {
    const before = await trx
      .selectFrom("users")
      .select(["tier", "tier_set_by_admin"])
      .where("id", "=", args.userId)
      .forUpdate()
      .executeTakeFirst();
    if (!before) {
      throw new NotFoundError("That customer", "USER_NOT_FOUND");
    }
    let tier = before.tier;
    if (wanted !== null) {
      const known = await trx
        .selectFrom("customer_tiers")
        .select("code")
        .where("code", "=", wanted)
        .executeTakeFirst();
      if (!known) {
        const codes = (await listTierRules(trx)).map((t) => t.code);
        throw new ValidationError(
          `tier: "${wanted}" is not a tier. Use one of: ${codes.join(", ")}, or "automatic".`,
          {
            field: "tier",
          },
        );
      }
      tier = wanted;
    }
    if (wanted === null) {
      // Back to automatic: the tier the volume earns now (as the sweep would decide it).
      const volume = await tierVolume(ctx, args.userId, trx);
      const earned = (await listTierRules(trx)).filter((t) => t.minVolumeKobo <= volume).at(-1);
      tier = earned?.code ?? tier;
    }
    await trx
      .updateTable("users")
      .set({ tier, tier_set_by_admin: wanted === null ? null : admin.id, tier_changed_at: ctx.now() })
      .where("id", "=", args.userId)
      .execute();
    await recordAudit(trx, {
      actorType: "admin",
      actorId: admin.id,
      action: "user.tier",
      targetType: "user",
      targetId: args.userId,
      before: { tier: before.tier, automatic: before.tier_set_by_admin === null },
      after: { tier, automatic: wanted === null },
      reason: parsed.data.reason,
      requestId: ctx.requestId,
    });
    return { tier, automatic: wanted === null };
  });
}

const tierMargin = z
  .strictObject({
    marginType: z.enum(["flat", "percent"]),
    marginValue: z.number().int("a whole number (kobo for flat, basis points for percent)").min(0),
  })
  .superRefine((v, c) => {
    const max = v.marginType === "flat" ? MARGIN_LIMITS.flatKobo : MARGIN_LIMITS.percentBps;
    if (v.marginValue > max) {
      c.addIssue({ code: "custom", path: ["marginValue"], message: `at most ${max}` });
    }
  })
  .nullable();

export const TierRuleInput = z.strictObject({
  name: z.string().trim().min(1).max(40),
  minVolumeKobo: z.number().int("a whole number of kobo").min(0).max(100_000_000_000),
  margins: z.strictObject({
    airtime: tierMargin,
    data: tierMargin,
    cable: tierMargin,
    electricity: tierMargin,
  }),
});

export const TierRulesInput = z.strictObject({
  /** Each tier to change, by code (tiers not listed stay as they are). */
  tiers: z.record(z.string().max(30), TierRuleInput),
  reason: Reason,
});

/** What an admin can change on a tier, in one comparable form. */
const editable = (t: Pick<TierRule, "name" | "minVolumeKobo" | "margins">) =>
  JSON.stringify([
    t.name,
    t.minVolumeKobo,
    TIER_SERVICES.map((svc) => {
      const m = t.margins[svc];
      return m ? [m.marginType, m.marginValue] : null;
    }),
  ]);

/**
 * A super admin changes the tiers' names, volumes and margins (audited, one row for the change).
 * The lowest tier must need no volume, a higher tier must need more than the one below it, and no
 * two tiers may share a name (compared without case). Orders already placed keep their price; new
 * orders and listings use the new rules. A change that changes nothing writes nothing and no audit
 * row: it answers the tiers as they are with `changed: false` (as a customer action does).
 */
export async function updateTierRules(args: {
  ctx: ServiceContext;
  admin: SettingsActor;
  input: z.input<typeof TierRulesInput>;
}): Promise<{ tiers: TierRule[]; changed: boolean }> {
  const { ctx, admin } = args;
  assertSuperAdmin(admin, "change the customer tiers");
  const parsed = TierRulesInput.safeParse(args.input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`${issue?.path.join(".") || "body"}: ${issue?.message ?? "is invalid"}`);
  }
  const { tiers: changes, reason } = parsed.data;
  const result = await withTransaction(ctx, async (trx) => {
    await sql`LOCK TABLE customer_tiers IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
    const before = await listTierRules(trx);
    const unknown = Object.keys(changes).filter((code) => !before.some((t) => t.code === code));
    if (unknown.length > 0) {
      throw new ValidationError(`tiers: ${unknown.join(", ")} is not a tier.`, { field: "tiers" });
    }
    const after = before.map((t) => {
      const c = changes[t.code];
      return c ? { ...t, name: c.name, minVolumeKobo: c.minVolumeKobo, margins: c.margins } : t;
    });
    after.forEach((t, i) => {
      const below = after[i - 1];
      if (i === 0 && TIER_SERVICES.some((svc) => t.margins[svc] !== null)) {
        throw new ValidationError(
          `tiers.${t.code}: the lowest tier (${t.name}) pays the Regular price; change that on the Pricing page.`,
          { field: "margins" },
        );
      }
      if (i === 0 && t.minVolumeKobo !== 0) {
        throw new ValidationError(`tiers.${t.code}: the lowest tier (${t.name}) must need no volume (0).`, {
          field: "minVolumeKobo",
        });
      }
      if (below && t.minVolumeKobo <= below.minVolumeKobo) {
        throw new ValidationError(
          `tiers.${t.code}: ${t.name} must need more volume than ${below.name} (${formatNaira(below.minVolumeKobo)}).`,
          { field: "minVolumeKobo" },
        );
      }
      const namesake = after.find((o) => o.code !== t.code && o.name.toLowerCase() === t.name.toLowerCase());
      if (namesake && changes[t.code]) {
        throw new ValidationError(
          `tiers.${t.code}: the name "${t.name}" is already the ${namesake.code} tier's; each tier needs its own name.`,
          { field: "name" },
        );
      }
    });
    const changed = after.filter((t, i) => editable(t) !== editable(before[i] ?? t)).map((t) => t.code);
    if (changed.length === 0) {
      return { tiers: before, changed: false };
    }
    for (const [code, c] of Object.entries(changes).filter(([code]) => changed.includes(code))) {
      await trx
        .updateTable("customer_tiers")
        .set({
          name: c.name,
          min_volume_kobo: c.minVolumeKobo,
          airtime_margin_type: c.margins.airtime?.marginType ?? null,
          airtime_margin_value: c.margins.airtime?.marginValue ?? null,
          data_margin_type: c.margins.data?.marginType ?? null,
          data_margin_value: c.margins.data?.marginValue ?? null,
          cable_margin_type: c.margins.cable?.marginType ?? null,
          cable_margin_value: c.margins.cable?.marginValue ?? null,
          electricity_margin_type: c.margins.electricity?.marginType ?? null,
          electricity_margin_value: c.margins.electricity?.marginValue ?? null,
          updated_by: admin.id,
          updated_at: ctx.now(),
        })
        .where("code", "=", code)
        .execute();
    }
    const strip = (rules: TierRule[]) =>
      rules.filter((t) => changed.includes(t.code)).map(({ updatedBy: _b, updatedAt: _a, ...t }) => t);
    await recordAudit(trx, {
      actorType: "admin",
      actorId: admin.id,
      action: "settings.tiers",
      targetType: "settings",
      targetId: "tiers",
      before: strip(before),
      after: strip(after),
      reason,
      requestId: ctx.requestId,
    });
    return { tiers: await listTierRules(trx), changed: true };
  });
  if (result.changed) {
    // The listings cache prices per tier; this process drops it now, others within its TTL.
    invalidateCatalogueCache();
  }
  return result;
}

/** How many customers are in each tier (and how many of them an admin set), lowest rank first. */
export async function tierCounts(
  ctx: ServiceContext,
): Promise<{ code: string; name: string; customers: number; setByAdmin: number }[]> {
  const rows = await ctx.db
    .selectFrom("customer_tiers as t")
    .leftJoin("users as u", "u.tier", "t.code")
    .select(["t.code", "t.name", "t.rank"])
    .select((eb) => [
      eb.fn.count<number>("u.id").as("customers"),
      eb.fn.count<number>("u.tier_set_by_admin").as("set_by_admin"),
    ])
    .groupBy(["t.code", "t.name", "t.rank"])
    .orderBy("t.rank")
    .execute();
  return rows.map((r) => ({
    code: r.code,
    name: r.name,
    customers: Number(r.customers),
    setByAdmin: Number(r.set_by_admin),
  }));
}

/**
 * What one everyday purchase (₦1,000 of MTN airtime) costs at each of the given tiers: the price
 * advantage in naira, the way the chat shows it. Undefined when that product is not on sale.
 */
export async function tierPriceExample(
  ctx: ServiceContext,
  tiers: Pick<TierRule, "code" | "margins">[],
): Promise<{ faceAmountKobo: number; productName: string; prices: Record<string, number> } | undefined> {
  const faceAmountKobo = 100_000;
  try {
    const [{ product, offers }, rule] = await Promise.all([
      getProductOffers(ctx.db, "airtime:mtn"),
      getPricingRule(ctx.db, "airtime"),
    ]);
    const offer = offers[0];
    if (!offer) {
      return undefined;
    }
    const prices: Record<string, number> = {};
    for (const t of tiers) {
      prices[t.code] = priceOffer({
        service: "airtime",
        offer,
        rule,
        faceAmountKobo,
        tier: tierPricing(t),
      }).priceKobo;
    }
    return { faceAmountKobo, productName: product.name, prices };
  } catch {
    return undefined;
  }
}
