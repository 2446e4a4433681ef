import { ServiceError } from "../../api/services/errors";
import type { Choice, Reply } from "./types";

/** The main menu: what the chat can do (flows not built yet are not offered). */
export const MAIN_MENU: Choice[] = [
  { id: "nav:airtime", label: "Buy airtime" },
  { id: "nav:data", label: "Buy data" },
  { id: "nav:electricity", label: "Pay for electricity" },
  { id: "nav:cable", label: "Pay for cable TV" },
  { id: "nav:balance", label: "My balance" },
  { id: "nav:fund", label: "Fund my wallet" },
  { id: "nav:withdraw", label: "Withdraw to my bank" },
  { id: "nav:history", label: "My recent orders" },
  { id: "nav:receipt", label: "Get a receipt" },
  { id: "nav:pin", label: "Set or change PIN" },
  { id: "nav:link", label: "Link another channel" },
  { id: "nav:gift", label: "Gift room" },
  { id: "nav:help", label: "Help" },
];

export function menuReply(text = "What would you like to do?"): Reply {
  return { text, choices: MAIN_MENU };
}

export const CANCEL_CHOICE: Choice = { id: "cancel", label: "Cancel" };

/** Offered wherever a PIN was wrong or is locked; the engine answers it in any state. */
export const FORGOT_PIN_CHOICE: Choice = { id: "pin:forgot", label: "I forgot my PIN" };

/** A service error becomes its own message (written for the person); anything else, an apology. */
export function errorText(error: unknown): string {
  if (error instanceof ServiceError) {
    return error.message;
  }
  return "Sorry, something went wrong on our side. Nothing was charged; please try again.";
}

/** "2" → the second choice offered; the choice's own id or label also work. */
export function pickChoice(text: string | undefined, choices: Choice[] | undefined): string | undefined {
  if (!text || !choices) {
    return undefined;
  }
  const trimmed = text.trim();
  const n = /^\d{1,2}$/.test(trimmed) ? Number(trimmed) : undefined;
  if (n !== undefined && n >= 1 && n <= choices.length) {
    return choices[n - 1]?.id;
  }
  return choices.find((c) => c.label.toLowerCase() === trimmed.toLowerCase())?.id;
}
