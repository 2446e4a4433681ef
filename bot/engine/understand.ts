import type { Config } from "../../api/config";
import type { Logger } from "../../api/logger";
import { createGroqIntentClient } from "../../api/providers/groq/intent-client";
import { type Intent, IntentSchema } from "./intents/intent";

/**
 * The engine's free-text fallback from the configuration: Groq when GROQ_API_KEY is set, nothing
 * otherwise. Any failure (timeout, garbage, no tool call, arguments that do not validate) is
 * undefined, and the engine answers with the menu.
 */
export function createUnderstanding(
  config: Config,
  logger: Logger,
): ((text: string) => Promise<Intent | undefined>) | undefined {
  if (!config.GROQ_API_KEY) {
    return undefined;
  }
  const client = createGroqIntentClient({
    apiKey: config.GROQ_API_KEY,
    baseURL: config.GROQ_BASE_URL,
    model: config.GROQ_MODEL,
    timeoutMs: config.GROQ_TIMEOUT_MS,
  });
  return async (text) => {
    const result = await client.understand(text);
    if (!result.ok) {
      logger.info({ reason: result.reason }, "free-text understanding fell back to the menu");
      return undefined;
    }
    const parsed = IntentSchema.safeParse(result.intent);
    return parsed.success ? parsed.data : undefined;
  };
}
