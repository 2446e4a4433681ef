import { z } from "zod";
import {
  parseDataSizeMb,
  parseFamilyFromName,
  parseNetworkName,
  parseValidityDays,
} from "../../services/catalogue/normalize";
import { nairaToKobo } from "../../services/money";
import {
  NETWORKS,
  type Network,
  type ProviderCatalogue,
  ProviderUnavailableError,
  type RawExchange,
  UnsupportedServiceError,
  type VendResult,
  type VtuProvider,
} from "../../services/vtu/provider";
import { createJsonTransport, truncateText } from "../http-json";

/**
 * SME Plug (providers.md §2), our airtime/data fallback. Nothing here is from official docs: every
 * shape is what working integrations saw, so every answer is parsed with zod and anything we do not
 * recognise is `unknown` (hold the funds, requery), never `failed`. This client only classifies
 * what SME Plug said; the order service decides what that means for money.
 */

export type SmePlugOptions = {
  /** e.g. https://smeplug.ng/api/v1 */
  baseUrl: string;
  secretKey: string;
  /** Purchases: long, because a purchase cut short is an unknown we must reconcile by hand. */
  purchaseTimeoutMs: number;
  /** Balance, catalogue and requery. */
  readTimeoutMs: number;
  fetch?: typeof fetch;
};

const PROVIDER = "smeplug";

/** providers.md §9: Glo and 9mobile are swapped relative to Inlomax. */
export const SMEPLUG_NETWORK_IDS: Record<Network, number> = { mtn: 1, airtel: 2, "9mobile": 3, glo: 4 };

/**
 * A declined purchase that means "SME Plug itself cannot sell this right now" (our float there is
 * empty, the product is switched off): nothing was vended, so another provider may try. Any other
 * decline (bad number, bad plan) would fail there too, so it stays put.
 */
const RETRY_ELSEWHERE_PATTERNS = [
  /insufficient\s+(?:wallet\s+)?(?:balance|funds)/i,
  /low\s+(?:wallet\s+)?balance/i,
  /wallet\s+balance\s+is\s+(?:too\s+)?low/i,
  /fund\s+your\s+wallet/i,
  /\b(?:product|plan|bundle)s?\b.*\b(?:unavailable|not\s+available|disabled|inactive|not\s+active)\b/i,
  /\b(?:unavailable|not\s+available)\b.*\b(?:product|plan|bundle)s?\b/i,
];

// ---------------------------------------------------------------------------------------------
// Response schemas (loose: SME Plug adds fields freely; we only insist on what we act on)
// ---------------------------------------------------------------------------------------------

const idLike = z.union([z.string().min(1), z.number()]).transform(String);
const nairaLike = z.union([z.string(), z.number()]);

/**
 * `status: true` means SME Plug accepted the order, not that it delivered it: it answers "Transaction
 * is processing" for orders it queues. A `"true"` string is not the documented shape, but it carries
 * the reference we need to ask later, so it is read too (and classified as unknown).
 */
const purchaseSuccessSchema = z.looseObject({
  status: z.union([z.literal(true), z.literal("true")]),
  data: z.looseObject({
    reference: idLike,
    msg: z.unknown().optional(),
    message: z.unknown().optional(),
    price: nairaLike.optional(),
    status: z.string().optional(),
  }),
});

const purchaseFailureSchema = z.looseObject({
  status: z.literal(false),
  msg: z.unknown().optional(),
  message: z.unknown().optional(),
  data: z.unknown().optional(),
});

const purchaseSchema = z.union([purchaseSuccessSchema, purchaseFailureSchema]);

const transactionSchema = z.looseObject({
  status: z.string(),
  reference: idLike.optional(),
  customer_reference: idLike.optional(),
  price: nairaLike.optional(),
});
type Transaction = z.infer<typeof transactionSchema>;

/** Requery shapes seen or guessed: `data` as one record or a list, or `transaction(s)` keys. */
const requerySchema = z.looseObject({
  status: z.literal(true),
  data: z.union([transactionSchema, z.array(transactionSchema)]).optional(),
  transaction: transactionSchema.optional(),
  transactions: z.array(transactionSchema).optional(),
});

const balanceSchema = z.looseObject({
  status: z.literal(true).optional(),
  balance: nairaLike.optional(),
  data: z.looseObject({ balance: nairaLike.optional() }).optional(),
});

const planSchema = z.looseObject({
  id: idLike,
  name: z.string(),
  price: nairaLike,
  network_id: idLike.optional(),
  telco_price: nairaLike.optional(),
});

const plansEnvelopeSchema = z.looseObject({
  status: z.literal(true).optional(),
  data: z.union([z.record(z.string(), z.array(z.unknown())), z.array(z.unknown())]).optional(),
  plans: z.array(z.unknown()).optional(),
});

// ---------------------------------------------------------------------------------------------

type Exchange =
  | { ok: true; body: unknown; raw: RawExchange }
  | { ok: false; problem: string; raw: RawExchange };

export function createSmePlugProvider(options: SmePlugOptions): VtuProvider {
  if (!options.baseUrl || !options.secretKey) {
    throw new Error("createSmePlugProvider needs baseUrl and secretKey");
  }
  // The key travels only in the header; the transport also scrubs it from anything SME Plug echoes back.
  const transport = createJsonTransport({
    baseUrl: options.baseUrl,
    secret: options.secretKey,
    headers: { Authorization: `Bearer ${options.secretKey}`, Accept: "application/json" },
    fetch: options.fetch,
    recordRequest: ({ method, path, body }) =>
      body === undefined ? { method, path } : { method, path, body },
    keepText: truncateText,
    describeTimeout: (timeoutMs) => `no answer within ${timeoutMs} ms`,
  });

  /**
   * One HTTP exchange. Never throws: a timeout, a dropped connection, a non-2xx, an empty or
   * non-JSON body all come back as `ok: false` with the reason in `raw.error`.
   */
  async function call(
    method: "GET" | "POST",
    path: string,
    body: Record<string, unknown> | undefined,
    timeoutMs: number,
  ): Promise<Exchange> {
    const exchange = await transport.call({ method, path, body, timeoutMs });
    const { raw } = exchange;
    const fail = (problem: string): Exchange => {
      raw.error = problem;
      return { ok: false, problem, raw };
    };
    if (exchange.text === undefined) {
      return fail(transport.redact(exchange.problem));
    }
    // Stricter than the transport: any non-2xx is unusable whatever its body, and the problems are
    // worded without "(HTTP n)".
    if (exchange.httpStatus < 200 || exchange.httpStatus > 299) {
      return fail(`HTTP ${exchange.httpStatus}`);
    }
    if (exchange.text.trim() === "") {
      return fail("empty body");
    }
    if (exchange.problem !== undefined) {
      return fail("body is not JSON");
    }
    return { ok: true, body: exchange.json, raw };
  }

  async function purchase(path: string, body: Record<string, unknown>): Promise<VendResult> {
    const exchange = await call("POST", path, body, options.purchaseTimeoutMs);
    if (!exchange.ok) {
      return unknown(exchange.raw, `No usable answer from SME Plug (${exchange.problem}).`);
    }
    const parsed = purchaseSchema.safeParse(exchange.body);
    if (!parsed.success) {
      exchange.raw.error = `unexpected response shape: ${z.prettifyError(parsed.error)}`;
      return unknown(exchange.raw, "SME Plug answered in a shape we do not recognise.");
    }
    const answer = parsed.data;
    if (answer.status === true || answer.status === "true") {
      const costKobo = toKobo(answer.data.price);
      const said = textOf(answer.data.msg) ?? textOf(answer.data.message);
      const outcome = answer.status === true ? acceptedOutcome(said, answer.data.status) : "unknown";
      if (outcome === "unknown") {
        exchange.raw.error =
          answer.status === true
            ? `unmapped wording "${said ?? ""}"${answer.data.status ? ` (status ${answer.data.status})` : ""}`
            : 'status is the string "true", not a boolean';
      }
      return {
        outcome,
        providerReference: answer.data.reference,
        message:
          said ??
          (outcome === "delivered" ? "Delivered" : "SME Plug accepted the order without saying more."),
        ...(costKobo === undefined ? {} : { costKobo }),
        raw: exchange.raw,
      };
    }
    const message = failureMessage(answer) ?? "SME Plug declined the purchase without saying why.";
    return {
      outcome: "failed",
      retryElsewhere: RETRY_ELSEWHERE_PATTERNS.some((pattern) => pattern.test(message)),
      message,
      raw: exchange.raw,
    };
  }

  async function requery(input: { requestId: string; providerReference?: string }): Promise<VendResult> {
    if (!input.providerReference) {
      // SME Plug has no lookup by our customer_reference that we trust, so asking would prove nothing.
      return unknown(
        { durationMs: 0, error: "no provider reference" },
        `SME Plug can only be asked about a purchase by its own reference, and none was recorded for ${input.requestId}. Check the SME Plug dashboard for customer reference ${input.requestId}.`,
      );
    }
    const reference = input.providerReference;
    const path = `/transactions?transaction_id=${encodeURIComponent(reference)}`;
    const exchange = await call("GET", path, undefined, options.readTimeoutMs);
    if (!exchange.ok) {
      return unknown(exchange.raw, `No usable answer from SME Plug (${exchange.problem}).`, reference);
    }
    const parsed = requerySchema.safeParse(exchange.body);
    if (!parsed.success) {
      exchange.raw.error = `unexpected response shape: ${z.prettifyError(parsed.error)}`;
      // Includes `status: false` ("not found"): for a reference SME Plug gave us, that proves nothing.
      const said = failureMessage(exchange.body);
      return unknown(
        exchange.raw,
        said ?? "SME Plug answered the requery in a shape we do not recognise.",
        reference,
      );
    }
    const transaction = pickTransaction(parsed.data, reference);
    if (!transaction) {
      exchange.raw.error = "transaction not in the answer";
      return unknown(exchange.raw, `SME Plug did not return transaction ${reference}.`, reference);
    }
    return fromTransactionStatus(transaction, reference, exchange.raw);
  }

  async function balance(): Promise<{ balanceKobo: number; raw: RawExchange }> {
    const exchange = await call("GET", "/account/balance", undefined, options.readTimeoutMs);
    if (!exchange.ok) {
      throw new ProviderUnavailableError(PROVIDER, "balance", exchange.raw);
    }
    const parsed = balanceSchema.safeParse(exchange.body);
    const value = parsed.success ? (parsed.data.balance ?? parsed.data.data?.balance) : undefined;
    const balanceKobo = value === undefined ? undefined : balanceToKobo(value);
    if (balanceKobo === undefined) {
      exchange.raw.error = parsed.success
        ? `balance ${JSON.stringify(value)} is not an amount`
        : `unexpected response shape: ${z.prettifyError(parsed.error)}`;
      throw new ProviderUnavailableError(PROVIDER, "balance", exchange.raw);
    }
    return { balanceKobo, raw: exchange.raw };
  }

  async function catalogue(): Promise<ProviderCatalogue> {
    const exchange = await call("GET", "/data/plans", undefined, options.readTimeoutMs);
    const plans = exchange.ok ? rawPlans(exchange.body) : undefined;
    if (!plans) {
      exchange.raw.error ??= "no plan list in the answer";
      // An empty catalogue would tell the sync to delist every SME Plug plan; say "unavailable" instead.
      throw new ProviderUnavailableError(PROVIDER, "catalogue", exchange.raw);
    }
    return {
      airtime: NETWORKS.map((network) => ({
        network,
        providerProductId: String(SMEPLUG_NETWORK_IDS[network]),
        // SME Plug does not publish an airtime discount; 0 means "unknown", not "none".
        discountBps: 0,
      })),
      data: plans.flatMap((plan) => toDataPlan(plan.item, plan.networkId) ?? []),
      cable: [],
      electricity: [],
    };
  }

  return {
    code: PROVIDER,
    services: ["airtime", "data"],
    idempotentRequestIds: false,
    wholeNairaServices: ["airtime"],
    buyAirtime: async (input) => {
      if (!Number.isSafeInteger(input.amountKobo) || input.amountKobo <= 0 || input.amountKobo % 100 !== 0) {
        // Airtime is sold in whole naira; refusing here sends nothing, so "failed" is exact.
        return {
          outcome: "failed",
          retryElsewhere: false,
          message: `SME Plug sells airtime in whole naira; ${input.amountKobo} kobo is not.`,
          raw: { durationMs: 0, error: "amount not in whole naira" },
        };
      }
      return purchase("/airtime/purchase", {
        network_id: SMEPLUG_NETWORK_IDS[input.network],
        amount: input.amountKobo / 100,
        phone: input.phone,
        customer_reference: input.requestId,
      });
    },
    buyData: async (input) =>
      purchase("/data/purchase", {
        network_id: SMEPLUG_NETWORK_IDS[input.network],
        plan_id: planIdForWire(input.providerPlanId),
        phone: input.phone,
        customer_reference: input.requestId,
      }),
    verifySmartcard: async () => {
      throw new UnsupportedServiceError(PROVIDER, "cable");
    },
    payCable: async () => {
      throw new UnsupportedServiceError(PROVIDER, "cable");
    },
    verifyMeter: async () => {
      throw new UnsupportedServiceError(PROVIDER, "electricity");
    },
    payElectricity: async () => {
      throw new UnsupportedServiceError(PROVIDER, "electricity");
    },
    requery,
    balance,
    catalogue,
  };
}

// ---------------------------------------------------------------------------------------------
// Classification helpers
// ---------------------------------------------------------------------------------------------

function unknown(raw: RawExchange, message: string, providerReference?: string): VendResult {
  return { outcome: "unknown", message, raw, ...(providerReference ? { providerReference } : {}) };
}

/**
 * What an accepted purchase (`status: true`) means, from its wording: a transaction status SME Plug
 * put in `data.status` first, then the message. Waiting words win over success words ("successfully
 * queued, processing" is not a delivery); wording we have not mapped is unknown, which holds the
 * funds and requeries with the reference we now have.
 */
const PENDING_WORDING =
  /\b(?:processing|pending|queued|in\s+progress|being\s+processed|submitted|accepted|initiated|awaiting)\b/i;
const DELIVERED_WORDING =
  /\b(?:success|successful|successfully|delivered|completed?|topped\s+up|gifted|credited)\b/i;

function acceptedOutcome(
  said: string | undefined,
  status: string | undefined,
): "delivered" | "pending" | "unknown" {
  const word = status?.trim().toLowerCase();
  if (word !== undefined && word !== "") {
    if (PENDING.has(word)) {
      return "pending";
    }
    if (!DELIVERED.has(word)) {
      return "unknown"; // failed inside an accepted answer, or a word we do not know: contradictory
    }
    return said !== undefined && PENDING_WORDING.test(said) ? "pending" : "delivered";
  }
  if (said === undefined) {
    return "unknown";
  }
  if (PENDING_WORDING.test(said)) {
    return "pending";
  }
  return DELIVERED_WORDING.test(said) ? "delivered" : "unknown";
}

const DELIVERED = new Set(["success", "successful", "delivered", "completed", "complete"]);
const PENDING = new Set(["pending", "processing", "initiated", "queued"]);
const FAILED = new Set(["failed", "failure", "fail", "declined", "cancelled", "canceled"]);
const REVERSED = new Set(["reversed", "refunded", "reversal"]);

function fromTransactionStatus(transaction: Transaction, reference: string, raw: RawExchange): VendResult {
  const status = transaction.status.trim().toLowerCase();
  const costKobo = toKobo(transaction.price);
  const base = { providerReference: reference, raw, ...(costKobo === undefined ? {} : { costKobo }) };
  const said = textOf(transaction.response) ?? textOf(transaction.memo);
  if (DELIVERED.has(status)) {
    return { ...base, outcome: "delivered", message: said ?? "Delivered" };
  }
  if (PENDING.has(status)) {
    return { ...base, outcome: "pending", message: said ?? "SME Plug is still processing this purchase." };
  }
  // A requeried failure stays with SME Plug: it may have been half-processed, so no failover from here.
  if (FAILED.has(status)) {
    return { ...base, outcome: "failed", retryElsewhere: false, message: said ?? "SME Plug says it failed." };
  }
  if (REVERSED.has(status)) {
    return {
      ...base,
      outcome: "failed",
      retryElsewhere: false,
      reversed: true,
      message: said ?? "SME Plug reversed this purchase.",
    };
  }
  raw.error = `unmapped transaction status "${transaction.status}"`;
  return { ...base, outcome: "unknown", message: `SME Plug reported status "${transaction.status}".` };
}

/** A list must contain our reference; a single record must not name a different one. */
function pickTransaction(answer: z.infer<typeof requerySchema>, reference: string): Transaction | undefined {
  const single = answer.transaction ?? (Array.isArray(answer.data) ? undefined : answer.data);
  if (single) {
    return single.reference === undefined || single.reference === reference ? single : undefined;
  }
  const list = answer.transactions ?? (Array.isArray(answer.data) ? answer.data : []);
  return list.find((item) => item.reference === reference);
}

/** SME Plug puts the reason in `msg` or `message`, at the top level or inside `data`. */
function failureMessage(body: unknown): string | undefined {
  const top = asRecord(body);
  const data = asRecord(top?.data);
  return textOf(top?.msg) ?? textOf(top?.message) ?? textOf(data?.msg) ?? textOf(data?.message);
}

/** Messages are usually strings; Laravel-style validation errors are objects, kept readable. */
function textOf(value: unknown): string | undefined {
  if (typeof value === "string") {
    return value.trim() === "" ? undefined : value.trim();
  }
  if (value === undefined || value === null) {
    return undefined;
  }
  return truncateText(JSON.stringify(value), 500);
}

// ---------------------------------------------------------------------------------------------
// Catalogue helpers
// ---------------------------------------------------------------------------------------------

const NETWORK_BY_ID = new Map<string, Network>(
  NETWORKS.map((network) => [String(SMEPLUG_NETWORK_IDS[network]), network]),
);

/** Both shapes seen: `data: { "1": [plans] }` keyed by network id, or a flat list with `network_id`. */
function rawPlans(body: unknown): { item: unknown; networkId?: string }[] | undefined {
  if (Array.isArray(body)) {
    return body.map((item) => ({ item }));
  }
  const parsed = plansEnvelopeSchema.safeParse(body);
  if (!parsed.success) {
    return undefined;
  }
  const { data, plans } = parsed.data;
  if (Array.isArray(data)) {
    return data.map((item) => ({ item }));
  }
  if (data) {
    return Object.entries(data).flatMap(([networkId, items]) => items.map((item) => ({ item, networkId })));
  }
  return plans?.map((item) => ({ item }));
}

/**
 * One plan → our vocabulary, or undefined to skip it. A plan is skipped when its network, size or
 * validity cannot be read, or when its name names a different network than the one it is filed
 * under (that would mean our network ids are wrong, and selling it would vend the wrong network).
 */
function toDataPlan(
  item: unknown,
  groupNetworkId: string | undefined,
): ProviderCatalogue["data"][number] | undefined {
  const parsed = planSchema.safeParse(item);
  if (!parsed.success) {
    return undefined;
  }
  const plan = parsed.data;
  const network = NETWORK_BY_ID.get(groupNetworkId ?? plan.network_id ?? "");
  const named = parseNetworkName(plan.name);
  const sizeMb = parseDataSizeMb(plan.name);
  const validityDays = parseValidityDays(plan.name);
  const costKobo = toKobo(plan.price);
  if (!network || (named && named !== network) || !sizeMb || !validityDays || costKobo === undefined) {
    return undefined;
  }
  return {
    network,
    providerProductId: plan.id,
    name: plan.name,
    sizeMb,
    validityDays,
    // A name with no family word is the telco's plain retail bundle (normalizeDataFamily("") too).
    family: parseFamilyFromName(plan.name) ?? "gifting",
    costKobo,
  };
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

/** Plan ids arrive as numbers in the catalogue; send them back the same way. */
function planIdForWire(planId: string): string | number {
  return /^\d{1,15}$/.test(planId) ? Number(planId) : planId;
}

function toKobo(value: string | number | undefined): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  try {
    return nairaToKobo(value);
  } catch {
    return undefined;
  }
}

/**
 * A balance is a reading, not a price: extra decimals ("1234.5678") are cut to whole kobo rather
 * than refusing the reading. Prices go through `nairaToKobo`, which refuses them.
 */
function balanceToKobo(value: string | number): number | undefined {
  const text = (typeof value === "number" ? String(value) : value).trim().replace(/,/g, "");
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match?.[1]) {
    return undefined;
  }
  return toKobo(match[2] ? `${match[1]}.${match[2].slice(0, 2)}` : match[1]);
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
