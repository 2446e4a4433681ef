import { z } from "zod";
import type { VtuServiceName } from "../../../db/database";
import { recordAudit } from "../audit";
import { invalidateCatalogueCache } from "../catalogue/cache";
import { effectiveRule, getPricingRule, type Offer, priceOffer } from "../catalogue/offers";
import type { PricingRule } from "../catalogue/pricing";
import { type ServiceContext, withTransaction } from "../context";
import { ForbiddenError, NotFoundError, parseInput, ValidationError } from "../errors";
import { formatNaira } from "../money";
import type { VtuService } from "../vtu/provider";
import { hasRole, type SignedInAdmin } from "./sessions";

export type SettingsActor = Pick<SignedInAdmin, "id" | "role">;

export const VTU_SERVICES = [
  "airtime",
  "data",
  "cable",
  "electricity",
] as const satisfies readonly VtuService[];

/** Pricing, plans, providers and admins are super_admin business (S7). */
export function assertSuperAdmin(admin: Pick<SignedInAdmin, "role">, what: string): void {
  if (!hasRole(admin, "super_admin")) {
    throw new ForbiddenError(`Only a super admin can ${what}; ask one to do it.`, "ROLE_REQUIRED");
  }
}

/**
 * Margins are stored as pricing_rules always stored them: kobo for "flat", basis points of the cost
 * for "percent" (5% = 500). The panel takes naira and a percent with at most two decimals, which
 * map exactly onto those integers.
 */
export const MARGIN_LIMITS = { flatKobo: 100_000_000, percentBps: 10_000 } as const;

export const Reason = z
  .string()
  .trim()
  .min(3, "say why (at least 3 characters); it goes into the audit log")
  .max(500);

const marginValue = z
  .number("a whole number (kobo for flat, basis points for percent)")
  .int("a whole number (kobo for flat, basis points for percent)")
  .min(0, "a margin cannot be negative: we would sell below cost");

function withinLimits(v: { marginType: "flat" | "percent"; marginValue: number }, ctx: z.RefinementCtx) {
  const max = v.marginType === "flat" ? MARGIN_LIMITS.flatKobo : MARGIN_LIMITS.percentBps;
  if (v.marginValue > max) {
    ctx.addIssue({
      code: "custom",
      path: ["marginValue"],
      message:
        v.marginType === "flat"
          ? `at most ${formatNaira(max)} per sale`
          : `at most ${max / 100}% (${max} basis points)`,
    });
  }
}

export const ServiceMarginInput = z
  .strictObject({ marginType: z.enum(["flat", "percent"]), marginValue, reason: Reason })
  .superRefine(withinLimits);
export type ServiceMarginInput = z.input<typeof ServiceMarginInput>;

export const PlanMarginInput = z.union([
  z.strictObject({ marginType: z.literal("service"), reason: Reason }),
  z
    .strictObject({ marginType: z.enum(["flat", "percent"]), marginValue, reason: Reason })
    .superRefine(withinLimits),
]);
export type PlanMarginInput = z.input<typeof PlanMarginInput>;

export const PlanEnabledInput = z.strictObject({ enabled: z.boolean(), reason: Reason });

/**
 * A margin typed by a person: naira for "flat" ("50", "12.50"), a percent with at most two decimals
 * for "percent" ("5", "2.75"). Returns the stored integer (kobo / basis points).
 */
export function parseMargin(marginType: "flat" | "percent", text: string): number {
  const value = text.trim().replace(/[₦%,\s]/g, "");
  if (value.startsWith("-")) {
    throw new ValidationError("margin: a margin cannot be negative: we would sell below cost.", {
      field: "margin",
    });
  }
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(value);
  if (!match) {
    throw new ValidationError(
      marginType === "flat"
        ? `margin: "${text}" is not an amount in naira (e.g. 50 or 12.50).`
        : `margin: "${text}" is not a percent with at most two decimals (e.g. 5 or 2.75).`,
      { field: "margin" },
    );
  }
  // Both units are hundredths: kobo of a naira, basis points of a percent.
  return Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
}

/** "5%" / "2.75%" / "₦50" — how a rule reads on the panel. */
export function describeMargin(rule: PricingRule): string {
  return rule.marginType === "flat" ? `${formatNaira(rule.marginValue)} flat` : `${rule.marginValue / 100}%`;
}

export type PricingRuleDto = PricingRule & {
  service: VtuServiceName;
  updatedBy: string | null;
  updatedAt: string;
};

export async function listPricingRules(ctx: ServiceContext): Promise<PricingRuleDto[]> {
  const rows = await ctx.db.selectFrom("pricing_rules").selectAll().orderBy("service").execute();
  return rows.map((r) => ({
    service: r.service,
    marginType: r.margin_type,
    marginValue: r.margin_value,
    updatedBy: r.updated_by,
    updatedAt: r.updated_at.toISOString(),
  }));
}

/** Change a service's margin. Plans with their own margin keep it. */
export async function setServiceMargin(args: {
  ctx: ServiceContext;
  admin: SettingsActor;
  service: string;
  input: ServiceMarginInput;
}): Promise<PricingRule> {
  const { ctx, admin } = args;
  assertSuperAdmin(admin, "change margins");
  const service = parseInput(z.enum(VTU_SERVICES), args.service);
  const input = parseInput(ServiceMarginInput, args.input);
  const result = await withTransaction(ctx, async (trx) => {
    const before = await trx
      .selectFrom("pricing_rules")
      .select(["margin_type", "margin_value"])
      .where("service", "=", service)
      .forUpdate()
      .executeTakeFirst();
    if (!before) {
      throw new NotFoundError(`The pricing rule for ${service}`);
    }
    await trx
      .updateTable("pricing_rules")
      .set({
        margin_type: input.marginType,
        margin_value: input.marginValue,
        updated_by: admin.id,
        updated_at: ctx.now(),
      })
      .where("service", "=", service)
      .execute();
    const after = { marginType: input.marginType, marginValue: input.marginValue };
    await recordAudit(trx, {
      actorType: "admin",
      actorId: admin.id,
      action: "pricing.set_service_margin",
      targetType: "pricing_rule",
      targetId: service,
      before: { marginType: before.margin_type, marginValue: before.margin_value },
      after,
      reason: input.reason,
    });
    return after;
  });
  invalidateCatalogueCache();
  return result;
}

/** Give a plan its own margin, or (`marginType: "service"`) hand it back to the service rule. */
export async function setPlanMargin(args: {
  ctx: ServiceContext;
  admin: SettingsActor;
  productId: string;
  input: PlanMarginInput;
}): Promise<PricingRule | null> {
  const { ctx, admin, productId } = args;
  assertSuperAdmin(admin, "change margins");
  const input = parseInput(PlanMarginInput, args.input);
  const override =
    input.marginType === "service" ? null : { marginType: input.marginType, marginValue: input.marginValue };
  await withTransaction(ctx, async (trx) => {
    const before = await trx
      .selectFrom("catalogue_products")
      .select(["margin_type", "margin_value"])
      .where("id", "=", productId)
      .forUpdate()
      .executeTakeFirst();
    if (!before) {
      throw new NotFoundError("That plan");
    }
    await trx
      .updateTable("catalogue_products")
      .set({
        margin_type: override?.marginType ?? null,
        margin_value: override?.marginValue ?? null,
        updated_at: ctx.now(),
      })
      .where("id", "=", productId)
      .execute();
    await recordAudit(trx, {
      actorType: "admin",
      actorId: admin.id,
      action: "pricing.set_plan_margin",
      targetType: "catalogue_product",
      targetId: productId,
      before: before.margin_type
        ? { marginType: before.margin_type, marginValue: before.margin_value }
        : null,
      after: override,
      reason: input.reason,
    });
  });
  invalidateCatalogueCache();
  return override;
}

/** Take a plan off sale (no listing, no new order) or put it back. */
export async function setPlanEnabled(args: {
  ctx: ServiceContext;
  admin: SettingsActor;
  productId: string;
  input: z.input<typeof PlanEnabledInput>;
}): Promise<{ enabled: boolean; changed: boolean }> {
  const { ctx, admin, productId } = args;
  assertSuperAdmin(admin, "enable or disable plans");
  const input = parseInput(PlanEnabledInput, args.input);
  const changed = await withTransaction(ctx, async (trx) => {
    const before = await trx
      .selectFrom("catalogue_products")
      .select("enabled")
      .where("id", "=", productId)
      .forUpdate()
      .executeTakeFirst();
    if (!before) {
      throw new NotFoundError("That plan");
    }
    await trx
      .updateTable("catalogue_products")
      .set({ enabled: input.enabled, updated_at: ctx.now() })
      .where("id", "=", productId)
      .execute();
    await recordAudit(trx, {
      actorType: "admin",
      actorId: admin.id,
      action: input.enabled ? "catalogue.enable_plan" : "catalogue.disable_plan",
      targetType: "catalogue_product",
      targetId: productId,
      before: { enabled: before.enabled },
      after: { enabled: input.enabled },
      reason: input.reason,
    });
    return before.enabled !== input.enabled;
  });
  invalidateCatalogueCache();
  return { enabled: input.enabled, changed };
}

/** Airtime and electricity are sold by amount: the panel shows their price for this face value. */
export const SAMPLE_FACE_KOBO = 100_000;

export type AdminPlanOffer = {
  provider: string;
  providerName: string;
  providerEnabled: boolean;
  priority: number;
  providerProductId: string;
  costKobo: number | null;
  faceAmountKobo: number | null;
  discountBps: number;
  available: boolean;
  syncedAt: string;
};

export type AdminPlanRow = {
  id: string;
  service: VtuService;
  network: string | null;
  biller: string | null;
  name: string;
  enabled: boolean;
  /** The plan's own margin, null when the service rule applies. */
  override: PricingRule | null;
  rule: PricingRule;
  offers: AdminPlanOffer[];
  /** The provider an order goes to first now, and what the customer pays (for SAMPLE_FACE_KOBO when sold by amount); null when nobody can sell it. */
  sellingProvider: string | null;
  costKobo: number | null;
  priceKobo: number | null;
};

export const PlanFilters = z.strictObject({
  service: z.enum(VTU_SERVICES).optional(),
  network: z.enum(["mtn", "airtel", "glo", "9mobile"]).optional(),
  enabled: z.boolean().optional(),
});
export type PlanFilters = z.input<typeof PlanFilters>;

/** Plans with every provider's offer and the price a customer pays now (at most 1000 rows). */
export async function listPlansForAdmin(
  ctx: ServiceContext,
  filters: PlanFilters = {},
): Promise<AdminPlanRow[]> {
  return loadPlans(ctx, parseInput(PlanFilters, filters));
}

async function loadPlans(
  ctx: ServiceContext,
  f: z.output<typeof PlanFilters> & { id?: string },
): Promise<AdminPlanRow[]> {
  const products = await ctx.db
    .selectFrom("catalogue_products")
    .selectAll()
    .$if(f.id !== undefined, (q) => q.where("id", "=", f.id ?? ""))
    .$if(f.service !== undefined, (q) => q.where("service", "=", f.service as VtuServiceName))
    .$if(f.network !== undefined, (q) => q.where("network", "=", f.network ?? ""))
    .$if(f.enabled !== undefined, (q) => q.where("enabled", "=", f.enabled ?? true))
    .orderBy("service")
    .orderBy("network")
    .orderBy("biller")
    .orderBy("id")
    .limit(1000)
    .execute();
  if (products.length === 0) {
    return [];
  }
  const offers = await ctx.db
    .selectFrom("provider_products as pp")
    .innerJoin("vtu_providers as p", "p.code", "pp.provider")
    .select([
      "pp.product_id as productId",
      "pp.provider",
      "p.name as providerName",
      "p.enabled as providerEnabled",
      "p.priority",
      "pp.provider_product_id as providerProductId",
      "pp.cost_kobo as costKobo",
      "pp.face_amount_kobo as faceAmountKobo",
      "pp.discount_bps as discountBps",
      "pp.available",
      "pp.synced_at as syncedAt",
    ])
    .where(
      "pp.product_id",
      "in",
      products.map((p) => p.id),
    )
    .orderBy("p.priority")
    .orderBy("p.code")
    .execute();
  const rules = new Map<string, PricingRule>();
  for (const r of await listPricingRules(ctx)) {
    rules.set(r.service, { marginType: r.marginType, marginValue: r.marginValue });
  }
  return products.map((p) => {
    const service = p.service as VtuService;
    const mine = offers.filter((o) => o.productId === p.id);
    const override =
      p.margin_type && p.margin_value !== null
        ? { marginType: p.margin_type, marginValue: p.margin_value }
        : null;
    const serviceRule = rules.get(service) ?? { marginType: "flat", marginValue: 0 };
    // The same choice sellableOffers makes: first enabled provider still listing it, if the plan is on sale.
    const best = p.enabled ? mine.find((o) => o.available && o.providerEnabled) : undefined;
    let priced: { costKobo: number; priceKobo: number } | undefined;
    if (best) {
      const offer: Offer = {
        provider: best.provider,
        providerProductId: best.providerProductId,
        providerName: null,
        costKobo: best.costKobo,
        faceAmountKobo: best.faceAmountKobo,
        discountBps: best.discountBps,
        planMarginType: p.margin_type,
        planMarginValue: p.margin_value,
      };
      try {
        priced = priceOffer({
          service,
          offer,
          rule: serviceRule,
          faceAmountKobo: service === "airtime" || service === "electricity" ? SAMPLE_FACE_KOBO : undefined,
        });
      } catch {
        priced = undefined; // unpriced at that provider until the next sync
      }
    }
    return {
      id: p.id,
      service,
      network: p.network,
      biller: p.biller,
      name: p.name,
      enabled: p.enabled,
      override,
      rule: effectiveRule({ planMarginType: p.margin_type, planMarginValue: p.margin_value }, serviceRule),
      offers: mine.map((o) => ({
        provider: o.provider,
        providerName: o.providerName,
        providerEnabled: o.providerEnabled,
        priority: o.priority,
        providerProductId: o.providerProductId,
        costKobo: o.costKobo,
        faceAmountKobo: o.faceAmountKobo,
        discountBps: o.discountBps,
        available: o.available,
        syncedAt: o.syncedAt.toISOString(),
      })),
      sellingProvider: priced && best ? best.provider : null,
      costKobo: priced?.costKobo ?? null,
      priceKobo: priced?.priceKobo ?? null,
    };
  });
}

/** One plan with its offers, its margin and the service rule it would otherwise follow. */
export async function adminPlanDetail(
  ctx: ServiceContext,
  productId: string,
): Promise<AdminPlanRow & { serviceRule: PricingRule }> {
  const [row] = await loadPlans(ctx, { id: productId });
  if (!row) {
    throw new NotFoundError("That plan");
  }
  return { ...row, serviceRule: await getPricingRule(ctx.db, row.service) };
}
