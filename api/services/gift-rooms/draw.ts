import { createHmac, randomBytes } from "node:crypto";
import { z } from "zod";
import { type ServiceContext, withTransaction } from "../context";
import { isUniqueViolation } from "../db-errors";
import { ConflictError, parseInput, ServiceError } from "../errors";
import { formatNaira } from "../money";
import { queueNotification } from "../notifications";
import { maskPhone, normalizePhone } from "../phone";
import { takeGiftClaimSlots } from "../rate-limits";
import type { VtuRuntime } from "../vtu";
import { NETWORKS } from "../vtu/provider";
import { type Claimant, grantGift, planPayment } from "./claim";
import { type GiftDelivery, giftDelivery } from "./claim-page";
import { refundRoomRemainder } from "./close-room";
import { findRoomByToken, type GiftRoomRow, roomState } from "./get-room";

export const JoinDrawInput = z.strictObject({
  token: z.string().min(1).max(100),
  phone: z.string().min(1).max(30),
  network: z.enum(NETWORKS).optional(),
});
export type JoinDrawInput = z.input<typeof JoinDrawInput>;

/**
 * Join a random-draw room before its draw time. What the gift needs is checked now (the network of
 * an airtime number, an account for cash), so a winner can always be paid at the draw.
 */
export async function joinDraw(args: {
  ctx: ServiceContext;
  vtu: VtuRuntime;
  input: JoinDrawInput;
  claimant: Claimant;
}): Promise<{ joined: true; drawAt: string; participants: number }> {
  const { ctx, claimant } = args;
  const input = parseInput(JoinDrawInput, args.input, "body");
  const room = await findRoomByToken(ctx, input.token);
  if (room.mode !== "random_draw") {
    throw new ConflictError("This room is not a draw: claim your gift directly.", "NOT_A_DRAW");
  }
  const now = ctx.now();
  if (room.status !== "open" || !room.draw_at || room.draw_at <= now || room.expires_at <= now) {
    throw new ServiceError("conflict", "DRAW_CLOSED", "This draw is no longer taking entries.");
  }
  const phone = normalizePhone(input.phone);
  await takeGiftClaimSlots(ctx, { ip: claimant.ip, deviceHash: claimant.deviceHash });
  // Fails now, with the reason, if this number could not be paid (wrong network for the plan, no account for cash).
  await planPayment(ctx, args.vtu, room, phone, input.network);
  try {
    await ctx.db
      .insertInto("gift_draw_entries")
      .values({
        room_id: room.id,
        recipient_msisdn: phone,
        network: input.network ?? null,
        device_hash: claimant.deviceHash,
        user_id: claimant.userId ?? null,
      })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ConflictError("You are already in this draw. Good luck!", "ALREADY_JOINED");
    }
    throw error;
  }
  const count = await ctx.db
    .selectFrom("gift_draw_entries")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("room_id", "=", room.id)
    .executeTakeFirstOrThrow();
  return { joined: true, drawAt: room.draw_at.toISOString(), participants: Number(count.n) };
}

/**
 * The draw's order of entries: each entry's score is HMAC-SHA256(seed, entry id), ascending. Anyone
 * with the recorded seed and participants can recompute it; nobody can predict it before the seed
 * exists (32 bytes from the CSPRNG, drawn at draw time).
 */
export function drawOrder(seedHex: string, entryIds: number[]): number[] {
  const score = (id: number) =>
    createHmac("sha256", Buffer.from(seedHex, "hex")).update(String(id)).digest("hex");
  return [...entryIds].sort((a, b) => (score(a) < score(b) ? -1 : score(a) > score(b) ? 1 : a - b));
}

/**
 * Draw one room whose time has come: mark it drawing (once), order the entries by the seeded
 * scores, pay the first `capacity` winners that can still be paid from escrow, tell the creator,
 * record the draw, and close the room (the unused escrow goes back to the creator).
 */
export async function runDraw(args: { ctx: ServiceContext; vtu: VtuRuntime; roomId: string }): Promise<{
  drawn: boolean;
  winners: number;
  participants: number;
}> {
  const { ctx, vtu } = args;
  const now = ctx.now();
  const room = await ctx.db
    .updateTable("gift_rooms")
    .set({ status: "drawing" })
    .where("id", "=", args.roomId)
    .where("mode", "=", "random_draw")
    .where("status", "=", "open")
    .where("draw_at", "<=", now)
    .returningAll()
    .executeTakeFirst();
  if (!room) {
    return { drawn: false, winners: 0, participants: 0 };
  }
  const entries = await ctx.db
    .selectFrom("gift_draw_entries")
    .selectAll()
    .where("room_id", "=", room.id)
    .orderBy("id")
    .execute();
  const seedHex = randomBytes(32).toString("hex");
  const order = drawOrder(
    seedHex,
    entries.map((e) => e.id),
  );
  const byId = new Map(entries.map((e) => [e.id, e]));
  const winners: number[] = [];
  const orders: string[] = [];
  for (const id of order) {
    const entry = byId.get(id);
    if (!entry || winners.length >= room.capacity) {
      break;
    }
    const paid = await payWinner(ctx, vtu, room, entry);
    if (paid) {
      winners.push(id);
      if (paid.orderId) {
        orders.push(paid.orderId);
      }
    }
  }
  await withTransaction(ctx, async (trx) => {
    await trx
      .updateTable("gift_draw_entries")
      .set({ outcome: "lost" })
      .where("room_id", "=", room.id)
      .where("outcome", "=", "waiting")
      .execute();
    await trx
      .insertInto("gift_draws")
      .values({
        room_id: room.id,
        seed_hex: seedHex,
        participants: JSON.stringify(
          entries.map((e) => ({ entryId: e.id, phone: maskPhone(e.recipient_msisdn) })),
        ),
        winners: JSON.stringify(winners),
        drawn_at: now,
      })
      .execute();
    await trx
      .updateTable("gift_rooms")
      .set({ status: "closed", closed_at: ctx.now() })
      .where("id", "=", room.id)
      .execute();
    const refunded = await refundRoomRemainder(trx, ctx, room.id);
    await queueNotification(trx, {
      userId: room.creator_id,
      kind: "gift.drawn",
      body:
        `Your gift draw is done: ${winners.length} winner(s) from ${entries.length} participant(s).` +
        (refunded > 0 ? ` ${formatNaira(refunded)} for the unused gifts is back in your wallet.` : ""),
      payload: {
        giftRoomId: room.id,
        winners: winners.length,
        participants: entries.length,
        notice: { winners: winners.length, participants: entries.length, refundedKobo: refunded },
      },
    });
  });
  for (const orderId of orders) {
    await vtu
      .dispatch({ name: "submit-order", orderId })
      .catch((err) => ctx.logger.warn({ err, orderId }, "could not enqueue submit-order; the sweeper will"));
  }
  return { drawn: true, winners: winners.length, participants: entries.length };
}

async function payWinner(
  ctx: ServiceContext,
  vtu: VtuRuntime,
  room: GiftRoomRow,
  entry: {
    id: number;
    recipient_msisdn: string;
    network: string | null;
    device_hash: string;
    user_id: string | null;
  },
): Promise<{ orderId: string | null } | undefined> {
  try {
    const network = entry.network ? (entry.network as (typeof NETWORKS)[number]) : undefined;
    const payment = await planPayment(
      ctx,
      vtu,
      { ...room, status: "drawing" },
      entry.recipient_msisdn,
      network,
    );
    return await withTransaction(ctx, async (trx) => {
      const granted = await grantGift(
        trx,
        ctx,
        { ...room, status: "drawing" },
        entry.recipient_msisdn,
        { deviceHash: entry.device_hash, ip: "draw", userId: entry.user_id ?? undefined },
        payment,
      );
      await trx
        .updateTable("gift_draw_entries")
        .set({ outcome: "won", claim_id: granted.claimId })
        .where("id", "=", entry.id)
        .execute();
      return { orderId: granted.orderId };
    });
  } catch (error) {
    // This winner cannot be paid any more (a plan withdrawn, the account gone): the next one is.
    ctx.logger.warn({ err: error, roomId: room.id, entryId: entry.id }, "draw winner could not be paid");
    await ctx.db
      .updateTable("gift_draw_entries")
      .set({ outcome: "undeliverable" })
      .where("id", "=", entry.id)
      .execute();
    return undefined;
  }
}

/** The draw job: every random-draw room whose time has come. */
export async function drawDueRooms(ctx: ServiceContext, vtu: VtuRuntime): Promise<number> {
  const due = await ctx.db
    .selectFrom("gift_rooms")
    .select("id")
    .where("mode", "=", "random_draw")
    .where("status", "=", "open")
    .where("draw_at", "<=", ctx.now())
    .limit(50)
    .execute();
  let drawn = 0;
  for (const { id } of due) {
    if ((await runDraw({ ctx, vtu, roomId: id })).drawn) {
      drawn++;
    }
  }
  return drawn;
}

/**
 * Where a person stands in a draw (the page asks by number). A winner is told what really became of
 * the gift (on its way, delivered, failed and refunded), never just "sent"; `followable` says whether
 * this device may open the claim's status link (the device that joined, as for claims).
 */
export async function drawStatus(
  ctx: ServiceContext,
  args: { token: string; phone: string; deviceHash: string },
): Promise<{
  joined: boolean;
  /** "waiting" in a room that closed or expired: it was closed before its draw, nobody was picked. */
  outcome: "waiting" | "won" | "lost" | "undeliverable" | "cancelled" | null;
  drawAt: string | null;
  delivery: GiftDelivery | null;
  followable: boolean;
}> {
  const room = await findRoomByToken(ctx, args.token);
  const entry = await ctx.db
    .selectFrom("gift_draw_entries")
    .select(["outcome", "claim_id"])
    .where("room_id", "=", room.id)
    .where("recipient_msisdn", "=", normalizePhone(args.phone))
    .executeTakeFirst();
  const claim =
    entry?.outcome === "won" && entry.claim_id !== null
      ? await ctx.db
          .selectFrom("gift_claims")
          .select(["order_id", "recipient_msisdn", "device_hash"])
          .where("id", "=", entry.claim_id)
          .executeTakeFirst()
      : undefined;
  return {
    joined: entry !== undefined,
    outcome:
      entry?.outcome === "waiting" && ["closed", "expired"].includes(roomState(room, ctx.now()))
        ? "cancelled"
        : (entry?.outcome ?? null),
    drawAt: room.draw_at?.toISOString() ?? null,
    delivery: claim ? await giftDelivery(ctx, room, claim) : null,
    followable: claim !== undefined && claim.device_hash === args.deviceHash,
  };
}
