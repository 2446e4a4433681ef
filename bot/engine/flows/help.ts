import { MAIN_MENU } from "../replies";
import type { Flow } from "./flow";

export const helpFlow: Flow = {
  name: "help",
  async start() {
    return {
      replies: [
        {
          text:
            "I buy airtime, data, electricity and cable TV from your TADA wallet; fund it or withdraw to your bank; " +
            "show your balance, recent orders and receipts (with electricity tokens); save numbers you buy for often; " +
            "set, change or reset your PIN; and link your Telegram and WhatsApp to one wallet.\n" +
            'Tap a button, or just type what you want, e.g. "airtime 500 08031234567" or "abeg load 200 for my number". ' +
            'Send "cancel" at any time to stop.',
          choices: MAIN_MENU,
        },
      ],
    };
  },
  async handle(fc) {
    return this.start(fc);
  },
};
