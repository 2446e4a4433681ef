import { z } from "zod";
import { getProductOffers } from "../catalogue/offers";
import type { ServiceContext } from "../context";
import { parseInput, ServiceError } from "../errors";
import { rememberVerifiedCard } from "../renewals/cards";
import { dueDateOf } from "./due-date";
import { CABLE_PROVIDERS, DISCOS, METER_TYPES } from "./provider";
import type { VtuRuntime } from "./runtime";

export const VerifyAccountInput = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("smartcard"),
    provider: z.enum(CABLE_PROVIDERS),
    number: z.string().regex(/^\d{8,12}$/, "must be the 8–12 digit smartcard/IUC number"),
  }),
  z.strictObject({
    kind: z.literal("meter"),
    disco: z.enum(DISCOS),
    meterType: z.enum(METER_TYPES),
    number: z.string().regex(/^\d{6,13}$/, "must be the 6–13 digit meter number"),
  }),
]);

export type VerifiedAccount = {
  kind: "smartcard" | "meter";
  number: string;
  customerName: string;
  currentBouquet: string | null;
  renewalAmountKobo: number | null;
  /** Cable: the day the subscription ends ("YYYY-MM-DD", Lagos), when the provider says; else null. */
  dueDate: string | null;
  address: string | null;
};

/**
 * Look a smartcard or meter up at the provider before anyone pays (DESIGN §6): the customer sees the
 * name on the account and confirms it. Asks the first provider that sells the service.
 */
export async function verifyAccount(args: {
  ctx: ServiceContext;
  vtu: VtuRuntime;
  input: z.input<typeof VerifyAccountInput>;
  /** The customer it is verified for: a smartcard is then remembered for renewal reminders (§66). */
  userId?: string;
}): Promise<VerifiedAccount> {
  const input = parseInput(VerifyAccountInput, args.input, "body");
  const offers =
    input.kind === "smartcard"
      ? await cableOffers(args.ctx, input.provider)
      : (await getProductOffers(args.ctx.db, `electricity:${input.disco}`)).offers;
  const offer = offers[0];
  const provider = offer ? args.vtu.providers.get(offer.provider) : undefined;
  if (!offer || !provider) {
    throw new ServiceError(
      "unavailable",
      "VERIFY_UNAVAILABLE",
      "Verification is not available right now. Try again in a few minutes.",
    );
  }
  const result =
    input.kind === "smartcard"
      ? await provider.verifySmartcard({
          cable: input.provider,
          providerPlanId: offer.providerProductId,
          smartcard: input.number,
        })
      : await provider.verifyMeter({
          providerDiscoId: offer.providerProductId,
          meterNumber: input.number,
          meterType: input.meterType,
        });
  if (!result.ok) {
    if (result.reason === "invalid") {
      throw new ServiceError(
        "unprocessable",
        input.kind === "smartcard" ? "INVALID_SMARTCARD" : "INVALID_METER",
        `${input.kind === "smartcard" ? "That smartcard" : "That meter"} number (${input.number}) was not found. Check the number and try again.`,
        { providerMessage: result.message },
      );
    }
    throw new ServiceError(
      "unavailable",
      "VERIFY_UNAVAILABLE",
      "We could not reach the biller to verify this number. Try again in a minute.",
    );
  }
  const dueDate = (input.kind === "smartcard" && dueDateOf(result.dueDate)) || null;
  if (input.kind === "smartcard" && args.userId) {
    // Best effort: a failure to remember the card never fails the verification the customer asked for.
    await rememberVerifiedCard(args.ctx, {
      userId: args.userId,
      provider: input.provider,
      smartcard: input.number,
      customerName: result.customerName,
      bouquet: result.currentBouquet ?? null,
      renewalAmountKobo: result.renewalAmountKobo ?? null,
      dueDate,
    }).catch((err) => args.ctx.logger.warn({ err }, "could not remember the verified smartcard"));
  }
  return {
    kind: input.kind,
    number: input.number,
    customerName: result.customerName,
    currentBouquet: result.currentBouquet ?? null,
    renewalAmountKobo: result.renewalAmountKobo ?? null,
    dueDate,
    address: result.address ?? null,
  };
}

/** Offers of any bouquet of this cable provider (verification is per provider, not per bouquet). */
async function cableOffers(ctx: ServiceContext, cable: string) {
  const product = await ctx.db
    .selectFrom("catalogue_products")
    .select("id")
    .where("service", "=", "cable")
    .where("biller", "=", cable)
    .where("enabled", "=", true)
    .orderBy("id")
    .executeTakeFirst();
  return product ? (await getProductOffers(ctx.db, product.id)).offers : [];
}
