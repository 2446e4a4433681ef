import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  EMULATOR_VIRTUAL_ACCOUNT_BANK,
  type FlutterwaveEmulator,
  startFlutterwaveEmulator,
} from "./flutterwave-emulator";

/**
 * The emulator's virtual-account routes as raw HTTP (the client tests cover what the client makes of
 * them): the vendor's shapes, what it refuses, fetch and deactivate, transfers in, the list's `from`.
 */

let emulator: FlutterwaveEmulator;
let sequence = 0;

function txRef(): string {
  sequence += 1;
  return `va-emu-${Date.now()}-${sequence}`;
}

async function api(
  method: "GET" | "POST",
  path: string,
  body?: unknown,
): Promise<{ status: number; json: { status: string; message: string; data: Record<string, unknown> } }> {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${emulator.secretKey}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as never };
}

const staticBody = (ref: string) => ({
  email: "ada@example.com",
  is_permanent: true,
  bvn: "22212345678",
  tx_ref: ref,
  firstname: "Ada",
  lastname: "Obi",
  narration: "TADA/Ada Obi",
});

beforeAll(async () => {
  emulator = await startFlutterwaveEmulator();
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(() => {
  emulator.resetModes();
});

describe("Flutterwave emulator: virtual accounts", () => {
  it("creates a static account in the vendor's shape", async () => {
    const ref = txRef();
    const { status, json } = await api("POST", "/virtual-account-numbers", staticBody(ref));

    expect(status).toBe(200);
    expect(json).toMatchObject({ status: "success", message: "Virtual account created" });
    expect(json.data).toMatchObject({
      response_code: "02",
      response_message: "Transaction in progress",
      frequency: "N/A",
      bank_name: EMULATOR_VIRTUAL_ACCOUNT_BANK,
      expiry_date: "N/A",
      amount: null,
      note: "Please make a bank transfer to TADA/Ada Obi",
    });
    expect(json.data.account_number).toMatch(/^\d{10}$/);
    expect(json.data.order_ref).toMatch(/^URF_\d+_\d+$/);
    expect(json.data.flw_ref).toMatch(/^FLW-/);
    expect(json.data.created_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(emulator.virtualAccounts.at(-1)).toMatchObject({
      txRef: ref,
      permanent: true,
      bvn: "22212345678",
      firstname: "Ada",
      status: "active",
    });
  });

  it("creates a dynamic account that expires an hour after creation, with the amount as naira", async () => {
    const { json } = await api("POST", "/virtual-account-numbers", {
      email: "ada@example.com",
      tx_ref: txRef(),
      amount: 5000.5,
      narration: "TADA/Ada Obi",
    });
    expect(json.data).toMatchObject({ frequency: 1, amount: "5000.50" });
    const created = Date.parse(`${String(json.data.created_at).replace(" ", "T")}Z`);
    const expires = Date.parse(`${String(json.data.expiry_date).replace(" ", "T")}Z`);
    expect(expires - created).toBe(3_600_000);
    const account = emulator.virtualAccounts.at(-1);
    expect(account).toMatchObject({ permanent: false, amountKobo: 500_050 });
    expect(account?.bvn).toBeUndefined();
  });

  const refusals: [string, Record<string, unknown>, RegExp][] = [
    ["no email", { ...staticBody("x"), email: "" }, /email is required/],
    ["a static account without a BVN", { ...staticBody("x"), bvn: undefined }, /BVN is required/],
    ["a BVN of 10 digits", { ...staticBody("x"), bvn: "2221234567" }, /BVN is invalid/],
    ["a BVN starting with 0", { ...staticBody("x"), bvn: "02212345678" }, /BVN is invalid/],
    ["a dynamic account without an amount", { email: "a@example.com", tx_ref: "x" }, /amount/],
    ["a dynamic account for 0", { email: "a@example.com", tx_ref: "x", amount: 0 }, /amount/],
  ];
  for (const [name, body, message] of refusals) {
    it(`refuses ${name} with a 400 error envelope, creating nothing`, async () => {
      const before = emulator.virtualAccounts.length;
      const { status, json } = await api("POST", "/virtual-account-numbers", {
        ...body,
        tx_ref: txRef(),
      });
      expect(status).toBe(400);
      expect(json).toMatchObject({ status: "error", data: null });
      expect(json.message).toMatch(message);
      expect(emulator.virtualAccounts.length).toBe(before);
    });
  }

  it("fetches an account by order_ref and deactivates (and reactivates) it", async () => {
    const { json } = await api("POST", "/virtual-account-numbers", staticBody(txRef()));
    const orderRef = String(json.data.order_ref);

    const fetched = await api("GET", `/virtual-account-numbers/${orderRef}`);
    expect(fetched.json.data).toEqual(json.data);

    const closed = await api("POST", `/virtual-account-numbers/${orderRef}`, { status: "inactive" });
    expect(closed).toMatchObject({ status: 200, json: { status: "success" } });
    expect((await api("GET", `/virtual-account-numbers/${orderRef}`)).json.data.account_status).toBe(
      "inactive",
    );
    await api("POST", `/virtual-account-numbers/${orderRef}`, { status: "active" });
    expect(emulator.virtualAccounts.find((a) => a.orderRef === orderRef)?.status).toBe("active");

    expect((await api("POST", `/virtual-account-numbers/${orderRef}`, { status: "closed" })).status).toBe(
      400,
    );
    expect((await api("GET", "/virtual-account-numbers/URF_none")).status).toBe(404);
    expect((await api("POST", "/virtual-account-numbers/URF_none", { status: "inactive" })).status).toBe(404);
  });

  it("the new routes heed path modes by template", async () => {
    const { json } = await api("POST", "/virtual-account-numbers", staticBody(txRef()));
    emulator.setPathMode("/virtual-account-numbers/:order_ref", "http_500");
    expect((await api("GET", `/virtual-account-numbers/${String(json.data.order_ref)}`)).status).toBe(500);
    emulator.setPathMode("/virtual-account-numbers", "html_503");
    const page = await fetch(`${emulator.url}/virtual-account-numbers`, {
      method: "POST",
      headers: { Authorization: `Bearer ${emulator.secretKey}` },
      body: JSON.stringify(staticBody(txRef())),
    });
    expect(page.status).toBe(503);
  });

  it("needs the secret key", async () => {
    const response = await fetch(`${emulator.url}/virtual-account-numbers`, {
      method: "POST",
      body: JSON.stringify(staticBody(txRef())),
    });
    expect(response.status).toBe(401);
  });
});

describe("Flutterwave emulator: transfers into a virtual account", () => {
  it("a transfer in is a bank_transfer charge on the account's tx_ref, with the sender in meta", async () => {
    const ref = txRef();
    const { json } = await api("POST", "/virtual-account-numbers", staticBody(ref));
    const id = emulator.transferIn({
      accountNumber: String(json.data.account_number),
      amountKobo: 500_050,
      senderName: "CHINEDU OKAFOR",
    });

    const verified = await api("GET", `/transactions/${id}/verify`);
    expect(verified.json.data).toMatchObject({
      id: Number(id),
      tx_ref: ref,
      amount: 5000.5,
      charged_amount: 5000.5,
      app_fee: 70.01,
      status: "successful",
      payment_type: "bank_transfer",
      meta: {
        originatorname: "CHINEDU OKAFOR",
        bankname: "Guaranty Trust Bank",
        originatoraccountnumber: "******1234",
      },
      customer: { name: "Ada Obi", email: "ada@example.com" },
    });
    expect(emulator.charges.at(-1)).toMatchObject({ txRef: ref, paymentType: "bank_transfer" });
  });

  it("takes any issued account, closed ones too, and refuses numbers it never issued", async () => {
    const { json } = await api("POST", "/virtual-account-numbers", staticBody(txRef()));
    await api("POST", `/virtual-account-numbers/${String(json.data.order_ref)}`, { status: "inactive" });
    expect(emulator.transferIn({ accountNumber: String(json.data.account_number), amountKobo: 100 })).toMatch(
      /^\d+$/,
    );
    expect(() => emulator.transferIn({ accountNumber: "0000000001", amountKobo: 100 })).toThrow(
      /no virtual account/,
    );
    expect(() =>
      emulator.transferIn({ accountNumber: String(json.data.account_number), amountKobo: 0 }),
    ).toThrow(/cannot transfer/);
  });

  it("the transaction list filters by from (a UTC day) and refuses a malformed one", async () => {
    const ref = txRef();
    const { json } = await api("POST", "/virtual-account-numbers", staticBody(ref));
    emulator.transferIn({ accountNumber: String(json.data.account_number), amountKobo: 100_000 });
    const at = emulator.charges.at(-1)?.at ?? Date.now();
    const today = new Date(at).toISOString().slice(0, 10);
    const tomorrow = new Date(at + 86_400_000).toISOString().slice(0, 10);

    const listed = async (query: string) => api("GET", `/transactions?tx_ref=${ref}${query}`);
    expect((await listed(`&from=${today}`)).json.data).toHaveLength(1);
    expect((await listed(`&from=${tomorrow}`)).json.data).toHaveLength(0);
    expect((await listed("")).json.data).toHaveLength(1);
    expect((await listed("&from=01-03-2026")).status).toBe(400);
  });
});
