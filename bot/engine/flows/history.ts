import { formatNaira } from "../../../api/services/money";
import { listOrders } from "../../../api/services/vtu";
import { doneReply } from "../replies";
import type { Flow } from "./flow";

export const historyFlow: Flow = {
  name: "history",
  async start(fc) {
    const { orders } = await listOrders({ ctx: fc.ctx, userId: fc.userId, input: { limit: 5 } });
    if (orders.length === 0) {
      return { replies: [doneReply("You have no orders yet.")] };
    }
    const lines = orders.map(
      (o) =>
        `• ${o.productName} for ${o.recipient}: ${formatNaira(o.priceKobo)} — ${o.state.replace("_", " ")}`,
    );
    return { replies: [doneReply(`Your last orders:\n${lines.join("\n")}`)] };
  },
  async handle(fc) {
    return this.start(fc);
  },
};
