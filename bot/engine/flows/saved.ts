import {
  type BeneficiaryDto,
  type BeneficiaryService,
  getBeneficiary,
  listBeneficiaries,
  type SaveBeneficiaryInput,
  saveBeneficiary,
  touchBeneficiary,
} from "../../../api/services/beneficiaries";
import { templates } from "../i18n";
import { doneReply, errorText, menuChoice, menuReply } from "../replies";
import type { Choice, FlowContext, Reply, StepResult } from "../types";
import type { Flow } from "./flow";

const T = templates("saved", {
  offer: {
    en: (who: string) => `Save ${who} for next time?`,
    pcm: (who: string) => `Make I save ${who} for next time?`,
  },
  yes: { en: () => "Save it", pcm: () => "Save am" },
  no: { en: () => "No, thanks", pcm: () => "No need" },
  notSaved: { en: () => "OK, not saved.", pcm: () => "No wahala, I no save am." },
  saved: {
    en: (label: string) => `Saved ${label}. Next time, pick it from the list.`,
    pcm: (label: string) => `I don save ${label}. Next time, just pick am from the list.`,
  },
});

/** How many saved recipients are offered as buttons when a flow asks for one. */
const OFFERED = 5;

/** The saved recipients of a service as choices, most recently used first. */
export async function savedChoices(fc: FlowContext, service: BeneficiaryService): Promise<Choice[]> {
  const saved = await listBeneficiaries({ ctx: fc.ctx, userId: fc.userId, service, limit: OFFERED });
  return saved.map((b) => ({ id: `ben:${b.id}`, label: b.label }));
}

/** "ADEBAYO · 7012345678": who it is and the number, cut to the 60 characters a label holds. */
export function savedLabel(name: string | undefined, number: string): string {
  const label = name ? `${name} · ${number}` : number;
  return label.length <= 60 ? label : `${name?.slice(0, 60 - number.length - 4)}… · ${number}`;
}

/** The saved recipient a "ben:<id>" tap names (the person's own only), or undefined. */
export async function pickedSaved(
  fc: FlowContext,
  choice: string | undefined,
): Promise<BeneficiaryDto | undefined> {
  const id = choice?.startsWith("ben:") ? Number(choice.slice(4)) : Number.NaN;
  return Number.isSafeInteger(id) ? getBeneficiary({ ctx: fc.ctx, userId: fc.userId, id }) : undefined;
}

/**
 * After a purchase that went through (or is on its way): a saved recipient moves to the top of the
 * list; a new one is offered for saving (DECISIONS.md, "Saved beneficiaries"). Never fails the
 * purchase reply: the money part is done, a hiccup here only loses the offer.
 *
 * The offer joins the purchase's message, except when that message announces the order's outcome:
 * the outcome's notification may be on its way already (one outcome, one message), and the offer
 * must not be lost with the reply's text.
 */
export async function afterPurchase(
  fc: FlowContext,
  save: SaveBeneficiaryInput,
  placed: Reply,
): Promise<StepResult> {
  const done: StepResult = { replies: [{ ...placed, choices: [menuChoice(fc.lang)] }] };
  try {
    const known = await touchBeneficiary({
      ctx: fc.ctx,
      userId: fc.userId,
      service: save.service,
      recipient: save.recipient,
    });
    if (known) {
      return done;
    }
    const offer = T.offer[fc.lang](save.label ?? save.recipient);
    const choices = [
      { id: "save:yes", label: T.yes[fc.lang]() },
      { id: "save:no", label: T.no[fc.lang]() },
      menuChoice(fc.lang),
    ];
    return {
      replies: placed.outcome
        ? [placed, { text: offer, choices }]
        : [{ ...placed, text: `${placed.text}\n${offer}`, choices }],
      next: { flow: "save", step: "offer", data: { save } },
    };
  } catch (error) {
    fc.ctx.logger.warn({ err: error }, "could not offer to save the recipient");
    return done;
  }
}

/**
 * The offer to save a recipient. It is an offer, not a question: any other message is read as a new
 * request (the handler returns undefined), so nobody gets stuck answering it.
 */
export const saveOfferFlow: Flow = {
  name: "save",
  async start(fc) {
    return { replies: [menuReply(undefined, fc.lang)] };
  },
  async handle(fc, state, answer) {
    if (answer.choice === "save:no") {
      return { replies: [doneReply(T.notSaved[fc.lang](), [], fc.lang)] };
    }
    if (answer.choice !== "save:yes") {
      return undefined;
    }
    try {
      const input = state.data.save as SaveBeneficiaryInput;
      const saved = await saveBeneficiary({ ctx: fc.ctx, userId: fc.userId, input });
      return { replies: [doneReply(T.saved[fc.lang](saved.label), [], fc.lang)] };
    } catch (error) {
      return { replies: [doneReply(errorText(error, fc.lang), [], fc.lang)] };
    }
  },
};
