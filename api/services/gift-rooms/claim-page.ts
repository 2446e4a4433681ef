import type { ServiceContext } from "../context";
import { NotFoundError } from "../errors";
import { formatNaira } from "../money";
import { maskPhone } from "../phone";
import { getOrder } from "../vtu";
import { FINAL_STATES } from "../vtu/order-dto";
import { findRoomByToken, type PublicGiftRoomDto } from "./get-room";

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

export type GiftClaimStatus = {
  state: "ordered" | "delivered" | "failed";
  recipient: string;
  /** The gift in words, as the room page says it. */
  gift: string;
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
): Promise<GiftClaimStatus> {
  const room = await findRoomByToken(ctx, args.token);
  const claim = ORDER_ID.test(args.orderId)
    ? await ctx.db
        .selectFrom("gift_claims")
        .select("order_id")
        .where("room_id", "=", room.id)
        .where("order_id", "=", args.orderId)
        .where("device_hash", "=", args.deviceHash)
        .executeTakeFirst()
    : undefined;
  if (!claim?.order_id) {
    throw new NotFoundError("That gift claim");
  }
  const order = await getOrder({ ctx, userId: room.creator_id, orderId: claim.order_id });
  const final = FINAL_STATES.includes(order.state);
  return {
    state: order.state === "delivered" ? "delivered" : final ? "failed" : "ordered",
    recipient: maskPhone(order.recipient),
    gift: await describeGift(ctx, { kind: room.kind, amountKobo: room.amount_kobo, planId: room.plan_id }),
  };
}
