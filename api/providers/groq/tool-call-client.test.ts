import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { GROQ_CHAT_COMPLETIONS_PATH, type GroqReply } from "../../../test/emulators/groq-emulator";
import { GROQ_TEST_KEY, GROQ_TEST_MODEL, useGroqEmulator } from "../../../test/helpers/groq";
import {
  type GroqTool,
  type GroqToolCall,
  type GroqToolCallClientOptions,
  MAX_MESSAGE_CHARS,
} from "./tool-call-client";

/**
 * The real groq-sdk client against the local Groq emulator, as a vendor: what we send (model,
 * temperature 0, the tools as given, the prompt, never the key), how the one tool call is read back,
 * and how every way Groq can fail lands on an `ok: false`. What the tools mean, and whether their
 * arguments are believed, is the chat engine's (bot/engine/intents/llm-intent.test.ts).
 */

const API_KEY = GROQ_TEST_KEY;
const MODEL = GROQ_TEST_MODEL;
const SYSTEM = "You route chat messages. Call exactly one tool.";
const TOOLS: GroqTool[] = [
  {
    name: "check_balance",
    description: "Show the wallet balance.",
    parameters: { type: "object", properties: {}, additionalProperties: false },
  },
  {
    name: "buy_airtime",
    description: "Buy airtime.",
    parameters: {
      type: "object",
      properties: { amount: { type: ["string", "number"] }, phone: { type: "string" } },
      additionalProperties: false,
    },
  },
];

const groq = useGroqEmulator();
const client = groq.client;

/** One call with the model answering `reply`; every result is checked for the key. */
async function callTool(
  message: string,
  reply: GroqReply,
  overrides: Partial<GroqToolCallClientOptions> = {},
): Promise<GroqToolCall> {
  groq.emulator.setReply(reply);
  const result = await client(overrides).callTool({ system: SYSTEM, message, tools: TOOLS });
  expect(JSON.stringify(result)).not.toContain(API_KEY);
  return result;
}

function toolCall(name: string, args: string | Record<string, unknown>): GroqReply {
  return { kind: "tool_call", name, arguments: args };
}

describe("happy", () => {
  it("gives the one tool call, its arguments parsed into an object, and what the model was", async () => {
    const result = await callTool(
      "abeg buy 1.5k credit for 08031234567",
      toolCall("buy_airtime", { amount: "1.5k", phone: "08031234567", network: null }),
    );
    expect(result).toEqual({
      ok: true,
      call: { name: "buy_airtime", arguments: { amount: "1.5k", phone: "08031234567", network: null } },
      raw: expect.objectContaining({
        model: MODEL,
        finishReason: "tool_calls",
        toolCalls: [expect.objectContaining({ name: "buy_airtime" })],
      }),
    });
  });

  it("reads '' arguments as no arguments", async () => {
    const result = await callTool("my balance", toolCall("check_balance", ""));
    expect(result).toMatchObject({ ok: true, call: { name: "check_balance", arguments: {} } });
  });

  it("sends the configured model, temperature 0, the tools with tool_choice auto, and never the key", async () => {
    await callTool("  how far, wetin be my balance ", toolCall("check_balance", {}));

    expect(groq.emulator.requests).toHaveLength(1);
    const [request] = groq.emulator.requests;
    expect(request).toMatchObject({
      method: "POST",
      path: GROQ_CHAT_COMPLETIONS_PATH,
      model: MODEL,
      temperature: 0,
      toolChoice: "auto",
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    expect(request?.toolNames).toEqual(["check_balance", "buy_airtime"]);
    expect(request?.body).toMatchObject({
      parallel_tool_calls: false,
      tools: [
        { type: "function", function: TOOLS[0] },
        { type: "function", function: TOOLS[1] },
      ],
    });
    expect(request?.messages).toEqual([
      { role: "system", content: SYSTEM },
      { role: "user", content: "how far, wetin be my balance" },
    ]);
    // The key travels in the Authorization header only: nowhere in what the model reads.
    expect(request?.bodyText).not.toContain(API_KEY);
  });

  it("answers within the timeout when Groq is slow but not too slow", async () => {
    groq.emulator.setHangMs(100);
    const result = await callTool("my balance", { kind: "slow", reply: toolCall("check_balance", {}) });
    expect(result).toMatchObject({ ok: true, call: { name: "check_balance" } });
  });

  it("retries a 500 within the time budget when retries are allowed", async () => {
    groq.emulator.queueReplies({ kind: "http_error", status: 500 }, toolCall("check_balance", {}));
    const retried = await client({ maxRetries: 1 }).callTool({
      system: SYSTEM,
      message: "my balance",
      tools: TOOLS,
    });
    expect(retried).toMatchObject({ ok: true, call: { name: "check_balance" } });
    expect(groq.emulator.requests).toHaveLength(2);
  });
});

describe("error", () => {
  it("a plain text answer is no_tool_call", async () => {
    const result = await callTool("tell me a story", { kind: "text", content: "Once upon a time…" });
    expect(result).toMatchObject({ ok: false, reason: "no_tool_call" });
  });

  it("a refusal is refused", async () => {
    const result = await callTool("something rude", { kind: "refusal", refusal: "I can't help with that." });
    expect(result).toMatchObject({ ok: false, reason: "refused" });
  });

  const invalid: [string, GroqReply][] = [
    ["arguments that are not JSON", toolCall("buy_airtime", '{"amount": "500"')],
    ["arguments that are a JSON array", toolCall("buy_airtime", '["500"]')],
    ["arguments that are a JSON string", toolCall("buy_airtime", '"500"')],
    [
      "two tool calls at once",
      {
        kind: "tool_calls",
        calls: [
          { name: "check_balance", arguments: {} },
          { name: "buy_airtime", arguments: {} },
        ],
      },
    ],
    [
      "Groq's own tool_use_failed 400",
      { kind: "tool_use_failed", failedGeneration: "<function=x>{amount: 500" },
    ],
  ];
  it.each(invalid)("%s is invalid_arguments", async (_label, reply) => {
    const result = await callTool("buy 500 airtime for 08099998888", reply);
    expect(result).toMatchObject({ ok: false, reason: "invalid_arguments" });
    // Not the model's failed generation: it holds the customer's numbers.
    expect(JSON.stringify(result)).not.toContain("8099998888");
  });

  it("a garbage body is error", async () => {
    expect(await callTool("my balance", { kind: "garbage" })).toMatchObject({ ok: false, reason: "error" });
    expect(
      await callTool("my balance", { kind: "garbage", body: "<html>oops</html>", contentType: "text/html" }),
    ).toMatchObject({ ok: false, reason: "error" });
    expect(await callTool("my balance", { kind: "json", body: {} })).toMatchObject({
      ok: false,
      reason: "error",
    });
    expect(await callTool("my balance", { kind: "json", body: { choices: [] } })).toMatchObject({
      ok: false,
      reason: "error",
    });
  });

  it("a 500 is error, asked once with maxRetries 0", async () => {
    const result = await callTool("my balance", { kind: "http_error", status: 500 });
    expect(result).toMatchObject({ ok: false, reason: "error", detail: expect.stringContaining("HTTP 500") });
    expect(groq.emulator.requests).toHaveLength(1);
  });

  it("a wrong key is error and the key is not in the result", async () => {
    const result = await callTool("my balance", toolCall("check_balance", {}), { apiKey: "gsk_wrong_key" });
    expect(result).toMatchObject({ ok: false, reason: "error", detail: expect.stringContaining("401") });
    expect(JSON.stringify(result)).not.toContain("gsk_wrong_key");
  });

  it("redacts the key if Groq ever echoes it back", async () => {
    const result = await callTool("my balance", {
      kind: "http_error",
      status: 400,
      message: `Invalid API key ${API_KEY} for model`,
    });
    expect(result).toMatchObject({
      ok: false,
      reason: "error",
      detail: expect.stringContaining("[redacted]"),
    });
  });

  it("a hang is timeout, within the configured time", async () => {
    groq.emulator.setHangMs(5000);
    const started = Date.now();
    const result = await callTool("my balance", { kind: "hang" }, { timeoutMs: 200 });
    const elapsed = Date.now() - started;
    expect(result).toMatchObject({ ok: false, reason: "timeout" });
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(1500);
  });

  it("the timeout bounds the whole call, retries and their back-off included", async () => {
    groq.emulator.setReply({ kind: "http_error", status: 503 });
    const started = Date.now();
    const result = await client({ timeoutMs: 300, maxRetries: 5 }).callTool({
      system: SYSTEM,
      message: "my balance",
      tools: TOOLS,
    });
    const elapsed = Date.now() - started;
    expect(result).toMatchObject({ ok: false, reason: "timeout" });
    expect(elapsed).toBeLessThan(1500);
  });

  it("Groq unreachable is error", async () => {
    const port = await closedPort();
    const result = await callTool("my balance", toolCall("check_balance", {}), {
      baseURL: `http://127.0.0.1:${port}`,
    });
    expect(result).toMatchObject({ ok: false, reason: "error" });
  });

  it("an empty or overlong message is not sent", async () => {
    const send = (message: string) => client().callTool({ system: SYSTEM, message, tools: TOOLS });
    expect(await send("   ")).toMatchObject({ ok: false, reason: "no_tool_call" });
    expect(await send("a".repeat(MAX_MESSAGE_CHARS + 1))).toMatchObject({ ok: false, reason: "error" });
    expect(groq.emulator.requests).toHaveLength(0);
  });
});

async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
