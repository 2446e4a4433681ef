import { templates } from "../i18n";
import { mainMenu } from "../replies";
import type { Flow } from "./flow";

const T = templates("help", {
  help: {
    en: () =>
      "I buy airtime, data, electricity and cable TV from your TADA wallet; fund it by card or by bank transfer to your own " +
      'account number (send "my account number"), or withdraw to your bank; ' +
      "show your balance, recent orders and receipts (with electricity tokens); save numbers you buy for often; " +
      "set, change or reset your PIN; and link your Telegram and WhatsApp to one wallet.\n" +
      'Tap a button, or just type what you want, e.g. "airtime 500 08031234567" or "abeg load 200 for my number". ' +
      'Send "cancel" at any time to stop.',
    pcm: () =>
      "I dey buy airtime, data, light (electricity) and cable TV from your TADA wallet; you fit fund am with card or with bank transfer " +
      'to your own account number (send "my account number"), or comot money go your bank; ' +
      "I go show you your balance, wetin you buy last and receipts (with electricity token); I fit save numbers wey you dey buy for well well; " +
      "you fit set, change or reset your PIN; and join your Telegram and WhatsApp to one wallet.\n" +
      'Press button, or just type wetin you want, like "airtime 500 08031234567" or "abeg load 200 for my number". ' +
      'Send "cancel" anytime to stop. Send "speak English" if you want English.',
  },
});

export const helpFlow: Flow = {
  name: "help",
  async start(fc) {
    return { replies: [{ text: T.help[fc.lang](), choices: mainMenu(fc.lang) }] };
  },
  async handle(fc) {
    return this.start(fc);
  },
};
