import { randomBytes } from "node:crypto";
import { z } from "zod";
import { type ServiceContext, withTransaction } from "../context";
import { parseInput, RateLimitedError, ValidationError } from "../errors";
import { newId } from "../ids";
import { getWalletAccountId, postEntry, runIdempotent } from "../ledger";
import { formatNaira } from "../money";
import { verifyPin } from "../pins";
import { takeMoneyActionSlot } from "../rate-limits";
import { priceProduct } from "../vtu";
import { type GiftRoomDto, getRoomForCreator } from "./get-room";

export const CreateGiftRoomInput = z.strictObject({
  kind: z.enum(["airtime", "data", "cash"]),
  /** airtime: face value per gift; cash: amount per gift. */
  amountKobo: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  /** data: the plan every recipient gets (GET /api/vtu/plans/:network). */
  planId: z.string().min(1).max(100).optional(),
  capacity: z.number().int().positive(),
  mode: z.enum(["first_come", "random_draw", "quiz"]).default("first_come"),
  /** random_draw: when winners are drawn (ISO time, before the room expires). */
  drawAt: z.iso.datetime({ offset: true }).optional(),
  quiz: z
    .strictObject({
      question: z.string().trim().min(3).max(300),
      answers: z.array(z.string().trim().min(1).max(100)).min(1).max(10),
    })
    .optional(),
  message: z.string().trim().max(280).default(""),
  /** How long the room stays open (default 24 h, at most GIFT_ROOM_MAX_HOURS). */
  expiresInHours: z.number().positive().optional(),
  pin: z.string().min(1, "Send your transaction PIN as `pin`.").max(12),
});
export type CreateGiftRoomInput = z.input<typeof CreateGiftRoomInput>;

/** ≥128 random bits, URL-safe: the link is the only key to the room (S12). */
export function newRoomToken(): string {
  return randomBytes(24).toString("base64url");
}

/**
 * Open a gift room: the creator's wallet pays capacity × gift price into the room's own escrow
 * account in one ledger entry (idempotent on the key), and the room gets its unguessable token.
 */
export async function createGiftRoom(args: {
  ctx: ServiceContext;
  userId: string;
  idempotencyKey: string;
  input: CreateGiftRoomInput;
}): Promise<{ room: GiftRoomDto; replayed: boolean }> {
  const { ctx, userId } = args;
  const input = parseInput(CreateGiftRoomInput, args.input, "body");
  const now = ctx.now();
  const plan = await planRoom(ctx, input, now);

  const { pin: _pin, ...fingerprint } = input;
  const existing = await ctx.db
    .selectFrom("idempotency_keys")
    .select("response")
    .where("scope", "=", `user:${userId}`)
    .where("key", "=", args.idempotencyKey)
    .executeTakeFirst();
  if (!existing) {
    await takeMoneyActionSlot(ctx, userId);
    await assertRoomsPerHour(ctx, userId, now);
    await verifyPin({ ctx, userId, pin: input.pin });
  }

  const { result, replayed } = await withTransaction(ctx, (trx) =>
    runIdempotent(
      trx,
      {
        scope: `user:${userId}`,
        key: args.idempotencyKey,
        operation: "gift_room.create",
        params: fingerprint,
      },
      async (keyId) => {
        const roomId = newId("gft", now.getTime());
        const escrow = await trx
          .insertInto("accounts")
          .values({ code: `gift_room:${roomId}`, kind: "system" })
          .returning("id")
          .executeTakeFirstOrThrow();
        const total = plan.giftPriceKobo * input.capacity;
        const entryId = await postEntry(trx, {
          type: "gift_room_fund",
          description: `Gift room ${roomId}: ${input.capacity} × ${formatNaira(plan.giftPriceKobo)}`,
          actor: `user:${userId}`,
          idempotencyKeyId: keyId,
          postings: [
            { accountId: await getWalletAccountId(trx, userId), amount: -total },
            { accountId: escrow.id, amount: total },
          ],
          metadata: { giftRoomId: roomId },
        });
        await trx
          .insertInto("gift_rooms")
          .values({
            id: roomId,
            creator_id: userId,
            token: newRoomToken(),
            kind: input.kind,
            amount_kobo: plan.amountKobo,
            plan_id: plan.planId,
            network: plan.network,
            gift_price_kobo: plan.giftPriceKobo,
            capacity: input.capacity,
            mode: input.mode,
            quiz_question: input.quiz?.question ?? null,
            quiz_answers: input.quiz ? JSON.stringify(input.quiz.answers) : null,
            draw_at: plan.drawAt,
            message: input.message,
            expires_at: plan.expiresAt,
            escrow_account_id: escrow.id,
            funding_entry_id: entryId,
            created_at: now,
          })
          .execute();
        return { roomId };
      },
    ),
  );
  return { room: await getRoomForCreator({ ctx, userId, roomId: result.roomId }), replayed };
}

type RoomPlan = {
  amountKobo: number;
  planId: string | null;
  network: string | null;
  giftPriceKobo: number;
  expiresAt: Date;
  drawAt: Date | null;
};

async function planRoom(
  ctx: ServiceContext,
  input: z.output<typeof CreateGiftRoomInput>,
  now: Date,
): Promise<RoomPlan> {
  const { config } = ctx;
  if (input.capacity > config.GIFT_ROOM_MAX_CAPACITY) {
    throw new ValidationError(`capacity: at most ${config.GIFT_ROOM_MAX_CAPACITY} gifts per room.`, {
      field: "capacity",
    });
  }
  const hours = input.expiresInHours ?? 24;
  if (hours > config.GIFT_ROOM_MAX_HOURS) {
    throw new ValidationError(
      `expiresInHours: a room can stay open at most ${config.GIFT_ROOM_MAX_HOURS} hours.`,
      {
        field: "expiresInHours",
      },
    );
  }
  const expiresAt = new Date(now.getTime() + hours * 3_600_000);
  let drawAt: Date | null = null;
  if (input.mode === "random_draw") {
    drawAt = input.drawAt ? new Date(input.drawAt) : null;
    if (!drawAt || drawAt <= now || drawAt >= expiresAt) {
      throw new ValidationError("drawAt: a draw needs a time after now and before the room expires.", {
        field: "drawAt",
      });
    }
  } else if (input.drawAt) {
    throw new ValidationError("drawAt is only for mode random_draw.", { field: "drawAt" });
  }
  if ((input.mode === "quiz") !== (input.quiz !== undefined)) {
    throw new ValidationError("quiz: send a question and its accepted answers exactly when mode is quiz.", {
      field: "quiz",
    });
  }
  switch (input.kind) {
    case "airtime": {
      const amount = requireAmount(input.amountKobo);
      if (amount < config.VTU_AIRTIME_MIN_KOBO || amount > config.VTU_AIRTIME_MAX_KOBO) {
        throw new ValidationError(
          `amountKobo: airtime gifts are between ${formatNaira(config.VTU_AIRTIME_MIN_KOBO)} and ${formatNaira(config.VTU_AIRTIME_MAX_KOBO)}.`,
          { field: "amountKobo" },
        );
      }
      if (amount % 100 !== 0) {
        // Every airtime provider we use takes whole naira (see assertWholeNairaWhereNeeded): a gift
        // of ₦50.50 could never be vended, so say so now rather than at every claim.
        throw new ValidationError(
          `amountKobo: airtime is sold in whole naira; ${formatNaira(amount)} has kobo in it.`,
          { field: "amountKobo" },
          "AMOUNT_NOT_WHOLE_NAIRA",
        );
      }
      // Recipients are on any network: escrow the face value, the unspent discount comes back at close.
      return { amountKobo: amount, planId: null, network: null, giftPriceKobo: amount, expiresAt, drawAt };
    }
    case "data": {
      if (!input.planId || input.amountKobo !== undefined) {
        throw new ValidationError("planId: a data gift names one plan (and no amountKobo).", {
          field: "planId",
        });
      }
      const { product, priced } = await priceProduct(ctx, input.planId, "data");
      return {
        amountKobo: priced.faceAmountKobo,
        planId: product.id,
        network: product.network,
        giftPriceKobo: priced.priceKobo,
        expiresAt,
        drawAt,
      };
    }
    case "cash": {
      const amount = requireAmount(input.amountKobo);
      if (amount < config.GIFT_CASH_MIN_KOBO) {
        // A gift of a few kobo is not a gift ("₦0.01 wallet cash" on the claim page), and each claim
        // still costs a ledger entry and a notification (DECISIONS §80).
        throw new ValidationError(
          `amountKobo: a cash gift is at least ${formatNaira(config.GIFT_CASH_MIN_KOBO)} each (amountKobo ${config.GIFT_CASH_MIN_KOBO}); ${formatNaira(amount)} is less.`,
          { field: "amountKobo", minKobo: config.GIFT_CASH_MIN_KOBO },
          "AMOUNT_OUT_OF_RANGE",
        );
      }
      if (amount % 100 !== 0) {
        // Whole naira, as airtime gifts are: the claim page and the chat show plain naira amounts.
        throw new ValidationError(
          `amountKobo: cash gifts are in whole naira; ${formatNaira(amount)} has kobo in it.`,
          { field: "amountKobo" },
          "AMOUNT_NOT_WHOLE_NAIRA",
        );
      }
      return { amountKobo: amount, planId: null, network: null, giftPriceKobo: amount, expiresAt, drawAt };
    }
  }
}

function requireAmount(amount: number | undefined): number {
  if (amount === undefined) {
    throw new ValidationError("amountKobo: say how much each gift is worth, in kobo.", {
      field: "amountKobo",
    });
  }
  return amount;
}

async function assertRoomsPerHour(ctx: ServiceContext, userId: string, now: Date): Promise<void> {
  const row = await ctx.db
    .selectFrom("gift_rooms")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("creator_id", "=", userId)
    .where("created_at", ">", new Date(now.getTime() - 3_600_000))
    .executeTakeFirstOrThrow();
  if (Number(row.n) >= ctx.config.GIFT_ROOMS_PER_HOUR) {
    throw new RateLimitedError(600);
  }
}
