import type { ServiceContext, Trx } from "../context";
import { withTransaction } from "../context";
import { getWalletAccountId, lockAccounts, postEntry } from "../ledger";
import { formatNaira } from "../money";
import { queueNotification } from "../notifications";

/**
 * Close a room (expired, or closed early by its creator) and give the creator back what no gift
 * needs: the escrow's available balance. Gifts still being vended keep their holds; if one of them
 * fails later, its money follows (releaseFailedGift). The status update is the guard: a room closes
 * once, and a claim racing it either committed first (its hold is excluded) or finds it closed (R8).
 */
export async function closeRoom(
  ctx: ServiceContext,
  roomId: string,
  reason: "expired" | "closed_by_creator" | "closed_by_admin",
): Promise<{ closed: boolean; refundedKobo: number }> {
  return withTransaction(ctx, async (trx) => {
    const now = ctx.now();
    const room = await trx
      .updateTable("gift_rooms")
      .set({ status: "closed", closed_at: now })
      .where("id", "=", roomId)
      .where("status", "<>", "closed")
      .returning(["id", "creator_id", "claimed", "capacity"])
      .executeTakeFirst();
    if (!room) {
      return { closed: false, refundedKobo: 0 };
    }
    const refundedKobo = await refundRoomRemainder(trx, ctx, roomId);
    const why = reason === "expired" ? "has expired" : "is closed";
    await queueNotification(trx, {
      userId: room.creator_id,
      kind: "gift.room_closed",
      body:
        `Your gift room ${why}: ${room.claimed} of ${room.capacity} gifts claimed.` +
        (refundedKobo > 0 ? ` ${formatNaira(refundedKobo)} is back in your wallet.` : ""),
      payload: {
        giftRoomId: room.id,
        reason,
        refundedKobo,
        notice: { reason, claimed: room.claimed, capacity: room.capacity, refundedKobo },
      },
    });
    return { closed: true, refundedKobo };
  });
}

/** Move the escrow's available balance (not what is held for gifts in flight) to the creator. */
export async function refundRoomRemainder(trx: Trx, ctx: ServiceContext, roomId: string): Promise<number> {
  const room = await trx
    .selectFrom("gift_rooms")
    .select(["escrow_account_id", "creator_id"])
    .where("id", "=", roomId)
    .executeTakeFirstOrThrow();
  const wallet = await getWalletAccountId(trx, room.creator_id);
  const escrow = (await lockAccounts(trx, [room.escrow_account_id, wallet])).get(room.escrow_account_id);
  const available = escrow ? escrow.balance - escrow.held : 0;
  if (available <= 0) {
    return 0;
  }
  await postEntry(trx, {
    type: "gift_room_refund",
    description: `Gift room ${roomId}: unclaimed gifts returned`,
    actor: "system:gift_rooms",
    postings: [
      { accountId: room.escrow_account_id, amount: -available },
      { accountId: wallet, amount: available },
    ],
    metadata: { giftRoomId: roomId },
  });
  void ctx;
  return available;
}

/** The expiry job: close every room past its time (each in its own transaction). */
export async function closeExpiredRooms(ctx: ServiceContext, limit = 100): Promise<number> {
  const due = await ctx.db
    .selectFrom("gift_rooms")
    .select("id")
    .where("status", "<>", "closed")
    .where("expires_at", "<=", ctx.now())
    .orderBy("expires_at")
    .limit(limit)
    .execute();
  let closed = 0;
  for (const { id } of due) {
    if ((await closeRoom(ctx, id, "expired")).closed) {
      closed++;
    }
  }
  return closed;
}
