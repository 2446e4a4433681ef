import { randomBytes } from "node:crypto";
import { ServiceError } from "../../api/services/errors";
import type { Choice, FlowState, Reply } from "./types";

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

/** The full menu: for "menu", help, a greeting, and what the bot did not understand. */
export function menuReply(text = "What would you like to do?"): Reply {
  return { text, choices: MAIN_MENU };
}

/** Ends an answer instead of the full menu: one short button (a numbered line) that opens it. */
export const MENU_CHOICE: Choice = { id: "nav:menu", label: "Menu" };

/** An answer that ends the conversation: its text and choices, then the short Menu choice. */
export function doneReply(text: string, choices: Choice[] = []): Reply {
  return { text, choices: [...choices, MENU_CHOICE] };
}

export const CANCEL_CHOICE: Choice = { id: "cancel", label: "Cancel" };

/**
 * A purchase summary's own id: a short random nonce in its Confirm and Cancel choices
 * (`confirm:<id>`, `cancel:<id>`: well inside Telegram's 64-byte callback data) and in its message
 * tag, so a tap on an older summary is told apart from one on the current summary, and the older
 * summary's buttons can be removed.
 */
export function newSummaryId(): string {
  return randomBytes(4).toString("base64url");
}

export function summaryChoices(id: string): Choice[] {
  return [
    { id: `confirm:${id}`, label: "Confirm" },
    { id: `cancel:${id}`, label: "Cancel" },
  ];
}

/** The tag of a summary's messages (the summary, and any prompt repeating its buttons). */
export function summaryTag(id: string): string {
  return `summary:${id}`;
}

/**
 * The summary a chat is waiting on (at its confirm step, or at the PIN step after Confirm): its id
 * and the few words naming the purchase ("₦1,000 airtime").
 */
export function currentSummary(state: FlowState | undefined): { id: string; what: string } | undefined {
  if (!state || (state.step !== "confirm" && state.step !== "pin")) {
    return undefined;
  }
  const { summaryId, summaryOf } = state.data;
  return typeof summaryId === "string"
    ? { id: summaryId, what: typeof summaryOf === "string" ? summaryOf : "purchase" }
    : undefined;
}

/** `confirm:<id>` / `cancel:<id>` → what was tapped on which summary. */
export function readSummaryChoice(
  choice: string | undefined,
): { action: "confirm" | "cancel"; id: string } | undefined {
  const m = /^(confirm|cancel):([\w-]{1,16})$/.exec(choice ?? "");
  return m ? { action: m[1] as "confirm" | "cancel", id: m[2] as string } : undefined;
}

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
