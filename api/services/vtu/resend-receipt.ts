import { type ServiceContext, withTransaction } from "../context";
import { ConflictError } from "../errors";
import { formatNaira } from "../money";
import { queueNotification } from "../notifications";
import { getOrder } from "./get-orders";

/**
 * Send a delivered order's receipt to the customer's chat again (a lost token, a new phone). Nothing
 * is vended again: the notification names the order, and whoever delivers it reads the token from the
 * order, decrypted for its owner only (P11).
 */
export async function resendOrderReceipt(args: {
  ctx: ServiceContext;
  userId: string;
  orderId: string;
}): Promise<{ queued: true; orderId: string }> {
  const order = await getOrder(args);
  if (order.state !== "delivered") {
    throw new ConflictError(
      `Only delivered orders have a receipt to resend; this one is ${order.state}.`,
      "ORDER_NOT_DELIVERED",
      { state: order.state },
    );
  }
  await withTransaction(args.ctx, (trx) =>
    queueNotification(trx, {
      userId: args.userId,
      kind: "order.receipt",
      body: `Receipt: ${order.productName} for ${order.recipient}, ${formatNaira(order.priceKobo)}.${order.token ? " Your token is shown with the order." : ""}`,
      payload: { orderId: order.id, resend: true, hasToken: order.token !== null },
    }),
  );
  return { queued: true, orderId: order.id };
}
