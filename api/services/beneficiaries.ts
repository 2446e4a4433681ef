import { z } from "zod";
import type { BeneficiaryRow } from "../../db/database";
import type { ServiceContext } from "./context";
import { NotFoundError, ValidationError } from "./errors";
import { NETWORKS, type Network } from "./vtu";

/**
 * Saved recipients (DESIGN §9, "beneficiaries"): the phones, meters and smartcards a person buys for
 * again, most recently used first. Saving is the person's choice (DECISIONS.md, "Saved
 * beneficiaries"); buying for a saved one again only moves it to the top.
 */

/** Enough for family and a few meters; more would bury the ones offered as buttons. */
export const MAX_BENEFICIARIES_PER_SERVICE = 20;

export const BENEFICIARY_SERVICES = ["airtime", "data", "electricity", "cable"] as const;
export type BeneficiaryService = (typeof BENEFICIARY_SERVICES)[number];

export const SaveBeneficiaryInput = z.strictObject({
  service: z.enum(BENEFICIARY_SERVICES),
  /** Phone (08031234567), meter number or smartcard: digits only. */
  recipient: z.string().regex(/^\d{6,13}$/, "must be the number, meter or smartcard in digits"),
  /** The network (airtime, data), DisCo (electricity) or TV provider (cable). */
  provider: z.string().min(1).max(40).optional(),
  meterType: z.enum(["prepaid", "postpaid"]).optional(),
  label: z.string().trim().min(1).max(60).optional(),
});
export type SaveBeneficiaryInput = z.input<typeof SaveBeneficiaryInput>;

export type BeneficiaryDto = {
  id: number;
  service: BeneficiaryService;
  recipient: string;
  provider: string | null;
  meterType: "prepaid" | "postpaid" | null;
  label: string;
  lastUsedAt: string;
};

function toDto(row: BeneficiaryRow): BeneficiaryDto {
  return {
    id: row.id,
    service: row.service,
    recipient: row.recipient,
    provider: row.provider,
    meterType: row.meter_type,
    label: row.label,
    lastUsedAt: row.last_used_at.toISOString(),
  };
}

/** Save (or refresh) a recipient; saving one already saved updates it and moves it to the top. */
export async function saveBeneficiary(args: {
  ctx: ServiceContext;
  userId: string;
  input: SaveBeneficiaryInput;
}): Promise<BeneficiaryDto> {
  const input = SaveBeneficiaryInput.parse(args.input);
  const { ctx, userId } = args;
  const count = await ctx.db
    .selectFrom("beneficiaries")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("user_id", "=", userId)
    .where("service", "=", input.service)
    .where("recipient", "<>", input.recipient)
    .executeTakeFirstOrThrow();
  if (Number(count.n) >= MAX_BENEFICIARIES_PER_SERVICE) {
    throw new ValidationError(
      `You already have ${MAX_BENEFICIARIES_PER_SERVICE} saved for ${input.service}; that is the most we keep.`,
      { field: "recipient" },
      "TOO_MANY_BENEFICIARIES",
    );
  }
  const now = ctx.now();
  const values = {
    provider: input.provider ?? null,
    meter_type: input.meterType ?? null,
    label: input.label ?? input.recipient,
    last_used_at: now,
  };
  const row = await ctx.db
    .insertInto("beneficiaries")
    .values({
      user_id: userId,
      service: input.service,
      recipient: input.recipient,
      created_at: now,
      ...values,
    })
    .onConflict((oc) => oc.columns(["user_id", "service", "recipient"]).doUpdateSet(values))
    .returningAll()
    .executeTakeFirstOrThrow();
  return toDto(row);
}

/** The person's saved recipients for one service, most recently used first. */
export async function listBeneficiaries(args: {
  ctx: ServiceContext;
  userId: string;
  service: BeneficiaryService;
  limit?: number;
}): Promise<BeneficiaryDto[]> {
  const limit = Math.min(Math.max(args.limit ?? 5, 1), MAX_BENEFICIARIES_PER_SERVICE);
  const rows = await args.ctx.db
    .selectFrom("beneficiaries")
    .selectAll()
    .where("user_id", "=", args.userId)
    .where("service", "=", args.service)
    .orderBy("last_used_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
  return rows.map(toDto);
}

/** One saved recipient, the owner's only (S6: another person's id is not found). */
export async function getBeneficiary(args: {
  ctx: ServiceContext;
  userId: string;
  id: number;
}): Promise<BeneficiaryDto> {
  const row = await args.ctx.db
    .selectFrom("beneficiaries")
    .selectAll()
    .where("id", "=", args.id)
    .where("user_id", "=", args.userId)
    .executeTakeFirst();
  if (!row) {
    throw new NotFoundError("That saved number", "BENEFICIARY_NOT_FOUND");
  }
  return toDto(row);
}

/**
 * A purchase for this recipient happened: move it to the top if it is saved. Returns whether it is
 * saved, so the chat offers to save only new ones.
 */
export async function touchBeneficiary(args: {
  ctx: ServiceContext;
  userId: string;
  service: BeneficiaryService;
  recipient: string;
}): Promise<boolean> {
  const result = await args.ctx.db
    .updateTable("beneficiaries")
    .set({ last_used_at: args.ctx.now() })
    .where("user_id", "=", args.userId)
    .where("service", "=", args.service)
    .where("recipient", "=", args.recipient)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * The network a phone number is known to be on for this person: saved with it (the network was
 * confirmed when it was saved), or the network of an order delivered to it (the network accepted
 * it). The most recent wins (a number can be ported). Airtime and data count alike: one SIM.
 * Undefined when neither exists, and the flow asks (a prefix is only a guess, DESIGN §6).
 */
export async function knownNetwork(args: {
  ctx: ServiceContext;
  userId: string;
  phone: string;
}): Promise<Network | undefined> {
  const { ctx, userId, phone } = args;
  const row = await ctx.db
    .selectFrom((eb) =>
      eb
        .selectFrom("beneficiaries")
        .select(["provider as network", "last_used_at as at"])
        .where("user_id", "=", userId)
        .where("recipient", "=", phone)
        .where("service", "in", ["airtime", "data"])
        .unionAll(
          eb
            .selectFrom("vtu_orders")
            .select((o) => ["network", o.fn.coalesce("delivered_at", "updated_at").as("at")])
            .where("user_id", "=", userId)
            .where("recipient", "=", phone)
            .where("service", "in", ["airtime", "data"])
            .where("state", "=", "delivered"),
        )
        .as("known"),
    )
    .select("network")
    .where("network", "is not", null)
    .orderBy("at", "desc")
    .limit(1)
    .executeTakeFirst();
  return NETWORKS.find((n) => n === row?.network);
}
