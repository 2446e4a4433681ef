import { z } from "zod";
import { assertSuperAdmin, type SettingsActor } from "../admins/catalogue-settings";
import { recordAudit } from "../audit";
import type { Db, ServiceContext, Trx } from "../context";
import { withTransaction } from "../context";
import { ValidationError } from "../errors";

/**
 * The referral rules: what the referrer earns, the referee's welcome bonus, the smallest purchase
 * that qualifies (face value) and the paid rewards per referrer per Lagos month. The configuration's
 * REFERRAL_* are the defaults; a super admin may change them in the panel (audited), after which
 * the saved row applies to rewards booked from then on.
 */
export type ReferralRules = {
  rewardKobo: number;
  welcomeKobo: number;
  minPurchaseKobo: number;
  monthlyCap: number;
  /** Who saved them last (null: the configuration's defaults). */
  updatedBy: string | null;
};

export async function getReferralRules(
  ctx: Pick<ServiceContext, "config">,
  db: Db | Trx,
): Promise<ReferralRules> {
  const saved = await db.selectFrom("referral_settings").selectAll().executeTakeFirst();
  if (saved) {
    return {
      rewardKobo: saved.reward_kobo,
      welcomeKobo: saved.welcome_kobo,
      minPurchaseKobo: saved.min_purchase_kobo,
      monthlyCap: saved.monthly_cap,
      updatedBy: saved.updated_by,
    };
  }
  const { config } = ctx;
  return {
    rewardKobo: config.REFERRAL_REWARD_KOBO,
    welcomeKobo: config.REFERRAL_WELCOME_KOBO,
    minPurchaseKobo: config.REFERRAL_MIN_PURCHASE_KOBO,
    monthlyCap: config.REFERRAL_MONTHLY_CAP,
    updatedBy: null,
  };
}

const kobo = (max: number) =>
  z.number("a whole number of kobo").int("a whole number of kobo").min(0).max(max);

export const ReferralRulesInput = z.strictObject({
  rewardKobo: kobo(10_000_000),
  welcomeKobo: kobo(10_000_000),
  minPurchaseKobo: kobo(100_000_000).min(1, "at least 1 kobo"),
  monthlyCap: z.number().int().min(0).max(100_000),
  reason: z.string().trim().min(3, "say why (at least 3 characters); it goes into the audit log").max(500),
});

export async function updateReferralRules(args: {
  ctx: ServiceContext;
  admin: SettingsActor;
  input: z.input<typeof ReferralRulesInput>;
}): Promise<ReferralRules> {
  assertSuperAdmin(args.admin, "change the referral rewards");
  const parsed = ReferralRulesInput.safeParse(args.input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`${issue?.path.join(".") || "rules"}: ${issue?.message ?? "is invalid"}`);
  }
  const { reason, ...rules } = parsed.data;
  return withTransaction(args.ctx, async (trx) => {
    const before = await getReferralRules(args.ctx, trx);
    const values = {
      reward_kobo: rules.rewardKobo,
      welcome_kobo: rules.welcomeKobo,
      min_purchase_kobo: rules.minPurchaseKobo,
      monthly_cap: rules.monthlyCap,
      updated_by: args.admin.id,
      updated_at: args.ctx.now(),
    };
    await trx
      .insertInto("referral_settings")
      .values(values)
      .onConflict((oc) => oc.column("id").doUpdateSet(values))
      .execute();
    const { updatedBy: _by, ...old } = before;
    await recordAudit(trx, {
      actorType: "admin",
      actorId: args.admin.id,
      action: "settings.referrals",
      targetType: "settings",
      targetId: "referrals",
      before: old,
      after: rules,
      reason,
    });
    return { ...rules, updatedBy: args.admin.id };
  });
}
