import type { SaveBeneficiaryInput } from "../../../api/services/beneficiaries";
import { formatNaira } from "../../../api/services/money";
import type { OrderInput } from "../../../api/services/vtu";
import type { Lang } from "../i18n";
import type { Intent } from "../intents/intent";
import { doneReply, errorText, menuReply } from "../replies";
import type { Choice, FlowContext, StepResult } from "../types";
import type { Flow } from "./flow";
import { again, confirmStep, payWithPin, question } from "./purchase";
import { type AmountUse, quoted, readAmountAnswer, withNotes } from "./written";

/**
 * Purchase flows described by their slots (issue 16): each flow lists the values it needs, in the
 * order they are asked, with how to ask for each and how to read an answer. One engine runs them
 * all: the first message fills every slot it carries (`fromIntent`), then the first missing slot
 * is asked, an answer fills its slot (or is asked again, in words), and with nothing missing the
 * summary is shown → Confirm → PIN → order. No flow has its own `switch` over steps.
 */

/** What a person did at a step: tapped a choice or typed. */
export type Answer = { choice?: string; text?: string };

/** A question for a slot; `step` and `data` override the slot's own (a failed check goes back). */
export type Ask<D> = { text: string; choices?: Choice[]; step?: string; data?: D };

export type SlotSpec<D> = {
  /** The conversation step while this slot is asked. */
  step: string;
  /** True while the slot still needs a value. */
  missing: (data: D) => boolean;
  /**
   * The question, or `{ fill }` when the value is found without asking (a network this person
   * confirmed before, the name a biller gives for a meter), or `{ end }` when the purchase cannot
   * go on (nothing on sale): that sentence ends the conversation.
   */
  ask: (fc: FlowContext, data: D) => Promise<Ask<D> | { fill: Partial<D> } | { end: string }>;
  /** An answer at this step: the values it gives, or the words to ask again with. */
  read: (fc: FlowContext, data: D, answer: Answer) => Promise<Partial<D> | { again: string }>;
};

export type PurchaseSpec<D extends object> = {
  name: string;
  /** What the first message said, checked: the values kept and the notes on what could not be. */
  fromIntent: (fc: FlowContext, intent: Intent) => Promise<{ data: D; notes?: (string | undefined)[] }>;
  slots: SlotSpec<D>[];
  /** Everything back with the price (`summary` from purchase.ts), once no slot is missing. */
  summary: (fc: FlowContext, data: D) => Promise<StepResult>;
  /** The order to place with the PIN, once confirmed. */
  order: (data: D, pin: string) => OrderInput | undefined;
  /**
   * The answer when the order is placed (`delivered` when it already was), in the person's language;
   * `message` is the order's own message in that language.
   */
  placed: (data: D, message: string, delivered: boolean, lang: Lang) => string;
  /** The recipient to offer saving once the order is placed. */
  beneficiary: (data: D) => SaveBeneficiaryInput | undefined;
};

/** The Flow that runs a purchase described by its slots. */
export function purchaseFlow<D extends object>(spec: PurchaseSpec<D>): Flow {
  return {
    name: spec.name,
    async start(fc, intent) {
      if (intent?.kind !== spec.name) {
        return askNext(fc, spec, {} as D);
      }
      const { data, notes = [] } = await spec.fromIntent(fc, intent);
      return withNotes(notes, await askNext(fc, spec, data));
    },
    async handle(fc, state, answer) {
      const data = state.data as D;
      if (state.step === "confirm") {
        return confirmStep(fc, state, answer);
      }
      if (state.step === "pin") {
        return payWithPin(
          fc,
          state,
          answer,
          (pin) => spec.order(data, pin),
          (message, delivered, lang) => spec.placed(data, message, delivered, lang),
          spec.beneficiary(data),
        );
      }
      const slot = spec.slots.find((candidate) => candidate.step === state.step);
      if (!slot) {
        return { replies: [menuReply(undefined, fc.lang)] };
      }
      const read = await slot.read(fc, data, answer);
      return "again" in read
        ? again(state, String(read.again), fc.lang)
        : askNext(fc, spec, { ...data, ...read });
    },
  };
}

/** Ask for the first missing slot, or show the summary. */
async function askNext<D extends object>(
  fc: FlowContext,
  spec: PurchaseSpec<D>,
  data: D,
): Promise<StepResult> {
  try {
    for (const slot of spec.slots) {
      if (!slot.missing(data)) {
        continue;
      }
      const asked = await slot.ask(fc, data);
      if ("fill" in asked) {
        return askNext(fc, spec, { ...data, ...asked.fill });
      }
      if ("end" in asked) {
        return { replies: [doneReply(asked.end, [], fc.lang)] };
      }
      return question(
        spec.name,
        asked.step ?? slot.step,
        asked.data ?? data,
        asked.text,
        asked.choices ?? [],
        fc.lang,
      );
    }
    return await spec.summary(fc, data);
  } catch (error) {
    return { replies: [doneReply(errorText(error, fc.lang), [], fc.lang)] };
  }
}

/** A choice id with this prefix ("net:mtn" → "mtn"), or undefined. */
export function chosen(answer: Answer, prefix: string): string | undefined {
  return answer.choice?.startsWith(prefix) ? answer.choice.slice(prefix.length) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Slot kinds more than one flow asks for
// ---------------------------------------------------------------------------------------------

/**
 * An amount: tapped from `amounts` or typed, read and checked in words for `use` (written.ts). The
 * airtime and electricity amounts.
 */
export function amountSlot<D extends { amountKobo?: number }>(options: {
  use: AmountUse;
  amounts: readonly number[];
  ask: (fc: FlowContext, data: D) => string;
  /** Asked again when no amount was written at all. */
  again: (fc: FlowContext) => string;
}): SlotSpec<D> {
  return {
    step: "amount",
    missing: (data) => !data.amountKobo,
    async ask(fc, data) {
      return {
        text: options.ask(fc, data),
        choices: options.amounts.map((a) => ({ id: `amt:${a}`, label: formatNaira(a) })),
      };
    },
    async read(fc, _data, answer) {
      const picked = chosen(answer, "amt:");
      const read = picked ? { amountKobo: Number(picked) } : readAmountAnswer(fc, options.use, answer.text);
      if (!read || "problem" in read) {
        return { again: read?.problem ?? options.again(fc) };
      }
      return { amountKobo: read.amountKobo } as Partial<D>;
    },
  };
}

/**
 * A smartcard or meter number typed as digits (spaces and dashes dropped) of a length in `range`;
 * anything else is quoted back with the range (unless it looks like a PIN). A new number clears the name verified for the old one.
 */
export function accountNumberSlot<D extends { customerName?: string }>(options: {
  step: string;
  key: "smartcard" | "meterNumber";
  range: { min: number; max: number };
  ask: (fc: FlowContext, data: D) => string;
  /** `shown` is what was written, quoted (or "That" when it looks like a PIN: never quoted back). */
  notIt: (fc: FlowContext, shown: string, min: number, max: number) => string;
}): SlotSpec<D> {
  const { key, range } = options;
  return {
    step: options.step,
    missing: (data) => !(data as Record<string, unknown>)[key],
    async ask(fc, data) {
      return { text: options.ask(fc, data) };
    },
    async read(fc, _data, answer) {
      const digits = (answer.text ?? "").replace(/[\s-]/g, "");
      const fits = /^\d+$/.test(digits) && digits.length >= range.min && digits.length <= range.max;
      return fits
        ? ({ [key]: digits, customerName: undefined } as Partial<D>)
        : {
            again: options.notIt(
              fc,
              quoted(fc.lang, (answer.text ?? "").trim().slice(0, 24)),
              range.min,
              range.max,
            ),
          };
    },
  };
}

/**
 * The name a biller gives for the card or meter, before any money moves: the customer sees whose it
 * is. Never asked itself: when the check fails (no such number, the biller unreachable), the number
 * is asked again with the reason.
 */
export function verifySlot<D extends { customerName?: string }>(options: {
  numberStep: string;
  numberKey: "smartcard" | "meterNumber";
  verify: (fc: FlowContext, data: D) => Promise<Partial<D>>;
  failed: (fc: FlowContext, reason: string) => string;
  typeAgain: (fc: FlowContext) => string;
}): SlotSpec<D> {
  return {
    step: "verify",
    missing: (data) => !data.customerName,
    async ask(fc, data) {
      try {
        return { fill: await options.verify(fc, data) };
      } catch (error) {
        return {
          step: options.numberStep,
          text: options.failed(fc, errorText(error, fc.lang)),
          data: { ...data, [options.numberKey]: undefined },
        };
      }
    },
    async read(fc) {
      return { again: options.typeAgain(fc) };
    },
  };
}
