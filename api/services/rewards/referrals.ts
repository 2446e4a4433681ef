import { sql } from "kysely";
import type { Config } from "../../config";
import { type ServiceContext, type Trx, withTransaction } from "../context";
import { isUniqueViolation } from "../db-errors";
import { NotFoundError, ServiceError } from "../errors";
import { newId } from "../ids";
import { getWalletAccountId, lockAccounts, postEntry, SYSTEM_ACCOUNTS, systemAccountFor } from "../ledger";
import { formatNaira } from "../money";
import { queueNotification } from "../notifications";
import { normalizePhone } from "../phone";
import { earnReferralPoints, formatPoints, lockPointAccount, reverseReferralPoints } from "./points";
import { getReferralRules, type ReferralRules } from "./referral-rules";

/**
 * Referrals that pay (issue 18 §1). A customer's link is `/r/<code>`; a referee comes with the code
 * (registration, the Telegram deep link `?start=ref_<code>`, or typed within REFERRAL_CODE_DAYS of
 * joining). When the referee's first own purchase of at least the minimum (face value) is
 * delivered, the sweeper books the reward: the referrer's reward and the referee's welcome bonus, in
 * one entry from the promotions account (amounts: referral-rules.ts, config defaults or an admin's). `referral_rewards` is UNIQUE per
 * referee (and per order), so it is decided once whatever races; the referrer's row is locked while
 * the monthly cap is counted. A reward for a purchase that is later reversed is taken back, once.
 * Never for the same person on both sides (a phone or chat identity in common).
 */
export function referralLink(config: Config, code: string): string {
  return `${config.publicBaseUrl}/r/${encodeURIComponent(code)}`;
}

/** The Telegram deep link that starts the bot with the code (when the bot's username is configured). */
export function telegramReferralLink(config: Config, code: string): string | null {
  return config.TELEGRAM_BOT_USERNAME
    ? `https://t.me/${config.TELEGRAM_BOT_USERNAME}?start=ref_${encodeURIComponent(code)}`
    : null;
}

/** A WhatsApp chat with the bot, the code typed in (when the bot's number is configured). */
export function whatsappReferralLink(config: Config, code: string): string | null {
  return config.WHATSAPP_NUMBER
    ? `https://wa.me/${config.WHATSAPP_NUMBER}?text=${encodeURIComponent(`ref ${code}`)}`
    : null;
}

export type ReferralSummary = {
  code: string;
  link: string;
  telegramLink: string | null;
  whatsappLink: string | null;
  /** People who joined with this customer's code. */
  referees: number;
  /** Of them, those whose first qualifying purchase was delivered and paid a reward. */
  rewarded: number;
  /** What the rewards paid this customer in total (after clawbacks). */
  earnedKobo: number;
  rules: { rewardKobo: number; welcomeKobo: number; minPurchaseKobo: number; monthlyCap: number };
  /** This customer may still enter a code of someone who referred them. */
  canEnterCode: boolean;
};

export async function getReferralSummary(args: {
  ctx: ServiceContext;
  userId: string;
}): Promise<ReferralSummary> {
  const { ctx, userId } = args;
  const user = await ctx.db
    .selectFrom("users")
    .select(["referral_code", "referred_by", "created_at"])
    .where("id", "=", userId)
    .executeTakeFirst();
  if (!user) {
    throw new NotFoundError("User");
  }
  const [referees, rewards] = await Promise.all([
    ctx.db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("referred_by", "=", userId)
      .executeTakeFirstOrThrow(),
    ctx.db
      .selectFrom("referral_rewards")
      .select([
        sql<string>`count(*) FILTER (WHERE status = 'paid')`.as("paid"),
        sql<string>`coalesce(sum(reward_kobo) FILTER (WHERE status = 'paid'), 0)`.as("earned"),
      ])
      .where("referrer_id", "=", userId)
      .executeTakeFirstOrThrow(),
  ]);
  const { config } = ctx;
  const rules = await getReferralRules(ctx, ctx.db);
  return {
    code: user.referral_code,
    link: referralLink(config, user.referral_code),
    telegramLink: telegramReferralLink(config, user.referral_code),
    whatsappLink: whatsappReferralLink(config, user.referral_code),
    referees: Number(referees.n),
    rewarded: Number(rewards.paid),
    earnedKobo: Number(rewards.earned),
    rules: {
      rewardKobo: rules.rewardKobo,
      welcomeKobo: rules.welcomeKobo,
      minPurchaseKobo: rules.minPurchaseKobo,
      monthlyCap: rules.monthlyCap,
    },
    canEnterCode: user.referred_by === null && withinCodeWindow(ctx, user.created_at),
  };
}

function withinCodeWindow(ctx: ServiceContext, joinedAt: Date): boolean {
  return ctx.now().getTime() - joinedAt.getTime() <= ctx.config.REFERRAL_CODE_DAYS * 86_400_000;
}

/** A referral code as people type it: letters and digits, any case, spaces and dashes ignored. */
export function readReferralCode(text: string): string | undefined {
  const code = text.replace(/[\s-]/g, "").toUpperCase();
  return /^[A-Z0-9]{4,20}$/.test(code) ? code : undefined;
}

/** Who a code belongs to (the referral page shows the first name only). */
export async function findReferrer(ctx: ServiceContext, code: string) {
  const normalized = readReferralCode(code);
  if (!normalized) {
    return undefined;
  }
  const row = await ctx.db
    .selectFrom("users")
    .select(["id", "display_name", "status"])
    .where("referral_code", "=", normalized)
    .executeTakeFirst();
  return row && row.status === "active"
    ? { id: row.id, firstName: row.display_name?.trim().split(/\s+/)[0] || null, code: normalized }
    : undefined;
}

/**
 * A customer who came without a code gives one (the chat, the API, the Telegram deep link). Only
 * once, within REFERRAL_CODE_DAYS of joining, before their first purchase is delivered, and never
 * their own (or one of the same person).
 */
export async function applyReferralCode(args: {
  ctx: ServiceContext;
  userId: string;
  code: string;
}): Promise<{ referrerFirstName: string | null }> {
  const { ctx, userId } = args;
  const referrer = await findReferrer(ctx, args.code);
  if (!referrer) {
    throw new ServiceError(
      "not_found",
      "REFERRAL_CODE_UNKNOWN",
      "That referral code does not exist. Check it with the person who sent it (it is letters and digits).",
    );
  }
  return withTransaction(ctx, async (trx) => {
    const user = await trx
      .selectFrom("users")
      .select(["id", "referred_by", "created_at"])
      .where("id", "=", userId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (user.referred_by !== null) {
      throw new ServiceError("conflict", "REFERRAL_ALREADY_SET", "You already joined with a referral code.");
    }
    if (referrer.id === userId || (await samePerson(trx, userId, referrer.id))) {
      throw new ServiceError(
        "unprocessable",
        "REFERRAL_SELF",
        "That is your own referral code: share it with friends instead.",
      );
    }
    if (!withinCodeWindow(ctx, user.created_at)) {
      throw new ServiceError(
        "unprocessable",
        "REFERRAL_TOO_LATE",
        `A referral code can be entered within ${ctx.config.REFERRAL_CODE_DAYS} days of joining; that time has passed.`,
      );
    }
    const bought = await trx
      .selectFrom("vtu_orders")
      .select("id")
      .where("user_id", "=", userId)
      .where("state", "=", "delivered")
      .where("channel", "<>", "gift")
      .executeTakeFirst();
    if (bought) {
      throw new ServiceError(
        "unprocessable",
        "REFERRAL_TOO_LATE",
        "A referral code is entered before your first purchase; you have bought already.",
      );
    }
    await trx
      .updateTable("users")
      .set({ referred_by: referrer.id, referred_at: ctx.now() })
      .where("id", "=", userId)
      .execute();
    return { referrerFirstName: referrer.firstName };
  });
}

/**
 * Two accounts of one person: a phone in common between them (a user's own phone, or a chat
 * identity that is a phone, like a WhatsApp number), one chat identity of the same kind and id, the
 * same device on the web (the gift pages' device cookie, the only device id we record) or the same
 * BVN. (A shared funding card is shown to people in the abuse view, not refused: families share one.)
 */
export async function samePerson(db: Trx, a: string, b: string): Promise<boolean> {
  return (await sharePhoneOrIdentity(db, a, b)) || (await shareDeviceOrBvn(db, a, b));
}

async function shareDeviceOrBvn(db: Trx, a: string, b: string): Promise<boolean> {
  const { rows } = await sql<{ shared: boolean }>`
    SELECT EXISTS (
             SELECT 1 FROM (
               SELECT device_hash, claimer_user_id AS user_id FROM gift_claims
                WHERE claimer_user_id IN (${a}, ${b}) AND device_hash IS NOT NULL
               UNION
               SELECT device_hash, user_id FROM gift_draw_entries
                WHERE user_id IN (${a}, ${b}) AND device_hash IS NOT NULL) d
              GROUP BY device_hash HAVING count(DISTINCT user_id) = 2)
        OR EXISTS (
             SELECT 1 FROM user_kyc WHERE user_id IN (${a}, ${b})
              GROUP BY bvn_fingerprint HAVING count(DISTINCT user_id) = 2) AS shared`.execute(db);
  return rows[0]?.shared === true;
}

async function sharePhoneOrIdentity(db: Trx, a: string, b: string): Promise<boolean> {
  const rows = await db
    .selectFrom("users as u")
    .leftJoin("identities as i", "i.user_id", "u.id")
    .select(["u.id", "u.phone", "i.channel", "i.external_id"])
    .where("u.id", "in", [a, b])
    .execute();
  const keys = (id: string) =>
    new Set(
      rows
        .filter((r) => r.id === id)
        .flatMap((r) => [
          r.phone ? `phone:${asPhone(r.phone)}` : undefined,
          r.external_id ? `phone:${asPhone(r.external_id)}` : undefined,
          r.channel && r.external_id ? `${r.channel}:${r.external_id}` : undefined,
        ])
        .filter((k): k is string => k !== undefined && !k.endsWith(":")),
    );
  const left = keys(a);
  return [...keys(b)].some((k) => left.has(k));
}

/** A phone in its one local form, or "" for anything that is not one (a Telegram id, an API key). */
function asPhone(text: string): string {
  try {
    return normalizePhone(text.replace(/@.*$/, ""));
  } catch {
    return "";
  }
}

/**
 * The sweeper's part: book the reward of every referee whose first qualifying purchase was
 * delivered and who has no reward row yet, then take back the rewards whose purchase was reversed.
 */
export async function sweepReferralRewards(args: { ctx: ServiceContext; limit?: number }) {
  const { ctx } = args;
  const rules = await getReferralRules(ctx, ctx.db);
  const due = await ctx.db
    .selectFrom("users as u")
    .innerJoin("vtu_orders as o", "o.user_id", "u.id")
    .select(["u.id as referee_id", "u.referred_by", "o.id as order_id"])
    .distinctOn("u.id")
    .where("u.referred_by", "is not", null)
    .where("o.state", "=", "delivered")
    .where("o.channel", "<>", "gift")
    // The face value: "₦1,000 of airtime" qualifies for a ₦1,000 minimum whatever the discount.
    .where("o.face_amount_kobo", ">=", rules.minPurchaseKobo)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb.selectFrom("referral_rewards as r").select("r.id").whereRef("r.referee_id", "=", "u.id"),
        ),
      ),
    )
    .orderBy("u.id")
    .orderBy("o.delivered_at")
    .limit(args.limit ?? 200)
    .execute();
  let paid = 0;
  for (const row of due) {
    try {
      const status = await bookReward(ctx, rules, row.referee_id, row.referred_by ?? "", row.order_id);
      paid += status === "paid" ? 1 : 0;
    } catch (err) {
      if (!isUniqueViolation(err)) {
        ctx.logger.error(
          { err, refereeId: row.referee_id },
          "referral reward failed; the next sweep retries",
        );
      }
    }
  }
  const clawedBack = await clawBackReversed(ctx);
  return { considered: due.length, paid, clawedBack };
}

async function bookReward(
  ctx: ServiceContext,
  rules: ReferralRules,
  refereeId: string,
  referrerId: string,
  orderId: string,
) {
  return withTransaction(ctx, async (trx) => {
    // The referrer's row serialises their rewards: the monthly cap is counted with nobody racing.
    await trx
      .selectFrom("users")
      .select("id")
      .where("id", "=", referrerId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const taken = await trx
      .selectFrom("referral_rewards")
      .select("status")
      .where("referee_id", "=", refereeId)
      .executeTakeFirst();
    if (taken) {
      return taken.status;
    }
    const id = newId("rrw", ctx.now().getTime());
    const base = { id, referee_id: refereeId, referrer_id: referrerId, order_id: orderId };
    if (await samePerson(trx, refereeId, referrerId)) {
      await trx
        .insertInto("referral_rewards")
        .values({ ...base, status: "refused", reason: "same person" })
        .execute();
      ctx.logger.warn(
        { refereeId, referrerId },
        "referral refused: the referee and the referrer are one person",
      );
      return "refused";
    }
    const month = await trx
      .selectFrom("referral_rewards")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("referrer_id", "=", referrerId)
      .where("status", "in", ["paid", "clawed_back"])
      .where(
        sql<boolean>`date_trunc('month', created_at AT TIME ZONE 'Africa/Lagos') = date_trunc('month', ${ctx.now()}::timestamptz AT TIME ZONE 'Africa/Lagos')`,
      )
      .executeTakeFirstOrThrow();
    const { rewardKobo: reward, welcomeKobo: welcome, monthlyCap: cap } = rules;
    if (Number(month.n) >= cap || reward + welcome === 0) {
      const reason = reward + welcome === 0 ? "rewards are set to ₦0" : `monthly cap of ${cap} reached`;
      await trx
        .insertInto("referral_rewards")
        .values({ ...base, status: "capped", reason })
        .execute();
      return "capped";
    }
    const referrerWallet = await getWalletAccountId(trx, referrerId);
    const refereeWallet = await getWalletAccountId(trx, refereeId);
    const promotions = await systemAccountFor(ctx, trx, SYSTEM_ACCOUNTS.promotions, referrerWallet);
    const liability = await systemAccountFor(ctx, trx, SYSTEM_ACCOUNTS.pointsLiability, referrerWallet);
    // The referrer's points row, then every account this transaction moves, at once in id order
    // (points.ts): a redemption racing this one cannot take them the other way round.
    await lockPointAccount(trx, referrerId);
    await lockAccounts(trx, [referrerWallet, refereeWallet, promotions, liability]);
    const entryId = await postEntry(trx, {
      type: "transfer",
      description: "Referral reward",
      actor: "system:referrals",
      postings: [
        { accountId: promotions, amount: -(reward + welcome) },
        ...(reward > 0 ? [{ accountId: referrerWallet, amount: reward }] : []),
        ...(welcome > 0 ? [{ accountId: refereeWallet, amount: welcome }] : []),
      ],
      metadata: { referralRewardId: id, orderId, refereeId, referrerId },
    });
    await trx
      .insertInto("referral_rewards")
      .values({ ...base, status: "paid", reward_kobo: reward, welcome_kobo: welcome, entry_id: entryId })
      .execute();
    const points = await earnReferralPoints(ctx, trx, { referrerId, referralRewardId: id });
    if (reward > 0 || points > 0) {
      const gifts =
        reward > 0 && points > 0
          ? `${formatNaira(reward)} has been added to your wallet, plus ${formatPoints(points)} loyalty points`
          : reward > 0
            ? `${formatNaira(reward)} has been added to your wallet`
            : `${formatPoints(points)} loyalty points have been added to your points`;
      await queueNotification(trx, {
        userId: referrerId,
        kind: "referral.rewarded",
        body: `A friend you invited made their first purchase: ${gifts}. Thank you!`,
        payload: { referralRewardId: id, notice: { rewardKobo: reward, points } },
      });
    }
    if (welcome > 0) {
      await queueNotification(trx, {
        userId: refereeId,
        kind: "referral.welcome",
        body: `Welcome bonus: ${formatNaira(welcome)} has been added to your wallet for your first purchase.`,
        payload: { referralRewardId: id, notice: { welcomeKobo: welcome } },
      });
    }
    return "paid";
  });
}

/**
 * Rewards whose purchase was reversed are taken back once: what the wallets still hold, up to what
 * was paid (a wallet never goes below zero; what could not be taken is logged for people).
 */
async function clawBackReversed(ctx: ServiceContext): Promise<number> {
  const due = await ctx.db
    .selectFrom("referral_rewards as r")
    .innerJoin("vtu_orders as o", "o.id", "r.order_id")
    .select("r.id")
    .where("r.status", "=", "paid")
    .where("o.state", "=", "reversed")
    .limit(200)
    .execute();
  let done = 0;
  for (const { id } of due) {
    done += await withTransaction(ctx, async (trx) => {
      const reward = await trx
        .selectFrom("referral_rewards")
        .selectAll()
        .where("id", "=", id)
        .forUpdate()
        .executeTakeFirstOrThrow();
      if (reward.status !== "paid") {
        return 0;
      }
      const referrerWallet = await getWalletAccountId(trx, reward.referrer_id);
      const refereeWallet = await getWalletAccountId(trx, reward.referee_id);
      const promotions = await systemAccountFor(ctx, trx, SYSTEM_ACCOUNTS.promotions, referrerWallet);
      const liability = await systemAccountFor(ctx, trx, SYSTEM_ACCOUNTS.pointsLiability, referrerWallet);
      await lockPointAccount(trx, reward.referrer_id);
      const locked = await lockAccounts(trx, [referrerWallet, refereeWallet, promotions, liability]);
      const available = (walletId: number) => {
        const a = locked.get(walletId);
        return a ? Math.max(a.balance - a.held, 0) : 0;
      };
      const fromReferrer = Math.min(reward.reward_kobo, available(referrerWallet));
      const fromReferee = Math.min(reward.welcome_kobo, available(refereeWallet));
      const postings = [
        ...(fromReferrer > 0 ? [{ accountId: referrerWallet, amount: -fromReferrer }] : []),
        ...(fromReferee > 0 ? [{ accountId: refereeWallet, amount: -fromReferee }] : []),
      ];
      const entryId =
        postings.length > 0
          ? await postEntry(trx, {
              type: "reversal",
              description: "Referral reward taken back: the purchase was reversed",
              actor: "system:referrals",
              postings: [...postings, { accountId: promotions, amount: fromReferrer + fromReferee }],
              metadata: { referralRewardId: reward.id, orderId: reward.order_id, clawback: true },
            })
          : (reward.entry_id ?? 0);
      const short = reward.reward_kobo + reward.welcome_kobo - fromReferrer - fromReferee;
      if (short > 0) {
        ctx.logger.error(
          { alert: true, referralRewardId: reward.id, shortKobo: short },
          "ALERT: a referral reward could not be taken back in full (the wallet was spent)",
        );
      }
      await reverseReferralPoints(ctx, trx, { referrerId: reward.referrer_id, referralRewardId: reward.id });
      await trx
        .updateTable("referral_rewards")
        .set({
          status: "clawed_back",
          clawback_entry_id: entryId,
          reason:
            short > 0
              ? `purchase reversed; ${formatNaira(short)} could not be taken back`
              : "purchase reversed",
          clawed_back_at: ctx.now(),
        })
        .where("id", "=", reward.id)
        .execute();
      return 1;
    });
  }
  return done;
}

export type ReferrerRow = {
  userId: string;
  name: string | null;
  code: string;
  referees: number;
  paid: number;
  clawedBack: number;
  earnedKobo: number;
};

/** The admin's referrers page: who brought whom, and what it paid. */
export async function listReferrersForAdmin(args: {
  ctx: ServiceContext;
  limit?: number;
}): Promise<ReferrerRow[]> {
  const rows = await args.ctx.db
    .selectFrom("users as u")
    .innerJoin("users as referee", "referee.referred_by", "u.id")
    .leftJoin("referral_rewards as r", "r.referee_id", "referee.id")
    .select([
      "u.id",
      "u.display_name",
      "u.referral_code",
      sql<string>`count(DISTINCT referee.id)`.as("referees"),
      sql<string>`count(r.id) FILTER (WHERE r.status = 'paid')`.as("paid"),
      sql<string>`count(r.id) FILTER (WHERE r.status = 'clawed_back')`.as("clawed"),
      sql<string>`coalesce(sum(r.reward_kobo) FILTER (WHERE r.status = 'paid'), 0)`.as("earned"),
    ])
    .groupBy(["u.id", "u.display_name", "u.referral_code"])
    .orderBy(sql`count(DISTINCT referee.id)`, "desc")
    .limit(Math.min(args.limit ?? 100, 500))
    .execute();
  return rows.map((r) => ({
    userId: r.id,
    name: r.display_name,
    code: r.referral_code,
    referees: Number(r.referees),
    paid: Number(r.paid),
    clawedBack: Number(r.clawed),
    earnedKobo: Number(r.earned),
  }));
}
