import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  EMULATOR_ACCOUNT_NAME,
  EMULATOR_BANKS,
  EMULATOR_VIRTUAL_ACCOUNT_BANK,
  type FlutterwaveEmulator,
  type FlutterwaveFaultMode,
  startFlutterwaveEmulator,
} from "../../../test/emulators/flutterwave-emulator";
import type {
  PaymentGateway,
  TransferRequest,
  VirtualAccountRequest,
  VirtualAccountResult,
} from "../../services/funding/gateway";
import { parseWebhookEvent, verifyWebhookSignature } from "../../services/funding/webhook-signature";
import { ProviderUnavailableError, type RawExchange } from "../../services/vtu/provider";
import { createFlutterwaveGateway } from "./client";

const SECRET_KEY = "FLWSECK_TEST-0123456789abcdef0123456789abcdef-X";
const SECRET_HASH = "tada-webhook-secret-hash-42";
const TIMEOUT_MS = 300;
const ACCOUNT = "0123456789";
/** A customer's BVN: it must never reach `raw` or any message whole. */
const BVN = "22212345678";

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

function accountInput(overrides: Partial<VirtualAccountRequest> = {}): VirtualAccountRequest {
  return {
    txRef: ref("va"),
    permanent: true,
    email: "ada@example.com",
    phone: "08031234567",
    firstName: "Ada",
    lastName: "Obi",
    narration: "TADA/Ada Obi",
    bvn: BVN,
    ...overrides,
  };
}

/** Creates a static account at the emulator and hands back what the client made of it. */
async function staticAccount(): Promise<Extract<VirtualAccountResult, { outcome: "created" }>> {
  const result = await gateway.createVirtualAccount(accountInput());
  if (result.outcome !== "created") {
    throw new Error(`expected a created account, got ${result.outcome}: ${result.message}`);
  }
  return result;
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

describe("Flutterwave client: virtual accounts", () => {
  it("creates a static account with the BVN; raw records it masked", async () => {
    const input = accountInput();
    const result = await gateway.createVirtualAccount(input);

    const issued = emulator.virtualAccounts.at(-1);
    expect(result).toMatchObject({
      outcome: "created",
      account: {
        accountNumber: issued?.accountNumber,
        bankName: EMULATOR_VIRTUAL_ACCOUNT_BANK,
        accountName: "TADA/Ada Obi",
        orderRef: issued?.orderRef,
        flwRef: issued?.flwRef,
      },
    });
    expect(result.outcome === "created" && result.account.accountNumber).toMatch(/^\d{10}$/);
    expect(result.outcome === "created" && result.account.orderRef).toMatch(/^URF_/);
    expect(result.outcome === "created" && result.account.expiresAt).toBeUndefined();
    expect(result.outcome === "created" && result.account.amountKobo).toBeUndefined();
    expect(issued).toMatchObject({ txRef: input.txRef, permanent: true, bvn: BVN, status: "active" });
    const sent = {
      email: "ada@example.com",
      is_permanent: true,
      tx_ref: input.txRef,
      phonenumber: "08031234567",
      firstname: "Ada",
      lastname: "Obi",
      narration: "TADA/Ada Obi",
    };
    expect(lastRequest()).toMatchObject({
      method: "POST",
      path: "/virtual-account-numbers",
      body: { ...sent, bvn: BVN },
    });
    expect(lastRequest().body).not.toHaveProperty("amount");
    expect(result.raw.request).toEqual({ ...sent, bvn: "********678" });
    expect(result.raw.httpStatus).toBe(200);
    expect(JSON.stringify(result)).not.toContain(BVN);
  });

  it("creates a dynamic account for an exact amount (₦5,000.50) that expires in about an hour", async () => {
    const input = accountInput({ permanent: false, bvn: undefined, amountKobo: 500_050 });
    const result = await gateway.createVirtualAccount(input);

    expect(result).toMatchObject({ outcome: "created", account: { amountKobo: 500_050 } });
    const expiresAt = result.outcome === "created" ? result.account.expiresAt : undefined;
    expect(Math.abs((expiresAt?.getTime() ?? 0) - (Date.now() + 3_600_000))).toBeLessThan(120_000);
    const body = lastRequest().body as Record<string, unknown>;
    expect(body).toMatchObject({ is_permanent: false, amount: 5000.5, tx_ref: input.txRef });
    expect(body).not.toHaveProperty("bvn");
    expect(emulator.virtualAccounts.at(-1)).toMatchObject({ permanent: false, amountKobo: 500_050 });
    expect(emulator.virtualAccounts.at(-1)?.bvn).toBeUndefined();
  });

  it("leaves out the phone and names we do not have", async () => {
    await gateway.createVirtualAccount(
      accountInput({ phone: undefined, firstName: undefined, lastName: undefined }),
    );
    expect(Object.keys(lastRequest().body as object).sort()).toEqual(
      ["bvn", "email", "is_permanent", "narration", "tx_ref"].sort(),
    );
  });

  it("a dynamic account without an amount is the caller's bug: it throws and asks nothing", async () => {
    const before = emulator.requests.length;
    await expect(
      gateway.createVirtualAccount(accountInput({ permanent: false, amountKobo: undefined })),
    ).rejects.toThrow(/amountKobo/);
    await expect(
      gateway.createVirtualAccount(accountInput({ permanent: false, amountKobo: 0 })),
    ).rejects.toThrow(/amountKobo/);
    expect(emulator.requests.length).toBe(before);
  });

  it("asking again with the same tx_ref gets the same account (the emulator's assumption)", async () => {
    const input = accountInput();
    const first = await gateway.createVirtualAccount(input);
    const again = await gateway.createVirtualAccount(input);
    expect(again).toMatchObject({ outcome: "created" });
    expect(first.outcome === "created" && again.outcome === "created").toBe(true);
    expect(again.outcome === "created" && again.account).toEqual(
      first.outcome === "created" && first.account,
    );
    expect(emulator.virtualAccounts.filter((a) => a.txRef === input.txRef)).toHaveLength(1);
  });

  it("a bad or missing BVN is refused with Flutterwave's message, and nothing is created", async () => {
    const before = emulator.virtualAccounts.length;
    const badBvn = "01234567890";

    const bad = await gateway.createVirtualAccount(accountInput({ bvn: badBvn }));
    const short = await gateway.createVirtualAccount(accountInput({ bvn: "2221234" }));
    const missing = await gateway.createVirtualAccount(accountInput({ bvn: undefined }));

    expect(bad).toMatchObject({ outcome: "refused", message: "BVN is invalid" });
    expect(short).toMatchObject({ outcome: "refused", message: "BVN is invalid" });
    expect(missing).toMatchObject({ outcome: "refused", message: expect.stringMatching(/BVN is required/) });
    expect(bad.raw).toMatchObject({ httpStatus: 400, request: { bvn: "********890" } });
    expect(JSON.stringify([bad, short])).not.toMatch(new RegExp(`${badBvn}|2221234`));
    expect(emulator.virtualAccounts.length).toBe(before);
  });

  for (const mode of FAULTS) {
    it(`${mode} on create is unknown (never created, never refused), and the BVN stays out`, async () => {
      emulator.setPathMode("/virtual-account-numbers", mode);
      const input = accountInput();
      const started = Date.now();

      const result = await gateway.createVirtualAccount(input);

      expect(result.outcome).toBe("unknown");
      expect(result.raw.error).toBeTruthy();
      expect(result.outcome === "unknown" && result.message).toMatch(/no usable answer/);
      expect(JSON.stringify(result)).not.toContain(BVN);
      expect(Date.now() - started).toBeLessThan(1500);
      // Only garbage_json did the work: asking again with the tx_ref gets that account.
      const created = emulator.virtualAccounts.some((a) => a.txRef === input.txRef);
      expect(created).toBe(mode === "garbage_json");
      emulator.resetModes();
      const again = await gateway.createVirtualAccount(input);
      expect(again.outcome).toBe("created");
      expect(emulator.virtualAccounts.filter((a) => a.txRef === input.txRef)).toHaveLength(1);
    });
  }

  /** A create answer in the vendor's envelope. */
  const created = (data: Record<string, unknown>) =>
    JSON.stringify({ status: "success", message: "Virtual account created", data });
  const sample = {
    response_code: "02",
    response_message: "Transaction in progress",
    flw_ref: "FLW-da93010f630240a7978e893af92fed62",
    order_ref: "URF_1613406439309_370935",
    account_number: "7824822527",
    frequency: "N/A",
    bank_name: "WEMA BANK",
    created_at: "2021-02-15 16:27:22",
    expiry_date: "N/A",
    note: "Please make a bank transfer to CollinX Akpevwe Omokri",
    amount: null,
  };
  const createWith = (status: number, body: string, contentType?: string) =>
    makeGateway({ fetch: cannedFetch(status, body, contentType) }).createVirtualAccount(accountInput());

  it("reads the vendor's own samples (SDK docs, and test mode's Mock Bank)", async () => {
    expect(await createWith(200, created(sample))).toMatchObject({
      outcome: "created",
      account: {
        accountNumber: "7824822527",
        bankName: "WEMA BANK",
        orderRef: "URF_1613406439309_370935",
        flwRef: "FLW-da93010f630240a7978e893af92fed62",
      },
    });
    const testMode = {
      note: "Mock note",
      amount: "0.00",
      flw_ref: "MockFLWRef-1744979653193",
      bank_name: "Mock Bank",
      frequency: 1,
      order_ref: "URF_1744979652730_243735",
      created_at: "2025-04-18 12:34:13 PM",
      expiry_date: "N/A",
      response_code: "02",
      account_number: "0067100155",
      account_status: "active",
      response_message: "Transaction in progress",
    };
    const result = await createWith(200, created(testMode));
    expect(result).toMatchObject({
      outcome: "created",
      account: { accountNumber: "0067100155", bankName: "Mock Bank" },
    });
    expect(result.outcome === "created" && result.account.amountKobo).toBeUndefined();
    expect(result.outcome === "created" && result.account.expiresAt).toBeUndefined();
  });

  it("is tolerant of the fields it only shows", async () => {
    const numeric = await createWith(
      200,
      created({ ...sample, account_number: 67100155, flw_ref: 12, amount: "N/A", expiry_date: "soon" }),
    );
    expect(numeric).toMatchObject({ outcome: "created", account: { accountNumber: "0067100155" } });
    expect(numeric.outcome === "created" && numeric.account).not.toHaveProperty("flwRef");
    expect(numeric.outcome === "created" && numeric.account).not.toHaveProperty("amountKobo");
    expect(numeric.outcome === "created" && numeric.account).not.toHaveProperty("expiresAt");

    const named = await createWith(200, created({ ...sample, account_name: "TADA-Ada Obi", amount: 101.4 }));
    expect(named).toMatchObject({
      outcome: "created",
      account: { accountName: "TADA-Ada Obi", amountKobo: 10_140 },
    });
  });

  it("reads the expiry: with a zone as is; a naive one relative to created_at, else as Lagos time", async () => {
    const zoned = await createWith(200, created({ ...sample, expiry_date: "2031-05-25T12:32:44.000Z" }));
    expect(zoned.outcome === "created" && zoned.account.expiresAt?.toISOString()).toBe(
      "2031-05-25T12:32:44.000Z",
    );

    const relative = await createWith(
      200,
      created({ ...sample, created_at: "2023-01-10 04:54:18 PM", expiry_date: "2023-01-10 17:54:18" }),
    );
    const expiresAt = relative.outcome === "created" ? relative.account.expiresAt : undefined;
    expect(Math.abs((expiresAt?.getTime() ?? 0) - (Date.now() + 3_600_000))).toBeLessThan(60_000);

    const lagos = await createWith(
      200,
      created({ ...sample, created_at: undefined, expiry_date: "2031-05-25 12:32:44" }),
    );
    expect(lagos.outcome === "created" && lagos.account.expiresAt?.toISOString()).toBe(
      "2031-05-25T11:32:44.000Z",
    );
  });

  const unknownCreates: [string, number, string, string?][] = [
    ["no account number", 200, created({ ...sample, account_number: undefined })],
    ["an account number of 9 digits", 200, created({ ...sample, account_number: "782482252" })],
    ["an account number with letters", 200, created({ ...sample, account_number: "78248225X7" })],
    ["no order_ref", 200, created({ ...sample, order_ref: "" })],
    ["no bank name", 200, created({ ...sample, bank_name: null })],
    ["success without data", 200, JSON.stringify({ status: "success", message: "ok", data: null })],
    ["a 200 error envelope", 200, '{"status":"error","message":"Try again","data":null}'],
    [
      "503 JSON timeout answer",
      503,
      '{"status":"error","message":"An error occurred. Please contact support"}',
    ],
    ["408 JSON", 408, '{"status":"error","message":"Request timeout"}'],
    ["429 too many requests", 429, '{"status":"error","message":"Too many requests"}'],
    ["HTML 400 from a proxy", 400, "<html>Bad Request</html>", "text/html"],
    ["a 400 that is not an error envelope", 400, '{"message":"Bad Request"}'],
    ["empty body", 200, ""],
  ];
  for (const [name, status, body, contentType] of unknownCreates) {
    it(`create answered ${name} → unknown`, async () => {
      const result = await createWith(status, body, contentType);
      expect(result.outcome).toBe("unknown");
      expect(result.raw.error).toBeTruthy();
    });
  }

  const refusedCreates: [string, number, string, string][] = [
    [
      "400 invalid BVN",
      400,
      '{"status":"error","message":"Invalid BVN supplied","data":null}',
      "Invalid BVN supplied",
    ],
    [
      "401 bad key",
      401,
      '{"status":"error","message":"Invalid authorization key"}',
      "Invalid authorization key",
    ],
    [
      "404 without a message",
      404,
      '{"status":"error","data":null}',
      "Flutterwave refused to create the virtual account",
    ],
  ];
  for (const [name, status, body, message] of refusedCreates) {
    it(`create answered ${name} → refused`, async () => {
      expect(await createWith(status, body)).toMatchObject({ outcome: "refused", message });
    });
  }

  it("closes an account by its order_ref", async () => {
    const { account } = await staticAccount();

    expect(await gateway.closeVirtualAccount(account.orderRef)).toBe("closed");

    expect(lastRequest()).toMatchObject({
      method: "POST",
      path: `/virtual-account-numbers/${account.orderRef}`,
      body: { status: "inactive" },
    });
    expect(emulator.virtualAccounts.find((a) => a.orderRef === account.orderRef)?.status).toBe("inactive");
  });

  it("closing an order_ref Flutterwave does not know, or one we cannot ask about, is unknown", async () => {
    expect(await gateway.closeVirtualAccount("URF_no/such?ref")).toBe("unknown");
    expect(lastRequest().path).toBe("/virtual-account-numbers/URF_no%2Fsuch%3Fref");
    const { account } = await staticAccount();
    for (const mode of FAULTS) {
      emulator.setPathMode("/virtual-account-numbers/:order_ref", mode);
      expect(await gateway.closeVirtualAccount(account.orderRef)).toBe("unknown");
    }
    const refusals = [
      cannedFetch(400, '{"status":"error","message":"status is invalid"}'),
      cannedFetch(200, '{"status":"error","message":"Try again"}'),
    ];
    for (const fetchImpl of refusals) {
      expect(await makeGateway({ fetch: fetchImpl }).closeVirtualAccount("URF_1")).toBe("unknown");
    }
  });
});

describe("Flutterwave client: transfers into a virtual account", () => {
  it("verify by id reads a transfer in: exact kobo, bank_transfer, the sender", async () => {
    const { account } = await staticAccount();
    const txRef = emulator.virtualAccounts.at(-1)?.txRef;
    const id = emulator.transferIn({
      accountNumber: account.accountNumber,
      amountKobo: 500_050,
      senderName: "CHINEDU OKAFOR",
      senderBank: "Access Bank",
      senderAccountNumber: "0690001234",
      narration: "wallet top up",
    });

    const result = await gateway.verifyById(id);

    expect(result).toEqual({
      found: true,
      id,
      txRef,
      status: "successful",
      currency: "NGN",
      amountKobo: 500_050,
      paymentType: "bank_transfer",
      payer: {
        name: "CHINEDU OKAFOR",
        bank: "Access Bank",
        accountNumber: "******1234",
        narration: "wallet top up",
      },
      raw: expect.anything(),
    });
  });

  it("a card payment has its payment type and no payer", async () => {
    const txRef = await openCheckout(10_000);
    const result = await gateway.verifyById(emulator.pay(txRef));
    expect(result).toMatchObject({ found: true, paymentType: "card" });
    expect(result).not.toHaveProperty("payer");
  });

  it("reads the sender from meta or the top of data, and drops odd display fields", async () => {
    const verified = (data: Record<string, unknown>) =>
      makeGateway({
        fetch: cannedFetch(
          200,
          JSON.stringify({
            status: "success",
            data: {
              id: 9,
              tx_ref: "va-1",
              status: "successful",
              currency: "NGN",
              amount: "5,000.50",
              ...data,
            },
          }),
        ),
      }).verifyById("9");

    expect(
      await verified({
        payment_type: "BANK_TRANSFER",
        originatorname: "ADA OBI",
        bankname: "Kuda",
        meta: null,
      }),
    ).toMatchObject({
      found: true,
      amountKobo: 500_050,
      paymentType: "bank_transfer",
      payer: { name: "ADA OBI", bank: "Kuda" },
    });
    const odd = await verified({
      payment_type: 42,
      meta: { originatorname: "N/A", bankname: ["x"], originatoraccountnumber: 1234, narration: "" },
    });
    expect(odd).toMatchObject({ found: true, amountKobo: 500_050, payer: { accountNumber: "1234" } });
    expect(odd).not.toHaveProperty("paymentType");
    expect(odd.found === true && odd.payer).toEqual({ accountNumber: "1234" });
    const junkMeta = await verified({ meta: "originatorname=ADA", narration: "CARD Transaction " });
    expect(junkMeta).toMatchObject({ found: true });
    expect(junkMeta).not.toHaveProperty("payer");
  });

  it("listPayments sends from= as the UTC day and finds every transfer into the account", async () => {
    const { account } = await staticAccount();
    const txRef = emulator.virtualAccounts.at(-1)?.txRef ?? "";
    const first = emulator.transferIn({ accountNumber: account.accountNumber, amountKobo: 100_000 });
    const second = emulator.transferIn({ accountNumber: account.accountNumber, amountKobo: 250_000 });
    // Half past midnight in Lagos on the 2nd is 23:30 UTC on the 1st: the day sent is the UTC one.
    const from = new Date("2024-03-02T00:30:00+01:00");

    const result = await gateway.listPayments(txRef, { from });

    expect(result).toMatchObject({
      found: true,
      attempts: [
        { id: second, txRef, status: "successful" },
        { id: first, txRef, status: "successful" },
      ],
    });
    expect(lastRequest()).toMatchObject({
      path: "/transactions",
      query: { tx_ref: txRef, from: "2024-03-01", page: "1" },
    });
  });

  it("the emulator's list respects from; no from (or an invalid date) is not sent", async () => {
    const { account } = await staticAccount();
    const txRef = emulator.virtualAccounts.at(-1)?.txRef ?? "";
    emulator.transferIn({ accountNumber: account.accountNumber, amountKobo: 100_000 });

    const tomorrow = new Date(Date.now() + 24 * 3_600_000);
    expect(await gateway.listPayments(txRef, { from: tomorrow })).toMatchObject({
      found: true,
      attempts: [],
    });
    expect(lastRequest().query.from).toBe(tomorrow.toISOString().slice(0, 10));

    for (const options of [undefined, {}, { from: new Date("not a date") }]) {
      expect(await gateway.listPayments(txRef, options)).toMatchObject({ found: true });
      expect(lastRequest().query).toEqual({ tx_ref: txRef, page: "1" });
    }
  });
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
      raws.push(await client.createVirtualAccount(accountInput()));
      raws.push(await client.closeVirtualAccount("URF_1"));
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

describe("Flutterwave client: the BVN never reaches raw or a message", () => {
  /** A hostile server that echoes the request body back (JSON or text), with any status. */
  const echoingBody = (status: number, asJson: boolean): typeof fetch =>
    (async (_url: string | URL | Request, init?: RequestInit) => {
      const sent = String(init?.body ?? "");
      const body = asJson
        ? JSON.stringify({
            status: status < 300 ? "success" : "error",
            message: `you sent ${sent}`,
            data: sent,
          })
        : `bad request: ${sent}`;
      return new Response(body, { status });
    }) as typeof fetch;

  it("is scrubbed from echoed JSON and text, refusals and unknowns alike", async () => {
    const results: VirtualAccountResult[] = [];
    for (const [status, asJson] of [
      [400, true],
      [500, true],
      [200, true],
      [400, false],
      [502, false],
    ] as const) {
      results.push(
        await makeGateway({ fetch: echoingBody(status, asJson) }).createVirtualAccount(accountInput()),
      );
    }
    expect(results.map((r) => r.outcome)).toEqual(["refused", "unknown", "unknown", "unknown", "unknown"]);
    const everything = JSON.stringify(results);
    expect(everything).toContain("[redacted]");
    expect(everything).toContain("********678");
    expect(everything).not.toContain(BVN);
    expect(everything).not.toContain(SECRET_KEY);
  });

  it("a BVN given with a dynamic account is not sent at all", async () => {
    await gateway.createVirtualAccount(accountInput({ permanent: false, amountKobo: 10_000 }));
    expect(JSON.stringify(lastRequest().body)).not.toContain(BVN);
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

      // A transfer in: the same bytes as webhookPayloadFor, meta_data and event.type included.
      const { account } = await staticAccount();
      const vaTxRef = emulator.virtualAccounts.at(-1)?.txRef ?? "";
      emulator.transferIn({ accountNumber: account.accountNumber, amountKobo: 20_000 });
      const transferIn = emulator.webhookPayloadFor(vaTxRef);
      await emulator.sendWebhook({
        url: `http://127.0.0.1:${port}/webhooks/flutterwave`,
        event: transferIn.payload.event,
        data: transferIn.payload.data,
        metaData: transferIn.payload.meta_data,
        scheme: "verif-hash",
      });
      expect(String(received.at(-1)?.body)).toBe(transferIn.rawBody);
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

  it("reads a transfer into a virtual account (the documented transfer-in payload)", async () => {
    const { account } = await staticAccount();
    const txRef = emulator.virtualAccounts.at(-1)?.txRef ?? "";
    const id = emulator.transferIn({
      accountNumber: account.accountNumber,
      amountKobo: 500_050,
      senderName: "CHINEDU OKAFOR",
    });
    const { rawBody, payload } = emulator.webhookPayloadFor(txRef);

    expect(payload).toMatchObject({
      event: "charge.completed",
      data: { id: Number(id), tx_ref: txRef, payment_type: "bank_transfer", amount: 5000.5, app_fee: 70.01 },
      meta_data: { originatorname: "CHINEDU OKAFOR", originatoraccountnumber: "******1234" },
      "event.type": "BANK_TRANSFER_TRANSACTION",
    });
    expect(payload.data).not.toHaveProperty("meta");
    expect(parseWebhookEvent(JSON.parse(rawBody))).toEqual({
      event: "charge.completed",
      data: { id, tx_ref: txRef, status: "successful", amount: 5000.5, currency: "NGN" },
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
