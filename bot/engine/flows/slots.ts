import type { SaveBeneficiaryInput } from "../../../api/services/beneficiaries";
import type { OrderInput } from "../../../api/services/vtu";
import type { Lang } from "../i18n";
import type { Intent } from "../intents/intent";
import { doneReply, errorText, menuReply } from "../replies";
import type { Choice, FlowContext, StepResult } from "../types";
import type { Flow } from "./flow";
import { again, confirmStep, payWithPin, question } from "./purchase";
import { withNotes } from "./written";

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
