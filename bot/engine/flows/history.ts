import { formatNaira } from "../../../api/services/money";
import { listOrders } from "../../../api/services/vtu";
import { menuReply } from "../replies";
import type { Flow } from "./flow";

export const historyFlow: Flow = {
  name: "history",
  async start(fc) {
    const { orders } = await listOrders({ ctx: fc.ctx, userId: fc.userId, input: { limit: 5 } });
    if (orders.length === 0) {
      return { replies: [menuReply("You have no orders yet. What would you like to buy?")] };
    }
    const lines = orders.map(
      (o) =>
        `• ${o.productName} for ${o.recipient}: ${formatNaira(o.priceKobo)} — ${o.state.replace("_", " ")}`,
    );
    return { replies: [{ text: `Your last orders:\n${lines.join("\n")}` }, menuReply("Anything else?")] };
  },
  async handle(fc) {
    return this.start(fc);
  },
};
