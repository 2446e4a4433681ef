import { randomBytes } from "node:crypto";
import { ServiceError } from "../../api/services/errors";
import { DEFAULT_LANG, type Lang, templates } from "./i18n";
import { serviceErrorText } from "./i18n/service-errors";
import type { Choice, FlowState, Reply } from "./types";

const T = templates("replies", {
  airtime: { en: () => "Buy airtime", pcm: () => "Buy airtime" },
  data: { en: () => "Buy data", pcm: () => "Buy data" },
  electricity: { en: () => "Pay for electricity", pcm: () => "Pay for light (electricity)" },
  cable: { en: () => "Pay for cable TV", pcm: () => "Pay for cable TV" },
  balance: { en: () => "My balance", pcm: () => "Check my balance" },
  fund: { en: () => "Fund my wallet", pcm: () => "Put money for my wallet" },
  withdraw: { en: () => "Withdraw to my bank", pcm: () => "Comot money go my bank" },
  history: { en: () => "My recent orders", pcm: () => "Wetin I buy last" },
  receipt: { en: () => "Get a receipt", pcm: () => "Collect receipt" },
  pin: { en: () => "Set or change PIN", pcm: () => "Set or change my PIN" },
  link: { en: () => "Link another channel", pcm: () => "Join my other chat" },
  gift: { en: () => "Gift room", pcm: () => "Gift room" },
  help: { en: () => "Help", pcm: () => "Help me" },
  whatNext: { en: () => "What would you like to do?", pcm: () => "Wetin you wan do?" },
  menu: { en: () => "Menu", pcm: () => "Menu" },
  cancel: { en: () => "Cancel", pcm: () => "Cancel" },
  confirm: { en: () => "Confirm", pcm: () => "Confirm" },
  forgotPin: { en: () => "I forgot my PIN", pcm: () => "I don forget my PIN" },
  oops: {
    en: () => "Sorry, something went wrong on our side. Nothing was charged; please try again.",
    pcm: () => "Sorry, something spoil for our side. Dem no charge you anything; abeg try again.",
  },
});

/** The main menu: what the chat can do (flows not built yet are not offered). */
export function mainMenu(lang: Lang): Choice[] {
  return [
    { id: "nav:airtime", label: T.airtime[lang]() },
    { id: "nav:data", label: T.data[lang]() },
    { id: "nav:electricity", label: T.electricity[lang]() },
    { id: "nav:cable", label: T.cable[lang]() },
    { id: "nav:balance", label: T.balance[lang]() },
    { id: "nav:fund", label: T.fund[lang]() },
    { id: "nav:withdraw", label: T.withdraw[lang]() },
    { id: "nav:history", label: T.history[lang]() },
    { id: "nav:receipt", label: T.receipt[lang]() },
    { id: "nav:pin", label: T.pin[lang]() },
    { id: "nav:link", label: T.link[lang]() },
    { id: "nav:gift", label: T.gift[lang]() },
    { id: "nav:help", label: T.help[lang]() },
  ];
}

/** The English menu, for flows not converted to templates yet (prefer `mainMenu(fc.lang)`). */
export const MAIN_MENU: Choice[] = mainMenu(DEFAULT_LANG);

/** The full menu: for "menu", help, a greeting, and what the bot did not understand. */
export function menuReply(text?: string, lang: Lang = DEFAULT_LANG): Reply {
  return { text: text ?? T.whatNext[lang](), choices: mainMenu(lang) };
}

/** Ends an answer instead of the full menu: one short button (a numbered line) that opens it. */
export function menuChoice(lang: Lang): Choice {
  return { id: "nav:menu", label: T.menu[lang]() };
}
export const MENU_CHOICE: Choice = menuChoice(DEFAULT_LANG);

/** An answer that ends the conversation: its text and choices, then the short Menu choice. */
export function doneReply(text: string, choices: Choice[] = [], lang: Lang = DEFAULT_LANG): Reply {
  return { text, choices: [...choices, menuChoice(lang)] };
}

/** Offered where a wallet is short (a gift room, a failed payment): opens funding. */
export function fundChoice(lang: Lang): Choice {
  return { id: "nav:fund", label: T.fund[lang]() };
}

export function cancelChoice(lang: Lang): Choice {
  return { id: "cancel", label: T.cancel[lang]() };
}
export const CANCEL_CHOICE: Choice = cancelChoice(DEFAULT_LANG);

/**
 * A purchase summary's own id: a short random nonce in its Confirm and Cancel choices
 * (`confirm:<id>`, `cancel:<id>`: well inside Telegram's 64-byte callback data) and in its message
 * tag, so a tap on an older summary is told apart from one on the current summary, and the older
 * summary's buttons can be removed.
 */
export function newSummaryId(): string {
  return randomBytes(4).toString("base64url");
}

export function summaryChoices(id: string, lang: Lang = DEFAULT_LANG): Choice[] {
  return [
    { id: `confirm:${id}`, label: T.confirm[lang]() },
    { id: `cancel:${id}`, label: T.cancel[lang]() },
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
export function forgotPinChoice(lang: Lang): Choice {
  return { id: "pin:forgot", label: T.forgotPin[lang]() };
}
export const FORGOT_PIN_CHOICE: Choice = forgotPinChoice(DEFAULT_LANG);

/**
 * A service error becomes its own message (written for the person; in Pidgin chosen by its code,
 * i18n/service-errors.ts); anything else, an apology.
 */
export function errorText(error: unknown, lang: Lang = DEFAULT_LANG): string {
  if (error instanceof ServiceError) {
    return serviceErrorText(error, lang);
  }
  return T.oops[lang]();
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
