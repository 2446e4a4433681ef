import type { OrderState } from "../../../db/database";
import { type Lang, templates } from "./index";

/** Order words shared by the history, the receipts and the order notifications. */
export const ORDER_TEXT = templates("orders", {
  held: { en: () => "held", pcm: () => "we don collect am" },
  submitting: { en: () => "submitting", pcm: () => "e dey go network" },
  pending: { en: () => "pending", pcm: () => "network dey process am" },
  unknown: { en: () => "unknown", pcm: () => "we dey check am" },
  delivered: { en: () => "delivered", pcm: () => "e don land" },
  failed: { en: () => "failed", pcm: () => "e no work" },
  manual_review: { en: () => "manual review", pcm: () => "our team dey check am" },
  reversed: { en: () => "reversed", pcm: () => "dem reverse am" },
  /** "MTN 1GB for 08031234567, ₦350 (delivered)": "for" is the same word in Pidgin. */
  orderLine: {
    en: (product: string, recipient: string, price: string, state: string) =>
      `${product} for ${recipient}, ${price} (${state})`,
    pcm: (product: string, recipient: string, price: string, state: string) =>
      `${product} for ${recipient}, ${price} (${state})`,
  },
  receiptTitle: {
    en: (product: string) => `Receipt — ${product}`,
    pcm: (product: string) => `Your receipt — ${product}`,
  },
  receiptFor: { en: (who: string) => `For: ${who}`, pcm: (who: string) => `Na for: ${who}` },
  receiptValue: { en: (amount: string) => `Value: ${amount}`, pcm: (amount: string) => `Value: ${amount}` },
  receiptPaid: { en: (amount: string) => `Paid: ${amount}`, pcm: (amount: string) => `You pay: ${amount}` },
  receiptDelivered: { en: (at: string) => `Delivered: ${at}`, pcm: (at: string) => `E land: ${at}` },
  receiptOrder: { en: (id: string) => `Order: ${id}`, pcm: (id: string) => `Order number: ${id}` },
  receiptToken: { en: (token: string) => `Token: ${token}`, pcm: (token: string) => `Your token: ${token}` },
});

/** "delivered", "manual review" (English, as the service names them) or the Pidgin words. */
export function orderStateName(state: OrderState, lang: Lang): string {
  return ORDER_TEXT[state][lang]();
}
