import { formatNaira } from "../../../api/services/money";
import {
  getOrderReceipt,
  hasFaceValue,
  lagosTime,
  listOrders,
  type OrderDto,
} from "../../../api/services/vtu";
import { type Lang, templates } from "../i18n";
import { ORDER_TEXT, orderStateName } from "../i18n/orders";
import { doneReply, errorText } from "../replies";
import type { FlowContext, StepResult } from "../types";
import type { Flow } from "./flow";
import { again, question } from "./purchase";

const RECENT = 5;

const T = templates("receipt", {
  none: {
    en: () => "You have no delivered orders yet, so no receipts.",
    pcm: () => "Nothing wey you buy don land yet, so receipt no dey.",
  },
  which: { en: () => "Which order's receipt do you want?", pcm: () => "Which order receipt you want?" },
  tapOne: {
    en: () => "Tap the order you want the receipt for.",
    pcm: () => "Press the order wey you want make I show receipt for.",
  },
});

/**
 * Receipts: "receipt ord_…" shows that order's receipt; otherwise the recent orders are offered to
 * pick from. An electricity receipt carries the token again (a lost token is the usual reason to ask).
 */
export const receiptFlow: Flow = {
  name: "receipt",
  async start(fc, intent) {
    if (intent?.kind === "receipt" && intent.orderRef) {
      return show(fc, intent.orderRef);
    }
    // Only delivered orders have a receipt: offering the others would only lead to "no receipt".
    const { orders: recent } = await listOrders({ ctx: fc.ctx, userId: fc.userId, input: { limit: 20 } });
    const orders = recent.filter((o) => o.state === "delivered").slice(0, RECENT);
    if (orders.length === 0) {
      return { replies: [doneReply(T.none[fc.lang](), [], fc.lang)] };
    }
    return question(
      "receipt",
      "pick",
      {},
      T.which[fc.lang](),
      orders.map((o) => ({
        id: `rcpt:${o.id}`,
        label: ORDER_TEXT.orderLine[fc.lang](
          o.productName,
          o.recipient,
          formatNaira(o.priceKobo),
          orderStateName(o.state, fc.lang),
        ),
      })),
      fc.lang,
    );
  },
  async handle(fc, state, answer) {
    const typed = /\bord_[0-9a-z]{6,40}\b/i.exec(answer.text ?? "")?.[0]?.toLowerCase();
    const orderId = answer.choice?.startsWith("rcpt:") ? answer.choice.slice(5) : typed;
    if (!orderId) {
      return again(state, T.tapOne[fc.lang](), fc.lang);
    }
    return show(fc, orderId);
  },
};

async function show(fc: FlowContext, orderId: string): Promise<StepResult> {
  try {
    const { order, text } = await getOrderReceipt({ ctx: fc.ctx, userId: fc.userId, orderId });
    return { replies: [doneReply(fc.lang === "en" ? text : receiptIn(order, fc.lang), [], fc.lang)] };
  } catch (error) {
    return { replies: [doneReply(errorText(error, fc.lang), [], fc.lang)] };
  }
}

/** The service's receipt (api/services/vtu/resend-receipt.ts receiptText), line for line, in `lang`. */
function receiptIn(order: OrderDto, lang: Lang): string {
  const lines = [
    ORDER_TEXT.receiptTitle[lang](order.productName),
    ORDER_TEXT.receiptFor[lang](`${order.recipient}${order.customerName ? ` (${order.customerName})` : ""}`),
    ...(hasFaceValue(order) ? [ORDER_TEXT.receiptValue[lang](formatNaira(order.faceAmountKobo))] : []),
    ORDER_TEXT.receiptPaid[lang](formatNaira(order.priceKobo)),
    ORDER_TEXT.receiptDelivered[lang](lagosTime(order.deliveredAt ?? order.updatedAt)),
    ORDER_TEXT.receiptOrder[lang](order.id),
  ];
  if (order.token) {
    lines.push(ORDER_TEXT.receiptToken[lang](`${order.token}${order.units ? ` (${order.units})` : ""}`));
  }
  return lines.join("\n");
}
