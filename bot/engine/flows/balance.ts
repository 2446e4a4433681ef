import { formatNaira } from "../../../api/services/money";
import { getWalletBalance } from "../../../api/services/wallet";
import { templates } from "../i18n";
import { doneReply } from "../replies";
import type { Flow } from "./flow";

const T = templates("balance", {
  balance: {
    en: (amount: string) => `Your balance is ${amount}.`,
    pcm: (amount: string) => `Your balance na ${amount}.`,
  },
  balanceHeld: {
    en: (amount: string, held: string) =>
      `Your balance is ${amount} (${held} of it held for orders in progress).`,
    pcm: (amount: string, held: string) =>
      `Your balance na ${amount} (${held} inside am dey hold for orders wey never finish).`,
  },
});

export const balanceFlow: Flow = {
  name: "balance",
  async start(fc) {
    // Read with the message's claim, a moment ago, in the same round trip; a first message reads it.
    const wallet = fc.wallet ?? (await getWalletBalance({ ctx: fc.ctx, userId: fc.userId }));
    const balance = formatNaira(wallet.balanceKobo);
    const text =
      wallet.heldKobo > 0
        ? T.balanceHeld[fc.lang](balance, formatNaira(wallet.heldKobo))
        : T.balance[fc.lang](balance);
    return { replies: [doneReply(text, [], fc.lang)] };
  },
  async handle(fc) {
    return this.start(fc);
  },
};
