import { menuReply } from "../replies";
import type { Flow } from "./flow";

export const helpFlow: Flow = {
  name: "help",
  async start() {
    return {
      replies: [
        {
          text:
            "I can buy airtime from your TADA wallet, show your balance and your recent orders, and set your PIN.\n" +
            'Tap a button, or just type what you want, e.g. "airtime 500 08031234567" or "abeg load 200 for my number". ' +
            'Send "cancel" at any time to stop.',
        },
        menuReply(),
      ],
    };
  },
  async handle(fc) {
    return this.start(fc);
  },
};
