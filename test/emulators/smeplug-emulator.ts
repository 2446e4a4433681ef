import { nairaToKobo } from "../../api/services/money";
import type { FaultModeSwitches, GatewayPages, Outcome, Reply } from "./emulator-server";
import {
  faultModes,
  gatewayFault,
  json,
  matchesRequest,
  safeJson,
  startEmulatorServer,
} from "./emulator-server";

/**
 * A local SME Plug (providers.md §2) on 127.0.0.1 for tests: the same paths, Bearer auth, boolean
 * `status` envelope and network ids (MTN 1, Airtel 2, 9mobile 3, Glo 4) as the integrations we
 * learned it from, plus fault modes. It is the ground truth a test checks the client against:
 * every request it saw and every purchase it really vended.
 */

export const SMEPLUG_MODES = [
  /** Vend and answer `status: true`. */
  "success",
  /** Definite decline, nothing vended (bad number for the network). */
  "failed",
  /** Our merchant wallet at SME Plug is empty: declined, nothing vended, safe to fail over. */
  "out_of_float",
  /** Vends, then holds the success answer for `hangMs` (longer than the client waits). */
  "timeout_after_success",
  /** Holds the request for `hangMs` and drops the connection; nothing vended. */
  "timeout_before_processing",
  /** 500 with a JSON body, nothing vended (the app crashed before vending). */
  "http_500",
  /** 503 HTML page from the gateway, nothing vended. */
  "html_503",
  /** Vends, then answers a truncated JSON body. */
  "garbage_json",
  /** Vends, then answers 200 with an empty body. */
  "empty_body",
  /** Vends, then answers `status: "success"` (a string, not the boolean SME Plug uses). */
  "unmapped_status",
  /** Vends, then answers `status: true` without `data.reference`. */
  "schema_mismatch",
  /**
   * SME Plug purchases have no "pending" answer, so a slow vend looks like this: accepted, then the
   * connection drops after `hangMs`; requery shows `pending` until it resolves to success.
   */
  "pending_then_success",
  /** As above, resolving to `failed`. */
  "pending_then_failed",
  /**
   * Accepted, not delivered: `status: true` with "Transaction is processing" and a reference (as SME
   * Plug answers for orders it queues); requery shows `pending`, then `success`.
   */
  "accepted_then_success",
  /** As above, resolving to `failed` (nothing delivered). */
  "accepted_then_failed",
  /** Vends, then answers `status: "true"` (a string) with the reference. */
  "status_string_true",
  /** Vends and answers success; a later requery (the Nth) says `failed`: taken back after delivery. */
  "success_then_failed",
] as const;
export type SmePlugMode = (typeof SMEPLUG_MODES)[number];

export type SmePlugTransactionStatus = "pending" | "success" | "failed" | "reversed";

export type SmePlugRequest = {
  method: string;
  /** Path relative to the base URL without the query, e.g. "/data/purchase". */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON body, the raw text when it was not JSON, undefined when there was none. */
  body: unknown;
  authorization?: string;
  at: number;
};

export type SmePlugVend = {
  reference: string;
  customer_reference?: string;
  type: "airtime" | "data";
  network_id: number;
  phone: string;
  /** Airtime face value, or the data plan's price. */
  amountKobo: number;
  /** What SME Plug took from the merchant wallet. */
  costKobo: number;
  plan_id?: number;
  planName?: string;
  status: SmePlugTransactionStatus;
  /** What a pending vend becomes once requeried enough. */
  finalStatus: SmePlugTransactionStatus;
  requeries: number;
  at: number;
};

export type SmePlugPlan = { id: number; name: string; price: number; telco_price?: number };

export type SmePlugRequestFilter =
  | { path?: string; method?: string; phone?: string }
  | ((request: SmePlugRequest) => boolean);

/**
 * The modes: `setMode` is the default for purchases, `setModeFor` takes a phone number, `setPathMode`
 * faults a read endpoint ("/account/balance", "/data/plans", "/transactions"), and `setHangMs` times the
 * timeout and pending modes.
 */
export type SmePlugEmulator = FaultModeSwitches<SmePlugMode> & {
  /** Base URL, e.g. http://127.0.0.1:41234/api/v1 */
  readonly url: string;
  readonly secretKey: string;
  close(): Promise<void>;
  /** Requeries a pending vend answers `pending` before it resolves (default 1). */
  setPendingRequeries(n: number): void;
  /** Change a vend's state by hand (e.g. a later reversal). */
  setTransactionStatus(reference: string, status: SmePlugTransactionStatus): void;
  /** `/data/plans` shape: grouped by network id (default) or a flat list with `network_id`. */
  setPlanShape(shape: "grouped" | "flat"): void;
  /** Replace the plans, keyed by network id. */
  setPlans(plans: Record<string, SmePlugPlan[]>): void;
  /** `/account/balance` shape: `balance` at the top level as a number (default) or in `data` as a string. */
  setBalanceShape(shape: "top" | "data"): void;
  setBalanceKobo(kobo: number): void;
  balanceKobo(): number;
  /** Back to defaults: modes, hang, shapes (requests, vends and balance are kept). */
  resetModes(): void;
  readonly requests: readonly SmePlugRequest[];
  readonly vends: readonly SmePlugVend[];
  countRequests(filter?: SmePlugRequestFilter): number;
};

/** Fixture plans, keyed by SME Plug network id, named the way SME Plug names them. */
export function smePlugFixturePlans(): Record<string, SmePlugPlan[]> {
  return {
    "1": [
      { id: 1, name: "MTN 500MB SME - 30 days", price: 140 },
      { id: 2, name: "MTN 1GB SME - 30 days", price: 265 },
      { id: 3, name: "MTN 2GB SME - 30 days", price: 530 },
      { id: 4, name: "MTN 1.5GB Corporate Gifting - 30 days", price: 420.5, telco_price: 1000 },
      { id: 5, name: "MTN 1GB Awoof - 1 day", price: 230 },
      // No size in the name: the client must skip it, not fail the whole catalogue.
      { id: 6, name: "MTN Special Offer", price: 100 },
    ],
    "2": [
      { id: 21, name: "Airtel 1GB Corporate Gifting - 30 days", price: 290 },
      { id: 22, name: "Airtel 500MB CG - 7 days", price: 160 },
    ],
    "3": [
      { id: 31, name: "9mobile 1GB Gifting - 30 days", price: 900 },
      { id: 32, name: "9MOBILE 2GB SME - 30 days", price: 600 },
    ],
    "4": [
      { id: 41, name: "GLO 1GB CG - 30 days", price: 270 },
      { id: 42, name: "Glo 2.5GB Gifting - 2 days", price: 500 },
    ],
  };
}

const DEFAULT_BALANCE_KOBO = 50_000_000;
/** SME Plug's answer when its app crashed, and its gateway's error page. */
const GATEWAY_PAGES: GatewayPages = {
  http500: { message: "Server Error" },
  html503:
    "<html><head><title>503 Service Unavailable</title></head><body><h1>503 Service Unavailable</h1><hr>cloudflare</body></html>",
};
const NETWORK_NAMES: Record<string, string> = { "1": "MTN", "2": "AIRTEL", "3": "9MOBILE", "4": "GLO" };

type JsonObject = Record<string, unknown>;

export async function startSmePlugEmulator(options: { secretKey?: string } = {}): Promise<SmePlugEmulator> {
  const secretKey = options.secretKey ?? "smeplug-test-secret";
  const requests: SmePlugRequest[] = [];
  const vends: SmePlugVend[] = [];
  const modes = faultModes<SmePlugMode>("success");
  let pendingRequeries = 1;
  let planShape: "grouped" | "flat" = "grouped";
  let balanceShape: "top" | "data" = "top";
  let plans = smePlugFixturePlans();
  let balanceKobo = DEFAULT_BALANCE_KOBO;
  let sequence = 0;

  function newReference(): string {
    sequence += 1;
    return `SMEP${String(sequence).padStart(8, "0")}`;
  }

  /** Faults in front of the app (gateway, crash before vending): nothing is recorded. */
  function preAppFault(mode: SmePlugMode): Outcome | undefined {
    return gatewayFault(mode, GATEWAY_PAGES);
  }

  /** How an answer is mangled on the way back; the vend itself already happened. */
  function postAppFault(mode: SmePlugMode, reply: JsonObject): Outcome | undefined {
    switch (mode) {
      case "timeout_after_success":
        return { hang: json(200, reply) };
      case "garbage_json":
        return { status: 200, body: JSON.stringify(reply).slice(0, 30) };
      case "empty_body":
        return { status: 200, body: "" };
      case "unmapped_status":
        return json(200, { ...reply, status: "success" });
      case "schema_mismatch":
        return json(200, { status: true, data: { msg: "Successful" } });
      case "pending_then_success":
      case "pending_then_failed":
        return { hangThenDrop: true };
      default:
        return undefined;
    }
  }

  function declined(message: string, key: "msg" | "message" = "message"): Reply {
    return json(200, { status: false, [key]: message });
  }

  function purchase(
    phone: string,
    item: Omit<SmePlugVend, "reference" | "phone" | "status" | "finalStatus" | "requeries" | "at">,
    message: string,
  ): Outcome {
    const mode = modes.modeFor(phone);
    const early = preAppFault(mode);
    if (early) {
      return early;
    }
    if (!/^0\d{10}$/.test(phone)) {
      return declined("Invalid phone number");
    }
    if (mode === "failed") {
      return declined(`${phone} is not a valid number for the selected network`);
    }
    if (mode === "out_of_float" || balanceKobo < item.costKobo) {
      return declined("Insufficient wallet balance", "msg");
    }
    const accepted = mode === "accepted_then_success" || mode === "accepted_then_failed";
    const pending = mode === "pending_then_success" || mode === "pending_then_failed" || accepted;
    const failsLater =
      mode === "pending_then_failed" || mode === "accepted_then_failed" || mode === "success_then_failed";
    const vend: SmePlugVend = {
      ...item,
      reference: newReference(),
      phone,
      status: pending ? "pending" : "success",
      finalStatus: failsLater ? "failed" : "success",
      requeries: 0,
      at: Date.now(),
    };
    balanceKobo -= item.costKobo;
    vends.push(vend);
    if (accepted) {
      return json(200, {
        status: true,
        data: { msg: "Transaction is processing", reference: vend.reference },
      });
    }
    if (mode === "status_string_true") {
      return json(200, { status: "true", data: { msg: "Successful", reference: vend.reference } });
    }
    const reply = { status: true, data: { msg: message, reference: vend.reference } };
    return postAppFault(mode, reply) ?? json(200, reply);
  }

  function handleAirtime(body: JsonObject): Outcome {
    const networkId = numberOf(body.network_id);
    const amountKobo = koboOf(body.amount);
    if (networkId === undefined || !NETWORK_NAMES[String(networkId)]) {
      return declined("Invalid network selected");
    }
    if (amountKobo === undefined || amountKobo < 5000) {
      return declined("Invalid amount. Minimum airtime is N50");
    }
    const phone = text(body.phone);
    return purchase(
      phone,
      {
        type: "airtime",
        customer_reference: optionalText(body.customer_reference),
        network_id: networkId,
        amountKobo,
        costKobo: amountKobo,
      },
      `You have successfully topped up ${phone} with N${amountKobo / 100} ${NETWORK_NAMES[String(networkId)]} airtime`,
    );
  }

  function handleData(body: JsonObject): Outcome {
    const networkId = numberOf(body.network_id);
    const planId = numberOf(body.plan_id);
    // Plans live under their network: a plan sent with the wrong network id is refused, as it should be.
    const plan = plans[String(networkId)]?.find((p) => p.id === planId);
    if (networkId === undefined || planId === undefined || !plan) {
      return declined("Invalid plan selected for this network");
    }
    const costKobo = nairaToKobo(plan.price);
    const phone = text(body.phone);
    return purchase(
      phone,
      {
        type: "data",
        customer_reference: optionalText(body.customer_reference),
        network_id: networkId,
        amountKobo: costKobo,
        costKobo,
        plan_id: plan.id,
        planName: plan.name,
      },
      `You have successfully gifted ${phone} with ${plan.name}`,
    );
  }

  function transactionView(vend: SmePlugVend): JsonObject {
    return {
      reference: vend.reference,
      customer_reference: vend.customer_reference ?? null,
      status: vend.status,
      type: vend.type === "data" ? "Data purchase" : "Airtime purchase",
      beneficiary: vend.phone,
      memo: vend.planName ?? `N${vend.amountKobo / 100} airtime`,
      response: vend.status === "success" ? "Delivered" : vend.status,
      price: vend.costKobo / 100,
      created_at: new Date(vend.at).toISOString(),
    };
  }

  /** Requery: the current state; a pending vend resolves after `pendingRequeries` answers. */
  function handleTransactions(query: Record<string, string>): Reply {
    const reference = query.transaction_id;
    if (reference === undefined) {
      return json(200, { status: true, data: vends.map(transactionView) });
    }
    const vend = vends.find((v) => v.reference === reference);
    if (!vend) {
      return json(404, { status: false, message: "Transaction not found" });
    }
    const resolves =
      vend.status === "pending" || (vend.status === "success" && vend.finalStatus !== "success");
    if (resolves && vend.requeries >= pendingRequeries) {
      vend.status = vend.finalStatus;
      if (vend.status !== "success") {
        balanceKobo += vend.costKobo;
      }
    }
    vend.requeries += 1;
    return json(200, { status: true, data: transactionView(vend) });
  }

  function handlePlans(): Reply {
    if (planShape === "grouped") {
      return json(200, { status: true, data: plans });
    }
    // The flat shape as one client reads it; prices as strings there, to keep the client honest.
    const flat = Object.entries(plans).flatMap(([networkId, list]) =>
      list.map((plan) => ({ ...plan, price: plan.price.toFixed(2), network_id: Number(networkId) })),
    );
    return json(200, { status: true, data: flat });
  }

  function handleBalance(): Reply {
    const naira = balanceKobo / 100;
    return balanceShape === "top"
      ? json(200, { status: true, balance: naira })
      : json(200, {
          status: true,
          data: { balance: naira.toLocaleString("en-NG", { minimumFractionDigits: 2 }) },
        });
  }

  function dispatch(method: string, path: string, query: Record<string, string>, body: unknown): Outcome {
    const gets: Record<string, () => Reply> = {
      "/networks": () =>
        json(200, { status: true, networks: { "1": "MTN", "2": "AIRTEL", "3": "9MOBILE", "4": "GLO" } }),
      "/data/plans": handlePlans,
      "/account/balance": handleBalance,
      "/balance": handleBalance,
      "/transactions": () => handleTransactions(query),
    };
    const posts: Record<string, (body: JsonObject) => Outcome> = {
      "/airtime/purchase": handleAirtime,
      "/data/purchase": handleData,
    };
    const get = gets[path];
    if (get) {
      return method === "GET"
        ? withPathMode(path, get)
        : json(405, { status: false, message: "Method not allowed" });
    }
    const post = posts[path];
    if (!post) {
      return json(404, { status: false, message: "Route not found" });
    }
    if (method !== "POST") {
      return json(405, { status: false, message: "Method not allowed" });
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return json(422, { status: false, message: "Invalid request body" });
    }
    return post(body as JsonObject);
  }

  /** Read endpoints can be faulted as a whole; a mangled read changes nothing on the server. */
  function withPathMode(path: string, handler: () => Reply): Outcome {
    const mode = modes.pathMode(path);
    if (!mode) {
      return handler();
    }
    const early = preAppFault(mode);
    if (early) {
      return early;
    }
    if (mode === "failed" || mode === "out_of_float") {
      return declined(mode === "failed" ? "Request failed" : "Insufficient wallet balance");
    }
    const reply = handler();
    const parsed = safeJson(reply.body);
    return (reply.status === 200 && isObject(parsed) ? postAppFault(mode, parsed) : undefined) ?? reply;
  }

  const server = await startEmulatorServer({
    basePath: "/api/v1",
    hangMs: modes.hangMs,
    record: ({ method, path, query, body, header }) => {
      requests.push({ method, path, query, body, authorization: header("authorization"), at: Date.now() });
    },
    authorize: ({ header }) =>
      header("authorization") === `Bearer ${secretKey}`
        ? undefined
        : json(401, { status: false, message: "Unauthenticated." }),
    route: ({ method, path, query, body }) => dispatch(method, path, query, body),
  });

  return {
    url: server.url,
    secretKey,
    close: server.close,
    ...modes.switches,
    setPendingRequeries: (n) => {
      pendingRequeries = n;
    },
    setTransactionStatus: (reference, status) => {
      const vend = vends.find((v) => v.reference === reference);
      if (!vend) {
        throw new Error(`No SME Plug emulator transaction ${reference}`);
      }
      vend.status = status;
      vend.finalStatus = status;
    },
    setPlanShape: (shape) => {
      planShape = shape;
    },
    setPlans: (next) => {
      plans = next;
    },
    setBalanceShape: (shape) => {
      balanceShape = shape;
    },
    setBalanceKobo: (kobo) => {
      balanceKobo = kobo;
    },
    balanceKobo: () => balanceKobo,
    resetModes: () => {
      modes.reset();
      pendingRequeries = 1;
      planShape = "grouped";
      balanceShape = "top";
      plans = smePlugFixturePlans();
    },
    requests,
    vends,
    countRequests: (filter) =>
      requests.filter((request) => matchesRequest(request, filter, matchesPhone)).length,
  };
}

/** The `phone` filter: the phone number in the request body. */
function matchesPhone(request: SmePlugRequest, filter: { phone?: string }): boolean {
  return filter.phone === undefined || (isObject(request.body) && text(request.body.phone) === filter.phone);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : "";
}

function optionalText(value: unknown): string | undefined {
  const result = text(value);
  return result === "" ? undefined : result;
}

/** SME Plug takes ids as numbers or numeric strings. */
function numberOf(value: unknown): number | undefined {
  const result =
    typeof value === "number" ? value : /^\d+$/.test(text(value)) ? Number(text(value)) : Number.NaN;
  return Number.isSafeInteger(result) ? result : undefined;
}

function koboOf(value: unknown): number | undefined {
  if (typeof value !== "number" && typeof value !== "string") {
    return undefined;
  }
  try {
    return nairaToKobo(value);
  } catch {
    return undefined;
  }
}
