import { type ServiceContext, withTransaction } from "../context";
import { ConflictError } from "../errors";
import { formatNaira } from "../money";
import { queueNotification } from "../notifications";
import { getOrder } from "./get-orders";
import type { OrderDto } from "./order-dto";

/**
 * A delivered order's receipt as text, the token included for its owner (P11: `getOrder` filters on
 * the owner and decrypts only for them). A chat that is asked for a receipt answers with this directly:
 * the person is right there, so queueing a notification as well would send it twice.
 */
export async function getOrderReceipt(args: {
  ctx: ServiceContext;
  userId: string;
  orderId: string;
}): Promise<{ order: OrderDto; text: string }> {
  const order = await getOrder(args);
  if (order.state !== "delivered") {
    throw new ConflictError(
      `Only delivered orders have a receipt; this one is ${order.state.replace("_", " ")}. ${order.message}`,
      "ORDER_NOT_DELIVERED",
      { state: order.state },
    );
  }
  return { order, text: receiptText(order) };
}

export function receiptText(order: OrderDto): string {
  const lines = [
    `Receipt — ${order.productName}`,
    `For: ${order.recipient}${order.customerName ? ` (${order.customerName})` : ""}`,
    ...(hasFaceValue(order) ? [`Value: ${formatNaira(order.faceAmountKobo)}`] : []),
    `Paid: ${formatNaira(order.priceKobo)}`,
    `Delivered: ${lagosTime(order.deliveredAt ?? order.updatedAt)}`,
    `Order: ${order.id}`,
  ];
  if (order.token) {
    lines.push(`Token: ${order.token}${order.units ? ` (${order.units})` : ""}`);
  }
  return lines.join("\n");
}

/**
 * Airtime and electricity are bought by amount, and the price differs from it (a discount, a fee):
 * "Paid: ₦489.85" alone reads as ₦489.85 of airtime. A plan or bouquet is named by its product.
 */
export function hasFaceValue(order: Pick<OrderDto, "service">): boolean {
  return order.service === "airtime" || order.service === "electricity";
}

/** Customers read Nigerian time, not UTC: "25 Nov 2026, 21:05". */
export function lagosTime(iso: string): string {
  return new Date(iso).toLocaleString("en-GB", {
    timeZone: "Africa/Lagos",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}

/**
 * Send a delivered order's receipt to the customer's chat again (a lost token, a new phone), for
 * callers outside the chat (the API). Nothing is vended again: the notification names the order, and
 * whoever delivers it reads the token from the order, decrypted for its owner only (P11).
 */
export async function resendOrderReceipt(args: {
  ctx: ServiceContext;
  userId: string;
  orderId: string;
}): Promise<{ queued: true; orderId: string }> {
  const { order } = await getOrderReceipt(args);
  await withTransaction(args.ctx, (trx) =>
    queueNotification(trx, {
      userId: args.userId,
      kind: "order.receipt",
      body: `Receipt: ${order.productName} for ${order.recipient}, ${formatNaira(order.priceKobo)}.${order.token ? " Your token is shown with the order." : ""}`,
      payload: {
        orderId: order.id,
        resend: true,
        hasToken: order.token !== null,
        notice: { productName: order.productName, recipient: order.recipient, priceKobo: order.priceKobo },
      },
    }),
  );
  return { queued: true, orderId: order.id };
}
