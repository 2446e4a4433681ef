import { z } from "zod";
import type {
  Bank,
  CheckoutRequest,
  PayerDetails,
  PaymentAttempt,
  PaymentAttempts,
  PaymentGateway,
  TransferRequest,
  TransferResult,
  VerifiedPayment,
  VirtualAccountRequest,
  VirtualAccountResult,
} from "../../services/funding/gateway";
import { koboToNairaString, nairaToKobo } from "../../services/money";
import { ProviderUnavailableError, type RawExchange } from "../../services/vtu/provider";
import { createJsonTransport, type Exchange } from "../http-json";

/**
 * The real Flutterwave v3 client (providers.md §4 and §4a, reliability.md §3). Like the VTU clients it
 * only classifies what Flutterwave said; the funding services decide whether to credit or pay out.
 * Every answer is parsed with zod. Doubt lands on the side that moves no money: a verify we could not
 * read is `found: "unknown"` (never "not found"), and a transfer we could not read is `unknown` (never
 * "failed"), because calling a sent transfer failed would pay the user twice. A virtual account we
 * could not read is `unknown` too: calling it refused would hide an account that may exist, and
 * calling it created without a readable number would show the payer nothing to pay into.
 *
 * A BVN (static virtual accounts) is a customer's identity number: it travels only in that request's
 * body. `raw.request` records it masked, and the transport scrubs it from anything echoed back.
 */

export type FlutterwaveOptions = {
  /** e.g. https://api.flutterwave.com/v3 */
  baseUrl: string;
  secretKey: string;
  timeoutMs: number;
  fetch?: typeof fetch;
};

const GATEWAY = "flutterwave";

// ---------------------------------------------------------------------------------------------
// Schemas. Flutterwave ids are numbers; we keep them as strings everywhere.
// ---------------------------------------------------------------------------------------------

const idSchema = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform(String);
const nairaSchema = z.union([z.number(), z.string()]);

const envelopeSchema = z.object({
  status: z.string(),
  message: z.string().nullish(),
  data: z.unknown().optional(),
});
type Envelope = z.infer<typeof envelopeSchema>;

const checkoutDataSchema = z.object({ link: z.url() });

const paymentDataSchema = z.object({
  id: idSchema,
  tx_ref: z.string(),
  status: z.string(),
  currency: z.string(),
  amount: nairaSchema,
  // Display only, so an odd value is dropped rather than making the payment unknown.
  payment_type: z.string().trim().min(1).optional().catch(undefined),
});

/** A display field: text (or a number, for account numbers), never "" or "N/A"; anything else is dropped. */
const displayText = z
  .union([z.string(), z.number()])
  .transform((value) => String(value).trim())
  .refine((value) => value !== "" && value.toUpperCase() !== "N/A")
  .optional()
  .catch(undefined);

/**
 * Who sent a bank transfer: verify puts it in `data.meta`, some answers at the top of `data`
 * (the webhook's `meta_data` has the same fields). Never used to match a payment to anyone.
 */
const payerFieldsSchema = z.object({
  originatorname: displayText,
  bankname: displayText,
  originatoraccountnumber: displayText,
  narration: displayText,
});
type PayerFields = z.infer<typeof payerFieldsSchema>;

/** `POST /virtual-account-numbers` (providers.md §4a): what we need to show the payer and manage it. */
const virtualAccountDataSchema = z.object({
  // A NUBAN is 10 digits. A JSON number has lost any leading zero, so it is padded back; anything
  // else is not a number we can show a payer (a wrong one sends their money astray).
  account_number: z
    .union([
      z.string().trim(),
      z
        .number()
        .int()
        .nonnegative()
        .transform((n) => String(n).padStart(10, "0")),
    ])
    .pipe(z.string().regex(/^\d{10}$/, "account_number is not 10 digits")),
  bank_name: z.string().trim().min(1),
  order_ref: z.string().trim().min(1),
  flw_ref: z.string().trim().min(1).optional().catch(undefined),
  account_name: z.string().trim().min(1).optional().catch(undefined),
  created_at: z.string().optional().catch(undefined),
  // "N/A" for a static account; a date for a dynamic one (format and zone vary: see expiryOf).
  expiry_date: z.string().optional().catch(undefined),
  // null (or "0.00" in test mode) for a static account; naira for a dynamic one.
  amount: nairaSchema.nullish().catch(undefined),
});
type VirtualAccountData = z.infer<typeof virtualAccountDataSchema>;

/** One item of `GET /transactions`: only what points at an attempt; verify-by-id gives the rest. */
const listItemSchema = z.object({
  id: idSchema,
  tx_ref: z.string(),
  status: z.string().nullish(),
});

/** `meta.page_info` of a list answer (documented; without it we cannot know we saw every page). */
const pageInfoSchema = z.object({
  page_info: z.object({
    total: z.number().int().nonnegative(),
    current_page: z.number().int().positive(),
    total_pages: z.number().int().nonnegative(),
  }),
});

/** A tx_ref with more attempts than this is not a payer retrying; we stop and call it unknown. */
const MAX_LIST_PAGES = 10;

const bankItemSchema = z.object({
  code: z.union([z.string(), z.number()]).transform(String),
  name: z.string(),
});

const resolveDataSchema = z.object({ account_name: z.string().trim().min(1) });

const transferDataSchema = z.object({
  id: idSchema,
  status: z.string(),
  reference: z.string().nullish(),
  complete_message: z.string().nullish(),
});
type TransferData = z.infer<typeof transferDataSchema>;

// ---------------------------------------------------------------------------------------------
// Message vocabulary
// ---------------------------------------------------------------------------------------------

/** Flutterwave says "No transaction was found for this id" for both verify endpoints. */
const NOT_FOUND = /no transaction (was )?found|transaction not found/i;
/** Account resolution that reached the bank and got "no such account" (not a bad bank code or key). */
const ACCOUNT_NOT_RESOLVED =
  /(could ?not|cannot|can't|unable to)( be)? resolve|not be resolved|account number is invalid|invalid account number/i;
/**
 * A 4xx that says "not now" rather than "no" (a request timeout, too many requests): nothing refused,
 * so a virtual account asked for with it is unknown (ask again), not refused.
 */
const TRANSIENT_HTTP = new Set([408, 429]);
/** A second transfer with our reference: the first may exist, so only a requery can tell. */
const DUPLICATE_REFERENCE = /duplicate|already exist|already been used|already used/i;

/** `data.status` of a transfer (create and requery answer the same words). */
const TRANSFER_STATUSES: Record<string, TransferResult["outcome"]> = {
  NEW: "pending",
  PENDING: "pending",
  SUCCESSFUL: "successful",
  FAILED: "failed",
};

// ---------------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------------

export function createFlutterwaveGateway(options: FlutterwaveOptions): PaymentGateway {
  if (!options.baseUrl || !options.secretKey) {
    throw new Error("createFlutterwaveGateway needs baseUrl and secretKey");
  }
  // The key travels only in the Authorization header; the transport scrubs it from anything echoed back.
  const transport = createJsonTransport({
    baseUrl: options.baseUrl,
    secret: options.secretKey,
    headers: { Accept: "application/json", Authorization: `Bearer ${options.secretKey}` },
    fetch: options.fetch,
    // A GET has no body; its path (with the id or tx_ref asked about) is what support needs to see.
    // A BVN is never recorded whole: support can tell which one by its last digits.
    recordRequest: ({ method, path, body }) => (body ? maskBvn(body) : { method, path }),
  });
  const { redact } = transport;

  /** Every call gets the same timeout; `secrets` are scrubbed from its answer (see http-json). */
  function call(
    method: "GET" | "POST",
    path: string,
    body?: Record<string, unknown>,
    secrets?: readonly string[],
  ): Promise<Exchange> {
    return transport.call({ method, path, body, timeoutMs: options.timeoutMs, secrets });
  }

  /** The `data` of a 2xx `success` answer parsed with `schema`, or why there is none. */
  function successData<T extends z.ZodType>(
    exchange: Exchange,
    schema: T,
  ): { data: z.infer<T>; envelope: Envelope } | { problem: string } {
    if (exchange.problem !== undefined) {
      return { problem: exchange.problem };
    }
    const parsed = envelopeSchema.safeParse(exchange.json);
    const httpStatus = exchange.httpStatus ?? 0;
    if (httpStatus < 200 || httpStatus > 299) {
      const message = parsed.success ? parsed.data.message : undefined;
      return { problem: `HTTP ${httpStatus}${message ? `: ${message}` : ""}` };
    }
    if (!parsed.success) {
      return { problem: `unexpected response shape: ${z.prettifyError(parsed.error)}` };
    }
    if (parsed.data.status !== "success") {
      return { problem: `status "${parsed.data.status}": ${parsed.data.message ?? "no message"}` };
    }
    const data = schema.safeParse(parsed.data.data);
    if (!data.success) {
      return { problem: `unexpected data shape: ${z.prettifyError(data.error)}` };
    }
    return { data: data.data, envelope: parsed.data };
  }

  /** A JSON `status: "error"` envelope, whatever the HTTP status (undefined when it is not one). */
  function errorEnvelope(exchange: Exchange): Envelope | undefined {
    if (exchange.problem !== undefined) {
      return undefined;
    }
    const parsed = envelopeSchema.safeParse(exchange.json);
    return parsed.success && parsed.data.status === "error" ? parsed.data : undefined;
  }

  /** Records the problem on `raw` (so the attempt row says why) and hands `raw` back. */
  function withError(exchange: Exchange, problem: string, secrets?: readonly string[]): RawExchange {
    exchange.raw.error ??= redact(problem, secrets);
    return exchange.raw;
  }

  // -------------------------------------------------------------------------------------------
  // Verify
  // -------------------------------------------------------------------------------------------

  /**
   * "Not found" must be Flutterwave's own answer: a JSON error envelope that says so, or any JSON error
   * envelope on a 404. A bare 404 page (wrong base URL, a proxy) or a 5xx is "we could not ask".
   */
  function classifyVerify(exchange: Exchange): VerifiedPayment {
    const error = errorEnvelope(exchange);
    const httpStatus = exchange.httpStatus ?? 0;
    if (error && httpStatus < 500 && (httpStatus === 404 || NOT_FOUND.test(error.message ?? ""))) {
      return { found: false, raw: exchange.raw };
    }
    const result = successData(exchange, paymentDataSchema);
    if ("problem" in result) {
      return { found: "unknown", raw: withError(exchange, result.problem) };
    }
    const amountKobo = toKobo(result.data.amount);
    if (amountKobo === undefined) {
      return {
        found: "unknown",
        raw: withError(exchange, `amount ${String(result.data.amount)} is not an amount in naira`),
      };
    }
    const paymentType = result.data.payment_type?.toLowerCase();
    const payer = payerOf(result.envelope.data);
    return {
      found: true,
      id: result.data.id,
      txRef: result.data.tx_ref,
      status: result.data.status.trim().toLowerCase(),
      currency: result.data.currency.trim().toUpperCase(),
      amountKobo,
      ...(paymentType !== undefined ? { paymentType } : {}),
      ...(payer !== undefined ? { payer } : {}),
      raw: exchange.raw,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Every attempt on a tx_ref
  // -------------------------------------------------------------------------------------------

  /**
   * Walks `GET /transactions?tx_ref=&page=` to the last page. Anything we cannot read completely (a
   * fault on any page, an item or page_info of another shape, a page other than the one asked for,
   * too many pages) is "unknown": a list we only half saw must never read as "no payment".
   * Items about another tx_ref (a list that ignored the filter) are not ours and are skipped.
   *
   * `from` (sent as `from=YYYY-MM-DD`, the UTC date) narrows the list to recent transactions: a static
   * virtual account's tx_ref carries every transfer ever made into it, and without it the list would
   * soon pass the page limit. An invalid date is not sent: a wider list is longer, never wrong.
   */
  async function listPayments(txRef: string, listOptions: { from?: Date } = {}): Promise<PaymentAttempts> {
    const attempts = new Map<string, PaymentAttempt>();
    const from = listOptions.from;
    const fromDay = from !== undefined && !Number.isNaN(from.getTime()) ? utcDay(from) : undefined;
    for (let page = 1; ; page += 1) {
      const query = new URLSearchParams({ tx_ref: txRef });
      if (fromDay !== undefined) {
        query.set("from", fromDay);
      }
      query.set("page", String(page));
      const exchange = await call("GET", `/transactions?${query}`);
      const result = successData(exchange, z.array(z.unknown()));
      if ("problem" in result) {
        return { found: "unknown", raw: withError(exchange, `page ${page}: ${result.problem}`) };
      }
      const meta = pageInfoSchema.safeParse((exchange.json as { meta?: unknown } | undefined)?.meta);
      if (!meta.success) {
        return {
          found: "unknown",
          raw: withError(exchange, `page ${page}: no usable meta.page_info: ${z.prettifyError(meta.error)}`),
        };
      }
      const { current_page: current, total_pages: totalPages } = meta.data.page_info;
      if (current !== page) {
        return { found: "unknown", raw: withError(exchange, `asked for page ${page}, got page ${current}`) };
      }
      for (const [index, item] of result.data.entries()) {
        const parsed = listItemSchema.safeParse(item);
        if (!parsed.success) {
          return {
            found: "unknown",
            raw: withError(exchange, `page ${page} item ${index}: ${z.prettifyError(parsed.error)}`),
          };
        }
        if (parsed.data.tx_ref === txRef) {
          const status = parsed.data.status?.trim().toLowerCase() ?? "";
          attempts.set(parsed.data.id, { id: parsed.data.id, txRef, status });
        }
      }
      if (page >= totalPages) {
        return { found: true, attempts: [...attempts.values()], raw: exchange.raw };
      }
      if (page >= MAX_LIST_PAGES) {
        return {
          found: "unknown",
          raw: withError(exchange, `more than ${MAX_LIST_PAGES} pages of transactions for one tx_ref`),
        };
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Virtual accounts
  // -------------------------------------------------------------------------------------------

  /**
   * Creation (providers.md §4a). Flutterwave answers a created account with `response_code "02"`,
   * "Transaction in progress": that wording is about the account waiting for money, not a pending
   * creation, so a success envelope with a readable account is created, whatever the code.
   * "refused" only for a JSON error envelope on a 4xx (a bad BVN, a missing field, a bad key): it
   * said no before creating anything. 408 and 429 are "not now", and a timeout, 5xx, HTML, garbage
   * or another shape may come after creation: all unknown (ask again with the same tx_ref).
   */
  function classifyVirtualAccount(
    exchange: Exchange,
    input: VirtualAccountRequest,
    secrets: readonly string[],
  ): VirtualAccountResult {
    const unknown = (problem: string): VirtualAccountResult => ({
      outcome: "unknown",
      message: `Flutterwave gave no usable answer about the virtual account (${redact(problem, secrets)}).`,
      raw: withError(exchange, problem, secrets),
    });
    const error = errorEnvelope(exchange);
    const httpStatus = exchange.httpStatus ?? 0;
    if (error && httpStatus >= 400 && httpStatus < 500 && !TRANSIENT_HTTP.has(httpStatus)) {
      // The message came from the answer's text, which the transport already scrubbed.
      const message = error.message?.trim() || "Flutterwave refused to create the virtual account";
      return { outcome: "refused", message, raw: exchange.raw };
    }
    const result = successData(exchange, virtualAccountDataSchema);
    if ("problem" in result) {
      return unknown(result.problem);
    }
    const data = result.data;
    const expiresAt = expiryOf(data);
    // A static account has no amount ("0.00" in test mode): zero is no amount, not a price.
    const amountKobo = data.amount === null || data.amount === undefined ? undefined : toKobo(data.amount);
    return {
      outcome: "created",
      account: {
        accountNumber: data.account_number,
        bankName: data.bank_name,
        accountName: data.account_name ?? input.narration,
        orderRef: data.order_ref,
        ...(data.flw_ref !== undefined ? { flwRef: data.flw_ref } : {}),
        ...(expiresAt !== undefined ? { expiresAt } : {}),
        ...(amountKobo !== undefined && amountKobo > 0 ? { amountKobo } : {}),
      },
      raw: exchange.raw,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Transfers
  // -------------------------------------------------------------------------------------------

  function unknownTransfer(exchange: Exchange, problem: string, id?: string): TransferResult {
    return {
      outcome: "unknown",
      ...(id !== undefined ? { id } : {}),
      message: `Flutterwave gave no usable answer about the transfer (${redact(problem)}).`,
      raw: withError(exchange, problem),
    };
  }

  /** One transfer record → outcome; a word we do not know is unknown, never failed. */
  function fromTransferData(exchange: Exchange, data: TransferData, envelopeMessage: string): TransferResult {
    const word = data.status.trim().toUpperCase();
    const outcome = TRANSFER_STATUSES[word];
    if (outcome === undefined) {
      return unknownTransfer(exchange, `unmapped transfer status "${data.status}"`, data.id);
    }
    const detail = data.complete_message?.trim();
    return {
      outcome,
      id: data.id,
      message: `${envelopeMessage}: ${word}${detail ? ` (${detail})` : ""}`,
      raw: exchange.raw,
    };
  }

  /**
   * Creation. "failed" only for a refusal Flutterwave gave before creating anything: a JSON error
   * envelope on a 4xx. A duplicate reference means an earlier call may have created it, 408/409 are
   * ambiguous, and a 5xx or an error inside a 2xx may come after creation: all unknown.
   */
  function classifyCreate(exchange: Exchange, reference: string): TransferResult {
    const error = errorEnvelope(exchange);
    if (error) {
      const message = error.message?.trim() || "Flutterwave refused the transfer";
      const httpStatus = exchange.httpStatus ?? 0;
      if (DUPLICATE_REFERENCE.test(message)) {
        return unknownTransfer(exchange, `duplicate reference: ${message}; requery decides`);
      }
      const refusal = httpStatus >= 400 && httpStatus < 500 && httpStatus !== 408 && httpStatus !== 409;
      if (refusal) {
        return { outcome: "failed", message, raw: exchange.raw };
      }
      return unknownTransfer(exchange, `HTTP ${httpStatus}: ${message}`);
    }
    const result = successData(exchange, transferDataSchema);
    if ("problem" in result) {
      return unknownTransfer(exchange, result.problem);
    }
    if (result.data.reference && result.data.reference !== reference) {
      return unknownTransfer(
        exchange,
        `answer is about reference "${result.data.reference}"`,
        result.data.id,
      );
    }
    return fromTransferData(exchange, result.data, result.envelope.message ?? "Transfer created");
  }

  /**
   * Requery. The list endpoint may answer an array (and may even ignore the filter), so we pick our
   * reference out of it ourselves. Not found is unknown: right after a timeout the transfer may not
   * be listed yet, and "failed" would release money that may still leave.
   */
  function classifyRequery(exchange: Exchange, reference: string): TransferResult {
    const result = successData(exchange, z.union([z.array(z.unknown()), transferDataSchema]));
    if ("problem" in result) {
      return unknownTransfer(exchange, result.problem);
    }
    const message = result.envelope.message ?? "Transfer fetched";
    if (!Array.isArray(result.data)) {
      if (result.data.reference && result.data.reference !== reference) {
        return unknownTransfer(
          exchange,
          `answer is about reference "${result.data.reference}"`,
          result.data.id,
        );
      }
      return fromTransferData(exchange, result.data, message);
    }
    const matches = result.data
      .map((item) => transferDataSchema.safeParse(item))
      .flatMap((parsed) => (parsed.success && parsed.data.reference === reference ? [parsed.data] : []));
    const [match, ...others] = matches;
    if (match === undefined) {
      // Not proof that it never existed (the list may ignore the filter, or lag): only a hint that
      // lets a resend with the same reference ask, which Flutterwave refuses if the first one exists.
      return {
        ...unknownTransfer(exchange, `no transfer with reference "${reference}" found`),
        notFound: true,
      };
    }
    if (others.length > 0) {
      return unknownTransfer(exchange, `${matches.length} transfers have reference "${reference}"`);
    }
    return fromTransferData(exchange, match, message);
  }

  // -------------------------------------------------------------------------------------------
  // The gateway
  // -------------------------------------------------------------------------------------------

  return {
    code: GATEWAY,

    async createCheckout(input: CheckoutRequest) {
      const customer: Record<string, string> = { email: input.customer.email };
      if (input.customer.name) {
        customer.name = input.customer.name;
      }
      if (input.customer.phone) {
        customer.phonenumber = input.customer.phone;
      }
      const exchange = await call("POST", "/payments", {
        tx_ref: input.txRef,
        amount: nairaNumber(input.amountKobo),
        currency: "NGN",
        redirect_url: input.redirectUrl,
        customer,
        customizations: { title: input.title, description: input.description },
      });
      const result = successData(exchange, checkoutDataSchema);
      if ("problem" in result) {
        throw new ProviderUnavailableError(GATEWAY, "checkout", withError(exchange, result.problem));
      }
      return { link: result.data.link, raw: exchange.raw };
    },

    async verifyById(id: string) {
      return classifyVerify(await call("GET", `/transactions/${encodeURIComponent(id)}/verify`));
    },

    listPayments,

    async createVirtualAccount(input: VirtualAccountRequest) {
      if (!input.permanent && !(Number.isSafeInteger(input.amountKobo) && (input.amountKobo ?? 0) > 0)) {
        // A caller's bug, not something to ask Flutterwave about (nairaNumber would throw anyway).
        throw new Error("createVirtualAccount: a dynamic account needs amountKobo > 0");
      }
      const body: Record<string, unknown> = {
        email: input.email,
        is_permanent: input.permanent,
        tx_ref: input.txRef,
      };
      if (input.phone) {
        body.phonenumber = input.phone;
      }
      if (input.firstName) {
        body.firstname = input.firstName;
      }
      if (input.lastName) {
        body.lastname = input.lastName;
      }
      body.narration = input.narration;
      if (input.permanent) {
        // Without one Flutterwave decides (test mode may create it; live mode refuses).
        if (input.bvn) {
          body.bvn = input.bvn;
        }
      } else {
        body.amount = nairaNumber(input.amountKobo ?? 0);
      }
      const secrets = input.permanent && input.bvn ? [input.bvn] : [];
      const exchange = await call("POST", "/virtual-account-numbers", body, secrets);
      return classifyVirtualAccount(exchange, input, secrets);
    },

    /**
     * Deactivation (`POST /virtual-account-numbers/{order_ref}` `{status:"inactive"}`, providers.md
     * §4a, medium confidence). Only a 2xx success envelope is "closed"; a refusal, a fault or an
     * unknown order_ref is "unknown": we cannot say the account stopped taking money.
     */
    async closeVirtualAccount(orderRef: string) {
      const exchange = await call("POST", `/virtual-account-numbers/${encodeURIComponent(orderRef)}`, {
        status: "inactive",
      });
      const result = successData(exchange, z.unknown());
      if ("problem" in result) {
        withError(exchange, result.problem);
        return "unknown";
      }
      return "closed";
    },

    async listBanks(): Promise<Bank[]> {
      const exchange = await call("GET", "/banks/NG");
      const result = successData(exchange, z.array(z.unknown()));
      if ("problem" in result) {
        throw new ProviderUnavailableError(GATEWAY, "bank list", withError(exchange, result.problem));
      }
      // One odd item is skipped rather than failing the whole list.
      return result.data.flatMap((item) => {
        const bank = bankItemSchema.safeParse(item);
        return bank.success ? [{ code: bank.data.code, name: bank.data.name.trim() }] : [];
      });
    },

    async resolveAccount(input: { bankCode: string; accountNumber: string }) {
      const exchange = await call("POST", "/accounts/resolve", {
        account_number: input.accountNumber,
        account_bank: input.bankCode,
      });
      const error = errorEnvelope(exchange);
      const httpStatus = exchange.httpStatus ?? 0;
      const clientError = httpStatus >= 400 && httpStatus < 500;
      if (error && clientError && ACCOUNT_NOT_RESOLVED.test(error.message ?? "")) {
        return undefined;
      }
      const result = successData(exchange, resolveDataSchema);
      if ("problem" in result) {
        throw new ProviderUnavailableError(
          GATEWAY,
          "account resolution",
          withError(exchange, result.problem),
        );
      }
      return { accountName: result.data.account_name };
    },

    async createTransfer(input: TransferRequest) {
      const exchange = await call("POST", "/transfers", {
        account_bank: input.bankCode,
        account_number: input.accountNumber,
        amount: nairaNumber(input.amountKobo),
        narration: input.narration,
        currency: "NGN",
        reference: input.reference,
        debit_currency: "NGN",
      });
      return classifyCreate(exchange, input.reference);
    },

    async getTransfer(input: { reference: string; id?: string }) {
      const path = input.id
        ? `/transfers/${encodeURIComponent(input.id)}`
        : `/transfers?${new URLSearchParams({ reference: input.reference })}`;
      return classifyRequery(await call("GET", path), input.reference);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** Naira (number or "1,000.00") → kobo; undefined rather than a guess when it is not an amount. */
function toKobo(value: string | number): number | undefined {
  try {
    return nairaToKobo(value);
  } catch {
    return undefined;
  }
}

/** `bvn` shown as "********" and its last 3 digits, so `raw.request` never holds the whole number. */
function maskBvn(body: Record<string, unknown>): Record<string, unknown> {
  if (body.bvn === undefined || body.bvn === null) {
    return body;
  }
  const bvn = String(body.bvn);
  return { ...body, bvn: `********${bvn.length > 6 ? bvn.slice(-3) : ""}` };
}

/**
 * The sender of a transfer from a verify answer's `data`: `meta` first, then the same fields at the
 * top of `data`. Undefined when neither names a sender (a card payment's narration alone is not one).
 */
function payerOf(data: unknown): PayerDetails | undefined {
  const top = payerFieldsSchema.catch({}).parse(data);
  const meta =
    payerFieldsSchema
      .nullish()
      .catch(undefined)
      .parse((data as { meta?: unknown }).meta) ?? {};
  const pick = (field: keyof PayerFields) => meta[field] ?? top[field];
  const payer: PayerDetails = {};
  const name = pick("originatorname");
  const bank = pick("bankname");
  const accountNumber = pick("originatoraccountnumber");
  const narration = pick("narration");
  if (name === undefined && bank === undefined && accountNumber === undefined) {
    return undefined;
  }
  if (name !== undefined) {
    payer.name = name;
  }
  if (bank !== undefined) {
    payer.bank = bank;
  }
  if (accountNumber !== undefined) {
    payer.accountNumber = accountNumber;
  }
  if (narration !== undefined) {
    payer.narration = narration;
  }
  return payer;
}

/** A wall-clock time as Flutterwave writes it: with a zone (an instant) or without (naive). */
type GatewayTime = { instant: number } | { naive: number };

/**
 * "2021-02-15T16:27:22.000Z" is an instant. "2021-02-15 16:27:22" and "2025-10-11 11:55:19 AM" (both
 * in vendor samples) name no zone: their fields are read as if UTC, to be compared with each other.
 * "N/A", blanks and anything else are undefined.
 */
function readGatewayTime(value: string | undefined): GatewayTime | undefined {
  const text = value?.trim() ?? "";
  const naive = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(?:\s*([AP]M))?$/i.exec(
    text,
  );
  if (naive) {
    const [, year, month, day, hourText, minute, second, half] = naive;
    let hour = Number(hourText);
    if (half !== undefined) {
      if (hour < 1 || hour > 12) {
        return undefined;
      }
      hour = (hour % 12) + (half.toUpperCase() === "PM" ? 12 : 0);
    }
    const ms = Date.UTC(
      Number(year),
      Number(month) - 1,
      Number(day),
      hour,
      Number(minute),
      Number(second ?? 0),
    );
    return Number.isNaN(ms) || hour > 23 ? undefined : { naive: ms };
  }
  if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/i.test(text)) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : { instant: ms };
  }
  return undefined;
}

/** West Africa Time (Lagos, no daylight saving), for a naive time with nothing to compare it to. */
const WAT_OFFSET_MS = 60 * 60 * 1000;

/**
 * When a dynamic account stops taking transfers. An expiry with a zone is taken as is. A naive one
 * is taken relative to the answer's own naive `created_at` (same clock, same zone, whatever it is):
 * now + (expiry − created). Without `created_at` it is read as Lagos time (an assumption: the zone
 * is documented nowhere). "N/A" (a static account) or anything unreadable is undefined.
 */
function expiryOf(data: VirtualAccountData): Date | undefined {
  const expiry = readGatewayTime(data.expiry_date);
  if (expiry === undefined) {
    return undefined;
  }
  if ("instant" in expiry) {
    return new Date(expiry.instant);
  }
  const created = readGatewayTime(data.created_at);
  if (created !== undefined && "naive" in created) {
    return new Date(Date.now() + (expiry.naive - created.naive));
  }
  return new Date(expiry.naive - WAT_OFFSET_MS);
}

/** The UTC calendar day of `date`, as Flutterwave's list filters take it: "2026-03-01". */
function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * Flutterwave takes amounts as JSON numbers in naira. Kobo → the exact decimal string → number:
 * 150050 → 1500.5, which JSON prints back as "1500.5".
 */
function nairaNumber(kobo: number): number {
  return Number(koboToNairaString(kobo));
}
