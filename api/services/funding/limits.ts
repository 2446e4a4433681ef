import { sql } from "kysely";
import type { Db, ServiceContext, Trx } from "../context";
import { ServiceError } from "../errors";
import { formatNaira } from "../money";
import { levelLimits } from "../users/levels";

/** Same Lagos calendar day as `now` (limits are per day as the customer lives it). */
function sameLagosDay(column: string, now: Date) {
  return sql<boolean>`(${sql.ref(column)} AT TIME ZONE 'Africa/Lagos')::date = (${now}::timestamptz AT TIME ZONE 'Africa/Lagos')::date`;
}

/**
 * What reached the customer's wallet today from outside (card checkouts and bank transfers), in
 * kobo: the amount the daily funding limit of their verification level is measured against.
 */
export async function fundedTodayKobo(db: Db | Trx, userId: string, now: Date): Promise<number> {
  const row = await db
    .selectNoFrom((eb) => [
      eb
        .selectFrom("funding_intents")
        .select(sql<string>`coalesce(sum(amount_kobo), 0)`.as("s"))
        .where("user_id", "=", userId)
        .where("status", "=", "credited")
        .where(sameLagosDay("credited_at", now))
        .as("cards"),
      eb
        .selectFrom("bank_transfers")
        .select(sql<string>`coalesce(sum(paid_kobo), 0)`.as("s"))
        .where("user_id", "=", userId)
        .where("status", "=", "credited")
        .where(sameLagosDay("credited_at", now))
        .as("transfers"),
    ])
    .executeTakeFirstOrThrow();
  return Number(row.cards ?? 0) + Number(row.transfers ?? 0);
}

/**
 * The daily funding limit of the customer's level, checked before they pay (card checkout, a
 * one-payment account). A transfer to a permanent account arrives unasked: it is checked when it
 * arrives, and held for an admin instead of refused.
 */
/** What a customer over the limit can do: a basic account is raised by a BVN check, the rest by us. */
function nextStepAboveLimit(level: number): string {
  return level === 0
    ? `Fund up to what is left, or verify your BVN to raise the limit (in the chat: "my account number").`
    : "Fund up to what is left, or ask us to review your limit.";
}

export async function assertWithinFundingLimit(
  ctx: ServiceContext,
  user: { id: string; verification_level: number },
  amountKobo: number,
): Promise<void> {
  const limits = levelLimits(ctx.config, user.verification_level);
  const today = await fundedTodayKobo(ctx.db, user.id, ctx.now());
  if (today + amountKobo > limits.fundingDailyKobo) {
    throw new ServiceError(
      "unprocessable",
      "FUNDING_LIMIT",
      `Your daily funding limit is ${formatNaira(limits.fundingDailyKobo)} (a ${limits.name} account); ${formatNaira(Math.max(0, limits.fundingDailyKobo - today))} is left today. ${nextStepAboveLimit(limits.level)}`,
      { limitKobo: limits.fundingDailyKobo, fundedTodayKobo: today },
    );
  }
}
