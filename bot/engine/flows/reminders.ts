import { CABLE_NAMES } from "../../../api/services/catalogue/normalize";
import { formatNaira } from "../../../api/services/money";
import {
  type CableCard,
  formatDay,
  listCableCards,
  listNudgeOptOuts,
  NUDGE_KINDS,
  type NudgeKind,
  resumePurchaseNudges,
  setCardReminders,
  stopPurchaseNudges,
} from "../../../api/services/renewals";
import type { CableProvider } from "../../../api/services/vtu/provider";
import { type Lang, templates } from "../i18n";
import type { IntentOf } from "../intents/intent";
import { doneReply, errorText } from "../replies";
import type { Choice, FlowContext, StepResult } from "../types";
import type { Flow } from "./flow";

const T = templates("reminders", {
  heading: { en: () => "Your cable cards:", pcm: () => "Your cable cards wey I know:" },
  noCards: {
    en: () => "I don't know any cable card of yours yet: it appears here after you buy or renew one.",
    pcm: () => "I never sabi any cable card for you: e go show here after you buy or renew one.",
  },
  card: {
    en: (name: string, card: string, bouquet: string) => `${name} ${card}${bouquet ? `, ${bouquet}` : ""}`,
    pcm: (name: string, card: string, bouquet: string) =>
      `${name} card ${card}${bouquet ? `, ${bouquet}` : ""}`,
  },
  due: { en: (day: string) => `due ${day}`, pcm: (day: string) => `e go end ${day}` },
  noDue: { en: () => "due date not known", pcm: () => "I no know when e go end" },
  renewal: {
    en: (amount: string) => `renews at ${amount}`,
    pcm: (amount: string) => `to renew na ${amount}`,
  },
  on: { en: () => "reminders on", pcm: () => "I go remind you" },
  off: { en: () => "reminders off", pcm: () => "I no go remind you" },
  nudges: {
    en: (electricity: string, data: string) =>
      `Purchase reminders: electricity ${electricity}, data plans ${data}.`,
    pcm: (electricity: string, data: string) =>
      `Reminder to buy again: light ${electricity}, data plan ${data}.`,
  },
  nudgeOn: { en: () => "on", pcm: () => "dey on" },
  nudgeOff: { en: () => "off", pcm: () => "don off" },
  which: {
    en: () => "Which reminders? Choose below.",
    pcm: () => "Which reminder? Choose for down.",
  },
  stopCard: {
    en: (card: string) => `Stop reminders ${card}`,
    pcm: (card: string) => `Stop reminder ${card}`,
  },
  startCard: {
    en: (card: string) => `Turn on reminders ${card}`,
    pcm: (card: string) => `On reminder ${card}`,
  },
  stopElectricity: { en: () => "Stop electricity reminders", pcm: () => "Stop light reminder" },
  startElectricity: { en: () => "Turn on electricity reminders", pcm: () => "On light reminder" },
  stopData: { en: () => "Stop data reminders", pcm: () => "Stop data reminder" },
  startData: { en: () => "Turn on data reminders", pcm: () => "On data reminder" },
  cardsOn: {
    en: (cards: string) => `Done: renewal reminders are on for ${cards}.`,
    pcm: (cards: string) => `E don do: I go remind you to renew ${cards}.`,
  },
  cardsOff: {
    en: (cards: string) => `Done: no more renewal reminders for ${cards}.`,
    pcm: (cards: string) => `E don do: I no go remind you again for ${cards}.`,
  },
  nudgeTurnedOn: {
    en: (what: string) => `Done: ${what} reminders are on.`,
    pcm: (what: string) => `E don do: ${what} reminder don on.`,
  },
  nudgeTurnedOff: {
    en: (what: string) => `Done: no more ${what} reminders.`,
    pcm: (what: string) => `E don do: I no go send ${what} reminder again.`,
  },
  electricity: { en: () => "electricity", pcm: () => "light" },
  data: { en: () => "data plan", pcm: () => "data plan wey dey end" },
  notYours: {
    en: () => "That card is not among yours, so nothing changed.",
    pcm: () => "That card no be your own, so I no change anything.",
  },
  notFound: {
    en: (card: string) => `I don't know card ${card} among yours, so nothing changed.`,
    pcm: (card: string) => `I no see card ${card} among your own, so I no change anything.`,
  },
});

/** Cards with choices in one message; the rest are listed (a chat's buttons are few). */
const MAX_CARD_CHOICES = 5;

/** "••••7890": a card number is shown by its last four digits only. */
export function maskCard(smartcard: string): string {
  return `••••${smartcard.slice(-4)}`;
}

const cableName = (provider: string) => CABLE_NAMES[provider as CableProvider] ?? provider;

type Change = { on: boolean; smartcard?: string; topic?: "cable" | NudgeKind; cardId?: number };

/**
 * "My cable reminders", "my cards", "turn on reminders for 1234567890", "stop data reminders" (issue
 * 19, DECISIONS §70): the customer's cable cards (provider, card masked to its last four, bouquet,
 * due date, renewal amount, reminders on or off) and their purchase-reminder opt-outs, with a choice
 * to turn each on or off. A request that names what to change is done at once and the list shown
 * after; "stop reminders" alone shows the list to choose from. Nothing here buys anything.
 */
export const remindersFlow: Flow = {
  name: "reminders",
  async start(fc, intent) {
    const asked = intent?.kind === "reminders" ? (intent as IntentOf<"reminders">) : undefined;
    if (asked?.action && (asked.smartcard || asked.topic)) {
      return change(fc, { on: asked.action === "on", smartcard: asked.smartcard, topic: asked.topic });
    }
    return list(fc, asked?.action ? T.which[fc.lang]() : undefined);
  },
  async handle(fc, state, answer) {
    const m = /^(on|off):(\d{1,15}|electricity|data)$/.exec(answer.choice ?? "");
    if (state.step !== "list" || !m) {
      // Anything else is a new request.
      return undefined;
    }
    const on = m[1] === "on";
    const target = m[2] ?? "";
    return /^\d+$/.test(target)
      ? change(fc, { on, cardId: Number(target) })
      : change(fc, { on, topic: target as NudgeKind });
  },
};

async function change(fc: FlowContext, want: Change): Promise<StepResult> {
  const lang = fc.lang;
  try {
    if (want.topic === "electricity" || want.topic === "data") {
      const kind = want.topic;
      await (want.on ? resumePurchaseNudges : stopPurchaseNudges)(fc.ctx, { userId: fc.userId, kind });
      const what = kind === "electricity" ? T.electricity[lang]() : T.data[lang]();
      return list(fc, (want.on ? T.nudgeTurnedOn : T.nudgeTurnedOff)[lang](what));
    }
    const cards = await listCableCards(fc.ctx, fc.userId);
    const chosen = cards.filter((c) =>
      want.cardId !== undefined
        ? c.id === want.cardId
        : want.smartcard !== undefined
          ? c.smartcard === want.smartcard
          : true,
    );
    if (chosen.length === 0) {
      return list(fc, want.smartcard ? T.notFound[lang](maskCard(want.smartcard)) : T.notYours[lang]());
    }
    for (const card of chosen) {
      await setCardReminders(fc.ctx, { userId: fc.userId, cardId: card.id, on: want.on });
    }
    const names = chosen.map((c) => `${cableName(c.provider)} ${maskCard(c.smartcard)}`).join(", ");
    return list(fc, (want.on ? T.cardsOn : T.cardsOff)[lang](names));
  } catch (error) {
    return { replies: [doneReply(errorText(error, lang), [], lang)] };
  }
}

async function list(fc: FlowContext, lead?: string): Promise<StepResult> {
  const lang = fc.lang;
  const [cards, optOuts] = await Promise.all([
    listCableCards(fc.ctx, fc.userId),
    listNudgeOptOuts(fc.ctx, fc.userId),
  ]);
  const lines: string[] = lead ? [lead, ""] : [];
  if (cards.length === 0) {
    lines.push(T.noCards[lang]());
  } else {
    lines.push(T.heading[lang](), ...cards.map((card, i) => `${i + 1}. ${cardLine(lang, card)}`));
  }
  const state = (kind: NudgeKind) => (optOuts.includes(kind) ? T.nudgeOff : T.nudgeOn)[lang]();
  lines.push("", T.nudges[lang](state("electricity"), state("data")));

  const choices: Choice[] = cards
    .slice(0, MAX_CARD_CHOICES)
    .map((card) =>
      card.remindersOff
        ? { id: `on:${card.id}`, label: T.startCard[lang](maskCard(card.smartcard)) }
        : { id: `off:${card.id}`, label: T.stopCard[lang](maskCard(card.smartcard)) },
    );
  for (const kind of NUDGE_KINDS) {
    const off = optOuts.includes(kind);
    const label =
      kind === "electricity"
        ? (off ? T.startElectricity : T.stopElectricity)[lang]()
        : (off ? T.startData : T.stopData)[lang]();
    choices.push({ id: `${off ? "on" : "off"}:${kind}`, label });
  }
  return {
    replies: [doneReply(lines.join("\n"), choices, lang)],
    next: { flow: "reminders", step: "list", data: {} },
  };
}

function cardLine(lang: Lang, card: CableCard): string {
  const parts = [T.card[lang](cableName(card.provider), maskCard(card.smartcard), card.bouquet ?? "")];
  parts.push(card.dueDate ? T.due[lang](formatDay(card.dueDate)) : T.noDue[lang]());
  if (card.renewalAmountKobo !== null) {
    parts.push(T.renewal[lang](formatNaira(card.renewalAmountKobo)));
  }
  parts.push((card.remindersOff ? T.off : T.on)[lang]());
  return parts.join(" · ");
}
