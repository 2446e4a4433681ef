import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  EMULATOR_ACCOUNT_NAME,
  EMULATOR_BANKS,
  type FlutterwaveEmulator,
  type FlutterwaveFaultMode,
  startFlutterwaveEmulator,
} from "../../../test/emulators/flutterwave-emulator";
import type { PaymentGateway, TransferRequest } from "../../services/funding/gateway";
import { parseWebhookEvent, verifyWebhookSignature } from "../../services/funding/webhook-signature";
import { ProviderUnavailableError, type RawExchange } from "../../services/vtu/provider";
import { createFlutterwaveGateway } from "./client";

const SECRET_KEY = "FLWSECK_TEST-0123456789abcdef0123456789abcdef-X";
const SECRET_HASH = "tada-webhook-secret-hash-42";
const TIMEOUT_MS = 300;
const ACCOUNT = "0123456789";

let emulator: FlutterwaveEmulator;
let gateway: PaymentGateway;
let sequence = 0;

function makeGateway(
  overrides: { secretKey?: string; fetch?: typeof fetch; timeoutMs?: number } = {},
): PaymentGateway {
  return createFlutterwaveGateway({
    baseUrl: emulator.url,
    secretKey: overrides.secretKey ?? SECRET_KEY,
    timeoutMs: overrides.timeoutMs ?? TIMEOUT_MS,
    fetch: overrides.fetch,
  });
}

/** A fetch that answers every call with one canned response (for shapes the emulator never sends). */
function cannedFetch(status: number, body: string, contentType = "application/json"): typeof fetch {
  return (async () =>
    new Response(body, { status, headers: { "content-type": contentType } })) as typeof fetch;
}

/** A unique reference per test, so tests never see each other's state. */
function ref(prefix: string): string {
  sequence += 1;
  return `${prefix}-${Date.now()}-${sequence}`;
}

async function openCheckout(amountKobo: number): Promise<string> {
  const txRef = ref("tx");
  await gateway.createCheckout({
    txRef,
    amountKobo,
    redirectUrl: "https://tada.example/fund/return",
    customer: { email: "ada@example.com", name: "Ada Obi", phone: "08031234567" },
    title: "TADA wallet",
    description: "Wallet funding",
  });
  return txRef;
}

function transferInput(overrides: Partial<TransferRequest> = {}): TransferRequest {
  return {
    reference: ref("wd"),
    bankCode: "058",
    accountNumber: ACCOUNT,
    amountKobo: 250_050,
    narration: "TADA withdrawal",
    ...overrides,
  };
}

function lastRequest() {
  const request = emulator.requests.at(-1);
  if (!request) {
    throw new Error("the emulator saw no request");
  }
  return request;
}

beforeAll(async () => {
  emulator = await startFlutterwaveEmulator({ secretKey: SECRET_KEY, secretHash: SECRET_HASH });
  gateway = makeGateway();
  // The first request of a process pays for connecting and compiling; on a busy machine that alone
  // can pass the tests' 300 ms client timeout. Warm the path with a patient client first.
  await makeGateway({ timeoutMs: 10_000 }).verifyById("1");
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(() => {
  emulator.resetModes();
});

const FAULTS: FlutterwaveFaultMode[] = ["http_500", "html_503", "garbage_json", "timeout"];

describe("Flutterwave client: checkout", () => {
  it("creates a standard checkout in naira and returns the hosted link", async () => {
    const txRef = ref("tx");
    const result = await gateway.createCheckout({
      txRef,
      amountKobo: 150_050,
      redirectUrl: "https://tada.example/fund/return",
      customer: { email: "ada@example.com", name: "Ada Obi", phone: "08031234567" },
      title: "TADA wallet",
      description: "Wallet funding",
    });

    expect(gateway.code).toBe("flutterwave");
    expect(result.link).toBe(`${emulator.url}/checkout/${txRef}`);
    const expectedBody = {
      tx_ref: txRef,
      amount: 1500.5,
      currency: "NGN",
      redirect_url: "https://tada.example/fund/return",
      customer: { email: "ada@example.com", name: "Ada Obi", phonenumber: "08031234567" },
      customizations: { title: "TADA wallet", description: "Wallet funding" },
    };
    const request = lastRequest();
    expect(request).toMatchObject({ method: "POST", path: "/payments", body: expectedBody });
    expect(request.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
    expect(request.headers.contentType).toBe("application/json");
    expect(emulator.checkouts.at(-1)).toMatchObject({ txRef, amountKobo: 150_050, currency: "NGN" });
    expect(result.raw).toMatchObject({ request: expectedBody, httpStatus: 200 });
    expect(result.raw.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("leaves out the customer's name and phone when we do not have them", async () => {
    await gateway.createCheckout({
      txRef: ref("tx"),
      amountKobo: 50_000,
      redirectUrl: "https://tada.example/r",
      customer: { email: "x@example.com" },
      title: "t",
      description: "d",
    });
    expect(lastRequest().body).toMatchObject({ amount: 500, customer: { email: "x@example.com" } });
    expect((lastRequest().body as { customer: object }).customer).toEqual({ email: "x@example.com" });
  });

  it("throws ProviderUnavailableError when Flutterwave cannot create the link", async () => {
    emulator.setPathMode("/payments", "http_500");
    const attempt = gateway.createCheckout({
      txRef: ref("tx"),
      amountKobo: 50_000,
      redirectUrl: "https://tada.example/r",
      customer: { email: "x@example.com" },
      title: "t",
      description: "d",
    });
    await expect(attempt).rejects.toBeInstanceOf(ProviderUnavailableError);
    await expect(attempt).rejects.toThrow(/checkout is unavailable: HTTP 500/);
  });

  it("the link is a payer page; paying there redirects back with the transaction id", async () => {
    const txRef = await openCheckout(70_000);
    const page = await fetch(`${emulator.url}/checkout/${txRef}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("NGN 700");

    const paid = await fetch(`${emulator.url}/checkout/${txRef}/pay`, { method: "POST" });
    const charge = emulator.charges.at(-1);
    expect(charge).toMatchObject({ txRef, amountKobo: 70_000, status: "successful" });
    expect(await paid.text()).toContain(`transaction_id=${charge?.id}`);
  });
});

describe("Flutterwave client: verify", () => {
  it("verifies by id with the exact amount in kobo (1500.5 → 150050)", async () => {
    const txRef = await openCheckout(150_050);
    const id = emulator.pay(txRef);

    const result = await gateway.verifyById(id);

    expect(result).toMatchObject({
      found: true,
      id,
      txRef,
      status: "successful",
      currency: "NGN",
      amountKobo: 150_050,
    });
    expect(lastRequest()).toMatchObject({ method: "GET", path: `/transactions/${id}/verify` });
    expect(result.raw).toMatchObject({ httpStatus: 200, request: { method: "GET" } });
  });

  it("reports what the payer actually paid (an underpayment), another currency and a declined charge", async () => {
    const short = await openCheckout(500_000);
    const underpaid = emulator.pay(short, { amountKobo: 499_999 });
    expect(await gateway.verifyById(underpaid)).toMatchObject({
      found: true,
      txRef: short,
      status: "successful",
      amountKobo: 499_999,
    });

    const usd = await openCheckout(10_000);
    expect(await gateway.verifyById(emulator.pay(usd, { currency: "USD" }))).toMatchObject({
      found: true,
      currency: "USD",
    });

    const declined = await openCheckout(10_000);
    const id = emulator.fail(declined);
    expect(await gateway.verifyById(id)).toMatchObject({ found: true, status: "failed" });
  });

  it("an unknown id is found:false", async () => {
    expect((await gateway.verifyById("999999999")).found).toBe(false);
  });

  it("a 404 with Flutterwave's JSON error envelope is found:false", async () => {
    const result = await makeGateway({
      fetch: cannedFetch(404, '{"status":"error","message":"Transaction not available","data":null}'),
    }).verifyById("1");
    expect(result.found).toBe(false);
  });

  for (const mode of FAULTS) {
    it(`${mode} on verify is found:"unknown" (never "not found")`, async () => {
      const txRef = await openCheckout(30_000);
      const id = emulator.pay(txRef);
      emulator.setPathMode("/transactions/:id/verify", mode);
      const started = Date.now();

      const byId = await gateway.verifyById(id);

      expect(byId.found).toBe("unknown");
      expect(byId.raw.error).toBeTruthy();
      expect(Date.now() - started).toBeLessThan(1500); // the emulator holds timeouts for 2000 ms
    });
  }

  it("a timeout says so on raw and takes about the configured time", async () => {
    emulator.setPathMode("/transactions/:id/verify", "timeout");
    const started = Date.now();
    const result = await gateway.verifyById("1");
    expect(result.found).toBe("unknown");
    expect(result.raw.error).toMatch(/timed out after 300 ms/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
  });

  const unknownBodies: [string, number, string, string?][] = [
    ["bare 404 page (wrong base URL)", 404, "<html>Not Found</html>", "text/html"],
    ["401 bad key", 401, '{"status":"error","message":"Invalid authorization key","data":null}'],
    [
      "503 with not-found wording",
      503,
      '{"status":"error","message":"No transaction was found","data":null}',
    ],
    ["200 error envelope, other message", 200, '{"status":"error","message":"Try again later","data":null}'],
    ["success without data", 200, '{"status":"success","message":"ok","data":null}'],
    [
      "amount is not an amount",
      200,
      '{"status":"success","data":{"id":1,"tx_ref":"a","status":"successful","currency":"NGN","amount":"abc"}}',
    ],
    [
      "amount has three decimals",
      200,
      '{"status":"success","data":{"id":1,"tx_ref":"a","status":"successful","currency":"NGN","amount":1500.555}}',
    ],
    [
      "id is not a number",
      200,
      '{"status":"success","data":{"id":"chg_1","tx_ref":"a","status":"successful","currency":"NGN","amount":1}}',
    ],
    ["empty body", 200, ""],
  ];
  for (const [name, status, body, contentType] of unknownBodies) {
    it(`${name} → found:"unknown"`, async () => {
      const result = await makeGateway({ fetch: cannedFetch(status, body, contentType) }).verifyById("1");
      expect(result.found).toBe("unknown");
      expect(result.raw.error).toBeTruthy();
    });
  }

  it("keeps an HTML error page as text on raw", async () => {
    emulator.setPathMode("/transactions/:id/verify", "html_503");
    const result = await gateway.verifyById("1");
    expect(result.raw.httpStatus).toBe(503);
    expect(String(result.raw.body)).toContain("503 Service Unavailable");
  });
});

describe("Flutterwave client: every attempt on a tx_ref", () => {
  /** A list page in Flutterwave's documented shape. */
  const page = (items: unknown[], current = 1, totalPages = 1, total = items.length) =>
    JSON.stringify({
      status: "success",
      message: "Transactions fetched",
      meta: { page_info: { total, current_page: current, total_pages: totalPages } },
      data: items,
    });
  const item = (id: number | string, txRef: string, status = "successful") => ({
    id,
    tx_ref: txRef,
    flw_ref: `FLW-${id}`,
    amount: 1000,
    currency: "NGN",
    charged_amount: 1000,
    status,
  });
  /** A fetch that answers page N with `pages[N - 1]` (a status and body). */
  const pagedFetch = (pages: [number, string][]): typeof fetch =>
    (async (url: string | URL | Request) => {
      const n = Number(new URL(String(url)).searchParams.get("page") ?? "1");
      const [status, body] = pages[n - 1] ?? [200, page([], n, pages.length, 0)];
      return new Response(body, { status, headers: { "content-type": "application/json" } });
    }) as typeof fetch;

  it("lists a declined card and the paid retry on one checkout, newest first", async () => {
    const txRef = await openCheckout(20_000);
    const declined = emulator.fail(txRef);
    const paid = emulator.pay(txRef);

    const result = await gateway.listPayments(txRef);

    expect(result).toMatchObject({
      found: true,
      attempts: [
        { id: paid, txRef, status: "successful" },
        { id: declined, txRef, status: "failed" },
      ],
    });
    expect(lastRequest()).toMatchObject({
      method: "GET",
      path: "/transactions",
      query: { tx_ref: txRef, page: "1" },
    });
  });

  it("an unpaid checkout, or a tx_ref Flutterwave never saw, has no attempts (found, empty)", async () => {
    const unpaid = await openCheckout(20_000);
    expect(await gateway.listPayments(unpaid)).toMatchObject({ found: true, attempts: [] });
    expect(await gateway.listPayments("never-created")).toMatchObject({ found: true, attempts: [] });
  });

  it("walks every page", async () => {
    const txRef = await openCheckout(20_000);
    const ids = [emulator.fail(txRef), emulator.fail(txRef), emulator.fail(txRef), emulator.pay(txRef)];
    emulator.setTransactionList({ pageSize: 3 });
    const before = emulator.countRequests({ path: "/transactions" });

    const result = await gateway.listPayments(txRef);

    expect(result.found).toBe(true);
    expect(result.found === true && result.attempts.map((a) => a.id).sort()).toEqual([...ids].sort());
    expect(emulator.countRequests({ path: "/transactions" }) - before).toBe(2);
  });

  it("skips other tx_refs' transactions when the list ignores the filter", async () => {
    const mine = await openCheckout(20_000);
    const other = await openCheckout(20_000);
    emulator.pay(other);
    const paid = emulator.pay(mine);
    emulator.setTransactionList({ ignoreTxRefFilter: true, pageSize: 1000 });

    const result = await gateway.listPayments(mine);

    expect(result).toMatchObject({ found: true, attempts: [{ id: paid, txRef: mine }] });
  });

  for (const mode of FAULTS) {
    it(`${mode} on the list is found:"unknown" (never "no payment")`, async () => {
      const txRef = await openCheckout(30_000);
      emulator.pay(txRef);
      emulator.setPathMode("/transactions", mode);

      const result = await gateway.listPayments(txRef);

      expect(result.found).toBe("unknown");
      expect(result.raw.error).toBeTruthy();
    });
  }

  const unreadable: [string, [number, string][]][] = [
    ["no meta.page_info", [[200, JSON.stringify({ status: "success", data: [item(1, "r")] })]]],
    ["data is not a list", [[200, JSON.stringify({ status: "success", data: null, meta: {} })]]],
    ["an item without an id", [[200, page([{ tx_ref: "r", status: "successful" }])]]],
    ["an item whose id is not a number", [[200, page([item("chg_1", "r")])]]],
    ["an item without a tx_ref", [[200, page([{ id: 1, status: "successful" }])]]],
    ["another page than the one asked for", [[200, page([item(1, "r")], 2, 2)]]],
    ["a 200 error envelope", [[200, '{"status":"error","message":"Try again later","data":null}']]],
    [
      "page 2 of 2 fails",
      [
        [200, page([item(1, "r")], 1, 2, 2)],
        [500, '{"status":"error"}'],
      ],
    ],
    [
      "page 2 of 2 is cut short",
      [
        [200, page([item(1, "r")], 1, 2, 2)],
        [200, '{"status":"succ'],
      ],
    ],
    [
      "more pages than any retrying payer makes",
      Array.from({ length: 12 }, (_, i): [number, string] => [200, page([item(i + 1, "r")], i + 1, 12)]),
    ],
  ];
  for (const [name, pages] of unreadable) {
    it(`${name} → found:"unknown"`, async () => {
      const result = await makeGateway({ fetch: pagedFetch(pages) }).listPayments("r");
      expect(result.found).toBe("unknown");
      expect(result.raw.error).toBeTruthy();
    });
  }

  it("reads every page of a well-formed answer and keeps the list's status words", async () => {
    const result = await makeGateway({
      fetch: pagedFetch([
        [200, page([item(3, "r", "pending"), item(2, "r", "FAILED ")], 1, 2, 3)],
        [200, page([item("1", "r", "successful")], 2, 2, 3)],
      ]),
    }).listPayments("r");
    expect(result).toMatchObject({
      found: true,
      attempts: [
        { id: "3", status: "pending" },
        { id: "2", status: "failed" },
        { id: "1", status: "successful" },
      ],
    });
  });
});

describe("Flutterwave client: banks and account resolution", () => {
  it("lists Nigerian banks", async () => {
    const banks = await gateway.listBanks();
    expect(banks).toEqual(EMULATOR_BANKS.map(({ code, name }) => ({ code, name })));
    expect(lastRequest().path).toBe("/banks/NG");
  });

  it("skips a malformed bank item instead of failing the list", async () => {
    const body = JSON.stringify({
      status: "success",
      message: "ok",
      data: [
        { id: 1, code: "044", name: "Access Bank" },
        { id: 2 },
        { id: 3, code: 50211, name: "Kuda Bank" },
      ],
    });
    const banks = await makeGateway({ fetch: cannedFetch(200, body) }).listBanks();
    expect(banks).toEqual([
      { code: "044", name: "Access Bank" },
      { code: "50211", name: "Kuda Bank" },
    ]);
  });

  it("throws when the bank list is unavailable", async () => {
    emulator.setPathMode("/banks/NG", "garbage_json");
    await expect(gateway.listBanks()).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it("resolves an account to its holder's name", async () => {
    const result = await gateway.resolveAccount({ bankCode: "044", accountNumber: ACCOUNT });
    expect(result).toEqual({ accountName: EMULATOR_ACCOUNT_NAME });
    expect(lastRequest()).toMatchObject({
      method: "POST",
      path: "/accounts/resolve",
      body: { account_number: ACCOUNT, account_bank: "044" },
    });
  });

  it("an account that does not resolve is undefined", async () => {
    expect(await gateway.resolveAccount({ bankCode: "057", accountNumber: "1234560000" })).toBeUndefined();
    const couldNot = cannedFetch(
      400,
      '{"status":"error","message":"Account could not be resolved","data":null}',
    );
    expect(
      await makeGateway({ fetch: couldNot }).resolveAccount({ bankCode: "057", accountNumber: ACCOUNT }),
    ).toBeUndefined();
  });

  it("any other failure throws with a clear message (bad bank code, 5xx, timeout)", async () => {
    await expect(gateway.resolveAccount({ bankCode: "999", accountNumber: ACCOUNT })).rejects.toThrow(
      /account resolution is unavailable: HTTP 400: Unknown bank code/,
    );
    for (const mode of ["http_500", "timeout"] as const) {
      emulator.setPathMode("/accounts/resolve", mode);
      await expect(
        gateway.resolveAccount({ bankCode: "044", accountNumber: ACCOUNT }),
      ).rejects.toBeInstanceOf(ProviderUnavailableError);
    }
  });
});

describe("Flutterwave client: transfers", () => {
  it("sends the transfer in naira with our reference; SUCCESSFUL → successful", async () => {
    const input = transferInput();
    const result = await gateway.createTransfer(input);

    const transfer = emulator.transfers.at(-1);
    expect(result).toMatchObject({ outcome: "successful", id: String(transfer?.id) });
    expect(transfer).toMatchObject({ reference: input.reference, amountKobo: 250_050, status: "SUCCESSFUL" });
    const expectedBody = {
      account_bank: "058",
      account_number: ACCOUNT,
      amount: 2500.5,
      narration: "TADA withdrawal",
      currency: "NGN",
      reference: input.reference,
      debit_currency: "NGN",
    };
    expect(lastRequest()).toMatchObject({ method: "POST", path: "/transfers", body: expectedBody });
    expect(result.raw.request).toEqual(expectedBody);
  });

  it("NEW → pending; a requery after it settles says successful", async () => {
    emulator.setTransferOutcome("0222222222", "pending");
    const input = transferInput({ accountNumber: "0222222222" });

    const created = await gateway.createTransfer(input);
    expect(created.outcome).toBe("pending");
    expect(await gateway.getTransfer({ reference: input.reference })).toMatchObject({ outcome: "pending" });

    emulator.completeTransfer(input.reference, "successful");
    const settled = await gateway.getTransfer({ reference: input.reference });
    expect(settled).toMatchObject({ outcome: "successful", id: created.id });
    expect(lastRequest()).toMatchObject({ path: "/transfers", query: { reference: input.reference } });
  });

  it("FAILED → failed, with the bank's reason in the message", async () => {
    emulator.setTransferOutcome("0333333333", "failed");
    const result = await gateway.createTransfer(transferInput({ accountNumber: "0333333333" }));
    expect(result.outcome).toBe("failed");
    expect(result.message).toMatch(/DISBURSE FAILED/);
  });

  it("a refusal before creation (insufficient balance, invalid account) → failed, nothing created", async () => {
    emulator.setTransferOutcome("0444444444", "refused");
    const before = emulator.transfers.length;

    const broke = await gateway.createTransfer(transferInput({ accountNumber: "0444444444" }));
    const invalid = await gateway.createTransfer(transferInput({ accountNumber: "1234560000" }));

    expect(broke).toMatchObject({
      outcome: "failed",
      message: expect.stringMatching(/insufficient balance/i),
    });
    expect(invalid).toMatchObject({ outcome: "failed", message: expect.stringMatching(/invalid/i) });
    expect(emulator.transfers.length).toBe(before);
  });

  it("a duplicate reference is unknown (the first may have gone): the requery decides", async () => {
    const input = transferInput();
    await gateway.createTransfer(input);

    const again = await gateway.createTransfer(input);

    expect(again.outcome).toBe("unknown");
    expect(again.raw.error).toMatch(/duplicate reference/);
    expect(emulator.transfers.filter((t) => t.reference === input.reference)).toHaveLength(1);
    expect(await gateway.getTransfer({ reference: input.reference })).toMatchObject({
      outcome: "successful",
    });
  });

  it("a timeout after creation is unknown; the requery finds the transfer", async () => {
    emulator.setTransferOutcome("0555555555", "timeout");
    const input = transferInput({ accountNumber: "0555555555" });
    const started = Date.now();

    const result = await gateway.createTransfer(input);

    expect(result.outcome).toBe("unknown");
    expect(result.raw.error).toMatch(/timed out after 300 ms/);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(emulator.transfers.at(-1)).toMatchObject({ reference: input.reference, status: "NEW" });
    expect(await gateway.getTransfer({ reference: input.reference })).toMatchObject({ outcome: "pending" });
    emulator.completeTransfer(input.reference, "failed");
    expect(await gateway.getTransfer({ reference: input.reference })).toMatchObject({ outcome: "failed" });
  });

  for (const mode of FAULTS) {
    it(`${mode} on POST /transfers is unknown`, async () => {
      emulator.setPathMode("/transfers", mode);
      const input = transferInput();
      const result = await gateway.createTransfer(input);
      expect(result.outcome).toBe("unknown");
      expect(result.raw.error).toBeTruthy();
      // Only garbage_json did the work: the unknown really is unknown.
      const created = emulator.transfers.some((t) => t.reference === input.reference);
      expect(created).toBe(mode === "garbage_json");
    });
  }

  it("requeries by id when we have it", async () => {
    const input = transferInput();
    const created = await gateway.createTransfer(input);
    const result = await gateway.getTransfer({ reference: input.reference, id: created.id });
    expect(result).toMatchObject({ outcome: "successful", id: created.id });
    expect(lastRequest().path).toBe(`/transfers/${created.id}`);
  });

  it("a requery that finds nothing, or cannot ask, is unknown", async () => {
    expect((await gateway.getTransfer({ reference: "never-sent" })).outcome).toBe("unknown");
    expect((await gateway.getTransfer({ reference: "never-sent", id: "1" })).outcome).toBe("unknown");
    emulator.setPathMode("/transfers", "html_503");
    expect((await gateway.getTransfer({ reference: "x" })).outcome).toBe("unknown");
  });

  const transfer = (reference: string, status: string, id = 7) => ({
    id,
    reference,
    status,
    complete_message: "",
  });
  const envelope = (data: unknown) =>
    JSON.stringify({ status: "success", message: "Transfers fetched", data });

  it("picks our reference out of a list that ignored the filter", async () => {
    const body = envelope([transfer("other-1", "FAILED", 1), transfer("ours", "SUCCESSFUL", 2)]);
    const result = await makeGateway({ fetch: cannedFetch(200, body) }).getTransfer({ reference: "ours" });
    expect(result).toMatchObject({ outcome: "successful", id: "2" });
  });

  const unknownRequeries: [string, string][] = [
    ["only other references listed", envelope([transfer("other", "SUCCESSFUL")])],
    [
      "two transfers with our reference",
      envelope([transfer("ours", "SUCCESSFUL", 1), transfer("ours", "FAILED", 2)]),
    ],
    ["an object about another reference", envelope(transfer("other", "FAILED"))],
    ["an unmapped status", envelope(transfer("ours", "REVERSED"))],
    ["data missing", JSON.stringify({ status: "success", message: "ok" })],
  ];
  for (const [name, body] of unknownRequeries) {
    it(`requery with ${name} → unknown`, async () => {
      const result = await makeGateway({ fetch: cannedFetch(200, body) }).getTransfer({ reference: "ours" });
      expect(result.outcome).toBe("unknown");
    });
  }

  const createAnswers: [string, number, string, "failed" | "unknown"][] = [
    [
      "401 bad key (refused before anything)",
      401,
      '{"status":"error","message":"Invalid authorization key"}',
      "failed",
    ],
    ["400 insufficient balance", 400, '{"status":"error","message":"Insufficient balance"}', "failed"],
    [
      "400 reference already exists",
      400,
      '{"status":"error","message":"Reference already exists"}',
      "unknown",
    ],
    ["409 conflict", 409, '{"status":"error","message":"Conflict"}', "unknown"],
    [
      "503 JSON timeout answer",
      503,
      '{"status":"error","message":"An error occurred. Please contact support"}',
      "unknown",
    ],
    ["200 with an error envelope", 200, '{"status":"error","message":"Something happened"}', "unknown"],
    ["200 success with an unmapped status", 200, envelope(transfer("ours", "QUEUED")), "unknown"],
    ["200 success about another reference", 200, envelope(transfer("theirs", "SUCCESSFUL")), "unknown"],
    ["HTML 400 from a proxy", 400, "<html>Bad Request</html>", "unknown"],
  ];
  for (const [name, status, body, outcome] of createAnswers) {
    it(`create answered ${name} → ${outcome}`, async () => {
      const result = await makeGateway({ fetch: cannedFetch(status, body) }).createTransfer(
        transferInput({ reference: "ours" }),
      );
      expect(result.outcome).toBe(outcome);
    });
  }
});

describe("Flutterwave client: the secret key never reaches raw", () => {
  /** A hostile server that echoes the Authorization header back in every answer. */
  const echoing = (status: number, asJson: boolean): typeof fetch =>
    (async (_url: string | URL | Request, init?: RequestInit) => {
      const auth = new Headers(init?.headers).get("authorization") ?? "";
      const body = asJson
        ? JSON.stringify({ status: "error", message: `bad key ${auth}` })
        : `denied: ${auth}`;
      return new Response(body, { status });
    }) as typeof fetch;

  it("is scrubbed from echoed JSON, echoed text, errors and thrown messages", async () => {
    const raws: unknown[] = [];
    for (const fetchImpl of [echoing(401, true), echoing(500, false), echoing(200, true)]) {
      const client = makeGateway({ fetch: fetchImpl });
      raws.push((await client.verifyById("1")).raw);
      raws.push((await client.listPayments("r")).raw);
      raws.push(await client.createTransfer(transferInput()));
      raws.push(await client.getTransfer({ reference: "r" }));
      for (const call of [
        () => client.listBanks(),
        () => client.resolveAccount({ bankCode: "044", accountNumber: ACCOUNT }),
      ]) {
        const error = await call().then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
        expect(error).toBeInstanceOf(ProviderUnavailableError);
        raws.push((error as ProviderUnavailableError).raw, (error as Error).message);
      }
    }
    const everything = JSON.stringify(raws);
    expect(everything).toContain("[redacted]");
    expect(everything).not.toContain(SECRET_KEY);
  });

  it("is not in raw for ordinary calls against the emulator", async () => {
    const txRef = await openCheckout(10_000);
    const raws: RawExchange[] = [
      (await gateway.listPayments(txRef)).raw,
      (await gateway.createTransfer(transferInput())).raw,
    ];
    expect(JSON.stringify(raws)).not.toContain(SECRET_KEY);
  });
});

describe("verifyWebhookSignature", () => {
  async function paidCharge(): Promise<string> {
    const txRef = await openCheckout(150_050);
    emulator.pay(txRef);
    return txRef;
  }

  it("accepts the right verif-hash", async () => {
    const { rawBody, headers } = emulator.webhookPayloadFor(await paidCharge(), { scheme: "verif-hash" });
    const result = verifyWebhookSignature({
      headers: { verifHash: headers["verif-hash"] },
      rawBody,
      secretHash: SECRET_HASH,
    });
    expect(result).toEqual({ ok: true, scheme: "verif-hash" });
  });

  it("rejects a wrong verif-hash (any length), a forged delivery and no header at all", async () => {
    const txRef = await paidCharge();
    for (const wrong of ["x", `${SECRET_HASH}x`, SECRET_HASH.toUpperCase(), ""]) {
      const result = verifyWebhookSignature({
        headers: { verifHash: wrong },
        rawBody: "{}",
        secretHash: SECRET_HASH,
      });
      expect(result.ok).toBe(false);
    }
    const forged = emulator.webhookPayloadFor(txRef, { scheme: "forged" });
    expect(
      verifyWebhookSignature({
        headers: {
          verifHash: forged.headers["verif-hash"],
          signature: forged.headers["flutterwave-signature"],
        },
        rawBody: forged.rawBody,
        secretHash: SECRET_HASH,
      }),
    ).toEqual({ ok: false, reason: "wrong verif-hash and flutterwave-signature" });
    const none = emulator.webhookPayloadFor(txRef, { scheme: "none" });
    expect(none.headers["verif-hash"]).toBeUndefined();
    expect(
      verifyWebhookSignature({ headers: {}, rawBody: none.rawBody, secretHash: SECRET_HASH }),
    ).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/missing/),
    });
  });

  it("refuses everything when no secret hash is configured", () => {
    const result = verifyWebhookSignature({ headers: { verifHash: "" }, rawBody: "{}", secretHash: "" });
    expect(result.ok).toBe(false);
  });

  it("accepts a flutterwave-signature HMAC over the raw body (string or Buffer)", async () => {
    const { rawBody, headers } = emulator.webhookPayloadFor(await paidCharge(), {
      scheme: "flutterwave-signature",
    });
    const signature = headers["flutterwave-signature"];
    for (const body of [rawBody, Buffer.from(rawBody, "utf8")]) {
      expect(
        verifyWebhookSignature({ headers: { signature }, rawBody: body, secretHash: SECRET_HASH }),
      ).toEqual({
        ok: true,
        scheme: "flutterwave-signature",
      });
    }
  });

  it("rejects the HMAC over re-serialised JSON of the same object (W9: the raw bytes matter)", async () => {
    const { rawBody, headers, payload } = emulator.webhookPayloadFor(await paidCharge(), {
      scheme: "flutterwave-signature",
    });
    const reserialised = JSON.stringify(payload, null, 2);
    expect(JSON.parse(reserialised)).toEqual(JSON.parse(rawBody));
    const result = verifyWebhookSignature({
      headers: { signature: headers["flutterwave-signature"] },
      rawBody: reserialised,
      secretHash: SECRET_HASH,
    });
    expect(result.ok).toBe(false);
  });

  it("rejects a signature made with another secret or over an altered body", async () => {
    const txRef = await paidCharge();
    const other = emulator.webhookPayloadFor(txRef, { scheme: "flutterwave-signature", secretHash: "other" });
    expect(
      verifyWebhookSignature({
        headers: { signature: other.headers["flutterwave-signature"] },
        rawBody: other.rawBody,
        secretHash: SECRET_HASH,
      }).ok,
    ).toBe(false);
    const good = emulator.webhookPayloadFor(txRef, { scheme: "flutterwave-signature" });
    expect(
      verifyWebhookSignature({
        headers: { signature: good.headers["flutterwave-signature"] },
        rawBody: good.rawBody.replace("1500.5", "9500.5"),
        secretHash: SECRET_HASH,
      }).ok,
    ).toBe(false);
  });

  it("a webhook the emulator POSTs to a URL verifies over the bytes the receiver got", async () => {
    const received: { body: Buffer; headers: http.IncomingHttpHeaders }[] = [];
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        received.push({ body: Buffer.concat(chunks), headers: req.headers });
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = receiver.address() as AddressInfo;
      const txRef = await paidCharge();
      const { payload } = emulator.webhookPayloadFor(txRef);
      for (const scheme of ["verif-hash", "flutterwave-signature"] as const) {
        const answer = await emulator.sendWebhook({
          url: `http://127.0.0.1:${port}/webhooks/flutterwave`,
          event: payload.event,
          data: payload.data,
          scheme,
        });
        expect(answer).toEqual({ status: 200, body: "ok" });
        const got = received.at(-1);
        const result = verifyWebhookSignature({
          headers: {
            verifHash: got?.headers["verif-hash"] as string | undefined,
            signature: got?.headers["flutterwave-signature"] as string | undefined,
          },
          rawBody: got?.body ?? "",
          secretHash: SECRET_HASH,
        });
        expect(result).toEqual({ ok: true, scheme });
        expect(parseWebhookEvent(JSON.parse(String(got?.body)))?.data.tx_ref).toBe(txRef);
      }
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});

describe("parseWebhookEvent", () => {
  it("reads a v3 charge.completed", async () => {
    const txRef = await openCheckout(150_050);
    const id = emulator.pay(txRef);
    const { rawBody } = emulator.webhookPayloadFor(txRef);

    expect(parseWebhookEvent(JSON.parse(rawBody))).toEqual({
      event: "charge.completed",
      data: { id, tx_ref: txRef, status: "successful", amount: 1500.5, currency: "NGN" },
    });
  });

  it("reads a v3 transfer.completed", async () => {
    const input = transferInput();
    await gateway.createTransfer(input);
    const { rawBody } = emulator.transferWebhookPayloadFor(input.reference);

    const event = parseWebhookEvent(JSON.parse(rawBody));

    expect(event).toMatchObject({
      event: "transfer.completed",
      data: { reference: input.reference, status: "SUCCESSFUL", amount: 2500.5, currency: "NGN" },
    });
    expect(event?.data.id).toBe(String(emulator.transfers.at(-1)?.id));
    expect(event?.data.tx_ref).toBeUndefined();
  });

  it("keeps an event whose hint fields are odd (they are never trusted anyway)", () => {
    const event = parseWebhookEvent({
      event: "charge.completed",
      data: { id: "123", amount: "1,000", tx_ref: null },
    });
    expect(event).toEqual({ event: "charge.completed", data: { id: "123" } });
  });

  it("does not read a v4 payload or junk", () => {
    const v4 = {
      type: "charge.completed",
      data: {
        id: "chg_Lw0JwQ5vfY",
        reference: "tada-123",
        status: "succeeded",
        payment_method: { type: "card" },
        processor_response: { type: "approved", code: "00" },
      },
    };
    expect(parseWebhookEvent(v4)).toBeUndefined();
    expect(parseWebhookEvent({ event: "charge.completed", data: { id: "chg_1" } })).toBeUndefined();
    expect(parseWebhookEvent({ event: "charge.completed" })).toBeUndefined();
    expect(parseWebhookEvent(null)).toBeUndefined();
    expect(parseWebhookEvent("charge.completed")).toBeUndefined();
  });
});
