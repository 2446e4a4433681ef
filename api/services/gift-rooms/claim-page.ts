import type { ServiceContext } from "../context";
import { NotFoundError } from "../errors";
import { formatNaira } from "../money";
import { maskPhone } from "../phone";
import { getOrder } from "../vtu";
import { FINAL_STATES } from "../vtu/order-dto";
import { findRoomByToken, type GiftRoomRow, type PublicGiftRoomDto, roomState } from "./get-room";

/** "₦500 airtime", "MTN 1GB … data", "₦1,000 wallet cash": what the claim page says the gift is. */
export async function describeGift(
  ctx: ServiceContext,
  room: Pick<PublicGiftRoomDto, "kind" | "amountKobo" | "planId">,
): Promise<string> {
  if (room.kind === "cash") {
    return `${formatNaira(room.amountKobo)} wallet cash`;
  }
  if (room.kind === "airtime") {
    return `${formatNaira(room.amountKobo)} airtime`;
  }
  const plan = room.planId
    ? await ctx.db
        .selectFrom("catalogue_products")
        .select("name")
        .where("id", "=", room.planId)
        .executeTakeFirst()
    : undefined;
  return plan ? `${plan.name} data` : "a data plan";
}

/**
 * Where a gift stands now, as its recipient is told: on its way, delivered, in the wallet, or failed
 * and where its money went. A failed gift's hold is released into the room's escrow
 * (releaseFailedGift): while the room is open its slot opens again, so the recipient may try again;
 * once the room has closed or expired (every draw closes at its draw) the money goes back to the
 * sender, and a delivery the network took back later (reversed) is refunded to the sender too.
 */
export type GiftDelivery = {
  state: "ordered" | "delivered" | "credited" | "failed";
  /** Masked: the page may be shown or screenshotted to others. */
  recipient: string;
  /** The gift in words, as the room page says it. */
  gift: string;
  orderId: string | null;
  /** Failed gifts only: where the money is now. */
  refundedTo?: "room" | "sender";
};

// Order ids are short text ids ("ord_…"); anything else in the URL is not one.
const ORDER_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Where a gift's order stands, for the claim page's "check status" link. Only the device that made
 * the claim may ask (its hash must match the claim's), so an order id in a shared screenshot or a
 * forwarded link tells nobody else anything. Recipients see a masked number.
 */
export async function giftClaimStatus(
  ctx: ServiceContext,
  args: { token: string; orderId: string; deviceHash: string },
): Promise<GiftDelivery> {
  const room = await findRoomByToken(ctx, args.token);
  const claim = ORDER_ID.test(args.orderId)
    ? await ctx.db
        .selectFrom("gift_claims")
        .select(["order_id", "recipient_msisdn"])
        .where("room_id", "=", room.id)
        .where("order_id", "=", args.orderId)
        .where("device_hash", "=", args.deviceHash)
        .executeTakeFirst()
    : undefined;
  if (!claim?.order_id) {
    throw new NotFoundError("That gift claim");
  }
  return giftDelivery(ctx, room, claim);
}

/** One claim's delivery: its order's state (cash is in the wallet the moment it is claimed). */
export async function giftDelivery(
  ctx: ServiceContext,
  room: GiftRoomRow,
  claim: { order_id: string | null; recipient_msisdn: string },
): Promise<GiftDelivery> {
  const gift = await describeGift(ctx, {
    kind: room.kind,
    amountKobo: room.amount_kobo,
    planId: room.plan_id,
  });
  if (!claim.order_id) {
    return { state: "credited", recipient: maskPhone(claim.recipient_msisdn), gift, orderId: null };
  }
  const order = await getOrder({ ctx, userId: room.creator_id, orderId: claim.order_id });
  const recipient = maskPhone(order.recipient);
  if (order.state === "delivered") {
    return { state: "delivered", recipient, gift, orderId: order.id };
  }
  if (!FINAL_STATES.includes(order.state)) {
    return { state: "ordered", recipient, gift, orderId: order.id };
  }
  const state = roomState(room, ctx.now());
  const roomOpen = state === "open" || state === "full";
  return {
    state: "failed",
    recipient,
    gift,
    orderId: order.id,
    refundedTo: order.state === "failed" && roomOpen ? "room" : "sender",
  };
}
