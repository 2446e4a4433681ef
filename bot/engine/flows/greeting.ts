import { CABLE_NAMES, DISCO_NAMES, NETWORK_NAMES } from "../../../api/services/catalogue/normalize";
import { formatDataSize } from "../../../api/services/catalogue/recommend-plans";
import { formatNaira } from "../../../api/services/money";
import { getUser } from "../../../api/services/users";
import type { CableProvider, Disco, Network } from "../../../api/services/vtu";
import { lastDeliveredPurchase, type PastPurchase } from "../../../api/services/vtu/past-purchases";
import { type Lang, templates } from "../i18n";
import { mainMenu, menuChoice } from "../replies";
import type { FlowContext, StepResult } from "../types";
import { REPEAT_PREFIX } from "./repeat";
import { askPhoneAgain } from "./start";

export type TimeOfDay = "morning" | "afternoon" | "evening";

const T = templates("greeting", {
  hello: {
    en: (time: TimeOfDay, name?: string) => `Good ${time}${name ? ` ${name}` : ""}`,
    pcm: (time: TimeOfDay, name?: string) => `Good ${time}${name ? ` ${name}` : ""}`,
  },
  sameAgain: {
    en: (hello: string, what: string) => `${hello} — same ${what}?`,
    pcm: (hello: string, what: string) => `${hello} — you wan buy the same ${what} again?`,
  },
  menu: {
    en: (hello: string) => `${hello}! What would you like to do?`,
    pcm: (hello: string) => `${hello}! Wetin you wan do today?`,
  },
  repeatLabel: { en: () => "Yes, same again", pcm: () => "Yes, buy am again" },
  airtime: {
    en: (amount: string, network: string, phone: string) => `${amount} ${network} airtime for ${phone}`,
    pcm: (amount: string, network: string, phone: string) => `${amount} ${network} airtime for ${phone}`,
  },
  data: {
    en: (size: string, network: string, phone: string) => `${size} ${network} for ${phone}`,
    pcm: (size: string, network: string, phone: string) => `${size} ${network} for ${phone}`,
  },
  cable: {
    en: (bouquet: string, card: string) => `${bouquet} for card ${card}`,
    pcm: (bouquet: string, card: string) => `${bouquet} for card ${card}`,
  },
  electricity: {
    en: (amount: string, disco: string, meter: string) => `${amount} ${disco} light for meter ${meter}`,
    pcm: (amount: string, disco: string, meter: string) => `${amount} ${disco} light for meter ${meter}`,
  },
});

/**
 * A returning person's hello: "Good evening Ada — same 1GB MTN for 08031234567?" by Lagos time,
 * with their last delivered purchase as a one-tap repeat (`repeat:<order id>`, which opens the
 * purchase pre-filled and still asks Confirm and the PIN) and the Menu. Without a purchase, the
 * greeting and the menu. Without a number on file, the greeting and "What is your phone number?".
 */
export async function greet(fc: FlowContext): Promise<StepResult> {
  const [user, last] = await Promise.all([
    getUser(fc.ctx, fc.userId),
    lastDeliveredPurchase({ ctx: fc.ctx, userId: fc.userId }),
  ]);
  const hello = T.hello[fc.lang](
    timeOfDay(fc.ctx.now()),
    firstName(fc.input.displayName ?? user.display_name),
  );
  const asked = await askPhoneAgain(fc, user.phone, `${hello}!`);
  if (asked) {
    return asked;
  }
  const what = last ? describePurchase(fc.lang, last) : undefined;
  if (!last || !what) {
    return { replies: [{ text: T.menu[fc.lang](hello), choices: mainMenu(fc.lang) }] };
  }
  return {
    replies: [
      {
        text: T.sameAgain[fc.lang](hello, what),
        choices: [{ id: `${REPEAT_PREFIX}${last.id}`, label: T.repeatLabel[fc.lang]() }, menuChoice(fc.lang)],
      },
    ],
  };
}

/** Morning until noon, afternoon until 5 pm, evening after, on the clock in Lagos (WAT, no DST). */
export function timeOfDay(now: Date): TimeOfDay {
  const hour = Number(
    new Intl.DateTimeFormat("en-GB", { timeZone: "Africa/Lagos", hour: "numeric", hourCycle: "h23" }).format(
      now,
    ),
  );
  return hour < 12 ? "morning" : hour < 17 ? "afternoon" : "evening";
}

/** "Ada Obi" → "Ada"; nothing usable → undefined (the greeting goes without a name). */
export function firstName(name: string | null | undefined): string | undefined {
  const first = name
    ?.trim()
    .split(/\s+/)[0]
    ?.replace(/[^\p{L}\p{M}'-]/gu, "");
  return first ? first.slice(0, 30) : undefined;
}

/** "1GB MTN for 08031234567", "₦500 MTN airtime for …": what the order bought, from the order. */
export function describePurchase(lang: Lang, order: PastPurchase): string | undefined {
  const network = order.network ? NETWORK_NAMES[order.network as Network] : undefined;
  switch (order.service) {
    case "airtime":
      return network
        ? T.airtime[lang](formatNaira(order.faceAmountKobo), network, order.recipient)
        : undefined;
    case "data":
      return network && order.sizeMb
        ? T.data[lang](formatDataSize(order.sizeMb), network, order.recipient)
        : undefined;
    case "cable": {
      const provider = CABLE_NAMES[order.biller as CableProvider];
      const name = order.productName.startsWith(provider ?? "\0")
        ? order.productName
        : `${provider ?? ""} ${order.productName}`.trim();
      return T.cable[lang](name, order.recipient);
    }
    case "electricity": {
      const disco = DISCO_NAMES[order.biller as Disco]?.replace(/\s*\(.*\)$/, "") ?? order.productName;
      return T.electricity[lang](formatNaira(order.faceAmountKobo), disco, order.recipient);
    }
    default:
      return undefined;
  }
}
