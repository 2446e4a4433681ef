import { z } from "zod";
import type { FundingIntentRow } from "../../../db/database";
import type { ServiceContext } from "../context";
import { NotFoundError, ServiceError, ValidationError } from "../errors";
import { newId } from "../ids";
import { formatNaira } from "../money";
import { takeMoneyActionSlot } from "../rate-limits";
import { fundingFee } from "./fees";
import { assertWithinFundingLimit } from "./limits";
import type { PaymentsRuntime } from "./runtime";

export const FundInput = z.strictObject({
  amountKobo: z.number().int("must be a whole number of kobo").positive().max(Number.MAX_SAFE_INTEGER),
});

export type FundingIntentDto = {
  id: string;
  txRef: string;
  status: "pending" | "credited" | "failed" | "manual_review";
  /** What reaches the wallet. */
  amountKobo: number;
  feeKobo: number;
  /** What the payer is charged at checkout. */
  totalKobo: number;
  checkoutUrl: string | null;
  /** Pending past its expiry: the link is closed, but a payment made anyway is still credited. */
  expired: boolean;
  expiresAt: string;
  createdAt: string;
  creditedAt: string | null;
};

export function toIntentDto(row: FundingIntentRow, now: Date): FundingIntentDto {
  return {
    id: row.id,
    txRef: row.tx_ref,
    status: row.status,
    amountKobo: row.amount_kobo,
    feeKobo: row.fee_kobo,
    totalKobo: row.total_kobo,
    checkoutUrl: row.checkout_link,
    expired: row.status === "pending" && row.expires_at <= now,
    expiresAt: row.expires_at.toISOString(),
    createdAt: row.created_at.toISOString(),
    creditedAt: row.credited_at?.toISOString() ?? null,
  };
}

/**
 * Start funding the wallet: an intent with our tx_ref (committed first, so a payment can always be
 * matched to it), then a checkout at the gateway. Creating an intent moves no money; only a verified
 * payment does (confirmPayment).
 */
export async function createFundingIntent(args: {
  ctx: ServiceContext;
  payments: PaymentsRuntime;
  userId: string;
  channel: string;
  input: z.input<typeof FundInput>;
}): Promise<FundingIntentDto> {
  const { ctx, payments, userId } = args;
  const { amountKobo } = FundInput.parse(args.input);
  const { FUNDING_MIN_KOBO: min, FUNDING_MAX_KOBO: max } = ctx.config;
  if (amountKobo < min || amountKobo > max) {
    throw new ValidationError(
      `You can add between ${formatNaira(min)} and ${formatNaira(max)} at a time (amountKobo ${min}–${max}).`,
      { field: "amountKobo", minKobo: min, maxKobo: max },
      "AMOUNT_OUT_OF_RANGE",
    );
  }
  const user = await ctx.db
    .selectFrom("users")
    .select(["id", "status", "email", "phone", "display_name", "verification_level"])
    .where("id", "=", userId)
    .executeTakeFirst();
  if (user?.status !== "active") {
    throw new ServiceError("forbidden", "ACCOUNT_SUSPENDED", "This account is suspended. Contact support.");
  }
  await assertWithinFundingLimit(ctx, user, amountKobo);
  await takeMoneyActionSlot(ctx, userId);
  const now = ctx.now();
  const fee = fundingFee(ctx.config, amountKobo);
  const id = newId("fnd", now.getTime());
  const txRef = `TADA-${id.slice(4).toUpperCase()}`;
  await ctx.db
    .insertInto("funding_intents")
    .values({
      id,
      user_id: userId,
      tx_ref: txRef,
      gateway: payments.gateway.code,
      amount_kobo: amountKobo,
      fee_kobo: fee,
      total_kobo: amountKobo + fee,
      channel: args.channel,
      expires_at: new Date(now.getTime() + ctx.config.FUNDING_INTENT_TTL_MINUTES * 60_000),
      created_at: now,
      updated_at: now,
    })
    .execute();
  let link: string;
  try {
    ({ link } = await payments.gateway.createCheckout({
      txRef,
      amountKobo: amountKobo + fee,
      redirectUrl: `${ctx.config.publicBaseUrl}/fund/callback`,
      // Flutterwave requires an email; customers who never gave one get a stable placeholder.
      customer: {
        email: user.email ?? `${user.id}@customers.tada-vtu.ng`,
        name: user.display_name ?? undefined,
        phone: user.phone ?? undefined,
      },
      title: "TADA VTU wallet",
      description: `Add ${formatNaira(amountKobo)} to your TADA wallet`,
    }));
  } catch (error) {
    await ctx.db
      .updateTable("funding_intents")
      .set({ status: "failed", failure_reason: "checkout could not be created", updated_at: ctx.now() })
      .where("id", "=", id)
      .execute();
    ctx.logger.warn({ err: error, txRef }, "checkout creation failed");
    throw new ServiceError(
      "unavailable",
      "CHECKOUT_UNAVAILABLE",
      "We could not open the payment page just now. Nothing was charged; try again in a minute.",
    );
  }
  const row = await ctx.db
    .updateTable("funding_intents")
    .set({ checkout_link: link, updated_at: ctx.now() })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toIntentDto(row, ctx.now());
}

/** One of the user's funding intents by id or tx_ref (another user's is a 404). */
export async function getFundingIntent(args: {
  ctx: ServiceContext;
  userId: string;
  ref: string;
}): Promise<FundingIntentDto> {
  const row = await args.ctx.db
    .selectFrom("funding_intents")
    .selectAll()
    .where("user_id", "=", args.userId)
    .where((eb) => eb.or([eb("id", "=", args.ref), eb("tx_ref", "=", args.ref)]))
    .executeTakeFirst();
  if (!row) {
    throw new NotFoundError("That funding request", "FUNDING_NOT_FOUND");
  }
  return toIntentDto(row, args.ctx.now());
}

/** For the public pages: an intent by tx_ref (the tx_ref is unguessable; pages show no personal data). */
export async function findIntentByTxRef(
  ctx: ServiceContext,
  txRef: string,
): Promise<FundingIntentRow | undefined> {
  return ctx.db.selectFrom("funding_intents").selectAll().where("tx_ref", "=", txRef).executeTakeFirst();
}
