import type { FlowContext, StepResult } from "../types";
import type { Flow } from "./flow";

/**
 * If a flow stopped at `step` offering `choice`, answer it with that choice (as a tap would);
 * undefined otherwise. Used to hand a flow a value it only takes from its own list.
 */
export async function pickOffered(
  fc: FlowContext,
  flow: Flow,
  result: StepResult,
  step: string,
  choice: string,
): Promise<StepResult | undefined> {
  const offered = result.replies.some((r) => r.choices?.some((c) => c.id === choice));
  if (result.next?.step !== step || !offered) {
    return undefined;
  }
  return flow.handle(fc, result.next, { choice });
}
