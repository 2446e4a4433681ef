import { z } from "zod";
import { assertSuperAdmin, type SettingsActor } from "../admins/catalogue-settings";
import { recordAudit } from "../audit";
import type { Db, ServiceContext, Trx } from "../context";
import { withTransaction } from "../context";
import { ValidationError } from "../errors";
import type { VtuService } from "../vtu/provider";

/**
 * The points rules: points per ₦100 paid for each service, points per paid referral, what a point
 * is worth when redeemed, the fewest points a redemption takes and how long points last. The
 * configuration's POINTS_* are the defaults; a super admin may change them in the panel (audited).
 * A change applies to points written from then on: points already earned keep the value they were
 * booked at in the liability (DECISIONS §63).
 */
export type PointsRules = {
  earnPer100Naira: Record<VtuService, number>;
  referralPoints: number;
  pointValueKobo: number;
  minRedeemPoints: number;
  expiryDays: number;
  /** Who saved them last (null: the configuration's defaults). */
  updatedBy: string | null;
};

export async function getPointsRules(
  ctx: Pick<ServiceContext, "config">,
  db: Db | Trx,
): Promise<PointsRules> {
  const saved = await db.selectFrom("points_settings").selectAll().executeTakeFirst();
  if (saved) {
    return {
      earnPer100Naira: {
        airtime: saved.earn_airtime,
        data: saved.earn_data,
        cable: saved.earn_cable,
        electricity: saved.earn_electricity,
      },
      referralPoints: saved.referral_points,
      pointValueKobo: saved.point_value_kobo,
      minRedeemPoints: saved.min_redeem_points,
      expiryDays: saved.expiry_days,
      updatedBy: saved.updated_by,
    };
  }
  const { config } = ctx;
  return {
    earnPer100Naira: {
      airtime: config.POINTS_PER_100_NAIRA_AIRTIME,
      data: config.POINTS_PER_100_NAIRA_DATA,
      cable: config.POINTS_PER_100_NAIRA_CABLE,
      electricity: config.POINTS_PER_100_NAIRA_ELECTRICITY,
    },
    referralPoints: config.POINTS_PER_REFERRAL,
    pointValueKobo: config.POINT_VALUE_KOBO,
    minRedeemPoints: config.POINTS_MIN_REDEEM,
    expiryDays: config.POINTS_EXPIRY_DAYS,
    updatedBy: null,
  };
}

/** Points a delivered purchase earns: whole points per full ₦100 paid (₦250 at 1 per ₦100 → 2). */
export function pointsForPurchase(rules: PointsRules, service: VtuService, priceKobo: number): number {
  return Math.floor(priceKobo / 10_000) * rules.earnPer100Naira[service];
}

const rate = z.number().int("a whole number of points").min(0).max(1_000);

export const PointsRulesInput = z.strictObject({
  earnPer100Naira: z.strictObject({ airtime: rate, data: rate, cable: rate, electricity: rate }),
  referralPoints: z.number().int().min(0).max(1_000_000),
  pointValueKobo: z.number().int("a whole number of kobo").min(1).max(10_000),
  minRedeemPoints: z.number().int().min(1).max(1_000_000),
  expiryDays: z.number().int().min(1).max(3_650),
  reason: z.string().trim().min(3, "say why (at least 3 characters); it goes into the audit log").max(500),
});

export async function updatePointsRules(args: {
  ctx: ServiceContext;
  admin: SettingsActor;
  input: z.input<typeof PointsRulesInput>;
}): Promise<PointsRules> {
  assertSuperAdmin(args.admin, "change the points rules");
  const parsed = PointsRulesInput.safeParse(args.input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`${issue?.path.join(".") || "rules"}: ${issue?.message ?? "is invalid"}`);
  }
  const { reason, ...rules } = parsed.data;
  return withTransaction(args.ctx, async (trx) => {
    const before = await getPointsRules(args.ctx, trx);
    const values = {
      earn_airtime: rules.earnPer100Naira.airtime,
      earn_data: rules.earnPer100Naira.data,
      earn_cable: rules.earnPer100Naira.cable,
      earn_electricity: rules.earnPer100Naira.electricity,
      referral_points: rules.referralPoints,
      point_value_kobo: rules.pointValueKobo,
      min_redeem_points: rules.minRedeemPoints,
      expiry_days: rules.expiryDays,
      updated_by: args.admin.id,
      updated_at: args.ctx.now(),
    };
    await trx
      .insertInto("points_settings")
      .values(values)
      .onConflict((oc) => oc.column("id").doUpdateSet(values))
      .execute();
    const { updatedBy: _by, ...old } = before;
    await recordAudit(trx, {
      actorType: "admin",
      actorId: args.admin.id,
      action: "settings.points",
      targetType: "settings",
      targetId: "points",
      before: old,
      after: rules,
      reason,
    });
    return { ...rules, updatedBy: args.admin.id };
  });
}
