import { type CableProvider, type Disco, NETWORKS, type Network } from "../../../api/services/vtu";
import {
  findOwnPurchase,
  lastDeliveredPurchase,
  type PastPurchase,
} from "../../../api/services/vtu/past-purchases";
import { templates } from "../i18n";
import type { Intent } from "../intents/intent";
import { doneReply, errorText, mainMenu } from "../replies";
import type { FlowContext, StepResult } from "../types";
import { airtimeFlow } from "./airtime";
import { cableFlow } from "./cable";
import { dataFlow } from "./data";
import { electricityFlow } from "./electricity";
import type { Flow } from "./flow";
import { pickOffered } from "./hand-off";

const T = templates("repeat", {
  nothingYet: {
    en: () => "You have not bought anything yet, so there is nothing to repeat. What would you like to do?",
    pcm: () => "You never buy anything before, so nothing dey to buy again. Wetin you wan do?",
  },
  notYours: {
    en: () => "I could not find that order among yours, so nothing was started. What would you like to do?",
    pcm: () => "I no see that order among your own orders, so I no start anything. Wetin you wan do?",
  },
});

/** The repeat choice a greeting offers: `repeat:<order id>`. */
export const REPEAT_PREFIX = "repeat:";

/**
 * "Same as last time": the customer's last delivered purchase, opened again in its own flow with
 * every value filled in from the order, so it ends at the usual summary → Confirm → PIN. Nothing
 * is ever bought from here directly.
 */
export const repeatFlow: Flow = {
  name: "repeat",
  async start(fc) {
    const last = await lastDeliveredPurchase({ ctx: fc.ctx, userId: fc.userId });
    return last
      ? reopen(fc, last)
      : { replies: [{ text: T.nothingYet[fc.lang](), choices: mainMenu(fc.lang) }] };
  },
  async handle() {
    // The flow never stays open: it hands over to the purchase flow at once.
    return undefined;
  },
};

/** A tapped `repeat:<order id>`: only the person's own order; any other id is answered plainly. */
export async function repeatOrder(fc: FlowContext, orderId: string): Promise<StepResult> {
  const order = /^[\w-]{1,64}$/.test(orderId)
    ? await findOwnPurchase({ ctx: fc.ctx, userId: fc.userId, orderId })
    : undefined;
  return order
    ? reopen(fc, order)
    : { replies: [{ text: T.notYours[fc.lang](), choices: mainMenu(fc.lang) }] };
}

/** The purchase flow of the order, started with what the order had. */
async function reopen(fc: FlowContext, order: PastPurchase): Promise<StepResult> {
  try {
    const intent = intentFor(order);
    switch (intent.kind) {
      case "airtime":
        return await airtimeFlow.start(fc, intent);
      case "data": {
        // The data flow lists plans of that size; the order's own plan is then picked from the list.
        const started = await dataFlow.start(fc, intent);
        return (await pickOffered(fc, dataFlow, started, "plan", `plan:${order.productId}`)) ?? started;
      }
      case "cable":
        return await cableFlow.start(fc, intent);
      case "electricity":
        return await electricityFlow.start(fc, intent);
      default:
        return { replies: [{ text: T.notYours[fc.lang](), choices: mainMenu(fc.lang) }] };
    }
  } catch (error) {
    return { replies: [doneReply(errorText(error, fc.lang), [], fc.lang)] };
  }
}

/** What the order had, as the intent its purchase flow takes: every slot it can take. */
export function intentFor(order: PastPurchase): Intent {
  const network = NETWORKS.includes(order.network as Network) ? (order.network as Network) : undefined;
  switch (order.service) {
    case "airtime":
      return {
        kind: "airtime",
        amountKobo: order.faceAmountKobo,
        phone: order.recipient,
        ...(network ? { network, networkSource: "said" as const } : {}),
      };
    case "data":
      return {
        kind: "data",
        ...(network ? { network, networkSource: "said" as const } : {}),
        ...(order.sizeMb ? { sizeMb: order.sizeMb } : {}),
        ...(order.validityDays ? { validityDays: order.validityDays } : {}),
        phone: order.recipient,
      };
    case "cable": {
      const provider = order.biller as CableProvider;
      // Product ids are `cable:<provider>:<bouquet slug>`; a renewal renews whatever is on the card.
      const bouquet = order.productId.split(":")[2];
      return order.subscription === "change" && bouquet
        ? { kind: "cable", provider, smartcard: order.recipient, bouquet, subscription: "change" }
        : { kind: "cable", provider, smartcard: order.recipient, subscription: "renew" };
    }
    case "electricity":
      return {
        kind: "electricity",
        disco: order.biller as Disco,
        ...(order.meterType ? { meterType: order.meterType } : {}),
        meterNumber: order.recipient,
        amountKobo: order.faceAmountKobo,
      };
    default:
      return { kind: "unknown" };
  }
}
