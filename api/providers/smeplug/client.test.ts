import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type SmePlugEmulator,
  type SmePlugMode,
  startSmePlugEmulator,
} from "../../../test/emulators/smeplug-emulator";
import { ServiceError } from "../../services/errors";
import { UnsupportedServiceError, type VendResult, type VtuProvider } from "../../services/vtu/provider";
import { createSmePlugProvider } from "./client";

const SECRET = "sk_live_smeplug_DO_NOT_LEAK_123";
const PURCHASE_TIMEOUT_MS = 300;
const HANG_MS = 1500;

let emulator: SmePlugEmulator;
let provider: VtuProvider;
let phoneSequence = 0;
let requestSequence = 0;

/** Every test uses its own number and request id, so the shared emulator's ground truth stays readable. */
function nextPhone(): string {
  phoneSequence += 1;
  return `0803${String(phoneSequence).padStart(7, "0")}`;
}

function nextRequestId(): string {
  requestSequence += 1;
  return `ord_test_${requestSequence}`;
}

function client(overrides: Partial<Parameters<typeof createSmePlugProvider>[0]> = {}): VtuProvider {
  return createSmePlugProvider({
    baseUrl: emulator.url,
    secretKey: SECRET,
    purchaseTimeoutMs: PURCHASE_TIMEOUT_MS,
    readTimeoutMs: PURCHASE_TIMEOUT_MS,
    ...overrides,
  });
}

function vendFor(requestId: string) {
  return emulator.vends.find((vend) => vend.customer_reference === requestId);
}

function lastBody(path: string): unknown {
  return emulator.requests.filter((request) => request.path === path).at(-1)?.body;
}

function expectNoSecret(value: unknown): void {
  expect(JSON.stringify(value)).not.toContain(SECRET);
}

beforeAll(async () => {
  emulator = await startSmePlugEmulator({ secretKey: SECRET });
  provider = client();
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(() => {
  emulator.resetModes();
  emulator.setHangMs(HANG_MS);
  emulator.setBalanceKobo(50_000_000);
});

describe("identity", () => {
  it("is the SME Plug airtime/data fallback without idempotent request ids", () => {
    expect(provider.code).toBe("smeplug");
    expect(provider.services).toEqual(["airtime", "data"]);
    expect(provider.idempotentRequestIds).toBe(false);
  });

  it("refuses cable and electricity without calling SME Plug", async () => {
    const before = emulator.countRequests();
    await expect(provider.verifySmartcard({ cable: "dstv", smartcard: "1212121212" })).rejects.toThrow(
      UnsupportedServiceError,
    );
    await expect(
      provider.payCable({
        requestId: nextRequestId(),
        cable: "dstv",
        smartcard: "1212121212",
        providerPlanId: "1",
        amountKobo: 100_000,
        subscription: "renew",
      }),
    ).rejects.toThrow(UnsupportedServiceError);
    await expect(
      provider.verifyMeter({ providerDiscoId: "1", meterNumber: "1111111111111", meterType: "prepaid" }),
    ).rejects.toThrow(UnsupportedServiceError);
    await expect(
      provider.payElectricity({
        requestId: nextRequestId(),
        providerDiscoId: "1",
        meterNumber: "1111111111111",
        meterType: "prepaid",
        amountKobo: 100_000,
      }),
    ).rejects.toThrow(/smeplug does not offer electricity/);
    expect(emulator.countRequests()).toBe(before);
  });
});

describe("happy paths", () => {
  it("buys airtime in naira with a Bearer key and our request id as customer_reference", async () => {
    const phone = nextPhone();
    const requestId = nextRequestId();
    const result = await provider.buyAirtime({ requestId, network: "mtn", phone, amountKobo: 50_000 });

    const vend = vendFor(requestId);
    expect(vend).toMatchObject({ type: "airtime", phone, network_id: 1, amountKobo: 50_000 });
    expect(result).toMatchObject({ outcome: "delivered", providerReference: vend?.reference });
    expect(result.message).toContain("successfully topped up");
    expect(lastBody("/airtime/purchase")).toEqual({
      network_id: 1,
      amount: 500,
      phone,
      customer_reference: requestId,
    });
    expect(emulator.requests.at(-1)?.authorization).toBe(`Bearer ${SECRET}`);
    expect(result.raw).toMatchObject({
      request: { method: "POST", path: "/airtime/purchase", body: { customer_reference: requestId } },
      httpStatus: 200,
      body: { status: true, data: { reference: vend?.reference } },
    });
    expect(result.raw.durationMs).toBeGreaterThanOrEqual(0);
    expectNoSecret(result);
  });

  it("buys data by plan id and vends exactly the plan's price", async () => {
    const phone = nextPhone();
    const requestId = nextRequestId();
    const result = await provider.buyData({ requestId, network: "mtn", phone, providerPlanId: "4" });

    expect(result.outcome).toBe("delivered");
    expect(vendFor(requestId)).toMatchObject({
      type: "data",
      plan_id: 4,
      planName: "MTN 1.5GB Corporate Gifting - 30 days",
      costKobo: 42_050,
    });
    expect(lastBody("/data/purchase")).toEqual({
      network_id: 1,
      plan_id: 4,
      phone,
      customer_reference: requestId,
    });
    expect(emulator.balanceKobo()).toBe(50_000_000 - 42_050);
  });

  it("sends Glo as network 4 and 9mobile as network 3 (swapped relative to Inlomax)", async () => {
    const gloAirtime = nextRequestId();
    const nineAirtime = nextRequestId();
    await provider.buyAirtime({
      requestId: gloAirtime,
      network: "glo",
      phone: "08051234567",
      amountKobo: 10_000,
    });
    expect(lastBody("/airtime/purchase")).toMatchObject({ network_id: 4 });
    await provider.buyAirtime({
      requestId: nineAirtime,
      network: "9mobile",
      phone: "08091234567",
      amountKobo: 10_000,
    });
    expect(lastBody("/airtime/purchase")).toMatchObject({ network_id: 3 });
    await provider.buyAirtime({
      requestId: nextRequestId(),
      network: "airtel",
      phone: nextPhone(),
      amountKobo: 10_000,
    });
    expect(lastBody("/airtime/purchase")).toMatchObject({ network_id: 2 });

    // The emulator files plans under their network id, so a swapped id would be refused here.
    const gloData = await provider.buyData({
      requestId: nextRequestId(),
      network: "glo",
      phone: "08051234567",
      providerPlanId: "41",
    });
    expect(lastBody("/data/purchase")).toMatchObject({ network_id: 4, plan_id: 41 });
    expect(gloData.outcome).toBe("delivered");
    const nineData = await provider.buyData({
      requestId: nextRequestId(),
      network: "9mobile",
      phone: "08091234567",
      providerPlanId: "31",
    });
    expect(lastBody("/data/purchase")).toMatchObject({ network_id: 3, plan_id: 31 });
    expect(nineData.outcome).toBe("delivered");
    expect(vendFor(gloAirtime)?.network_id).toBe(4);
    expect(vendFor(nineAirtime)?.network_id).toBe(3);
  });

  it("refuses airtime that is not whole naira without calling SME Plug", async () => {
    const before = emulator.countRequests();
    const result = await provider.buyAirtime({
      requestId: nextRequestId(),
      network: "mtn",
      phone: nextPhone(),
      amountKobo: 50_050,
    });
    expect(result).toMatchObject({ outcome: "failed", retryElsewhere: false });
    expect(emulator.countRequests()).toBe(before);
  });
});

describe("definite failures", () => {
  it("a decline is failed and stays with SME Plug", async () => {
    const phone = nextPhone();
    emulator.setModeFor(phone, "failed");
    const requestId = nextRequestId();
    const result = await provider.buyAirtime({ requestId, network: "mtn", phone, amountKobo: 10_000 });
    expect(result).toMatchObject({ outcome: "failed", retryElsewhere: false });
    expect(result.message).toContain("not a valid number");
    expect(vendFor(requestId)).toBeUndefined();
  });

  it("out of float is failed and may go to another provider", async () => {
    const phone = nextPhone();
    emulator.setModeFor(phone, "out_of_float");
    const requestId = nextRequestId();
    const result = await provider.buyData({ requestId, network: "mtn", phone, providerPlanId: "2" });
    expect(result).toMatchObject({
      outcome: "failed",
      retryElsewhere: true,
      message: "Insufficient wallet balance",
    });
    expect(vendFor(requestId)).toBeUndefined();
  });

  it("a really empty wallet reads the same", async () => {
    emulator.setBalanceKobo(100);
    const result = await provider.buyAirtime({
      requestId: nextRequestId(),
      network: "airtel",
      phone: nextPhone(),
      amountKobo: 10_000,
    });
    expect(result).toMatchObject({ outcome: "failed", retryElsewhere: true });
  });

  it("an unknown plan is failed but not retried elsewhere", async () => {
    const result = await provider.buyData({
      requestId: nextRequestId(),
      network: "glo",
      phone: nextPhone(),
      providerPlanId: "2",
    });
    expect(result).toMatchObject({ outcome: "failed", retryElsewhere: false });
    expect(result.message).toMatch(/Invalid plan/);
  });
});

describe("P5: anything short of a clear answer is unknown, never failed", () => {
  const cases: { mode: SmePlugMode; vended: boolean; error: RegExp }[] = [
    { mode: "timeout_after_success", vended: true, error: /no answer within 300 ms/ },
    { mode: "timeout_before_processing", vended: false, error: /no answer within 300 ms/ },
    { mode: "pending_then_success", vended: true, error: /no answer within 300 ms/ },
    { mode: "http_500", vended: false, error: /HTTP 500/ },
    { mode: "html_503", vended: false, error: /HTTP 503/ },
    { mode: "garbage_json", vended: true, error: /not JSON/ },
    { mode: "empty_body", vended: true, error: /empty body/ },
    { mode: "unmapped_status", vended: true, error: /unexpected response shape/ },
    { mode: "schema_mismatch", vended: true, error: /unexpected response shape/ },
  ];

  it.each(cases)("$mode → unknown (vended: $vended)", async ({ mode, vended, error }) => {
    const phone = nextPhone();
    emulator.setModeFor(phone, mode);
    const requestId = nextRequestId();
    const result = await provider.buyData({ requestId, network: "mtn", phone, providerPlanId: "2" });

    expect(result.outcome).toBe("unknown");
    expect(result.providerReference).toBeUndefined();
    expect(result.raw.error).toMatch(error);
    expect(Boolean(vendFor(requestId))).toBe(vended);
    expectNoSecret(result);
  });

  it("keeps the HTML a gateway sent, for support", async () => {
    const phone = nextPhone();
    emulator.setModeFor(phone, "html_503");
    const result = await provider.buyAirtime({
      requestId: nextRequestId(),
      network: "mtn",
      phone,
      amountKobo: 10_000,
    });
    expect(result.raw.httpStatus).toBe(503);
    expect(result.raw.body).toMatch(/^<html>/);
  });

  it("a wrong key (401) is unknown too", async () => {
    const wrong = client({ secretKey: "sk_wrong" });
    const result = await wrong.buyAirtime({
      requestId: nextRequestId(),
      network: "mtn",
      phone: nextPhone(),
      amountKobo: 10_000,
    });
    expect(result).toMatchObject({ outcome: "unknown", raw: { httpStatus: 401 } });
  });

  it("a refused connection is unknown", async () => {
    const gone = await startSmePlugEmulator();
    const url = gone.url;
    await gone.close();
    const result = await client({ baseUrl: url }).buyAirtime({
      requestId: nextRequestId(),
      network: "mtn",
      phone: nextPhone(),
      amountKobo: 10_000,
    });
    expect(result.outcome).toBe("unknown");
    expect(result.raw.error).toMatch(/network error/);
  });

  it("truncates a huge non-JSON body to 4000 characters and scrubs the key from it", async () => {
    const body = `<html>${SECRET}${"x".repeat(10_000)}</html>`;
    const cannedFetch = (async () => new Response(body, { status: 200 })) as typeof fetch;
    const result = await client({ fetch: cannedFetch }).buyAirtime({
      requestId: nextRequestId(),
      network: "mtn",
      phone: nextPhone(),
      amountKobo: 10_000,
    });
    expect(result.outcome).toBe("unknown");
    expect(typeof result.raw.body).toBe("string");
    expect(String(result.raw.body).length).toBeLessThan(4100);
    expect(String(result.raw.body)).toMatch(/^<html>\[redacted\]x/);
    expectNoSecret(result);
  });
});

describe("requery", () => {
  it("without a provider reference answers unknown and makes no HTTP call", async () => {
    const before = emulator.countRequests();
    const requestId = nextRequestId();
    const result = await provider.requery({ requestId });
    expect(result.outcome).toBe("unknown");
    expect(result.message).toContain(requestId);
    expect(result.message).toMatch(/dashboard/);
    expect(emulator.countRequests()).toBe(before);
  });

  it("finds a purchase whose answer was lost (reference learned later, e.g. from the webhook)", async () => {
    const phone = nextPhone();
    emulator.setModeFor(phone, "timeout_after_success");
    const requestId = nextRequestId();
    const bought = await provider.buyAirtime({ requestId, network: "mtn", phone, amountKobo: 20_000 });
    expect(bought.outcome).toBe("unknown");

    const reference = vendFor(requestId)?.reference ?? "";
    const result = await provider.requery({ requestId, providerReference: reference });
    expect(result).toMatchObject({ outcome: "delivered", providerReference: reference, costKobo: 20_000 });
    expect(emulator.requests.at(-1)).toMatchObject({
      method: "GET",
      path: "/transactions",
      query: { transaction_id: reference },
    });
  });

  it.each([
    ["pending_then_success", "delivered"],
    ["pending_then_failed", "failed"],
  ] as const)("%s: pending first, then %s", async (mode, final) => {
    const phone = nextPhone();
    emulator.setModeFor(phone, mode);
    const requestId = nextRequestId();
    expect((await provider.buyData({ requestId, network: "mtn", phone, providerPlanId: "1" })).outcome).toBe(
      "unknown",
    );
    const reference = vendFor(requestId)?.reference ?? "";

    expect((await provider.requery({ requestId, providerReference: reference })).outcome).toBe("pending");
    const settled: VendResult = await provider.requery({ requestId, providerReference: reference });
    expect(settled.outcome).toBe(final);
    if (settled.outcome === "failed") {
      // A failure learned by requery never fails over: the purchase reached SME Plug.
      expect(settled.retryElsewhere).toBe(false);
    }
  });

  it("a later reversal is failed + reversed", async () => {
    const requestId = nextRequestId();
    const bought = await provider.buyAirtime({
      requestId,
      network: "mtn",
      phone: nextPhone(),
      amountKobo: 10_000,
    });
    const reference = bought.providerReference ?? "";
    emulator.setTransactionStatus(reference, "reversed");
    const result = await provider.requery({ requestId, providerReference: reference });
    expect(result).toMatchObject({ outcome: "failed", reversed: true, retryElsewhere: false });
  });

  it("an unknown reference, a broken answer or an unmapped status is unknown", async () => {
    const requestId = nextRequestId();
    const missing = await provider.requery({ requestId, providerReference: "NOPE123" });
    expect(missing).toMatchObject({
      outcome: "unknown",
      providerReference: "NOPE123",
      raw: { httpStatus: 404 },
    });

    const bought = await provider.buyAirtime({
      requestId,
      network: "mtn",
      phone: nextPhone(),
      amountKobo: 10_000,
    });
    const reference = bought.providerReference ?? "";
    for (const mode of [
      "html_503",
      "garbage_json",
      "unmapped_status",
      "timeout_before_processing",
    ] as const) {
      emulator.setPathMode("/transactions", mode);
      const result = await provider.requery({ requestId, providerReference: reference });
      expect(result.outcome, mode).toBe("unknown");
    }
  });

  it("accepts a list answer only when it contains our reference", async () => {
    const list = (items: unknown[]) =>
      (async () => Response.json({ status: true, data: items })) as typeof fetch;
    const found = await client({
      fetch: list([
        { reference: "OTHER", status: "failed" },
        { reference: "REF1", status: "success" },
      ]),
    }).requery({ requestId: "r", providerReference: "REF1" });
    expect(found.outcome).toBe("delivered");

    const other = await client({ fetch: list([{ reference: "OTHER", status: "success" }]) }).requery({
      requestId: "r",
      providerReference: "REF1",
    });
    expect(other.outcome).toBe("unknown");
  });
});

describe("balance", () => {
  it("reads a top-level naira number", async () => {
    emulator.setBalanceKobo(12_345_650);
    const result = await provider.balance();
    expect(result.balanceKobo).toBe(12_345_650);
    expect(result.raw.body).toEqual({ status: true, balance: 123456.5 });
    expectNoSecret(result);
  });

  it("reads a string inside data, with thousands separators", async () => {
    emulator.setBalanceShape("data");
    emulator.setBalanceKobo(12_345_605);
    expect((await provider.balance()).balanceKobo).toBe(12_345_605);
  });

  it("throws 'unavailable' rather than inventing a number", async () => {
    emulator.setPathMode("/account/balance", "html_503");
    const error = await provider.balance().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toMatchObject({ kind: "unavailable", code: "PROVIDER_UNAVAILABLE" });
    expectNoSecret(error);
  });
});

describe("catalogue", () => {
  it("maps the grouped shape to our vocabulary", async () => {
    const catalogue = await provider.catalogue();

    expect(catalogue.airtime).toEqual([
      { network: "mtn", providerProductId: "1", discountBps: 0 },
      { network: "airtel", providerProductId: "2", discountBps: 0 },
      { network: "glo", providerProductId: "4", discountBps: 0 },
      { network: "9mobile", providerProductId: "3", discountBps: 0 },
    ]);
    expect(catalogue.cable).toEqual([]);
    expect(catalogue.electricity).toEqual([]);
    expect(catalogue.data).toContainEqual({
      network: "mtn",
      providerProductId: "2",
      name: "MTN 1GB SME - 30 days",
      sizeMb: 1024,
      validityDays: 30,
      family: "sme",
      costKobo: 26_500,
    });
    expect(catalogue.data).toContainEqual(
      expect.objectContaining({ providerProductId: "4", sizeMb: 1536, family: "cg", costKobo: 42_050 }),
    );
    expect(catalogue.data).toContainEqual(
      expect.objectContaining({ providerProductId: "5", sizeMb: 1024, validityDays: 1, family: "awoof" }),
    );
    expect(catalogue.data).toContainEqual(
      expect.objectContaining({ network: "glo", providerProductId: "42", sizeMb: 2560, validityDays: 2 }),
    );
    expect(catalogue.data).toContainEqual(
      expect.objectContaining({
        network: "9mobile",
        providerProductId: "31",
        family: "gifting",
        costKobo: 90_000,
      }),
    );
    // "MTN Special Offer" has no size: skipped, not fatal.
    expect(catalogue.data.map((plan) => plan.providerProductId)).not.toContain("6");
    expect(catalogue.data).toHaveLength(11);
  });

  it("reads the flat shape (network_id on each plan, string prices) to the same result", async () => {
    const grouped = await provider.catalogue();
    emulator.setPlanShape("flat");
    const flat = await provider.catalogue();
    expect(flat).toEqual(grouped);
  });

  it("skips a plan filed under one network but named for another", async () => {
    emulator.setPlans({
      "4": [
        { id: 99, name: "MTN 1GB SME - 30 days", price: 250 },
        { id: 41, name: "GLO 1GB CG - 30 days", price: 270 },
      ],
      "7": [{ id: 70, name: "Smile 1GB - 30 days", price: 300 }],
    });
    const catalogue = await provider.catalogue();
    expect(catalogue.data.map((plan) => plan.providerProductId)).toEqual(["41"]);
  });

  it("skips malformed plans and defaults a family-less name to gifting", async () => {
    const body = {
      status: true,
      data: {
        "1": [
          { id: 1, name: "MTN 1GB - 30 days", price: "300", telco_price: 350 },
          { id: 2, name: "MTN 2GB SME - 30 days" },
          { name: "MTN 3GB SME - 30 days", price: 700 },
          { id: 4, name: "MTN 5GB SME - 30 days", price: "1.234" },
          "junk",
        ],
      },
    };
    const catalogue = await client({ fetch: (async () => Response.json(body)) as typeof fetch }).catalogue();
    expect(catalogue.data).toEqual([
      {
        network: "mtn",
        providerProductId: "1",
        name: "MTN 1GB - 30 days",
        sizeMb: 1024,
        validityDays: 30,
        family: "gifting",
        costKobo: 30_000,
      },
    ]);
  });

  it("throws 'unavailable' rather than returning an empty catalogue", async () => {
    for (const mode of ["html_503", "garbage_json", "empty_body", "timeout_before_processing"] as const) {
      emulator.setPathMode("/data/plans", mode);
      await expect(provider.catalogue(), mode).rejects.toMatchObject({ code: "PROVIDER_UNAVAILABLE" });
    }
  });
});
