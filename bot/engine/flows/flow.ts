import type { Intent } from "../intents/intent";
import type { FlowContext, FlowState, StepResult } from "../types";

/**
 * A conversation: `start` opens it (with whatever the first message already said), `handle` takes
 * each answer at the current step. Steps return replies and the next state, or no state when done.
 * State holds only what was collected, never a PIN. A step that takes a PIN is named "pin": adapters
 * delete such messages as they arrive (see awaitsPin).
 */
export type Flow = {
  name: string;
  start(fc: FlowContext, intent?: Intent): Promise<StepResult>;
  /**
   * Undefined means "not an answer to this step": the engine reads the message as a new request.
   * Only steps that merely offer something (save this number?) do that; questions insist.
   */
  handle(
    fc: FlowContext,
    state: FlowState,
    answer: { choice?: string; text?: string },
  ): Promise<StepResult | undefined>;
  /**
   * Steps whose answer is the person's own words (a quiz question, a message for a group): there
   * "what is my balance?" is the answer, not a request to switch flows. Cancel still cancels.
   */
  freeTextSteps?: ReadonlySet<string>;
  /**
   * For a step that stepped aside (`handle` gave undefined) when nothing else understood the message
   * either: the question again, instead of "Sorry, I did not get that" and the menu.
   */
  notUnderstood?(fc: FlowContext, state: FlowState): StepResult | undefined;
};
