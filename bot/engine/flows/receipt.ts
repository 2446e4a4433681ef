import { formatNaira } from "../../../api/services/money";
import { getOrderReceipt, listOrders } from "../../../api/services/vtu";
import { doneReply, errorText } from "../replies";
import type { FlowContext, StepResult } from "../types";
import type { Flow } from "./flow";
import { again, question } from "./purchase";

const RECENT = 5;

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
    const { orders } = await listOrders({ ctx: fc.ctx, userId: fc.userId, input: { limit: RECENT } });
    if (orders.length === 0) {
      return { replies: [doneReply("You have no orders yet, so no receipts.")] };
    }
    return question(
      "receipt",
      "pick",
      {},
      "Which order's receipt do you want?",
      orders.map((o) => ({
        id: `rcpt:${o.id}`,
        label: `${o.productName} for ${o.recipient}, ${formatNaira(o.priceKobo)} (${o.state.replace("_", " ")})`,
      })),
    );
  },
  async handle(fc, state, answer) {
    const typed = /\bord_[0-9a-z]{6,40}\b/i.exec(answer.text ?? "")?.[0]?.toLowerCase();
    const orderId = answer.choice?.startsWith("rcpt:") ? answer.choice.slice(5) : typed;
    if (!orderId) {
      return again(state, "Tap the order you want the receipt for.");
    }
    return show(fc, orderId);
  },
};

async function show(fc: FlowContext, orderId: string): Promise<StepResult> {
  try {
    const { text } = await getOrderReceipt({ ctx: fc.ctx, userId: fc.userId, orderId });
    return { replies: [doneReply(text)] };
  } catch (error) {
    return { replies: [doneReply(errorText(error))] };
  }
}
