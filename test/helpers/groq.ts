import { afterAll, beforeAll, beforeEach } from "vitest";
import {
  createGroqToolCallClient,
  type GroqToolCallClientOptions,
} from "../../api/providers/groq/tool-call-client";
import { type GroqEmulator, startGroqEmulator } from "../emulators/groq-emulator";

/** A key shaped like Groq's, with a sentinel the tests look for in logs and answers (S11). */
export const GROQ_TEST_KEY = "gsk_test_SENTINEL_5f3c9a";
export const GROQ_TEST_MODEL = "llama-3.3-70b-versatile";

/**
 * The local Groq emulator for one test file (started once, its faults and recorded requests cleared
 * before each test) and the real groq-sdk tool-call client pointed at it: 3 s timeout, no retries
 * unless a test asks for them.
 */
export function useGroqEmulator() {
  let emulator: GroqEmulator | undefined;
  beforeAll(async () => {
    emulator = await startGroqEmulator({ apiKey: GROQ_TEST_KEY });
  });
  afterAll(async () => {
    await emulator?.close();
  });
  beforeEach(() => {
    emulator?.reset();
    emulator?.clearRequests();
  });
  const running = (): GroqEmulator => {
    if (!emulator) {
      throw new Error("the Groq emulator is not running (use it inside a test)");
    }
    return emulator;
  };
  return {
    get emulator(): GroqEmulator {
      return running();
    },
    client(overrides: Partial<GroqToolCallClientOptions> = {}) {
      return createGroqToolCallClient({
        apiKey: GROQ_TEST_KEY,
        baseURL: running().url,
        model: GROQ_TEST_MODEL,
        timeoutMs: 3000,
        maxRetries: 0,
        ...overrides,
      });
    },
  };
}
