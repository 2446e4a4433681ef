import { createHmac } from "node:crypto";
import { koboToNairaString, nairaToKobo } from "../../api/services/money";
import type { EmulatorCall, GatewayPages, Outcome, Reply } from "./emulator-server";
import { faultModes, gatewayFault, json, matchesRequest, startEmulatorServer } from "./emulator-server";

/**
 * A local Flutterwave v3 (providers.md §4, §4a) on 127.0.0.1 for tests: standard checkout, verify by id
 * and by tx_ref, the transaction list (`GET /transactions?tx_ref=&from=`: every attempt on a checkout,
 * every transfer into a virtual account, paged), virtual accounts (create, fetch, deactivate), banks,
 * account resolution and transfers, with the same paths, fields and `{ status, message, data }`
 * envelope as the real API. The test plays the payer (`pay`, `fail`, the small checkout page at the
 * link, or `transferIn` to a virtual account) and Flutterwave's webhook sender (`sendWebhook`,
 * `webhookPayloadFor`). It is the ground truth a test checks the client against: every request it
 * saw, every charge, virtual account and transfer it really made.
 */

export const FLUTTERWAVE_FAULT_MODES = [
  /** 500 with Flutterwave's JSON error body, before doing anything. */
  "http_500",
  /** 503 HTML page from the gateway, before doing anything. */
  "html_503",
  /** Holds the request for `hangMs` and drops the connection, before doing anything. */
  "timeout",
  /** Does the work, then answers a truncated JSON body. */
  "garbage_json",
] as const;
export type FlutterwaveFaultMode = (typeof FLUTTERWAVE_FAULT_MODES)[number];

/**
 * What `POST /transfers` does for an account number:
 * - successful: created and answered SUCCESSFUL at once (real Flutterwave says NEW first; a shortcut).
 * - pending:    created and answered NEW; stays so until `completeTransfer`.
 * - failed:     created and answered FAILED (the bank refused it; no money left).
 * - refused:    400 "insufficient balance" before creation (nothing exists to requery).
 * - timeout:    created as NEW, then the answer never comes (held for `hangMs`, then dropped).
 * - lost:       the call never reaches Flutterwave: held for `hangMs`, then dropped, nothing created
 *               (a requery by reference finds no transfer; a later send with the reference works).
 */
export type TransferOutcomeMode = "successful" | "pending" | "failed" | "refused" | "timeout" | "lost";
export type TransferStatus = "NEW" | "PENDING" | "SUCCESSFUL" | "FAILED";
export type WebhookScheme = "verif-hash" | "flutterwave-signature" | "none" | "forged";

export type EmulatorCheckout = {
  txRef: string;
  /** What the checkout asked the payer for. */
  amountKobo: number;
  currency: string;
  redirectUrl: string;
  customer: { email: string; name?: string; phonenumber?: string };
  title?: string;
  description?: string;
  at: number;
};

/**
 * One payment: an attempt on a checkout (a tx_ref may have several: a decline, then a success), or a
 * bank transfer into a virtual account (every one carries the account's tx_ref).
 */
export type EmulatorCharge = {
  id: number;
  txRef: string;
  flwRef: string;
  /** What the payer actually paid (may differ from the checkout: underpayment tests). */
  amountKobo: number;
  currency: string;
  status: string;
  paymentType: "card" | "bank_transfer";
  /** Bank transfers: the sender as Flutterwave reports it (`meta` on verify, `meta_data` on the webhook). */
  payer?: { name: string; bank: string; maskedAccountNumber: string };
  /** Bank transfers: the sender's narration, if any (the charge's `narration`). */
  narration?: string;
  at: number;
};

/** A virtual account issued by `POST /virtual-account-numbers`. */
export type EmulatorVirtualAccount = {
  /** The creation tx_ref: every transfer into the account carries it. */
  txRef: string;
  orderRef: string;
  flwRef: string;
  accountNumber: string;
  bankName: string;
  permanent: boolean;
  /** The BVN as the request carried it (static accounts); undefined when it carried none. */
  bvn?: string;
  email: string;
  phonenumber?: string;
  firstname?: string;
  lastname?: string;
  narration: string;
  /** Dynamic accounts: the amount asked for. */
  amountKobo?: number;
  /** Dynamic accounts: about an hour after creation. */
  expiresAt?: number;
  status: "active" | "inactive";
  at: number;
};

export type EmulatorTransfer = {
  id: number;
  reference: string;
  bankCode: string;
  accountNumber: string;
  amountKobo: number;
  narration: string;
  currency: string;
  status: TransferStatus;
  completeMessage: string;
  at: number;
};

export type FlutterwaveRequest = {
  method: string;
  /** Path below /v3 without the query, e.g. "/transactions/123/verify". */
  path: string;
  query: Record<string, string>;
  body: unknown;
  headers: { authorization?: string; contentType?: string };
  at: number;
};

export type FlutterwaveRequestFilter =
  | { path?: string; method?: string }
  | ((request: FlutterwaveRequest) => boolean);

/** A webhook ready to deliver: the exact bytes to send and the headers that go with them. */
export type WebhookDelivery = {
  rawBody: string;
  headers: Record<string, string>;
  /**
   * `meta_data` is there for a bank transfer (the sender). `event.type` follows the event and
   * `data.payment_type`: "Transfer", "BANK_TRANSFER_TRANSACTION" or "CARD_TRANSACTION".
   */
  payload: {
    event: string;
    data: Record<string, unknown>;
    meta_data?: Record<string, unknown>;
    "event.type": string;
  };
};

export type WebhookOptions = {
  /** Which charge on the tx_ref (a transaction id from `pay`/`fail`/`transferIn`); default the latest. */
  chargeId?: string;
  /** Default "verif-hash". */
  scheme?: WebhookScheme;
  /** Default: the emulator's secret hash. */
  secretHash?: string;
  /** Fields merged over the payload's `data` (an altered amount, a foreign tx_ref, …). */
  data?: Record<string, unknown>;
};

export type FlutterwaveEmulator = {
  /** Base URL to give the client, e.g. http://127.0.0.1:41234/v3 */
  readonly url: string;
  readonly secretKey: string;
  readonly secretHash: string;
  close(): Promise<void>;

  /**
   * Fault an endpoint: `path` is exact ("/transactions/123/verify") or a route template
   * ("/transactions" (the list), "/transactions/:id/verify", "/transactions/verify_by_reference",
   * "/transfers", "/transfers/:id", "/payments", "/banks/NG", "/accounts/resolve",
   * "/virtual-account-numbers" (create), "/virtual-account-numbers/:order_ref" (fetch and
   * deactivate)); undefined clears.
   */
  setPathMode(path: string, mode: FlutterwaveFaultMode | undefined): void;
  /** How long `timeout` modes hold a request (default 2000 ms). */
  setHangMs(ms: number): void;
  setTransferOutcome(accountNumber: string, outcome: TransferOutcomeMode): void;
  /**
   * How `GET /transactions` pages (default 10 per page, like Flutterwave's samples) and whether it
   * ignores the tx_ref filter and lists every transaction on the account (a misbehaving list).
   */
  setTransactionList(options: { pageSize?: number; ignoreTxRefFilter?: boolean }): void;
  /** `GET /transfers` leaves out transfers younger than `ms` (a list that lags); 0 (default) is live. */
  setTransferListLag(ms: number): void;
  /** Path modes, transfer outcomes, list options and hang back to defaults (state and logs are kept). */
  resetModes(): void;

  /**
   * The payer pays (default: the checkout amount in NGN, `successful`); returns the transaction id.
   * Every call is another attempt on the same checkout: `fail` then `pay` is a declined card and a
   * paid retry, two transactions under one tx_ref.
   */
  pay(txRef: string, options?: { amountKobo?: number; currency?: string; status?: string }): string;
  /** The payer's card is declined; returns the transaction id. */
  fail(txRef: string): string;
  /**
   * Someone sends money to a virtual account the emulator issued, from their bank: a successful
   * `bank_transfer` charge on the account's creation tx_ref, which verify by id and the transaction
   * list then show (what webhook to deliver, or none, is the test's call: `webhookPayloadFor`).
   * Like a bank it takes any issued account, inactive or expired ones too, and any amount (what
   * Flutterwave does with a late or wrong amount is not known). Returns the transaction id.
   */
  transferIn(input: {
    accountNumber: string;
    amountKobo: number;
    /** Default "ADEBAYO OLUWASEUN JOHNSON". */
    senderName?: string;
    /** Default "Guaranty Trust Bank". */
    senderBank?: string;
    /** The sender's own 10-digit account, reported masked ("******1234"); default "0123451234". */
    senderAccountNumber?: string;
    narration?: string;
  }): string;
  /** Settle a transfer later (as Flutterwave does after NEW). */
  completeTransfer(reference: string, status: "successful" | "failed" | "pending"): void;

  /**
   * POSTs a v3 webhook to `url` with the scheme's header; answers what the receiver said. `metaData`
   * is sent as the top-level `meta_data` (a bank transfer's sender: pass `payload.meta_data` of
   * `webhookPayloadFor`); `event.type` follows `event` and `data.payment_type`.
   */
  sendWebhook(input: {
    url: string;
    event: string;
    data: Record<string, unknown>;
    metaData?: Record<string, unknown>;
    scheme: WebhookScheme;
    secretHash?: string;
  }): Promise<{ status: number; body: string }>;
  /**
   * `charge.completed` for the latest charge on `txRef` (or `chargeId`), for `app.request(...)`. A
   * transfer into a virtual account gives the transfer-in shape (providers.md §4a): `payment_type`
   * "bank_transfer", the sender in top-level `meta_data`, `event.type` "BANK_TRANSFER_TRANSACTION".
   */
  webhookPayloadFor(txRef: string, options?: WebhookOptions): WebhookDelivery;
  /** `transfer.completed` for a transfer in its current status. */
  transferWebhookPayloadFor(reference: string, options?: WebhookOptions): WebhookDelivery;

  readonly checkouts: readonly EmulatorCheckout[];
  readonly charges: readonly EmulatorCharge[];
  /** Every virtual account issued, oldest first (the same record for a repeated tx_ref). */
  readonly virtualAccounts: readonly EmulatorVirtualAccount[];
  readonly transfers: readonly EmulatorTransfer[];
  readonly requests: readonly FlutterwaveRequest[];
  countRequests(filter?: FlutterwaveRequestFilter): number;
};

/** The name every resolvable account has. */
export const EMULATOR_ACCOUNT_NAME = "CHIOMA ADAEZE OKONKWO";

export const EMULATOR_BANKS = [
  { id: 132, code: "044", name: "Access Bank" },
  { id: 191, code: "058", name: "Guaranty Trust Bank" },
  { id: 194, code: "057", name: "Zenith Bank" },
  { id: 137, code: "033", name: "United Bank for Africa" },
  { id: 1038, code: "50211", name: "Kuda Bank" },
] as const;

/** Flutterwave's timeout answer (providers.md §4) and a gateway error page. */
const GATEWAY_PAGES: GatewayPages = {
  http500: { status: "error", message: "An error occurred. Please contact support", data: null },
  html503:
    "<html><head><title>503 Service Unavailable</title></head><body><h1>503 Service Unavailable</h1><p>cloudflare</p></body></html>",
};
const NOT_FOUND_MESSAGE = "No transaction was found for this id";
/** Virtual accounts come from one partner bank (2026 samples say "Flutterwave MFB"). */
export const EMULATOR_VIRTUAL_ACCOUNT_BANK = "WEMA BANK";
/** A dynamic account stops taking transfers about an hour after creation (providers.md §4a). */
const DYNAMIC_ACCOUNT_LIFETIME_MS = 60 * 60 * 1000;
const INVALID_ACCOUNT_MESSAGE = "Sorry, that account number is invalid, please check and try again";

type JsonObject = Record<string, unknown>;
type Handler = (call: EmulatorCall, params: string[]) => Outcome;
type Route = { method: string; pattern: RegExp; template: string; handler: Handler; open?: boolean };

export async function startFlutterwaveEmulator(
  options: { secretKey?: string; secretHash?: string } = {},
): Promise<FlutterwaveEmulator> {
  const secretKey = options.secretKey ?? "FLWSECK_TEST-emulator-secret-key-X";
  const secretHash = options.secretHash ?? "flw-emulator-secret-hash";
  const modes = faultModes<FlutterwaveFaultMode | "none">("none");
  const transferOutcomes = new Map<string, TransferOutcomeMode>();
  const LIST_DEFAULTS = { pageSize: 10, ignoreTxRefFilter: false };
  let list = { ...LIST_DEFAULTS };
  let transferListLagMs = 0;
  const checkouts: EmulatorCheckout[] = [];
  const charges: EmulatorCharge[] = [];
  const virtualAccounts: EmulatorVirtualAccount[] = [];
  const transfers: EmulatorTransfer[] = [];
  const requests: FlutterwaveRequest[] = [];
  let nextChargeId = 4_975_100;
  let nextTransferId = 51_200;
  let nextAccountNumber = 7_824_822_500;
  let baseUrl = "";

  const checkoutFor = (txRef: string) => checkouts.findLast((c) => c.txRef === txRef);
  const latestCharge = (txRef: string) => charges.findLast((c) => c.txRef === txRef);
  const transferFor = (reference: string) => transfers.find((t) => t.reference === reference);
  const accountByTxRef = (txRef: string) => virtualAccounts.find((a) => a.txRef === txRef);

  // -------------------------------------------------------------------------------------------
  // Checkout and verify
  // -------------------------------------------------------------------------------------------

  function handlePayments(call: EmulatorCall): Outcome {
    const body = objectBody(call);
    const txRef = text(body.tx_ref);
    const amountKobo = parseAmount(body.amount);
    const customer = (isObject(body.customer) ? body.customer : {}) as JsonObject;
    const customizations = (isObject(body.customizations) ? body.customizations : {}) as JsonObject;
    const email = text(customer.email);
    if (!txRef || amountKobo === undefined || amountKobo <= 0 || !text(body.redirect_url) || !email) {
      return error(400, "tx_ref, amount, redirect_url and customer.email are required");
    }
    checkouts.push({
      txRef,
      amountKobo,
      currency: text(body.currency) || "NGN",
      redirectUrl: text(body.redirect_url),
      customer: {
        email,
        ...(text(customer.name) ? { name: text(customer.name) } : {}),
        ...(text(customer.phonenumber) ? { phonenumber: text(customer.phonenumber) } : {}),
      },
      ...(text(customizations.title) ? { title: text(customizations.title) } : {}),
      ...(text(customizations.description) ? { description: text(customizations.description) } : {}),
      at: Date.now(),
    });
    return success("Hosted Link", { link: `${baseUrl}/checkout/${encodeURIComponent(txRef)}` });
  }

  function charge(txRef: string, paid: { amountKobo?: number; currency?: string; status: string }): string {
    const checkout = checkoutFor(txRef);
    if (!checkout) {
      throw new Error(`flutterwave emulator: no checkout with tx_ref ${txRef}`);
    }
    return addCharge({
      txRef,
      amountKobo: paid.amountKobo ?? checkout.amountKobo,
      currency: paid.currency ?? checkout.currency,
      status: paid.status,
      paymentType: "card",
    });
  }

  function addCharge(fields: Omit<EmulatorCharge, "id" | "flwRef" | "at">): string {
    nextChargeId += 1;
    charges.push({ id: nextChargeId, flwRef: `FLW-MOCK-${nextChargeId}`, at: Date.now(), ...fields });
    return String(nextChargeId);
  }

  /** The customer a charge names: the checkout's, or the virtual account's owner. */
  function customerOf(txRef: string): { name?: string; phonenumber?: string; email: string } | undefined {
    const checkout = checkoutFor(txRef);
    if (checkout) {
      return checkout.customer;
    }
    const account = accountByTxRef(txRef);
    if (!account) {
      return undefined;
    }
    const name = [account.firstname, account.lastname].filter(Boolean).join(" ");
    return {
      email: account.email,
      ...(name ? { name } : {}),
      ...(account.phonenumber ? { phonenumber: account.phonenumber } : {}),
    };
  }

  /** A bank transfer's sender as Flutterwave reports it: `meta` on verify, `meta_data` on the webhook. */
  function senderMeta(found: EmulatorCharge): JsonObject | null {
    return found.payer
      ? {
          originatoraccountnumber: found.payer.maskedAccountNumber,
          originatorname: found.payer.name,
          bankname: found.payer.bank,
          originatoramount: "N/A",
        }
      : null;
  }

  /** The transaction as verify and the transaction list describe it (the webhook: see chargeWebhook). */
  function chargeData(found: EmulatorCharge): JsonObject {
    const customer = customerOf(found.txRef);
    const amount = nairaNumber(found.amountKobo);
    const fee = Math.round(found.amountKobo * 0.014);
    const successful = found.status === "successful";
    const transfer = found.paymentType === "bank_transfer";
    return {
      id: found.id,
      tx_ref: found.txRef,
      flw_ref: found.flwRef,
      device_fingerprint: "N/A",
      amount,
      currency: found.currency,
      charged_amount: amount,
      app_fee: nairaNumber(fee),
      merchant_fee: 0,
      processor_response: successful
        ? transfer
          ? "success"
          : "Approved by Financial Institution"
        : "Declined",
      auth_model: transfer ? "AUTH" : "PIN",
      ip: "197.210.64.96",
      narration: transfer ? (found.narration ?? "Bank transfer") : "CARD Transaction ",
      status: found.status,
      payment_type: found.paymentType,
      created_at: new Date(found.at).toISOString(),
      account_id: 17321,
      amount_settled: nairaNumber(Math.max(found.amountKobo - fee, 0)),
      meta: senderMeta(found),
      customer: {
        id: 215604089,
        name: customer?.name ?? "Anonymous customer",
        phone_number: customer?.phonenumber ?? "N/A",
        email: customer?.email ?? "unknown@example.com",
        created_at: new Date(found.at).toISOString(),
      },
    };
  }

  function handleVerifyById(_call: EmulatorCall, [id]: string[]): Outcome {
    const found = charges.find((c) => String(c.id) === id);
    return found
      ? success("Transaction fetched successfully", chargeData(found))
      : error(400, NOT_FOUND_MESSAGE);
  }

  /**
   * `GET /transactions`: newest first, `page` (1-based) of `pageSize`, filtered by `tx_ref` (unless
   * told to ignore it), with `meta.page_info` as Flutterwave sends it. A page past the end is empty.
   */
  function handleListTransactions(call: EmulatorCall): Outcome {
    const txRef = call.query.tx_ref;
    const page = Number(call.query.page ?? "1");
    if (!Number.isInteger(page) || page < 1) {
      return error(400, "page must be a positive integer");
    }
    // `from` is a day (YYYY-MM-DD); taken here as the start of that UTC day (Flutterwave's zone for
    // it is not documented).
    const from = call.query.from;
    const fromMs = from === undefined ? undefined : Date.parse(`${from}T00:00:00Z`);
    if (from !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(from) || Number.isNaN(fromMs))) {
      return error(400, "from must be a date (YYYY-MM-DD)");
    }
    const listed = charges
      .filter((c) => list.ignoreTxRefFilter || txRef === undefined || c.txRef === txRef)
      .filter((c) => fromMs === undefined || c.at >= fromMs)
      .toReversed();
    const totalPages = Math.ceil(listed.length / list.pageSize);
    return json(200, {
      status: "success",
      message: "Transactions fetched",
      meta: { page_info: { total: listed.length, current_page: page, total_pages: totalPages } },
      data: listed.slice((page - 1) * list.pageSize, page * list.pageSize).map(chargeData),
    });
  }

  function handleVerifyByReference(call: EmulatorCall): Outcome {
    const txRef = call.query.tx_ref ?? "";
    const found = txRef ? latestCharge(txRef) : undefined;
    return found
      ? success("Transaction fetched successfully", chargeData(found))
      : error(400, NOT_FOUND_MESSAGE);
  }

  // -------------------------------------------------------------------------------------------
  // Virtual accounts (providers.md §4a)
  // -------------------------------------------------------------------------------------------

  /** An account as create and fetch answer it (the test-mode samples also carry `account_status`). */
  function virtualAccountData(account: EmulatorVirtualAccount): JsonObject {
    return {
      response_code: "02",
      response_message: "Transaction in progress",
      flw_ref: account.flwRef,
      order_ref: account.orderRef,
      account_number: account.accountNumber,
      account_status: account.status,
      frequency: account.permanent ? "N/A" : 1,
      bank_name: account.bankName,
      created_at: lagosTime(account.at),
      expiry_date: account.expiresAt === undefined ? "N/A" : lagosTime(account.expiresAt),
      note: `Please make a bank transfer to ${account.narration}`,
      amount: account.amountKobo === undefined ? null : nairaTwoDecimals(account.amountKobo),
    };
  }

  /**
   * `POST /virtual-account-numbers`. `email` is required; a static account (`is_permanent: true`)
   * needs an 11-digit BVN not starting with 0 (the v4 pattern; the v3 error wording is not known), a
   * dynamic one an amount > 0. Assumption: a tx_ref already used answers the account it created
   * (tolerant, so a client's retry after a lost answer gets its account); whether Flutterwave does
   * that or refuses the second call is not documented.
   */
  function handleCreateVirtualAccount(call: EmulatorCall): Outcome {
    const body = objectBody(call);
    const email = text(body.email);
    if (!email) {
      return error(400, "email is required");
    }
    const txRef = text(body.tx_ref) || `URF-TX-${Date.now()}`;
    const existing = accountByTxRef(txRef);
    if (existing) {
      return success("Virtual account created", virtualAccountData(existing));
    }
    const permanent = body.is_permanent === true || body.is_permanent === "true";
    const bvn = body.bvn === undefined || body.bvn === null ? undefined : text(body.bvn);
    let amountKobo: number | undefined;
    if (permanent) {
      if (!bvn) {
        return error(400, "BVN is required for static account numbers");
      }
      if (!/^[1-9]\d{10}$/.test(bvn)) {
        return error(400, "BVN is invalid");
      }
    } else {
      amountKobo = parseAmount(body.amount);
      if (amountKobo === undefined || amountKobo <= 0) {
        return error(400, "amount must be greater than 0 for a dynamic account number");
      }
    }
    nextAccountNumber += 1;
    const at = Date.now();
    const account: EmulatorVirtualAccount = {
      txRef,
      orderRef: `URF_${at}_${nextAccountNumber % 10_000_000}`,
      flwRef: `FLW-${nextAccountNumber.toString(16)}a7911408bd6b4ab6c8b8c955`,
      accountNumber: String(nextAccountNumber),
      bankName: EMULATOR_VIRTUAL_ACCOUNT_BANK,
      permanent,
      ...(bvn ? { bvn } : {}),
      email,
      ...(text(body.phonenumber) ? { phonenumber: text(body.phonenumber) } : {}),
      ...(text(body.firstname) ? { firstname: text(body.firstname) } : {}),
      ...(text(body.lastname) ? { lastname: text(body.lastname) } : {}),
      narration: text(body.narration) || email,
      ...(amountKobo !== undefined ? { amountKobo, expiresAt: at + DYNAMIC_ACCOUNT_LIFETIME_MS } : {}),
      status: "active",
      at,
    };
    virtualAccounts.push(account);
    return success("Virtual account created", virtualAccountData(account));
  }

  function handleGetVirtualAccount(_call: EmulatorCall, [orderRef]: string[]): Outcome {
    const account = virtualAccounts.find((a) => a.orderRef === orderRef);
    return account
      ? success("Virtual account fetched", virtualAccountData(account))
      : error(404, "Virtual account not found");
  }

  /** `POST /virtual-account-numbers/:order_ref` `{status: "inactive" | "active"}` (the answer's shape is a guess). */
  function handleUpdateVirtualAccount(call: EmulatorCall, [orderRef]: string[]): Outcome {
    const account = virtualAccounts.find((a) => a.orderRef === orderRef);
    if (!account) {
      return error(404, "Virtual account not found");
    }
    const status = text(objectBody(call).status).toLowerCase();
    if (status !== "active" && status !== "inactive") {
      return error(400, "status must be active or inactive");
    }
    account.status = status;
    return success("Account status updated", null);
  }

  function transferIn(input: Parameters<FlutterwaveEmulator["transferIn"]>[0]): string {
    const account = virtualAccounts.find((a) => a.accountNumber === input.accountNumber);
    if (!account) {
      throw new Error(`flutterwave emulator: no virtual account ${input.accountNumber}`);
    }
    if (!Number.isSafeInteger(input.amountKobo) || input.amountKobo <= 0) {
      throw new Error(`flutterwave emulator: cannot transfer ${input.amountKobo} kobo`);
    }
    const from = input.senderAccountNumber ?? "0123451234";
    return addCharge({
      txRef: account.txRef,
      amountKobo: input.amountKobo,
      currency: "NGN",
      status: "successful",
      paymentType: "bank_transfer",
      payer: {
        name: input.senderName ?? "ADEBAYO OLUWASEUN JOHNSON",
        bank: input.senderBank ?? "Guaranty Trust Bank",
        maskedAccountNumber: `******${from.slice(-4)}`,
      },
      ...(input.narration !== undefined ? { narration: input.narration } : {}),
    });
  }

  // -------------------------------------------------------------------------------------------
  // Banks and accounts
  // -------------------------------------------------------------------------------------------

  function handleBanks(_call: EmulatorCall, [country]: string[]): Outcome {
    const banks = country === "NG" ? EMULATOR_BANKS : [];
    return success("Banks fetched successfully", banks);
  }

  function handleResolve(call: EmulatorCall): Outcome {
    const body = objectBody(call);
    const accountNumber = text(body.account_number);
    if (!EMULATOR_BANKS.some((b) => b.code === text(body.account_bank))) {
      return error(400, "Unknown bank code");
    }
    if (!/^\d{10}$/.test(accountNumber) || accountNumber.endsWith("0000")) {
      return error(400, INVALID_ACCOUNT_MESSAGE);
    }
    return success("Account details fetched", {
      account_number: accountNumber,
      account_name: EMULATOR_ACCOUNT_NAME,
    });
  }

  // -------------------------------------------------------------------------------------------
  // Transfers
  // -------------------------------------------------------------------------------------------

  function transferData(transfer: EmulatorTransfer): JsonObject {
    return {
      id: transfer.id,
      account_number: transfer.accountNumber,
      bank_code: transfer.bankCode,
      full_name: EMULATOR_ACCOUNT_NAME,
      created_at: new Date(transfer.at).toISOString(),
      currency: transfer.currency,
      debit_currency: "NGN",
      amount: nairaNumber(transfer.amountKobo),
      fee: 10.75,
      status: transfer.status,
      reference: transfer.reference,
      meta: null,
      narration: transfer.narration,
      approver: null,
      complete_message: transfer.completeMessage,
      requires_approval: 0,
      is_approved: 1,
      bank_name: EMULATOR_BANKS.find((b) => b.code === transfer.bankCode)?.name ?? "",
    };
  }

  function handleCreateTransfer(call: EmulatorCall): Outcome {
    const body = objectBody(call);
    const reference = text(body.reference);
    const bankCode = text(body.account_bank);
    const accountNumber = text(body.account_number);
    const amountKobo = parseAmount(body.amount);
    if (!reference || amountKobo === undefined || amountKobo <= 0 || text(body.currency) !== "NGN") {
      return error(400, "reference, amount and currency NGN are required");
    }
    if (!EMULATOR_BANKS.some((b) => b.code === bankCode)) {
      return error(400, "Unknown bank code");
    }
    if (transferFor(reference)) {
      return error(400, "Transfer with this reference already exists");
    }
    if (!/^\d{10}$/.test(accountNumber) || accountNumber.endsWith("0000")) {
      return error(400, INVALID_ACCOUNT_MESSAGE);
    }
    const outcome = transferOutcomes.get(accountNumber) ?? "successful";
    if (outcome === "lost") {
      return { hangThenDrop: true };
    }
    if (outcome === "refused") {
      return error(400, "Insufficient balance in your NGN wallet to complete this transfer");
    }
    const status: TransferStatus =
      outcome === "successful" ? "SUCCESSFUL" : outcome === "failed" ? "FAILED" : "NEW";
    nextTransferId += 1;
    const transfer: EmulatorTransfer = {
      id: nextTransferId,
      reference,
      bankCode,
      accountNumber,
      amountKobo,
      narration: text(body.narration),
      currency: "NGN",
      status,
      completeMessage: completeMessageFor(status),
      at: Date.now(),
    };
    transfers.push(transfer);
    const reply = success("Transfer Queued Successfully", transferData(transfer));
    return outcome === "timeout" ? { hangThenDrop: true } : reply;
  }

  function handleListTransfers(call: EmulatorCall): Outcome {
    const reference = call.query.reference;
    const listed = transfers.filter(
      (t) => (reference === undefined || t.reference === reference) && t.at <= Date.now() - transferListLagMs,
    );
    return json(200, {
      status: "success",
      message: "Transfers fetched",
      meta: { page_info: { total: listed.length, current_page: 1, total_pages: 1 } },
      data: listed.map(transferData),
    });
  }

  function handleGetTransfer(_call: EmulatorCall, [id]: string[]): Outcome {
    const found = transfers.find((t) => String(t.id) === id);
    return found ? success("Transfer fetched", transferData(found)) : error(404, "No transfer found");
  }

  // -------------------------------------------------------------------------------------------
  // The payer's checkout page (no API key: it is a browser page on checkout.flutterwave.com)
  // -------------------------------------------------------------------------------------------

  function handleCheckoutPage(_call: EmulatorCall, [txRef]: string[]): Outcome {
    const checkout = checkoutFor(txRef ?? "");
    if (!checkout) {
      return html(404, "<h1>Checkout not found</h1>");
    }
    const action = `${baseUrl}/checkout/${encodeURIComponent(checkout.txRef)}`;
    return html(
      200,
      `<h1>Flutterwave emulator checkout</h1>
<p>${escapeHtml(checkout.title ?? "")}: ${escapeHtml(checkout.currency)} ${nairaNumber(checkout.amountKobo)}</p>
<form method="post" action="${escapeHtml(action)}/pay"><button id="pay" type="submit">Pay</button></form>
<form method="post" action="${escapeHtml(action)}/cancel"><button id="cancel" type="submit">Cancel</button></form>`,
    );
  }

  /** Pays (or cancels) and sends the payer back to redirect_url the way Flutterwave does. */
  function handleCheckoutAction(paid: boolean): Handler {
    return (_call, [txRef]) => {
      const checkout = checkoutFor(txRef ?? "");
      if (!checkout) {
        return html(404, "<h1>Checkout not found</h1>");
      }
      const target = new URL(checkout.redirectUrl);
      target.searchParams.set("status", paid ? "successful" : "cancelled");
      target.searchParams.set("tx_ref", checkout.txRef);
      if (paid) {
        target.searchParams.set("transaction_id", charge(checkout.txRef, { status: "successful" }));
      }
      // The shared server sends no Location header, so the redirect is a meta refresh.
      const href = escapeHtml(target.toString());
      return html(200, `<meta http-equiv="refresh" content="0;url=${href}"><a href="${href}">Continue</a>`);
    };
  }

  // -------------------------------------------------------------------------------------------
  // Routing
  // -------------------------------------------------------------------------------------------

  const routes: Route[] = [
    { method: "POST", pattern: /^\/payments$/, template: "/payments", handler: handlePayments },
    {
      method: "GET",
      pattern: /^\/transactions\/verify_by_reference$/,
      template: "/transactions/verify_by_reference",
      handler: handleVerifyByReference,
    },
    {
      method: "GET",
      pattern: /^\/transactions$/,
      template: "/transactions",
      handler: handleListTransactions,
    },
    {
      method: "GET",
      pattern: /^\/transactions\/([^/]+)\/verify$/,
      template: "/transactions/:id/verify",
      handler: handleVerifyById,
    },
    {
      method: "POST",
      pattern: /^\/virtual-account-numbers$/,
      template: "/virtual-account-numbers",
      handler: handleCreateVirtualAccount,
    },
    {
      method: "GET",
      pattern: /^\/virtual-account-numbers\/([^/]+)$/,
      template: "/virtual-account-numbers/:order_ref",
      handler: handleGetVirtualAccount,
    },
    {
      method: "POST",
      pattern: /^\/virtual-account-numbers\/([^/]+)$/,
      template: "/virtual-account-numbers/:order_ref",
      handler: handleUpdateVirtualAccount,
    },
    { method: "GET", pattern: /^\/banks\/([^/]+)$/, template: "/banks/:country", handler: handleBanks },
    {
      method: "POST",
      pattern: /^\/accounts\/resolve$/,
      template: "/accounts/resolve",
      handler: handleResolve,
    },
    { method: "POST", pattern: /^\/transfers$/, template: "/transfers", handler: handleCreateTransfer },
    { method: "GET", pattern: /^\/transfers$/, template: "/transfers", handler: handleListTransfers },
    {
      method: "GET",
      pattern: /^\/transfers\/([^/]+)$/,
      template: "/transfers/:id",
      handler: handleGetTransfer,
    },
    {
      method: "GET",
      pattern: /^\/checkout\/([^/]+)$/,
      template: "/checkout/:txRef",
      handler: handleCheckoutPage,
      open: true,
    },
    {
      method: "POST",
      pattern: /^\/checkout\/([^/]+)\/pay$/,
      template: "/checkout/:txRef/pay",
      handler: handleCheckoutAction(true),
      open: true,
    },
    {
      method: "POST",
      pattern: /^\/checkout\/([^/]+)\/cancel$/,
      template: "/checkout/:txRef/cancel",
      handler: handleCheckoutAction(false),
      open: true,
    },
  ];

  function findRoute(call: EmulatorCall): { route: Route; params: string[] } | undefined {
    for (const route of routes) {
      const match = route.method === call.method ? route.pattern.exec(call.path) : null;
      if (match) {
        return { route, params: match.slice(1).map((p) => decodeURIComponent(p)) };
      }
    }
    return undefined;
  }

  function route(call: EmulatorCall): Outcome {
    const found = findRoute(call);
    if (!found) {
      return error(404, `Cannot ${call.method} ${call.path}`);
    }
    const set = modes.pathMode(call.path) ?? modes.pathMode(found.route.template);
    const mode = set === "none" ? undefined : set;
    if (mode !== undefined && mode !== "garbage_json") {
      return faultBeforeWork(mode);
    }
    const outcome = found.route.handler(call, found.params);
    if (mode === "garbage_json" && "status" in outcome) {
      // The work happened; only the answer is mangled on the way back.
      return { status: outcome.status, body: outcome.body.slice(0, 25) };
    }
    return outcome;
  }

  function authorize(call: EmulatorCall): Reply | undefined {
    if (findRoute(call)?.route.open) {
      return undefined;
    }
    return call.header("authorization") === `Bearer ${secretKey}`
      ? undefined
      : error(401, "Invalid authorization key");
  }

  // -------------------------------------------------------------------------------------------
  // Webhooks
  // -------------------------------------------------------------------------------------------

  /** The one place a webhook payload is built: `meta_data` when given, `event.type` from the event and data. */
  function delivery(
    event: string,
    data: Record<string, unknown>,
    scheme: WebhookScheme,
    hash: string,
    metaData?: Record<string, unknown>,
  ): WebhookDelivery {
    const eventType =
      event === "transfer.completed"
        ? "Transfer"
        : data.payment_type === "bank_transfer"
          ? "BANK_TRANSFER_TRANSACTION"
          : "CARD_TRANSACTION";
    const payload = {
      event,
      data,
      ...(metaData !== undefined ? { meta_data: metaData } : {}),
      "event.type": eventType,
    };
    const rawBody = JSON.stringify(payload);
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (scheme === "verif-hash") {
      headers["verif-hash"] = hash;
    } else if (scheme === "flutterwave-signature") {
      headers["flutterwave-signature"] = hmacBase64(rawBody, hash);
    } else if (scheme === "forged") {
      headers["verif-hash"] = `forged-${hash.split("").reverse().join("")}`;
      headers["flutterwave-signature"] = hmacBase64(rawBody, `not-${hash}`);
    }
    return { rawBody, headers, payload };
  }

  function webhookPayloadFor(txRef: string, opts: WebhookOptions = {}): WebhookDelivery {
    const found =
      opts.chargeId === undefined
        ? latestCharge(txRef)
        : charges.find((c) => c.txRef === txRef && String(c.id) === opts.chargeId);
    if (!found) {
      throw new Error(
        `flutterwave emulator: no charge on tx_ref ${txRef} (call pay, fail or transferIn first)`,
      );
    }
    // The webhook's `data` has no `meta`: a bank transfer's sender travels in top-level `meta_data`.
    const { meta: _meta, ...charged } = chargeData(found);
    const metaData = senderMeta(found) ?? undefined;
    const data = { ...charged, ...opts.data };
    return delivery(
      "charge.completed",
      data,
      opts.scheme ?? "verif-hash",
      opts.secretHash ?? secretHash,
      metaData,
    );
  }

  function transferWebhookPayloadFor(reference: string, opts: WebhookOptions = {}): WebhookDelivery {
    const found = transferFor(reference);
    if (!found) {
      throw new Error(`flutterwave emulator: no transfer with reference ${reference}`);
    }
    const data = { ...transferData(found), ...opts.data };
    return delivery("transfer.completed", data, opts.scheme ?? "verif-hash", opts.secretHash ?? secretHash);
  }

  const server = await startEmulatorServer({
    basePath: "/v3",
    hangMs: modes.hangMs,
    record: ({ method, path, query, body, header }) => {
      const headers = { authorization: header("authorization"), contentType: header("content-type") };
      requests.push({ method, path, query, body, headers, at: Date.now() });
    },
    authorize,
    route,
  });
  baseUrl = server.url;

  return {
    url: server.url,
    secretKey,
    secretHash,
    close: server.close,
    setPathMode: (path, mode) => modes.switches.setPathMode(path, mode),
    setHangMs: modes.switches.setHangMs,
    setTransferOutcome: (accountNumber, outcome) => {
      transferOutcomes.set(accountNumber, outcome);
    },
    setTransactionList: (options) => {
      list = { ...list, ...options };
    },
    setTransferListLag: (ms) => {
      transferListLagMs = ms;
    },
    resetModes: () => {
      modes.reset();
      transferOutcomes.clear();
      list = { ...LIST_DEFAULTS };
      transferListLagMs = 0;
    },
    pay: (txRef, paid = {}) => charge(txRef, { ...paid, status: paid.status ?? "successful" }),
    fail: (txRef) => charge(txRef, { status: "failed" }),
    transferIn,
    completeTransfer: (reference, status) => {
      const found = transferFor(reference);
      if (!found) {
        throw new Error(`flutterwave emulator: no transfer with reference ${reference}`);
      }
      found.status = status === "successful" ? "SUCCESSFUL" : status === "failed" ? "FAILED" : "PENDING";
      found.completeMessage = completeMessageFor(found.status);
    },
    sendWebhook: async ({ url, event, data, metaData, scheme, secretHash: hash }) => {
      const { rawBody, headers } = delivery(event, data, scheme, hash ?? secretHash, metaData);
      const response = await fetch(url, {
        method: "POST",
        headers,
        body: rawBody,
        signal: AbortSignal.timeout(10_000),
      });
      return { status: response.status, body: await response.text() };
    },
    webhookPayloadFor,
    transferWebhookPayloadFor,
    checkouts,
    charges,
    virtualAccounts,
    transfers,
    requests,
    countRequests: (filter) =>
      requests.filter((request) => matchesRequest(request, filter, () => true)).length,
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** The faults in front of the app: nothing was done. */
function faultBeforeWork(mode: Exclude<FlutterwaveFaultMode, "garbage_json">): Outcome {
  const outcome = gatewayFault(mode === "timeout" ? "timeout_before_processing" : mode, GATEWAY_PAGES);
  if (!outcome) {
    throw new Error(`flutterwave emulator: no gateway fault for ${mode}`);
  }
  return outcome;
}

function success(message: string, data: unknown): Reply {
  return json(200, { status: "success", message, data });
}

function error(status: number, message: string): Reply {
  return json(status, { status: "error", message, data: null });
}

function html(status: number, body: string): Reply {
  return {
    status,
    contentType: "text/html; charset=utf-8",
    body: `<!doctype html><html><body>${body}</body></html>`,
  };
}

function completeMessageFor(status: TransferStatus): string {
  switch (status) {
    case "SUCCESSFUL":
      return "Transaction was successful";
    case "FAILED":
      return "DISBURSE FAILED: Beneficiary bank not available";
    default:
      return "";
  }
}

/** A missing or non-JSON body reads as empty, so the handler refuses it with a 400. */
function objectBody(call: EmulatorCall): JsonObject {
  return isObject(call.body) ? (call.body as JsonObject) : {};
}

function isObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === "string" || typeof value === "number" ? String(value).trim() : "";
}

/** Flutterwave takes naira as numbers or numeric strings. */
function parseAmount(value: unknown): number | undefined {
  if (typeof value !== "string" && typeof value !== "number") {
    return undefined;
  }
  try {
    return nairaToKobo(value);
  } catch {
    return undefined;
  }
}

/** Kobo as a virtual account's `amount` string: "5000.50" for 500050. */
function nairaTwoDecimals(kobo: number): string {
  return `${Math.floor(kobo / 100)}.${String(kobo % 100).padStart(2, "0")}`;
}

/**
 * A time as the virtual-account samples write it ("2021-02-15 16:27:22", no zone). Written here in
 * Lagos time (UTC+1); the zone Flutterwave really uses is not documented.
 */
function lagosTime(ms: number): string {
  return new Date(ms + 60 * 60 * 1000).toISOString().slice(0, 19).replace("T", " ");
}

/** Kobo as the JSON number Flutterwave answers with (1500.5 for 150050). */
function nairaNumber(kobo: number): number {
  return Number(koboToNairaString(kobo));
}

function hmacBase64(rawBody: string, key: string): string {
  return createHmac("sha256", key).update(rawBody, "utf8").digest("base64");
}

function escapeHtml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}
