import type { Logger } from "../../api/logger";
import { parseNetworkName } from "../../api/services/catalogue/normalize";
import { NETWORKS, type Network } from "../../api/services/vtu/provider";
import type { Intent } from "./intents/intent";
import { toIntent } from "./intents/llm-intent";
import { INTENT_SYSTEM_PROMPT, intentTools, type ToolDefinition } from "./intents/llm-tools";

/**
 * What the engine needs of a language model for free text: one tool call for one message. The
 * composition root plugs in a vendor's client (api/providers/groq/tool-call-client.ts); the engine
 * owns the tools and the rules that turn a call into an intent (intents/llm-tools.ts, llm-intent.ts).
 */
export type ToolCaller = {
  callTool(request: { system: string; message: string; tools: ToolDefinition[] }): Promise<ToolCallResult>;
};

export type ToolCallFailure = "timeout" | "error" | "no_tool_call" | "invalid_arguments" | "refused";

export type ToolCallResult =
  | { ok: true; call: { name: string; arguments: Record<string, unknown> }; raw: unknown }
  | { ok: false; reason: ToolCallFailure; detail: string };

/** What the model understood: an intent that passed every check, or why there is none. */
export type IntentReading =
  | { ok: true; intent: Intent; raw: unknown }
  | { ok: false; reason: ToolCallFailure; detail: string };

/**
 * One message read by the model. `context.networks` narrows the network enum to the networks on
 * offer (names as the catalogue writes them); all networks when absent. Never throws.
 */
export async function readIntent(
  caller: ToolCaller,
  text: string,
  context?: { networks: string[] },
): Promise<IntentReading> {
  const message = text.trim();
  const result = await caller.callTool({
    system: INTENT_SYSTEM_PROMPT,
    message,
    tools: intentTools(offeredNetworks(context?.networks)),
  });
  if (!result.ok) {
    return result;
  }
  const read = toIntent(result.call, message);
  if ("problem" in read) {
    return { ok: false, reason: "invalid_arguments", detail: read.problem };
  }
  return { ok: true, intent: read.intent, raw: result.raw };
}

/**
 * The engine's free-text fallback on a model: any failure (timeout, garbage, no tool call,
 * arguments that do not check out) is undefined, and the engine answers with the menu.
 */
export function understandWith(
  caller: ToolCaller,
  logger: Logger,
): (text: string) => Promise<Intent | undefined> {
  return async (text) => {
    const result = await readIntent(caller, text).catch(
      (error: unknown): IntentReading => ({ ok: false, reason: "error", detail: String(error) }),
    );
    if (!result.ok) {
      logger.info({ reason: result.reason }, "free-text understanding fell back to the menu");
      return undefined;
    }
    return result.intent;
  };
}

function offeredNetworks(names: readonly string[] | undefined): Network[] {
  const networks = [...new Set((names ?? []).map(parseNetworkName).filter((name) => name !== undefined))];
  return networks.length > 0 ? networks : [...NETWORKS];
}
