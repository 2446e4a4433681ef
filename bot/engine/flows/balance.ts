import { formatNaira } from "../../../api/services/money";
import { getWalletBalance } from "../../../api/services/wallet";
import { doneReply } from "../replies";
import type { Flow } from "./flow";

export const balanceFlow: Flow = {
  name: "balance",
  async start(fc) {
    // Read with the message's claim, a moment ago, in the same round trip; a first message reads it.
    const wallet = fc.wallet ?? (await getWalletBalance({ ctx: fc.ctx, userId: fc.userId }));
    const held =
      wallet.heldKobo > 0 ? ` (${formatNaira(wallet.heldKobo)} of it held for orders in progress)` : "";
    return {
      replies: [doneReply(`Your balance is ${formatNaira(wallet.balanceKobo)}${held}.`)],
    };
  },
  async handle(fc) {
    return this.start(fc);
  },
};
