import { z } from "zod";
import type {
  Bank,
  CheckoutRequest,
  PaymentAttempt,
  PaymentAttempts,
  PaymentGateway,
  TransferRequest,
  TransferResult,
  VerifiedPayment,
} from "../../services/funding/gateway";
import { koboToNairaString, nairaToKobo } from "../../services/money";
import { ProviderUnavailableError, type RawExchange } from "../../services/vtu/provider";
import { createJsonTransport, type Exchange } from "../http-json";

/**
 * The real Flutterwave v3 client (providers.md §4, reliability.md §3). Like the VTU clients it only
 * classifies what Flutterwave said; the funding services decide whether to credit or pay out. Every
 * answer is parsed with zod. Doubt lands on the side that moves no money: a verify we could not read
 * is `found: "unknown"` (never "not found"), and a transfer we could not read is `unknown` (never
 * "failed"), because calling a sent transfer failed would pay the user twice.
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
});

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
    recordRequest: ({ method, path, body }) => body ?? { method, path },
  });
  const { redact } = transport;

  /** Every call gets the same timeout. */
  function call(method: "GET" | "POST", path: string, body?: Record<string, unknown>): Promise<Exchange> {
    return transport.call({ method, path, body, timeoutMs: options.timeoutMs });
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
  function withError(exchange: Exchange, problem: string): RawExchange {
    exchange.raw.error ??= redact(problem);
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
    return {
      found: true,
      id: result.data.id,
      txRef: result.data.tx_ref,
      status: result.data.status.trim().toLowerCase(),
      currency: result.data.currency.trim().toUpperCase(),
      amountKobo,
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
   */
  async function listPayments(txRef: string): Promise<PaymentAttempts> {
    const attempts = new Map<string, PaymentAttempt>();
    for (let page = 1; ; page += 1) {
      const query = new URLSearchParams({ tx_ref: txRef, page: String(page) });
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

/**
 * Flutterwave takes amounts as JSON numbers in naira. Kobo → the exact decimal string → number:
 * 150050 → 1500.5, which JSON prints back as "1500.5".
 */
function nairaNumber(kobo: number): number {
  return Number(koboToNairaString(kobo));
}
