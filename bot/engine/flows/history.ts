import { formatNaira } from "../../../api/services/money";
import { listOrders } from "../../../api/services/vtu";
import { templates } from "../i18n";
import { orderStateName } from "../i18n/orders";
import { doneReply } from "../replies";
import type { Flow } from "./flow";

const T = templates("history", {
  none: { en: () => "You have no orders yet.", pcm: () => "You never buy anything yet." },
  last: {
    en: (lines: string) => `Your last orders:\n${lines}`,
    pcm: (lines: string) => `Wetin you buy last:\n${lines}`,
  },
});

export const historyFlow: Flow = {
  name: "history",
  async start(fc) {
    const { orders } = await listOrders({ ctx: fc.ctx, userId: fc.userId, input: { limit: 5 } });
    if (orders.length === 0) {
      return { replies: [doneReply(T.none[fc.lang](), [], fc.lang)] };
    }
    // Names, numbers and ₦ amounts are the same in both languages; only the state is words.
    const lines = orders.map(
      (o) =>
        `• ${o.productName} for ${o.recipient}: ${formatNaira(o.priceKobo)} — ${orderStateName(o.state, fc.lang)}`,
    );
    return { replies: [doneReply(T.last[fc.lang](lines.join("\n")), [], fc.lang)] };
  },
  async handle(fc) {
    return this.start(fc);
  },
};
