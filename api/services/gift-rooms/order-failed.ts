import type { VtuOrderRow } from "../../../db/database";
import type { ServiceContext, Trx } from "../context";
import { formatNaira } from "../money";
import { queueNotification } from "../notifications";
import { maskPhone } from "../phone";
import { refundRoomRemainder } from "./close-room";

/**
 * A gift's VTU order failed for good (its hold on the room's escrow is already released): the claim
 * no longer counts, so its slot opens again and the same number may try again. If the room has
 * closed meanwhile, the freed money goes straight back to the creator.
 */
export async function releaseFailedGift(trx: Trx, ctx: ServiceContext, order: VtuOrderRow): Promise<void> {
  const claim = await trx
    .updateTable("gift_claims")
    .set({ state: "failed", updated_at: ctx.now() })
    .where("order_id", "=", order.id)
    .where("state", "=", "ordered")
    .returning("room_id")
    .executeTakeFirst();
  if (!claim) {
    return;
  }
  const room = await trx
    .updateTable("gift_rooms")
    .set((eb) => ({ claimed: eb("claimed", "-", 1) }))
    .where("id", "=", claim.room_id)
    .returning(["id", "status", "creator_id"])
    .executeTakeFirstOrThrow();
  await queueNotification(trx, {
    userId: room.creator_id,
    kind: "gift.failed",
    body: `The gift to ${maskPhone(order.recipient)} did not go through; its ${formatNaira(order.price_kobo)} stays in your gift room.`,
    payload: {
      giftRoomId: room.id,
      orderId: order.id,
      notice: { recipient: maskPhone(order.recipient), priceKobo: order.price_kobo },
    },
  });
  if (room.status === "closed") {
    await refundRoomRemainder(trx, ctx, room.id);
  }
}
