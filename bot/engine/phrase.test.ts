import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GROQ_PHRASE_PROMPT } from "../../api/providers/groq/phrase-client";
import { languageModel } from "../../scripts/runtime/language-model";
import { type GroqEmulator, startGroqEmulator } from "../../test/emulators/groq-emulator";
import { captureLogger, testConfig } from "../../test/helpers/context";
import { checkPhrasing, type PhraseRequest, phraseOrDraft } from "./phrase";
import type { FlowContext } from "./types";

/** The LLM words an answer; the facts stay the draft's (issue 16). */

const DRAFT = [
  "The data plans I suggest within ₦2,000 on MTN:",
  "1. MTN 1GB · 30 days · SME: 1GB for 30 days, ₦651 (₦651 per GB). The best value per GB.",
  "2. MTN 2GB · 30 days · SME: 2GB for 30 days, ₦1,302 (₦651 per GB). Within your budget.",
  "Tap one to buy it.",
].join("\n");

const REQUEST: PhraseRequest = {
  lang: "en",
  draft: DRAFT,
  plans: [
    { name: "MTN 1GB · 30 days · SME", network: "MTN", size: "1GB" },
    { name: "MTN 2GB · 30 days · SME", network: "MTN", size: "2GB" },
  ],
  customerText: "which plan for 2k",
};

describe("checkPhrasing", () => {
  it("accepts a rewording that keeps every amount, size, number and plan of the draft", () => {
    const friendly =
      "Here you go! For ₦2,000 on MTN:\n1. MTN 1GB · 30 days · SME — 1GB, 30 days, ₦651 (₦651 per GB), best value.\n" +
      "2. MTN 2GB · 30 days · SME — 2GB, 30 days, ₦1,302 (₦651 per GB).\nTap the one you want.";
    expect(checkPhrasing(REQUEST, friendly)).toBe(true);
    expect(checkPhrasing(REQUEST, DRAFT)).toBe(true);
  });

  it.each([
    ["an invented price", DRAFT.replace("₦1,302", "₦1,200")],
    ["a price written as N…", `${DRAFT}\nOnly N500 today.`],
    ["an invented plan", `${DRAFT}\nOr Glo 5GB, very cheap.`],
    ["an invented size", `${DRAFT}\nYou also get 500MB bonus.`],
    ["an invented number", `${DRAFT}\nValid for 60 days.`],
    ["a plan dropped", DRAFT.split("\n").slice(0, 2).join("\n")],
    ["amounts in thousands", DRAFT.replace("₦2,000", "2k")],
    ["a link", `${DRAFT}\nSee www.cheapdata.ng`],
    ["nothing", "   "],
    ["an essay", `${DRAFT}\n${"Great plans. ".repeat(100)}`],
  ])("rejects %s", (_what, phrased) => {
    expect(checkPhrasing(REQUEST, phrased)).toBe(false);
  });
});

describe("Groq wording", () => {
  let emulator: GroqEmulator;
  beforeAll(async () => {
    emulator = await startGroqEmulator({ apiKey: "gsk_phrase_test" });
  });
  afterAll(() => emulator.close());
  beforeEach(() => {
    emulator.reset();
    emulator.clearRequests();
  });

  function fcWith(timeoutMs = 1000): FlowContext {
    const config = testConfig({
      GROQ_API_KEY: "gsk_phrase_test",
      GROQ_BASE_URL: emulator.url,
      GROQ_TIMEOUT_MS: String(timeoutMs),
    });
    const { logger } = captureLogger();
    return {
      deps: { phrase: languageModel(config, logger).phrase },
      ctx: { logger },
      lang: "en",
    } as unknown as FlowContext;
  }

  it("uses a faithful wording, and sends the customer's words as data inside JSON", async () => {
    const friendly = `Sure! ${DRAFT}`;
    emulator.setReply({ kind: "text", content: friendly });
    expect(await phraseOrDraft(fcWith(), REQUEST)).toBe(friendly);
    const [request] = emulator.requests;
    expect(request?.messages[0]).toEqual({ role: "system", content: GROQ_PHRASE_PROMPT });
    expect(JSON.parse(request?.messages[1]?.content ?? "")).toEqual({
      language: "English",
      customer_message: "which plan for 2k",
      draft: DRAFT,
    });
    expect(request?.toolNames).toEqual([]);
  });

  it("shows the draft when the model invents a price, fails, or is slow", async () => {
    emulator.setReply({ kind: "text", content: DRAFT.replace("₦651 (", "₦600 (") });
    expect(await phraseOrDraft(fcWith(), REQUEST)).toBe(DRAFT);
    emulator.setReply({ kind: "http_error", status: 503 });
    expect(await phraseOrDraft(fcWith(), REQUEST)).toBe(DRAFT);
    emulator.setReply({ kind: "text", content: "" });
    expect(await phraseOrDraft(fcWith(), REQUEST)).toBe(DRAFT);
    emulator.setHangMs(3000);
    emulator.setReply({ kind: "slow", reply: { kind: "text", content: DRAFT } });
    const started = Date.now();
    expect(await phraseOrDraft(fcWith(200), REQUEST)).toBe(DRAFT);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("is not configured without a key", () => {
    expect(languageModel(testConfig(), captureLogger().logger)).toEqual({});
  });
});
