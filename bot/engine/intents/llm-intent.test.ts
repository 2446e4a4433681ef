import { describe, expect, it } from "vitest";
import type { GroqToolCallClientOptions } from "../../../api/providers/groq/tool-call-client";
import { GROQ_CHAT_COMPLETIONS_PATH, type GroqReply } from "../../../test/emulators/groq-emulator";
import { GROQ_TEST_KEY, GROQ_TEST_MODEL, useGroqEmulator } from "../../../test/helpers/groq";
import { type IntentReading, readIntent } from "../understand";
import { parseNairaAmount } from "./llm-intent";
import { INTENT_SYSTEM_PROMPT, INTENT_TOOLS, intentTools, TOOL_NAMES } from "./llm-tools";

/**
 * The intent rules beside the grammar, end to end: the engine's tools sent through the real
 * groq-sdk client to the local Groq emulator, and each tool call the "model" makes read into an
 * intent (amounts in kobo, names normalised, every value found in the customer's own words) or
 * refused as invalid_arguments, which the engine turns into the menu. The vendor's own failures
 * (timeouts, errors, garbage) are api/providers/groq/tool-call-client.test.ts.
 */

const API_KEY = GROQ_TEST_KEY;
const MODEL = GROQ_TEST_MODEL;

const groq = useGroqEmulator();
const client = groq.client;

/** One message read with the model answering `reply`; every result is checked for the key. */
async function understand(
  text: string,
  reply: GroqReply,
  overrides: Partial<GroqToolCallClientOptions> = {},
  context?: { networks: string[] },
): Promise<IntentReading> {
  groq.emulator.setReply(reply);
  const result = await readIntent(client(overrides), text, context);
  expect(JSON.stringify(result)).not.toContain(API_KEY);
  return result;
}

function toolCall(name: string, args: string | Record<string, unknown>): GroqReply {
  return { kind: "tool_call", name, arguments: args };
}

describe("happy", () => {
  it("reads a tool call into an intent, converting '1.5k' to kobo itself", async () => {
    const result = await understand(
      "abeg buy 1.5k mtn credit for 08031234567",
      toolCall("buy_airtime", { amount: "1.5k", network: "MTN", phone: "08031234567" }),
    );

    expect(result).toMatchObject({
      ok: true,
      intent: {
        kind: "airtime",
        amountKobo: 150_000,
        network: "mtn",
        networkSource: "said",
        phone: "08031234567",
      },
    });
    if (result.ok) {
      expect(result.intent).not.toHaveProperty("forSelf");
      expect(result.raw).toMatchObject({
        model: MODEL,
        finishReason: "tool_calls",
        toolCalls: [{ name: "buy_airtime" }],
      });
    }
  });

  it("accepts an amount the model sent as a number ('1500' → 150000 kobo) and for_self", async () => {
    const result = await understand(
      "load 1500 for my number",
      toolCall("buy_airtime", { amount: 1500, for_self: true, phone: null, network: "" }),
    );

    expect(result).toEqual({
      ok: true,
      intent: { kind: "airtime", amountKobo: 150_000, forSelf: true },
      raw: expect.anything(),
    });
  });

  it("keeps the network only when the customer named it (no guessing from the prefix)", async () => {
    const result = await understand(
      "airtime 500 for 08031234567",
      toolCall("buy_airtime", { amount: "500", network: "mtn", phone: "08031234567" }),
    );
    expect(result).toEqual({
      ok: true,
      intent: { kind: "airtime", amountKobo: 50_000, phone: "08031234567" },
      raw: expect.anything(),
    });
  });

  it("sends the configured model, temperature 0, the tools with tool_choice auto, and never the key", async () => {
    await understand("how far, wetin be my balance", toolCall("check_balance", {}));

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
    expect(request?.toolNames).toEqual(TOOL_NAMES);
    expect(request?.toolNames).toEqual(
      expect.arrayContaining(["buy_airtime", "buy_data", "pay_cable", "buy_electricity", "check_balance"]),
    );
    expect(request?.messages).toEqual([
      { role: "system", content: INTENT_SYSTEM_PROMPT },
      { role: "user", content: "how far, wetin be my balance" },
    ]);
    // The key travels in the Authorization header only: nowhere in what the model reads.
    expect(request?.bodyText).not.toContain(API_KEY);
    expect(request?.body).toMatchObject({ parallel_tool_calls: false });
  });

  it("narrows the network enum to the networks offered", async () => {
    await understand(
      "2gb glo",
      toolCall("buy_data", { network: "glo", size: "2GB" }),
      {},
      {
        networks: ["MTN", "Glo", "nonsense"],
      },
    );

    const body = groq.emulator.requests[0]?.body as {
      tools: { function: { name: string; parameters: unknown } }[];
    };
    const airtime = body.tools.find((tool) => tool.function.name === "buy_airtime");
    expect(airtime?.function.parameters).toMatchObject({
      properties: { network: { enum: ["mtn", "glo"] } },
      additionalProperties: false,
    });
  });

  it("reads data: size in MB, validity in days, a spaced +234 number normalised", async () => {
    const result = await understand(
      "abeg 2gb mtn weekly for +234 803 123 4567",
      toolCall("buy_data", { network: "mtn", size: "2GB", validity: "weekly", phone: "+2348031234567" }),
    );

    expect(result).toMatchObject({
      ok: true,
      intent: { kind: "data", network: "mtn", sizeMb: 2048, validityDays: 7, phone: "08031234567" },
    });
  });

  it("reads cable and electricity with names normalised to our codes", async () => {
    const cable = await understand(
      "renew my dstv compact 1234567890",
      toolCall("pay_cable", {
        provider: "DStv",
        smartcard: "1234567890",
        bouquet: "Compact",
        subscription: "renew",
      }),
    );
    expect(cable).toMatchObject({
      ok: true,
      intent: {
        kind: "cable",
        provider: "dstv",
        smartcard: "1234567890",
        bouquet: "compact",
        subscription: "renew",
      },
    });

    const change = await understand(
      "change my decoder to DStv Compact Plus",
      toolCall("pay_cable", { bouquet: "DStv Compact Plus", subscription: "Change" }),
    );
    expect(change).toEqual({
      ok: true,
      intent: { kind: "cable", bouquet: "compact-plus", subscription: "change" },
      raw: expect.anything(),
    });

    const light = await understand(
      "light 5000 ikeja prepaid 4512 3456 789",
      toolCall("buy_electricity", {
        disco: "Ikeja Electric",
        meter_type: "Prepaid",
        meter_number: "45123456789",
        amount: "5000",
      }),
    );
    expect(light).toMatchObject({
      ok: true,
      intent: {
        kind: "electricity",
        disco: "ikeja",
        meterType: "prepaid",
        meterNumber: "45123456789",
        amountKobo: 500_000,
      },
    });
  });

  it("maps the argument-less tools, whether arguments are '', '{}' or nulls", async () => {
    const cases: [string, string | Record<string, unknown>, string][] = [
      ["check_balance", "", "balance"],
      ["show_history", "{}", "history"],
      ["get_help", {}, "help"],
      ["show_menu", {}, "menu"],
      ["cancel", {}, "cancel"],
      ["greet", {}, "greeting"],
      ["change_pin", {}, "change_pin"],
      ["reset_pin", {}, "reset_pin"],
      ["link_account", {}, "link_account"],
      ["referral_link", {}, "referral"],
      ["loyalty_points", {}, "points"],
      ["customer_tier", {}, "tier"],
      ["scheduled_purchases", {}, "schedule"],
      ["reminder_settings", {}, "reminders"],
      ["gift_room", { mine: null }, "gift_room"],
      ["not_understood", {}, "unknown"],
      ["fund_wallet", { amount: null }, "fund"],
      ["fund_by_transfer", {}, "account_number"],
      ["withdraw", {}, "withdraw"],
    ];
    for (const [name, args, kind] of cases) {
      const result = await understand("good morning o", toolCall(name, args));
      expect(result, name).toEqual({ ok: true, intent: { kind }, raw: expect.anything() });
    }
  });

  it("reads a reminder setting: what to turn on or off, never a card number", async () => {
    expect(
      await understand(
        "abeg make una stop those data messages",
        toolCall("reminder_settings", { action: "off", topic: "data" }),
      ),
    ).toMatchObject({ ok: true, intent: { kind: "reminders", action: "off", topic: "data" } });
    expect(
      await understand("stop it", toolCall("reminder_settings", { action: "off", smartcard: "7012345678" })),
    ).toMatchObject({ ok: false, reason: "invalid_arguments" });
  });

  it("reads a request about the customer's own gift rooms", async () => {
    expect(
      await understand("how far my giveaway links", toolCall("gift_room", { mine: true })),
    ).toMatchObject({
      ok: true,
      intent: { kind: "gift_room", mine: true },
    });
  });

  it("reads a receipt request and a funding amount", async () => {
    expect(
      await understand("resend token for TD-7F3K9Q", toolCall("get_receipt", { order_ref: "TD-7F3K9Q" })),
    ).toMatchObject({ ok: true, intent: { kind: "receipt", orderRef: "TD-7F3K9Q" } });
    expect(
      await understand("fund my wallet with ₦20,000", toolCall("fund_wallet", { amount: "₦20,000" })),
    ).toMatchObject({ ok: true, intent: { kind: "fund", amountKobo: 2_000_000 } });
    expect(
      await understand(
        "I go send 5k from my bank, give me where",
        toolCall("fund_by_transfer", { amount: "5k" }),
      ),
    ).toMatchObject({ ok: true, intent: { kind: "account_number", amountKobo: 500_000 } });
    // An amount the customer never wrote is the model's invention: not used.
    expect(
      await understand("where do I send the money", toolCall("fund_by_transfer", { amount: "5000" })),
    ).toMatchObject({ ok: false, reason: "invalid_arguments" });
  });

  it("reads plan advice (budget from the message, usage words) and a repeat", async () => {
    expect(
      await understand(
        "which plan go good for 2k? I dey watch youtube and whatsapp",
        toolCall("recommend_data_plan", { budget: "2k", usage: ["youtube", "WhatsApp", "youtube"] }),
      ),
    ).toEqual(
      expect.objectContaining({
        ok: true,
        intent: { kind: "recommend", budgetKobo: 200_000, usage: ["youtube", "whatsapp"] },
      }),
    );
    expect(
      await understand("abeg the one wey I buy last time", toolCall("repeat_last_purchase", {})),
    ).toMatchObject({ ok: true, intent: { kind: "repeat" } });
    // A budget the customer never wrote is the model's invention: not used.
    expect(
      await understand("best data plan for me", toolCall("recommend_data_plan", { budget: "5000" })),
    ).toMatchObject({ ok: false, reason: "invalid_arguments" });
    expect(
      await understand("best data plan for me", toolCall("recommend_data_plan", { usage: ["tiktok"] })),
    ).toMatchObject({ ok: false, reason: "invalid_arguments" });
  });
});

describe("what the rules refuse", () => {
  const invalid: [string, string, GroqReply][] = [
    ["amount of the wrong type", "buy 500 airtime", toolCall("buy_airtime", { amount: true })],
    ["a negative amount (string)", "buy -500 airtime", toolCall("buy_airtime", { amount: "-500" })],
    ["a negative amount (number)", "buy -500 airtime", toolCall("buy_airtime", { amount: -500 })],
    ["a zero amount", "buy 0 airtime", toolCall("buy_airtime", { amount: 0 })],
    ["sub-kobo precision", "buy 500.555 airtime", toolCall("buy_airtime", { amount: "500.555" })],
    ["phone of the wrong type", "airtime 500 08031234567", toolCall("buy_airtime", { phone: 8031234567 })],
    ["for_self as a string", "500 for me", toolCall("buy_airtime", { amount: "500", for_self: "yes" })],
    ["an unknown network", "500 vodafone", toolCall("buy_airtime", { amount: "500", network: "vodafone" })],
    ["an unknown tool name", "send 5k to my brother", toolCall("transfer_money", { amount: "5k" })],
    ["an argument the tool does not have", "my balance", toolCall("check_balance", { account: "main" })],
    [
      "an extra key next to real ones",
      "500 airtime",
      toolCall("buy_airtime", { amount: "500", pin: "1234" }),
    ],
    ["arguments that are not JSON", "500 airtime", toolCall("buy_airtime", '{"amount": "500"')],
    ["arguments that are a JSON array", "500 airtime", toolCall("buy_airtime", '["500"]')],
    ["an amount the customer never wrote", "abeg buy airtime", toolCall("buy_airtime", { amount: "500" })],
    [
      "a phone number the customer never wrote",
      "buy 500 airtime",
      toolCall("buy_airtime", { amount: "500", phone: "08031234567" }),
    ],
    [
      "a meter number the customer never wrote",
      "light 5000 ikeja",
      toolCall("buy_electricity", { amount: "5000", meter_number: "45123456789" }),
    ],
    ["a smartcard that is not digits", "dstv abc", toolCall("pay_cable", { smartcard: "ABC-DEF" })],
    ["a data size without a unit", "2 mtn", toolCall("buy_data", { size: "2" })],
    ["a data size the customer never wrote", "mtn data", toolCall("buy_data", { size: "1GB" })],
    [
      "an order reference the customer never wrote",
      "my receipt",
      toolCall("get_receipt", { order_ref: "TD-123456" }),
    ],
    [
      "two tool calls at once",
      "my balance and history",
      {
        kind: "tool_calls",
        calls: [
          { name: "check_balance", arguments: {} },
          { name: "show_history", arguments: {} },
        ],
      },
    ],
    [
      "Groq's own tool_use_failed 400",
      "buy 500 airtime",
      { kind: "tool_use_failed", failedGeneration: "<function=buy_airtime>{amount: 500" },
    ],
  ];
  it.each(invalid)("%s is invalid_arguments", async (_label, text, reply) => {
    const result = await understand(text, reply);
    expect(result).toMatchObject({ ok: false, reason: "invalid_arguments" });
  });

  it("never puts the customer's numbers in an invalid_arguments detail", async () => {
    const result = await understand(
      "buy 500 airtime",
      toolCall("buy_airtime", { amount: "500", phone: "08099998888" }),
    );
    expect(result).toMatchObject({ ok: false, reason: "invalid_arguments" });
    expect(JSON.stringify(result)).not.toContain("8099998888");
  });
});

describe("tools and amounts", () => {
  it("every tool's JSON schema lists exactly the arguments its zod schema accepts", () => {
    for (const tool of intentTools()) {
      const name = tool.name as keyof typeof INTENT_TOOLS;
      const properties = Object.keys((tool.parameters as { properties: Record<string, unknown> }).properties);
      expect(properties.sort(), name).toEqual(Object.keys(INTENT_TOOLS[name].args.shape).sort());
    }
  });

  it.each([
    ["1.5k", 150_000],
    ["1500", 150_000],
    [1500, 150_000],
    ["1,500", 150_000],
    ["₦1,500.50", 150_050],
    ["N500", 50_000],
    ["500 naira", 50_000],
    ["2K", 200_000],
    ["1m", 100_000_000],
    [0.5, 50],
  ] as const)("parseNairaAmount(%j) = %i kobo", (input, kobo) => {
    expect(parseNairaAmount(input)).toBe(kobo);
  });

  it.each([
    "",
    "0",
    "-500",
    -500,
    "500.555",
    "1,50",
    "abc",
    "1e5",
    Number.NaN,
    Number.POSITIVE_INFINITY,
    "20000000",
  ])("parseNairaAmount(%j) is undefined", (input) => {
    expect(parseNairaAmount(input)).toBeUndefined();
  });
});
