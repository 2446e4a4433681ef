import { z } from "zod";
import {
  bouquetSlug,
  normalizeDataFamily,
  parseCableName,
  parseDataSizeMb,
  parseDiscoName,
  parseNetworkName,
  parseValidityDays,
} from "../../services/catalogue/normalize";
import { koboToNairaString, nairaToKobo } from "../../services/money";
import { dueDateOf } from "../../services/vtu/due-date";
import {
  type AirtimeRequest,
  type CablePayRequest,
  type CableProvider,
  type DataRequest,
  type ElectricityPayRequest,
  type MeterType,
  type Network,
  type ProviderCatalogue,
  ProviderUnavailableError,
  type VendResult,
  type VerifyResult,
  type VtuProvider,
} from "../../services/vtu/provider";
import { createJsonTransport, type Exchange } from "../http-json";

/**
 * The real Inlomax client (providers.md §1, §9). It only classifies what Inlomax said; the order
 * service decides what that means for money. Every answer is parsed with zod, and anything we do not
 * positively recognise is `unknown`: calling a vend "failed" when it was delivered gives value away
 * twice, so doubt always lands on the side that holds the funds and requeries.
 */

export type InlomaxOptions = {
  baseUrl: string;
  apiKey: string;
  /** Purchases (airtime, data, cable, electricity). Tada allows 55 s. */
  purchaseTimeoutMs: number;
  /** Reads (balance, services, validate, requery). Tada allows 7 s. */
  readTimeoutMs: number;
  fetch?: typeof fetch;
};

const PROVIDER = "inlomax";

/** providers.md §9: Inlomax airtime serviceIDs (Glo and 9mobile are swapped relative to SME Plug). */
const AIRTIME_SERVICE_IDS: Record<Network, string> = { mtn: "1", airtel: "2", glo: "3", "9mobile": "4" };
const METER_TYPES: Record<MeterType, number> = { prepaid: 1, postpaid: 2 };

/**
 * A `failed` with one of these means the provider could not serve anyone (our float is empty, the
 * product is down), so nothing was sent and another provider may take the order. Tada's substrings
 * plus the product-availability phrases.
 */
const RETRY_ELSEWHERE_SUBSTRINGS = [
  "insufficient balance",
  "insufficient funds",
  "low balance",
  "wallet balance is low",
  "fund your wallet",
  "product unavailable",
  "service unavailable",
  "currently unavailable",
];

// ---------------------------------------------------------------------------------------------
// Schemas. Inlomax mixes numbers and strings freely, so scalars accept both.
// ---------------------------------------------------------------------------------------------

const scalar = z.union([z.string(), z.number()]).transform((value) => String(value).trim());
const optionalScalar = scalar.nullish();

const envelopeSchema = z.object({
  status: z.string(),
  message: z.union([z.string(), z.number()]).nullish(),
  data: z.unknown().optional(),
});
type Envelope = z.infer<typeof envelopeSchema>;

const purchaseDataSchema = z
  .object({
    reference: optionalScalar,
    token: optionalScalar,
    units: optionalScalar,
    customerName: z.string().nullish(),
    amount: optionalScalar,
    amountCharged: optionalScalar,
    status: z.string().nullish(),
  })
  .nullish();

const requeryDataSchema = z
  .object({ reference: optionalScalar, amount: optionalScalar, status: z.string().nullish() })
  .nullish();

const verifyDataSchema = z.object({
  customerName: z.string().trim().min(1),
  currentBouquet: z.string().nullish(),
  address: z.string().nullish(),
  renewalAmount: optionalScalar,
  // Not in what providers.md saw of /validatecable ({customerName, currentBouquet}); read when sent,
  // under the names VTpass-shaped answers use (DUE_DATE, Due_Date) and a camelCase one.
  dueDate: z.string().nullish(),
  due_date: z.string().nullish(),
  DUE_DATE: z.string().nullish(),
  Due_Date: z.string().nullish(),
});

const balanceDataSchema = z.object({ funds: scalar });

const servicesDataSchema = z.object({
  airtime: z.array(z.unknown()).nullish(),
  dataPlans: z.array(z.unknown()).nullish(),
  cablePlans: z.array(z.unknown()).nullish(),
  electricity: z.array(z.unknown()).nullish(),
});

const airtimeItemSchema = z.object({ network: z.string(), serviceID: scalar, discount: scalar.nullish() });
const dataPlanItemSchema = z.object({
  serviceID: scalar,
  network: z.string(),
  dataPlan: z.string(),
  amount: scalar,
  dataType: z.string().nullish(),
  validity: z.string(),
});
const cablePlanItemSchema = z.object({
  serviceID: scalar,
  cablePlan: z.string(),
  cable: z.string(),
  amount: scalar,
  discount: scalar.nullish(),
});
const electricityItemSchema = z.object({ disco: z.string(), serviceID: scalar, discount: scalar.nullish() });

// ---------------------------------------------------------------------------------------------
// Status vocabulary
// ---------------------------------------------------------------------------------------------

type Status = "delivered" | "pending" | "failed" | "reversed";

/** Only words we have seen or that cannot mean anything else; the rest is unknown. */
const STATUS_WORDS: Record<string, Status> = {
  success: "delivered",
  successful: "delivered",
  completed: "delivered",
  delivered: "delivered",
  processing: "pending",
  pending: "pending",
  failed: "failed",
  reversed: "reversed",
  refunded: "reversed",
};

/** Wording that says an order is accepted but not yet done, whatever the status word around it. */
const PENDING_WORDING =
  /\b(?:processing|pending|queued|in\s+progress|being\s+processed|awaiting|not\s+yet\s+delivered)\b/i;

function statusOf(word: string | null | undefined): Status | undefined {
  return word ? STATUS_WORDS[word.trim().toLowerCase()] : undefined;
}

// ---------------------------------------------------------------------------------------------
// Transport
// ---------------------------------------------------------------------------------------------

/** What a vend answer may tell us besides its outcome. */
type VendDetails = Pick<VendResult, "providerReference" | "token" | "units" | "customerName" | "costKobo">;

export function createInlomaxProvider(options: InlomaxOptions): VtuProvider {
  if (!options.baseUrl || !options.apiKey) {
    throw new Error("createInlomaxProvider needs baseUrl and apiKey");
  }
  // Keys travel only in headers; the transport also scrubs them from anything Inlomax echoes back.
  const transport = createJsonTransport({
    baseUrl: options.baseUrl,
    secret: options.apiKey,
    headers: { Accept: "application/json", Authorization: `Token ${options.apiKey}` },
    fetch: options.fetch,
  });
  const { redact } = transport;

  /** `raw.request` is the body as sent (undefined for a GET). */
  function call(
    method: "GET" | "POST",
    path: string,
    body: Record<string, unknown> | undefined,
    timeoutMs: number,
    extraKeyHeader = false,
  ): Promise<Exchange> {
    // Oplugy sends this on cable/electricity calls; unexplained but harmless (providers.md §1).
    const extraHeaders = extraKeyHeader ? { "Authorization-Token": options.apiKey } : undefined;
    return transport.call({ method, path, body, timeoutMs, extraHeaders });
  }

  /**
   * The envelope of a usable answer, or why there is none. Non-2xx is never trusted, even with a
   * `failed` body: a 500 may come from a crash after the vend.
   */
  function envelopeOf(exchange: Exchange): { envelope: Envelope } | { problem: string } {
    if (exchange.problem !== undefined) {
      return { problem: exchange.problem };
    }
    const parsed = envelopeSchema.safeParse(exchange.json);
    const message = parsed.success ? messageOf(parsed.data) : undefined;
    const httpStatus = exchange.httpStatus ?? 0;
    if (httpStatus < 200 || httpStatus > 299) {
      return { problem: `HTTP ${httpStatus}${message ? `: ${message}` : ""}` };
    }
    if (!parsed.success) {
      return { problem: `unexpected response shape: ${z.prettifyError(parsed.error)}` };
    }
    return { envelope: parsed.data };
  }

  function unknown(exchange: Exchange, problem: string, extra: VendDetails = {}): VendResult {
    exchange.raw.error ??= redact(problem);
    return {
      outcome: "unknown",
      message: `Inlomax gave no usable answer (${redact(problem)}).`,
      ...extra,
      raw: exchange.raw,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Purchases
  // -------------------------------------------------------------------------------------------

  async function purchase(
    path: string,
    body: Record<string, unknown>,
    how: { extraKeyHeader?: boolean; amountIsCost?: boolean } = {},
  ): Promise<VendResult> {
    const exchange = await call("POST", path, body, options.purchaseTimeoutMs, how.extraKeyHeader);
    return classifyPurchase(exchange, how.amountIsCost ?? false);
  }

  /** Envelope status decides; `data.status` can only make a success less certain, never more. */
  function classifyPurchase(exchange: Exchange, amountIsCost: boolean): VendResult {
    const result = envelopeOf(exchange);
    if ("problem" in result) {
      return unknown(exchange, result.problem);
    }
    const { envelope } = result;
    const message = messageOf(envelope) ?? envelope.status;
    const status = statusOf(envelope.status);
    if (status === "failed" || status === "reversed") {
      return {
        outcome: "failed",
        retryElsewhere: status === "failed" && isProviderSideFailure(message),
        ...(status === "reversed" ? { reversed: true } : {}),
        message,
        raw: exchange.raw,
      };
    }
    if (status === undefined) {
      return unknown(exchange, `unmapped status "${envelope.status}"`);
    }
    const data = purchaseDataSchema.safeParse(envelope.data);
    if (!data.success) {
      return unknown(exchange, `unexpected data shape: ${z.prettifyError(data.error)}`);
    }
    const details = purchaseDetails(data.data, amountIsCost);
    const inner = statusOf(data.data?.status);
    if (status === "delivered" && (inner === "failed" || inner === "reversed")) {
      // "success" around a failed transaction: contradictory, so we do not know what happened.
      return unknown(exchange, `envelope says success but transaction says ${data.data?.status}`, details);
    }
    // "success" around words that say it is still waiting ("queued, processing") is accepted, not
    // delivered: booking it would let a later failure go unnoticed until the post-delivery check.
    const waiting = inner === "pending" || PENDING_WORDING.test(message);
    const outcome = status === "delivered" && !waiting ? "delivered" : "pending";
    return { outcome, message, ...details, raw: exchange.raw };
  }

  function purchaseDetails(data: z.infer<typeof purchaseDataSchema>, amountIsCost: boolean): VendDetails {
    const details: VendDetails = {};
    if (data?.reference) {
      details.providerReference = data.reference;
    }
    if (data?.token) {
      details.token = data.token;
    }
    if (data?.units) {
      details.units = data.units;
    }
    if (data?.customerName?.trim()) {
      details.customerName = data.customerName.trim();
    }
    // Data plans carry no discount: the plan price Inlomax reports is what it charged us.
    const cost = toKobo(data?.amountCharged ?? (amountIsCost ? data?.amount : undefined));
    if (cost !== undefined) {
      details.costKobo = cost;
    }
    return details;
  }

  // -------------------------------------------------------------------------------------------
  // Requery
  // -------------------------------------------------------------------------------------------

  /**
   * The transaction's own `data.status` is its state; the envelope only says whether the lookup
   * worked. A `failed` envelope with no transaction status is a failed lookup ("not found", bad
   * reference), which says nothing about the vend, so it is unknown rather than failed.
   */
  function classifyRequery(exchange: Exchange, providerReference: string): VendResult {
    const result = envelopeOf(exchange);
    if ("problem" in result) {
      return unknown(exchange, result.problem, { providerReference });
    }
    const { envelope } = result;
    const data = requeryDataSchema.safeParse(envelope.data);
    if (!data.success) {
      return unknown(exchange, `unexpected data shape: ${z.prettifyError(data.error)}`, {
        providerReference,
      });
    }
    const envelopeStatus = statusOf(envelope.status);
    const word = data.data?.status ?? (envelopeStatus === "failed" ? undefined : envelope.status);
    const status = statusOf(word);
    const message = messageOf(envelope) ?? word ?? envelope.status;
    const contradiction = envelopeStatus === "failed" && status !== "failed" && status !== "reversed";
    if (envelopeStatus === undefined || status === undefined || contradiction) {
      return unknown(exchange, `unmapped requery status "${word ?? envelope.status}" (${message})`, {
        providerReference,
      });
    }
    const base = { providerReference, message: `${message}: ${word}`, raw: exchange.raw };
    if (status === "failed") {
      return { outcome: "failed", retryElsewhere: false, ...base };
    }
    if (status === "reversed") {
      return { outcome: "failed", retryElsewhere: false, reversed: true, ...base };
    }
    return { outcome: status, ...base };
  }

  // -------------------------------------------------------------------------------------------
  // Verification
  // -------------------------------------------------------------------------------------------

  /**
   * A definite "no such number" is `failed` in a 2xx answer, or in a 400/404/422 that still carries a
   * `failed` envelope. Anything else (401 bad key, 429, 5xx, timeout, garbage) means we could not ask.
   */
  function classifyVerify(exchange: Exchange): VerifyResult {
    const envelope = envelopeSchema.safeParse(exchange.json);
    const clientError = [400, 404, 422].includes(exchange.httpStatus ?? 0);
    if (clientError && envelope.success && statusOf(envelope.data.status) === "failed") {
      return invalid(exchange, envelope.data);
    }
    const result = envelopeOf(exchange);
    if ("problem" in result) {
      return unavailable(exchange, result.problem);
    }
    const status = statusOf(result.envelope.status);
    if (status === "failed") {
      return invalid(exchange, result.envelope);
    }
    if (status !== "delivered") {
      return unavailable(exchange, `unmapped status "${result.envelope.status}"`);
    }
    const data = verifyDataSchema.safeParse(result.envelope.data);
    if (!data.success) {
      return unavailable(exchange, `unexpected data shape: ${z.prettifyError(data.error)}`);
    }
    const renewal = toKobo(data.data.renewalAmount);
    const dueDate = dueDateOf(
      data.data.dueDate ?? data.data.due_date ?? data.data.DUE_DATE ?? data.data.Due_Date ?? undefined,
    );
    return {
      ok: true,
      customerName: data.data.customerName,
      ...(data.data.currentBouquet ? { currentBouquet: data.data.currentBouquet } : {}),
      ...(data.data.address ? { address: data.data.address } : {}),
      ...(renewal !== undefined ? { renewalAmountKobo: renewal } : {}),
      ...(dueDate ? { dueDate } : {}),
      raw: exchange.raw,
    };
  }

  function invalid(exchange: Exchange, envelope: Envelope): VerifyResult {
    return {
      ok: false,
      reason: "invalid",
      message: messageOf(envelope) ?? "Inlomax rejected the number.",
      raw: exchange.raw,
    };
  }

  function unavailable(exchange: Exchange, problem: string): VerifyResult {
    exchange.raw.error ??= redact(problem);
    return {
      ok: false,
      reason: "unavailable",
      message: `Inlomax could not verify right now (${redact(problem)}).`,
      raw: exchange.raw,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Catalogue
  // -------------------------------------------------------------------------------------------

  /**
   * Each item is parsed on its own and silently skipped when it does not read (unknown network, a
   * voice bundle with no data size, a price with junk): one odd item must not block the whole sync.
   */
  function toCatalogue(data: z.infer<typeof servicesDataSchema>): ProviderCatalogue {
    return {
      airtime: keep(data.airtime, (item) => {
        const parsed = airtimeItemSchema.parse(item);
        const network = parseNetworkName(parsed.network);
        const discountBps = percentToBps(parsed.discount);
        return network && discountBps !== undefined
          ? { network, providerProductId: parsed.serviceID, discountBps }
          : undefined;
      }),
      data: keep(data.dataPlans, (item) => {
        const parsed = dataPlanItemSchema.parse(item);
        const network = parseNetworkName(parsed.network);
        const sizeMb = parseDataSizeMb(parsed.dataPlan);
        const validityDays = parseValidityDays(parsed.validity);
        const costKobo = toKobo(parsed.amount);
        if (!network || sizeMb === undefined || validityDays === undefined || costKobo === undefined) {
          return undefined;
        }
        const family = normalizeDataFamily(parsed.dataType ?? "");
        const name = [parsed.dataPlan, parsed.dataType, parsed.validity].filter(Boolean).join(" ");
        return { network, providerProductId: parsed.serviceID, name, sizeMb, validityDays, family, costKobo };
      }),
      cable: keep(data.cablePlans, (item) => {
        const parsed = cablePlanItemSchema.parse(item);
        const cable = parseCableName(parsed.cable) ?? parseCableName(parsed.cablePlan);
        const amountKobo = toKobo(parsed.amount);
        const discountBps = percentToBps(parsed.discount);
        if (!cable || amountKobo === undefined || discountBps === undefined) {
          return undefined;
        }
        const slug = bouquetSlug(cable, parsed.cablePlan);
        return {
          cable,
          providerProductId: parsed.serviceID,
          name: parsed.cablePlan,
          slug,
          amountKobo,
          discountBps,
        };
      }),
      electricity: keep(data.electricity, (item) => {
        const parsed = electricityItemSchema.parse(item);
        const disco = parseDiscoName(parsed.disco);
        const discountBps = percentToBps(parsed.discount);
        return disco && discountBps !== undefined
          ? { disco, providerProductId: parsed.serviceID, discountBps }
          : undefined;
      }),
    };
  }

  /** `data` of a 2xx `success` answer parsed with the schema, or undefined with `raw.error` set. */
  function successData<T extends z.ZodType>(exchange: Exchange, schema: T): z.infer<T> | undefined {
    const result = envelopeOf(exchange);
    if ("problem" in result) {
      exchange.raw.error ??= redact(result.problem);
      return undefined;
    }
    if (statusOf(result.envelope.status) !== "delivered") {
      exchange.raw.error ??= redact(
        `status "${result.envelope.status}": ${messageOf(result.envelope) ?? ""}`,
      );
      return undefined;
    }
    const data = schema.safeParse(result.envelope.data);
    if (!data.success) {
      exchange.raw.error ??= `unexpected data shape: ${z.prettifyError(data.error)}`;
      return undefined;
    }
    return data.data;
  }

  // -------------------------------------------------------------------------------------------
  // The provider
  // -------------------------------------------------------------------------------------------

  return {
    code: PROVIDER,
    services: ["airtime", "data", "cable", "electricity"],
    idempotentRequestIds: false,

    wholeNairaServices: WHOLE_NAIRA_SERVICES,

    buyAirtime(input: AirtimeRequest) {
      if (input.amountKobo % 100 !== 0) {
        return Promise.resolve(notWholeNaira("airtime", input.amountKobo));
      }
      return purchase("/airtime", {
        serviceID: AIRTIME_SERVICE_IDS[input.network],
        amount: nairaNumber(input.amountKobo),
        mobileNumber: input.phone,
      });
    },

    buyData(input: DataRequest) {
      return purchase(
        "/data",
        { serviceID: input.providerPlanId, mobileNumber: input.phone },
        { amountIsCost: true },
      );
    },

    async verifySmartcard(input: { cable: CableProvider; providerPlanId?: string; smartcard: string }) {
      // providers.md: it is unknown whether /validatecable wants the cable provider's or the
      // bouquet's serviceID. We send the bouquet's when the caller knows it (that id certainly exists
      // at Inlomax), else the lowercase cable name, which is what Oplugy sends ("dstv").
      const serviceID = input.providerPlanId ?? input.cable;
      const exchange = await call(
        "POST",
        "/validatecable",
        { serviceID, iucNum: input.smartcard },
        options.readTimeoutMs,
        true,
      );
      return classifyVerify(exchange);
    },

    payCable(input: CablePayRequest) {
      // Inlomax has no renew/change switch: /subcable buys the given bouquet either way.
      return purchase(
        "/subcable",
        { serviceID: input.providerPlanId, iucNum: input.smartcard },
        { extraKeyHeader: true },
      );
    },

    async verifyMeter(input: { providerDiscoId: string; meterNumber: string; meterType: MeterType }) {
      const exchange = await call(
        "POST",
        "/validatemeter",
        {
          serviceID: input.providerDiscoId,
          meterNum: input.meterNumber,
          meterType: METER_TYPES[input.meterType],
        },
        options.readTimeoutMs,
        true,
      );
      return classifyVerify(exchange);
    },

    payElectricity(input: ElectricityPayRequest) {
      if (input.amountKobo % 100 !== 0) {
        return Promise.resolve(notWholeNaira("electricity", input.amountKobo));
      }
      return purchase(
        "/payelectric",
        {
          serviceID: input.providerDiscoId,
          meterNum: input.meterNumber,
          meterType: METER_TYPES[input.meterType],
          amount: nairaNumber(input.amountKobo),
        },
        { extraKeyHeader: true },
      );
    },

    async requery(input: { requestId: string; providerReference?: string }) {
      if (!input.providerReference) {
        // Inlomax takes no client reference, so without its own reference there is nothing to ask.
        return {
          outcome: "unknown",
          message:
            "Cannot requery Inlomax without its transaction reference (the purchase returned none). Reconcile through the Inlomax dashboard or support.",
          raw: { durationMs: 0, error: "no provider reference" },
        };
      }
      const exchange = await call(
        "POST",
        "/transaction",
        { reference: input.providerReference },
        options.readTimeoutMs,
      );
      return classifyRequery(exchange, input.providerReference);
    },

    async balance() {
      const exchange = await call("GET", "/balance", undefined, options.readTimeoutMs);
      const data = successData(exchange, balanceDataSchema);
      const balanceKobo = data ? toKobo(data.funds) : undefined;
      if (balanceKobo === undefined) {
        exchange.raw.error ??= "funds is not an amount";
        throw new ProviderUnavailableError(PROVIDER, "balance", exchange.raw);
      }
      return { balanceKobo, raw: exchange.raw };
    },

    async catalogue() {
      const exchange = await call("GET", "/services", undefined, options.readTimeoutMs);
      const data = successData(exchange, servicesDataSchema);
      if (!data) {
        throw new ProviderUnavailableError(PROVIDER, "catalogue", exchange.raw);
      }
      return toCatalogue(data);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function messageOf(envelope: Envelope): string | undefined {
  const message =
    envelope.message === null || envelope.message === undefined ? "" : String(envelope.message).trim();
  return message === "" ? undefined : message;
}

function isProviderSideFailure(message: string): boolean {
  const lower = message.toLowerCase();
  return RETRY_ELSEWHERE_SUBSTRINGS.some((substring) => lower.includes(substring));
}

/** Naira (number or "1,000.00") → kobo; undefined rather than a guess when it is not an amount. */
function toKobo(value: string | number | null | undefined): number | undefined {
  if (value === null || value === undefined || value === "") {
    return undefined;
  }
  try {
    return nairaToKobo(value);
  } catch {
    return undefined;
  }
}

/**
 * Inlomax takes amounts as JSON numbers of whole naira. Kobo → naira: 150000 → 1500. Callers refuse
 * anything else first (`notWholeNaira`), and the order service never lets such an order through.
 */
function nairaNumber(kobo: number): number {
  return Number(koboToNairaString(kobo));
}

/** The services whose amounts Inlomax takes in whole naira (the others are priced by the catalogue). */
const WHOLE_NAIRA_SERVICES = ["airtime", "electricity"] as const;

/** Refused here, so nothing is sent: a definite failure with nothing vended. */
function notWholeNaira(service: string, amountKobo: number): VendResult {
  return {
    outcome: "failed",
    retryElsewhere: false,
    message: `Inlomax sells ${service} in whole naira; ${amountKobo} kobo is not.`,
    raw: { durationMs: 0, error: "amount not in whole naira" },
  };
}

/** A discount percent ("3", "3%", "3.5", 3) → basis points (3% = 300); missing means 0. */
function percentToBps(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || value.trim() === "") {
    return 0;
  }
  const match = /^(\d{1,3})(?:\.(\d{1,2}))?\s*%?$/.exec(value.trim());
  if (!match) {
    return undefined;
  }
  const bps = Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
  return bps <= 10_000 ? bps : undefined;
}

/** Map every item, dropping those that throw (zod) or return undefined: a bad item is skipped, not fatal. */
function keep<T>(items: readonly unknown[] | null | undefined, map: (item: unknown) => T | undefined): T[] {
  const kept: T[] = [];
  for (const item of items ?? []) {
    try {
      const mapped = map(item);
      if (mapped !== undefined) {
        kept.push(mapped);
      }
    } catch {
      // Skipped on purpose: see toCatalogue.
    }
  }
  return kept;
}
