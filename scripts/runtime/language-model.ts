import type { Config } from "../../api/config";
import type { Logger } from "../../api/logger";
import { createGroqPhraseClient } from "../../api/providers/groq/phrase-client";
import { createGroqToolCallClient } from "../../api/providers/groq/tool-call-client";
import { phraseWith } from "../../bot/engine/phrase";
import type { EngineDeps } from "../../bot/engine/types";
import { understandWith } from "../../bot/engine/understand";

/** Wording is a nicety: it gets less time than understanding does. */
const PHRASE_TIMEOUT_MS = 2_500;

/**
 * The language model the chat engine may use: Groq when GROQ_API_KEY is set, nothing otherwise.
 * It reads what the grammar cannot (the engine's tools and rules on Groq's tool calling) and words
 * plan advice (the engine checks the wording against its draft).
 */
export function languageModel(config: Config, logger: Logger): Pick<EngineDeps, "understand" | "phrase"> {
  if (!config.GROQ_API_KEY) {
    return {};
  }
  const groq = { apiKey: config.GROQ_API_KEY, baseURL: config.GROQ_BASE_URL, model: config.GROQ_MODEL };
  return {
    understand: understandWith(
      createGroqToolCallClient({ ...groq, timeoutMs: config.GROQ_TIMEOUT_MS }),
      logger,
    ),
    phrase: phraseWith(
      createGroqPhraseClient({ ...groq, timeoutMs: Math.min(config.GROQ_TIMEOUT_MS, PHRASE_TIMEOUT_MS) }),
      logger,
    ),
  };
}
