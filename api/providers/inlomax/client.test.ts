import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  EMULATOR_CABLE_BOUQUET,
  EMULATOR_CABLE_CUSTOMER,
  EMULATOR_METER_CUSTOMER,
  type InlomaxEmulator,
  type InlomaxMode,
  inlomaxFixtureServices,
  startInlomaxEmulator,
} from "../../../test/emulators/inlomax-emulator";
import type { VendResult, VtuProvider } from "../../services/vtu/provider";
import { ProviderUnavailableError } from "../../services/vtu/provider";
import { createInlomaxProvider } from "./client";

const API_KEY = "inlomax-secret-key-0123456789";
const TIMEOUT_MS = 300;
const PHONE = "08031234567";
const SMARTCARD = "7012345678";
const METER = "45071234567";

let emulator: InlomaxEmulator;
let provider: VtuProvider;

function makeProvider(
  overrides: { apiKey?: string; fetch?: typeof fetch; timeoutMs?: number } = {},
): VtuProvider {
  return createInlomaxProvider({
    baseUrl: emulator.url,
    apiKey: overrides.apiKey ?? API_KEY,
    purchaseTimeoutMs: overrides.timeoutMs ?? TIMEOUT_MS,
    readTimeoutMs: overrides.timeoutMs ?? TIMEOUT_MS,
    fetch: overrides.fetch,
  });
}

/** A fetch that answers every call with one canned response (for shapes the emulator never sends). */
function cannedFetch(status: number, body: string, contentType = "application/json"): typeof fetch {
  return (async () =>
    new Response(body, { status, headers: { "content-type": contentType } })) as typeof fetch;
}

function lastRequest() {
  const request = emulator.requests.at(-1);
  if (!request) {
    throw new Error("the emulator saw no request");
  }
  return request;
}

beforeAll(async () => {
  emulator = await startInlomaxEmulator({ apiKey: API_KEY, seed: 7 });
  provider = makeProvider();
  // The first request of a process pays for connecting and compiling; on a busy machine that alone
  // can pass the tests' 300 ms client timeout. Warm the path with a patient client first.
  await makeProvider({ timeoutMs: 10_000 }).buyAirtime({
    requestId: "warm-up",
    network: "mtn",
    phone: PHONE,
    amountKobo: 10_000,
  });
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(() => {
  emulator.resetModes();
  emulator.setBalanceKobo(50_000_000);
});

describe("Inlomax client: happy paths", () => {
  it("has the provider's fixed properties", () => {
    expect(provider.code).toBe("inlomax");
    expect(provider.services).toEqual(["airtime", "data", "cable", "electricity"]);
    expect(provider.idempotentRequestIds).toBe(false);
  });

  it("buys airtime in naira with the network's serviceID and reports the discounted cost in kobo", async () => {
    const result = await provider.buyAirtime({
      requestId: "r1",
      network: "mtn",
      phone: PHONE,
      amountKobo: 100_000,
    });

    expect(result.outcome).toBe("delivered");
    const vend = emulator.vends.at(-1);
    expect(vend?.recipient).toBe(PHONE);
    expect(vend?.amountKobo).toBe(100_000);
    expect(result.providerReference).toBe(vend?.reference);
    expect(result.costKobo).toBe(97_000); // 3% MTN discount
    const request = lastRequest();
    expect(request.path).toBe("/airtime");
    expect(request.method).toBe("POST");
    expect(request.body).toEqual({ serviceID: "1", amount: 1000, mobileNumber: PHONE });
    expect(request.headers.authorization).toBe(`Token ${API_KEY}`);
    expect(request.headers.contentType).toBe("application/json");
    expect(request.headers.authorizationToken).toBeUndefined();
    expect(result.raw.request).toEqual({ serviceID: "1", amount: 1000, mobileNumber: PHONE });
    expect(result.raw.httpStatus).toBe(200);
    expect(result.raw.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("sends kobo amounts as whole naira (150000 kobo → 1500) and maps every network", async () => {
    const networks = [
      ["mtn", "1"],
      ["airtel", "2"],
      ["glo", "3"],
      ["9mobile", "4"],
    ] as const;
    for (const [network, serviceID] of networks) {
      const result = await provider.buyAirtime({
        requestId: "r",
        network,
        phone: PHONE,
        amountKobo: 150_000,
      });
      expect(result.outcome).toBe("delivered");
      expect(lastRequest().body).toEqual({ serviceID, amount: 1500, mobileNumber: PHONE });
      expect(emulator.vends.at(-1)?.amountKobo).toBe(150_000);
    }
  });

  it("never sends a non-whole naira amount: ₦1,500.50 of airtime or electricity is refused before any request", async () => {
    const before = emulator.requests.length;
    const airtime = await provider.buyAirtime({
      requestId: "rw",
      network: "mtn",
      phone: PHONE,
      amountKobo: 150_050,
    });
    const power = await provider.payElectricity({
      requestId: "rw2",
      providerDiscoId: "3",
      meterNumber: METER,
      meterType: "prepaid",
      amountKobo: 1_234_550,
    });
    for (const result of [airtime, power]) {
      expect(result).toMatchObject({ outcome: "failed", retryElsewhere: false });
      expect(result.message).toMatch(/whole naira/);
    }
    expect(emulator.requests.length).toBe(before);
  });

  it("buys data by plan serviceID; a '1,000.00' plan costs exactly 100000 kobo", async () => {
    const result = await provider.buyData({
      requestId: "r2",
      network: "mtn",
      phone: PHONE,
      providerPlanId: "245",
    });

    expect(result.outcome).toBe("delivered");
    expect(result.costKobo).toBe(100_000);
    expect(result.providerReference).toBe(emulator.vends.at(-1)?.reference);
    expect(lastRequest().body).toEqual({ serviceID: "245", mobileNumber: PHONE });
  });

  it("pays cable with the bouquet serviceID and the extra Authorization-Token header", async () => {
    const result = await provider.payCable({
      requestId: "r3",
      cable: "dstv",
      smartcard: SMARTCARD,
      providerPlanId: "704",
      amountKobo: 1_900_000,
      subscription: "change",
    });

    expect(result.outcome).toBe("delivered");
    expect(result.providerReference).toBe(emulator.vends.at(-1)?.reference);
    const request = lastRequest();
    expect(request.path).toBe("/subcable");
    expect(request.body).toEqual({ serviceID: "704", iucNum: SMARTCARD });
    expect(request.headers.authorizationToken).toBe(API_KEY);
  });

  it("pays prepaid electricity and returns the 20-digit token, customer name and cost", async () => {
    const result = await provider.payElectricity({
      requestId: "r4",
      providerDiscoId: "1",
      meterNumber: METER,
      meterType: "prepaid",
      amountKobo: 500_000,
    });

    expect(result.outcome).toBe("delivered");
    const vend = emulator.vends.at(-1);
    expect(result.token).toMatch(/^\d{20}$/);
    expect(result.token).toBe(vend?.token);
    expect(result.customerName).toBe(EMULATOR_METER_CUSTOMER);
    expect(result.costKobo).toBe(495_000); // 1% Ikeja discount
    expect(lastRequest().body).toEqual({ serviceID: "1", meterNum: METER, meterType: 1, amount: 5000 });
    expect(lastRequest().headers.authorizationToken).toBe(API_KEY);
  });

  it("pays postpaid electricity with meterType 2 and no token", async () => {
    const result = await provider.payElectricity({
      requestId: "r5",
      providerDiscoId: "3",
      meterNumber: METER,
      meterType: "postpaid",
      amountKobo: 1_234_500,
    });

    expect(result.outcome).toBe("delivered");
    expect(result.token).toBeUndefined();
    expect(lastRequest().body).toEqual({ serviceID: "3", meterNum: METER, meterType: 2, amount: 12345 });
    expect(emulator.vends.at(-1)?.amountKobo).toBe(1_234_500);
  });
});

/** Each purchase kind, so every fault mode is checked on every purchase endpoint. */
const purchases: { name: string; recipient: string; buy: (p: VtuProvider) => Promise<VendResult> }[] = [
  {
    name: "airtime",
    recipient: "08030000001",
    buy: (p) => p.buyAirtime({ requestId: "x", network: "mtn", phone: "08030000001", amountKobo: 50_000 }),
  },
  {
    name: "data",
    recipient: "08030000002",
    buy: (p) => p.buyData({ requestId: "x", network: "mtn", phone: "08030000002", providerPlanId: "16" }),
  },
  {
    name: "cable",
    recipient: "7020000003",
    buy: (p) =>
      p.payCable({
        requestId: "x",
        cable: "gotv",
        smartcard: "7020000003",
        providerPlanId: "712",
        amountKobo: 390_000,
        subscription: "renew",
      }),
  },
  {
    name: "electricity",
    recipient: "45070000004",
    buy: (p) =>
      p.payElectricity({
        requestId: "x",
        providerDiscoId: "2",
        meterNumber: "45070000004",
        meterType: "prepaid",
        amountKobo: 300_000,
      }),
  },
];

/** What the client must say for each mode, and whether the emulator really vended. */
const expectations: { mode: InlomaxMode; outcome: VendResult["outcome"]; vended: boolean }[] = [
  { mode: "success", outcome: "delivered", vended: true },
  { mode: "failed", outcome: "failed", vended: false },
  { mode: "out_of_float", outcome: "failed", vended: false },
  { mode: "processing_then_success", outcome: "pending", vended: true },
  { mode: "processing_then_failed", outcome: "pending", vended: true },
  { mode: "processing_then_reversed", outcome: "pending", vended: true },
  { mode: "timeout_after_success", outcome: "unknown", vended: true },
  { mode: "timeout_before_processing", outcome: "unknown", vended: false },
  { mode: "http_500", outcome: "unknown", vended: false },
  { mode: "html_503", outcome: "unknown", vended: false },
  { mode: "garbage_json", outcome: "unknown", vended: true },
  { mode: "unknown_status", outcome: "unknown", vended: true },
  { mode: "empty_body", outcome: "unknown", vended: true },
];

describe("Inlomax client: fault modes on every purchase", () => {
  for (const purchase of purchases) {
    for (const expected of expectations) {
      it(`${purchase.name} / ${expected.mode} → ${expected.outcome}`, async () => {
        emulator.setModeFor(purchase.recipient, expected.mode);
        const vendsBefore = emulator.vends.length;
        const started = Date.now();

        const result = await purchase.buy(provider);

        expect(result.outcome).toBe(expected.outcome);
        expect(emulator.vends.length - vendsBefore).toBe(expected.vended ? 1 : 0);
        expect(Date.now() - started).toBeLessThan(1500); // the emulator holds timeouts for 2000 ms
        expect(result.message.length).toBeGreaterThan(0);
        if (result.outcome === "failed") {
          expect(result.retryElsewhere).toBe(expected.mode === "out_of_float");
        }
        if (result.outcome === "unknown") {
          expect(result.raw.error).toBeTruthy();
        }
        if (result.outcome === "pending" || result.outcome === "delivered") {
          expect(result.providerReference).toBe(emulator.vends.at(-1)?.reference);
        }
      });
    }
  }

  it("the global mode applies when no per-recipient mode is set, and per-recipient wins", async () => {
    emulator.setMode("out_of_float");
    emulator.setModeFor("08039999999", "success");
    const blocked = await provider.buyAirtime({
      requestId: "g",
      network: "glo",
      phone: PHONE,
      amountKobo: 10_000,
    });
    const allowed = await provider.buyAirtime({
      requestId: "g",
      network: "glo",
      phone: "08039999999",
      amountKobo: 10_000,
    });
    expect(blocked).toMatchObject({ outcome: "failed", retryElsewhere: true });
    expect(allowed.outcome).toBe("delivered");
  });

  it("an empty merchant wallet is failed + retryElsewhere (nothing vended)", async () => {
    emulator.setBalanceKobo(100);
    const vendsBefore = emulator.vends.length;
    const result = await provider.buyAirtime({
      requestId: "f",
      network: "mtn",
      phone: PHONE,
      amountKobo: 50_000,
    });
    expect(result).toMatchObject({ outcome: "failed", retryElsewhere: true });
    expect(result.message).toMatch(/insufficient balance/i);
    expect(emulator.vends.length).toBe(vendsBefore);
  });

  it("a definite failure (invalid number) is failed without retryElsewhere", async () => {
    const result = await provider.buyAirtime({
      requestId: "f",
      network: "mtn",
      phone: "12345",
      amountKobo: 50_000,
    });
    expect(result).toMatchObject({
      outcome: "failed",
      retryElsewhere: false,
      message: "Invalid mobile number",
    });
  });

  it("times out within the configured purchase timeout and says unknown, although the vend happened", async () => {
    emulator.setMode("timeout_after_success");
    emulator.setHangMs(3000);
    const started = Date.now();
    const result = await provider.buyData({
      requestId: "t",
      network: "mtn",
      phone: PHONE,
      providerPlanId: "97",
    });
    const elapsed = Date.now() - started;

    expect(result.outcome).toBe("unknown");
    expect(result.providerReference).toBeUndefined();
    expect(result.raw.error).toMatch(/timed out after 300 ms/);
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 700);
    expect(emulator.vends.at(-1)).toMatchObject({ recipient: PHONE, state: "success" });
  });

  it("keeps an HTML error page as truncated text on raw", async () => {
    emulator.setMode("html_503");
    const result = await provider.buyAirtime({
      requestId: "h",
      network: "mtn",
      phone: PHONE,
      amountKobo: 10_000,
    });
    expect(result.outcome).toBe("unknown");
    expect(result.raw.httpStatus).toBe(503);
    expect(typeof result.raw.body).toBe("string");
    expect(String(result.raw.body)).toContain("503 Service Temporarily Unavailable");
  });

  it("a 500 whose body says failed is still unknown (it may have crashed after vending)", async () => {
    emulator.setMode("http_500");
    const result = await provider.buyAirtime({
      requestId: "h",
      network: "mtn",
      phone: PHONE,
      amountKobo: 10_000,
    });
    expect(result.outcome).toBe("unknown");
    expect(result.raw.httpStatus).toBe(500);
    expect(result.raw.body).toEqual({ status: "failed", message: "Internal Server Error" });
  });

  it("a wrong API key (401) is unknown, never failed", async () => {
    const result = await makeProvider({ apiKey: "wrong-key" }).buyAirtime({
      requestId: "k",
      network: "mtn",
      phone: PHONE,
      amountKobo: 10_000,
    });
    expect(result.outcome).toBe("unknown");
    expect(result.raw.httpStatus).toBe(401);
  });
});

describe("Inlomax client: bodies the emulator never sends (P5)", () => {
  const buy = (fetchImpl: typeof fetch) =>
    makeProvider({ fetch: fetchImpl }).buyAirtime({
      requestId: "p",
      network: "mtn",
      phone: PHONE,
      amountKobo: 10_000,
    });

  const unknownBodies: [string, number, string, string?][] = [
    ["truncated JSON", 200, '{"status":"success","data":{"refer'],
    ["HTML with 200", 200, "<!doctype html><html><body>Maintenance</body></html>", "text/html"],
    ["whitespace only", 200, "   \n"],
    ["status is a number (zod failure)", 200, '{"status":1,"message":"ok"}'],
    ["no status at all (zod failure)", 200, '{"message":"done","data":{"reference":"R1"}}'],
    ["message is an object (zod failure)", 200, '{"status":"failed","message":{"text":"no"}}'],
    ["data is a string on success (zod failure)", 200, '{"status":"success","message":"ok","data":"R1"}'],
    ["a JSON array", 200, "[]"],
    ["unmapped status", 200, '{"status":"queued","message":"later"}'],
    [
      "success around a failed transaction",
      200,
      '{"status":"success","message":"ok","data":{"reference":"R1","status":"failed"}}',
    ],
    ["4xx with failed body", 400, '{"status":"failed","message":"Invalid mobile number"}'],
  ];

  for (const [name, status, body, contentType] of unknownBodies) {
    it(`${name} → unknown, never failed`, async () => {
      const result = await buy(cannedFetch(status, body, contentType));
      expect(result.outcome).toBe("unknown");
      expect(result.raw.error).toBeTruthy();
    });
  }

  it("truncates long non-JSON bodies to 4000 characters", async () => {
    const result = await buy(cannedFetch(502, "x".repeat(10_000), "text/plain"));
    expect(result.outcome).toBe("unknown");
    expect(String(result.raw.body)).toHaveLength(4000);
  });

  it("a network error is unknown, not a thrown exception", async () => {
    const failing = (async () => {
      throw new TypeError("fetch failed", { cause: new Error("ECONNRESET") });
    }) as typeof fetch;
    const result = await buy(failing);
    expect(result.outcome).toBe("unknown");
    expect(result.raw.error).toMatch(/network error: fetch failed: ECONNRESET/);
  });

  it("a refused connection is unknown", async () => {
    const closed = await startInlomaxEmulator({ apiKey: API_KEY });
    const url = closed.url;
    await closed.close();
    const result = await createInlomaxProvider({
      baseUrl: url,
      apiKey: API_KEY,
      purchaseTimeoutMs: TIMEOUT_MS,
      readTimeoutMs: TIMEOUT_MS,
    }).buyAirtime({ requestId: "c", network: "mtn", phone: PHONE, amountKobo: 10_000 });
    expect(result.outcome).toBe("unknown");
  });

  const failures: [string, boolean][] = [
    ["INSUFFICIENT FUNDS in merchant wallet", true],
    ["Low balance, kindly top up", true],
    ["Your wallet balance is low", true],
    ["Kindly fund your wallet to continue", true],
    ["Product unavailable at the moment", true],
    ["Service Unavailable", true],
    ["MTN data is currently unavailable", true],
    ["Invalid phone number", false],
    ["Transaction failed", false],
  ];
  for (const [message, retryElsewhere] of failures) {
    it(`failed "${message}" → retryElsewhere ${retryElsewhere}`, async () => {
      const result = await buy(cannedFetch(200, JSON.stringify({ status: "failed", message })));
      expect(result).toMatchObject({ outcome: "failed", retryElsewhere, message });
    });
  }

  it("'pending' is pending; data.status processing under success is pending", async () => {
    const pending = await buy(
      cannedFetch(200, '{"status":"pending","message":"queued","data":{"reference":"R9"}}'),
    );
    expect(pending).toMatchObject({ outcome: "pending", providerReference: "R9" });
    const inner = await buy(
      cannedFetch(200, '{"status":"success","message":"ok","data":{"reference":77,"status":"processing"}}'),
    );
    expect(inner).toMatchObject({ outcome: "pending", providerReference: "77" });
  });

  it("reads amountCharged given as a comma string", async () => {
    const result = await buy(
      cannedFetch(
        200,
        '{"status":"success","message":"ok","data":{"reference":"R1","amountCharged":"1,940.50"}}',
      ),
    );
    expect(result).toMatchObject({ outcome: "delivered", costKobo: 194_050 });
  });

  it("an unreadable amountCharged leaves the cost out instead of failing the vend", async () => {
    const result = await buy(
      cannedFetch(200, '{"status":"success","message":"ok","data":{"reference":"R1","amountCharged":"N/A"}}'),
    );
    expect(result.outcome).toBe("delivered");
    expect(result.costKobo).toBeUndefined();
  });
});

describe("Inlomax client: requery", () => {
  async function pendingVend(mode: InlomaxMode, phone: string): Promise<string> {
    emulator.setModeFor(phone, mode);
    const result = await provider.buyAirtime({
      requestId: "q",
      network: "airtel",
      phone,
      amountKobo: 20_000,
    });
    expect(result.outcome).toBe("pending");
    if (!result.providerReference) {
      throw new Error("no reference");
    }
    return result.providerReference;
  }

  it("processing → success after N requeries, posting the provider's reference", async () => {
    emulator.setRequeriesToResolve(2);
    const reference = await pendingVend("processing_then_success", "08051110001");

    const first = await provider.requery({ requestId: "q", providerReference: reference });
    expect(first).toMatchObject({ outcome: "pending", providerReference: reference });
    expect(lastRequest()).toMatchObject({ path: "/transaction", body: { reference } });
    const second = await provider.requery({ requestId: "q", providerReference: reference });
    expect(second).toMatchObject({ outcome: "delivered", providerReference: reference });
    const third = await provider.requery({ requestId: "q", providerReference: reference });
    expect(third.outcome).toBe("delivered");
  });

  it("processing → failed is failed, not reversed, no retryElsewhere", async () => {
    const reference = await pendingVend("processing_then_failed", "08051110002");
    const result = await provider.requery({ requestId: "q", providerReference: reference });
    expect(result).toMatchObject({ outcome: "failed", retryElsewhere: false });
    expect(result.outcome === "failed" && result.reversed).toBeFalsy();
  });

  it("processing → reversed is failed with reversed: true", async () => {
    const reference = await pendingVend("processing_then_reversed", "08051110003");
    const result = await provider.requery({ requestId: "q", providerReference: reference });
    expect(result).toMatchObject({ outcome: "failed", reversed: true, retryElsewhere: false });
  });

  it("'refunded' is reversed too", async () => {
    const result = await makeProvider({
      fetch: cannedFetch(
        200,
        '{"status":"success","message":"ok","data":{"reference":"R1","status":"Refunded"}}',
      ),
    }).requery({ requestId: "q", providerReference: "R1" });
    expect(result).toMatchObject({ outcome: "failed", reversed: true });
  });

  it("a vend whose answer timed out can be reconciled by its reference later", async () => {
    emulator.setModeFor("08051110004", "timeout_after_success");
    const result = await provider.buyAirtime({
      requestId: "q",
      network: "mtn",
      phone: "08051110004",
      amountKobo: 20_000,
    });
    expect(result.outcome).toBe("unknown");
    const reference = emulator.vends.at(-1)?.reference;
    const requery = await provider.requery({ requestId: "q", providerReference: reference });
    expect(requery).toMatchObject({ outcome: "delivered", providerReference: reference });
  });

  it("without a provider reference: unknown, and zero HTTP requests", async () => {
    const before = emulator.countRequests();
    let calls = 0;
    const counting = (async (...args: Parameters<typeof fetch>) => {
      calls += 1;
      return fetch(...args);
    }) as typeof fetch;

    const result = await makeProvider({ fetch: counting }).requery({ requestId: "order-1" });
    const viaDefault = await provider.requery({ requestId: "order-1", providerReference: "" });

    expect(result.outcome).toBe("unknown");
    expect(result.message).toMatch(/without its transaction reference/);
    expect(viaDefault.outcome).toBe("unknown");
    expect(calls).toBe(0);
    expect(emulator.countRequests()).toBe(before);
  });

  it("an unknown reference (lookup failed) is unknown, not failed", async () => {
    const result = await provider.requery({ requestId: "q", providerReference: "NO-SUCH-REF" });
    expect(result.outcome).toBe("unknown");
    expect(result.message).toMatch(/Transaction not found/);
  });

  for (const mode of ["http_500", "html_503", "garbage_json", "empty_body", "unknown_status"] as const) {
    it(`requery answered with ${mode} → unknown`, async () => {
      emulator.setModeFor("08051110005", "success");
      const bought = await provider.buyAirtime({
        requestId: "q",
        network: "mtn",
        phone: "08051110005",
        amountKobo: 20_000,
      });
      emulator.setPathMode("/transaction", mode);
      const result = await provider.requery({ requestId: "q", providerReference: bought.providerReference });
      expect(result.outcome).toBe("unknown");
    });
  }

  it("requery times out within the read timeout", async () => {
    emulator.setPathMode("/transaction", "timeout_before_processing");
    const started = Date.now();
    const result = await provider.requery({ requestId: "q", providerReference: "ANY" });
    expect(result.outcome).toBe("unknown");
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 700);
  });
});

describe("Inlomax client: verification", () => {
  it("verifies a smartcard with the bouquet serviceID when given", async () => {
    const result = await provider.verifySmartcard({
      cable: "dstv",
      providerPlanId: "704",
      smartcard: SMARTCARD,
    });
    expect(result).toMatchObject({
      ok: true,
      customerName: EMULATOR_CABLE_CUSTOMER,
      currentBouquet: EMULATOR_CABLE_BOUQUET,
    });
    const request = lastRequest();
    expect(request).toMatchObject({ path: "/validatecable", body: { serviceID: "704", iucNum: SMARTCARD } });
    expect(request.headers.authorizationToken).toBe(API_KEY);
  });

  it("falls back to the cable name as serviceID", async () => {
    const result = await provider.verifySmartcard({ cable: "startimes", smartcard: SMARTCARD });
    expect(result.ok).toBe(true);
    expect(lastRequest().body).toEqual({ serviceID: "startimes", iucNum: SMARTCARD });
  });

  it("an invalid smartcard is invalid with the provider's message", async () => {
    const result = await provider.verifySmartcard({ cable: "gotv", smartcard: "7012340000" });
    expect(result).toMatchObject({ ok: false, reason: "invalid", message: "Invalid IUC number" });
  });

  for (const mode of [
    "http_500",
    "html_503",
    "garbage_json",
    "empty_body",
    "unknown_status",
    "timeout_before_processing",
  ] as const) {
    it(`verification answered with ${mode} → unavailable`, async () => {
      emulator.setModeFor(SMARTCARD, mode);
      emulator.setModeFor(METER, mode);
      const card = await provider.verifySmartcard({ cable: "dstv", smartcard: SMARTCARD });
      const meter = await provider.verifyMeter({
        providerDiscoId: "1",
        meterNumber: METER,
        meterType: "prepaid",
      });
      expect(card).toMatchObject({ ok: false, reason: "unavailable" });
      expect(meter).toMatchObject({ ok: false, reason: "unavailable" });
    });
  }

  it("a success without a customer name is unavailable, not ok", async () => {
    const result = await makeProvider({
      fetch: cannedFetch(200, '{"status":"success","message":"ok","data":{"customerName":""}}'),
    }).verifyMeter({ providerDiscoId: "1", meterNumber: METER, meterType: "prepaid" });
    expect(result).toMatchObject({ ok: false, reason: "unavailable" });
  });

  it("a 400 carrying a failed envelope is invalid; a 401 is unavailable", async () => {
    const invalid = await makeProvider({
      fetch: cannedFetch(400, '{"status":"failed","message":"Meter not found"}'),
    }).verifyMeter({ providerDiscoId: "1", meterNumber: METER, meterType: "prepaid" });
    expect(invalid).toMatchObject({ ok: false, reason: "invalid", message: "Meter not found" });
    const badKey = await makeProvider({ apiKey: "nope" }).verifyMeter({
      providerDiscoId: "1",
      meterNumber: METER,
      meterType: "prepaid",
    });
    expect(badKey).toMatchObject({ ok: false, reason: "unavailable" });
  });

  it("verifies a meter with meterType 1/2", async () => {
    const prepaid = await provider.verifyMeter({
      providerDiscoId: "2",
      meterNumber: METER,
      meterType: "prepaid",
    });
    expect(prepaid).toMatchObject({ ok: true, customerName: EMULATOR_METER_CUSTOMER });
    expect(lastRequest().body).toEqual({ serviceID: "2", meterNum: METER, meterType: 1 });
    expect(lastRequest().headers.authorizationToken).toBe(API_KEY);
    await provider.verifyMeter({ providerDiscoId: "2", meterNumber: METER, meterType: "postpaid" });
    expect(lastRequest().body).toEqual({ serviceID: "2", meterNum: METER, meterType: 2 });
  });

  it("an invalid meter is invalid", async () => {
    const result = await provider.verifyMeter({
      providerDiscoId: "2",
      meterNumber: "45070000000",
      meterType: "prepaid",
    });
    expect(result).toMatchObject({ ok: false, reason: "invalid", message: "Invalid meter number" });
  });
});

describe("Inlomax client: balance and catalogue", () => {
  it("reads the float in kobo from a comma string", async () => {
    emulator.setBalanceKobo(123_456_789);
    const result = await provider.balance();
    expect(result.balanceKobo).toBe(123_456_789); // "1,234,567.89"
    expect(lastRequest()).toMatchObject({ method: "GET", path: "/balance" });
  });

  it("reads a numeric float", async () => {
    const result = await makeProvider({
      fetch: cannedFetch(200, '{"status":"success","message":"ok","data":{"funds":1234.5}}'),
    }).balance();
    expect(result.balanceKobo).toBe(123_450);
  });

  it("the float goes down by what a vend cost", async () => {
    const before = (await provider.balance()).balanceKobo;
    await provider.buyAirtime({ requestId: "b", network: "mtn", phone: PHONE, amountKobo: 100_000 });
    const after = (await provider.balance()).balanceKobo;
    expect(before - after).toBe(97_000);
  });

  it("an unreadable balance throws ProviderUnavailableError instead of inventing a number", async () => {
    emulator.setPathMode("/balance", "html_503");
    await expect(provider.balance()).rejects.toBeInstanceOf(ProviderUnavailableError);
    await expect(
      makeProvider({ fetch: cannedFetch(200, '{"status":"success","data":{"funds":"lots"}}') }).balance(),
    ).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it("normalises /services: networks, sizes, validity, family, kobo prices, discounts in bps", async () => {
    const catalogue = await provider.catalogue();
    expect(lastRequest()).toMatchObject({ method: "GET", path: "/services" });

    expect(catalogue.airtime).toEqual([
      { network: "mtn", providerProductId: "1", discountBps: 300 },
      { network: "airtel", providerProductId: "2", discountBps: 350 },
      { network: "glo", providerProductId: "3", discountBps: 400 },
      { network: "9mobile", providerProductId: "4", discountBps: 400 },
    ]);

    // Every fixture plan except the voice-only Talkmore bundle.
    expect(catalogue.data).toHaveLength(inlomaxFixtureServices().dataPlans.length - 1);
    expect(catalogue.data.find((p) => p.providerProductId === "413")).toBeUndefined();
    expect(catalogue.data.find((p) => p.providerProductId === "245")).toMatchObject({
      network: "mtn",
      sizeMb: 2048,
      validityDays: 30,
      family: "gifting",
      costKobo: 100_000,
    });
    expect(catalogue.data.find((p) => p.providerProductId === "16")).toMatchObject({
      sizeMb: 1024,
      family: "cg",
      costKobo: 62_000,
    });
    expect(catalogue.data.find((p) => p.providerProductId === "301")).toMatchObject({
      sizeMb: 1536,
      validityDays: 2,
      family: "awoof",
    });
    expect(catalogue.data.find((p) => p.providerProductId === "522")).toMatchObject({
      network: "glo",
      costKobo: 215_050,
    });
    expect(catalogue.data.find((p) => p.providerProductId === "630")?.network).toBe("9mobile");
    for (const plan of catalogue.data) {
      expect(Number.isSafeInteger(plan.costKobo)).toBe(true);
      expect(plan.name.length).toBeGreaterThan(0);
    }

    expect(catalogue.cable).toHaveLength(11);
    expect(catalogue.cable.find((c) => c.providerProductId === "704")).toEqual({
      cable: "dstv",
      providerProductId: "704",
      name: "DStv Compact",
      slug: "compact",
      amountKobo: 1_900_000,
      discountBps: 100,
    });
    expect(catalogue.cable.find((c) => c.providerProductId === "712")).toMatchObject({
      cable: "gotv",
      slug: "jinja",
      discountBps: 150,
    });
    expect(catalogue.cable.find((c) => c.providerProductId === "721")?.cable).toBe("startimes");

    expect(catalogue.electricity).toContainEqual({
      disco: "ikeja",
      providerProductId: "1",
      discountBps: 100,
    });
    expect(catalogue.electricity).toContainEqual({
      disco: "abuja",
      providerProductId: "3",
      discountBps: 120,
    });
    expect(catalogue.electricity).toContainEqual({
      disco: "portharcourt",
      providerProductId: "5",
      discountBps: 80,
    });
    expect(catalogue.electricity).toContainEqual({ disco: "kano", providerProductId: "6", discountBps: 100 });
  });

  it("skips items that do not parse instead of failing the sync", async () => {
    const services = inlomaxFixtureServices();
    emulator.setServices({
      ...services,
      airtime: [
        ...services.airtime,
        { network: "VISAFONE", serviceID: "9", discount: "2" },
        { serviceID: "5" },
      ],
      dataPlans: [
        services.dataPlans[0],
        { ...services.dataPlans[1], amount: "N/A" },
        { ...services.dataPlans[2], validity: "" },
        { ...services.dataPlans[3], dataPlan: 12 },
        "garbage",
        null,
      ],
      cablePlans: [
        services.cablePlans[0],
        { ...services.cablePlans[1], discount: "three" },
        { cable: "DSTV" },
      ],
      electricity: [services.electricity[0], { disco: "Mars Electric", serviceID: "99", discount: "1" }],
    });
    try {
      const catalogue = await provider.catalogue();
      expect(catalogue.airtime).toHaveLength(4);
      expect(catalogue.data.map((p) => p.providerProductId)).toEqual([services.dataPlans[0]?.serviceID]);
      expect(catalogue.cable.map((c) => c.providerProductId)).toEqual([services.cablePlans[0]?.serviceID]);
      expect(catalogue.electricity.map((e) => e.disco)).toEqual(["ikeja"]);
    } finally {
      emulator.setServices(inlomaxFixtureServices());
    }
  });

  it("an unusable /services answer throws rather than returning an empty catalogue", async () => {
    emulator.setPathMode("/services", "garbage_json");
    await expect(provider.catalogue()).rejects.toBeInstanceOf(ProviderUnavailableError);
    emulator.setPathMode("/services", "timeout_before_processing");
    await expect(provider.catalogue()).rejects.toBeInstanceOf(ProviderUnavailableError);
  });
});

describe("Inlomax client: the API key stays secret", () => {
  it("never appears in raw, whatever happened", async () => {
    const results: unknown[] = [];
    results.push(
      await provider.buyAirtime({ requestId: "s", network: "mtn", phone: PHONE, amountKobo: 10_000 }),
    );
    for (const mode of ["failed", "html_503", "garbage_json", "timeout_before_processing"] as const) {
      emulator.setModeFor("08061110000", mode);
      results.push(
        await provider.buyAirtime({
          requestId: "s",
          network: "mtn",
          phone: "08061110000",
          amountKobo: 10_000,
        }),
      );
    }
    results.push(await provider.verifySmartcard({ cable: "dstv", smartcard: SMARTCARD }));
    results.push(
      await provider.verifyMeter({ providerDiscoId: "1", meterNumber: METER, meterType: "prepaid" }),
    );
    results.push(await provider.requery({ requestId: "s", providerReference: "NOPE" }));
    results.push(await provider.balance());
    // A provider that echoes the key back (in JSON and in text) is scrubbed too.
    const echoJson = makeProvider({
      fetch: cannedFetch(200, JSON.stringify({ status: "failed", message: `bad key ${API_KEY}` })),
    });
    const echoed = await echoJson.buyAirtime({
      requestId: "s",
      network: "mtn",
      phone: PHONE,
      amountKobo: 10_000,
    });
    expect(echoed.outcome).toBe("failed");
    results.push(echoed);
    const echoText = makeProvider({ fetch: cannedFetch(500, `<pre>Token ${API_KEY}</pre>`, "text/html") });
    results.push(
      await echoText.buyAirtime({ requestId: "s", network: "mtn", phone: PHONE, amountKobo: 10_000 }),
    );

    for (const result of results) {
      expect(JSON.stringify(result)).not.toContain(API_KEY);
    }
    expect(JSON.stringify(results)).toContain("[redacted]");
  });
});
