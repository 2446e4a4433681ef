import { koboToNairaString, nairaToKobo } from "../../api/services/money";
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
 * A local Inlomax (providers.md §1) on 127.0.0.1 for tests and the bench: the same paths, fields and
 * `{ status, message, data }` envelope as the real API, plus fault modes so a test can make it fail in
 * every way the real one might. It is also the ground truth a test checks the client against: every
 * request it saw and every transaction it really accepted.
 */

export const INLOMAX_MODES = [
  /** Vend and answer `success`. */
  "success",
  /** Definite failure, nothing vended ("Invalid mobile number" style). */
  "failed",
  /** Our merchant wallet at Inlomax is empty: failed, nothing vended, safe to fail over. */
  "out_of_float",
  /** Accepted as `processing`; requery resolves it after N requeries. */
  "processing_then_success",
  "processing_then_failed",
  "processing_then_reversed",
  /** Vends, then holds the (success) answer for `hangMs`, longer than the client waits. */
  "timeout_after_success",
  /** Holds the request for `hangMs` and drops the connection; nothing vended. */
  "timeout_before_processing",
  /** 500 with a JSON `failed` body, nothing vended (the app crashed before vending). */
  "http_500",
  /** 503 HTML page from the gateway, nothing vended. */
  "html_503",
  /** Vends, then answers a truncated JSON body: the client cannot know it was vended. */
  "garbage_json",
  /** Vends, then answers 200 with `status: "weird"`. */
  "unknown_status",
  /** Vends, then answers 200 with an empty body. */
  "empty_body",
  /**
   * Vends and answers `success`; a later requery (the Nth, see setRequeriesToResolve) says `failed`:
   * the network took it back. Inlomax documents only success/processing/failed, so this is how a
   * reversal after delivery arrives.
   */
  "success_then_failed",
  /** Vends and answers `success` with U+0000 inside the message and the customer name. */
  "nul_in_answer",
] as const;
export type InlomaxMode = (typeof INLOMAX_MODES)[number];

export type InlomaxService = "airtime" | "data" | "cable" | "electricity";
export type InlomaxVendState = "processing" | "success" | "failed" | "reversed";

export type EmulatorRequest = {
  method: string;
  /** Path relative to the base URL, e.g. "/airtime". */
  path: string;
  /** Parsed JSON body, the raw text when it was not JSON, undefined when there was none. */
  body: unknown;
  headers: { authorization?: string; authorizationToken?: string; contentType?: string };
  at: number;
};

export type EmulatorVend = {
  reference: string;
  service: InlomaxService;
  serviceID: string;
  recipient: string;
  /** Face value (airtime amount, plan price, bouquet price, electricity amount). */
  amountKobo: number;
  /** What Inlomax took from the merchant wallet. */
  costKobo: number;
  state: InlomaxVendState;
  /** Final state of a processing_then_* vend. */
  finalState: InlomaxVendState;
  requeries: number;
  token?: string;
  at: number;
};

export type RequestFilter =
  | { path?: string; method?: string; recipient?: string }
  | ((request: EmulatorRequest) => boolean);

export type InlomaxServicesFixture = {
  airtime: { network: string; serviceID: string; discount: string | number }[];
  dataPlans: {
    serviceID: string;
    network: string;
    dataPlan: string;
    amount: string;
    dataType: string;
    validity: string;
  }[];
  cablePlans: {
    serviceID: string;
    cablePlan: string;
    cable: string;
    amount: string;
    discount: string | number;
  }[];
  electricity: { disco: string; serviceID: string; discount: string | number }[];
  education: { serviceID: string; type: string; amount: string }[];
};

/**
 * The modes: `setMode` is the default for purchases and validations, `setModeFor` takes a phone, IUC or
 * meter number, `setPathMode` faults any endpoint ("/balance", "/services", "/transaction", …) regardless
 * of recipient, and `setHangMs` times the timeout_* modes.
 */
export type InlomaxEmulator = FaultModeSwitches<InlomaxMode> & {
  /** Base URL, e.g. http://127.0.0.1:41234/api */
  readonly url: string;
  readonly apiKey: string;
  close(): Promise<void>;
  /** Requeries a processing_then_* vend needs before it resolves (default 1). */
  setRequeriesToResolve(n: number): void;
  setBalanceKobo(kobo: number): void;
  balanceKobo(): number;
  /** Replace the `/services` data (e.g. with malformed items). */
  setServices(services: unknown): void;
  /** Change a vend's state by hand (e.g. the network reverses a delivered one later). */
  setVendState(reference: string, state: InlomaxVendState): void;
  /** Back to defaults: modes, hang, requeries (requests and vends are kept). */
  resetModes(): void;
  readonly requests: readonly EmulatorRequest[];
  readonly vends: readonly EmulatorVend[];
  countRequests(filter?: RequestFilter): number;
};

/** The realistic fixture catalogue served by `/services` (shapes from tada-vtu's real dump). */
export function inlomaxFixtureServices(): InlomaxServicesFixture {
  return {
    airtime: [
      { network: "MTN", serviceID: "1", discount: "3" },
      { network: "AIRTEL", serviceID: "2", discount: "3.5%" },
      { network: "GLO", serviceID: "3", discount: 4 },
      { network: "9MOBILE", serviceID: "4", discount: "4" },
    ],
    dataPlans: [
      plan("97", "MTN", "500MB", "SME", "350.00", "30 Days"),
      plan("16", "MTN", "1GB", "CORPORATE GIFTING", "620", "30 Days"),
      plan("245", "MTN", "2GB", "GIFTING", "1,000.00", "30 Days"),
      plan("301", "MTN", "1.5GB", "AWOOF", "500", "2 Days"),
      plan("302", "MTN", "10GB", "DATA SHARE", "4,500.00", "30 Days"),
      plan("410", "AIRTEL", "1GB", "CORPORATE GIFTING", "640", "30 Days"),
      plan("411", "AIRTEL", "2GB", "GIFTING", "1,450.00", "30 Days"),
      plan("412", "AIRTEL", "750MB", "SOCIAL BUNDLES", "300", "7 Days"),
      // Real dumps carry voice bundles with no data size: the client must skip them, not fail the sync.
      plan("413", "AIRTEL", "N500 Talkmore", "TALKMORE", "490", "30 Days"),
      plan("520", "GLO", "1GB", "CORPORATE GIFTING", "450", "30 Days"),
      plan("521", "GLO", "3.9GB", "GIFTING", "1,000.00", "30 Days"),
      plan("522", "GLO", "5GB", "CORPORATE GIFTING", "2,150.50", "30 Days"),
      plan("630", "9MOBILE", "1GB", "CORPORATE GIFTING", "400", "30 Days"),
      plan("631", "9MOBILE", "1.5GB", "GIFTING", "1,000", "30 Days"),
      plan("632", "9MOBILE", "4.5GB", "GIFTING", "2,000.00", "30 Days"),
    ],
    cablePlans: [
      cablePlan("701", "DStv Padi", "DSTV", "4,400.00", "1"),
      cablePlan("702", "DStv Yanga", "DSTV", "6,000.00", "1"),
      cablePlan("703", "DStv Confam", "DSTV", "11,000.00", "1"),
      cablePlan("704", "DStv Compact", "DSTV", "19,000.00", "1"),
      cablePlan("711", "GOtv Smallie", "GOTV", "1,900.00", "1.5"),
      cablePlan("712", "GOtv Jinja", "GOTV", "3,900.00", "1.5"),
      cablePlan("713", "GOtv Jolli", "GOTV", "5,800.00", "1.5"),
      cablePlan("714", "GOtv Max", "GOTV", "8,500.00", "1.5"),
      cablePlan("721", "Startimes Nova", "STARTIMES", "1,900.00", "2"),
      cablePlan("722", "Startimes Basic", "STARTIMES", "3,700.00", "2"),
      cablePlan("723", "Startimes Smart", "STARTIMES", "4,700.00", "2"),
    ],
    electricity: [
      { disco: "Ikeja Electric", serviceID: "1", discount: "1" },
      { disco: "Eko Electric", serviceID: "2", discount: "1" },
      { disco: "Abuja Electric", serviceID: "3", discount: "1.2" },
      { disco: "Ibadan Electric", serviceID: "4", discount: "1" },
      { disco: "Port Harcourt Electric", serviceID: "5", discount: "0.8%" },
      { disco: "Kano Electric", serviceID: "6", discount: 1 },
    ],
    education: [{ serviceID: "801", type: "WAEC", amount: "3,500.00" }],
  };
}

function plan(
  serviceID: string,
  network: string,
  dataPlan: string,
  dataType: string,
  amount: string,
  validity: string,
) {
  return { serviceID, network, dataPlan, amount, dataType, validity };
}

function cablePlan(serviceID: string, name: string, cable: string, amount: string, discount: string) {
  return { serviceID, cablePlan: name, cable, amount, discount };
}

/** Names the validate endpoints return for any valid number. */
export const EMULATOR_CABLE_CUSTOMER = "ADEBAYO OLUWASEUN JOHNSON";
export const EMULATOR_CABLE_BOUQUET = "DStv Compact";
export const EMULATOR_METER_CUSTOMER = "MRS FOLAKE ADEYEMI";

/** Inlomax's answer when its app crashed, and its gateway's error page. */
const GATEWAY_PAGES: GatewayPages = {
  http500: { status: "failed", message: "Internal Server Error" },
  html503:
    "<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center><hr><center>nginx</center></body></html>",
};
const AIRTIME_IDS: Record<string, string> = { "1": "MTN", "2": "AIRTEL", "3": "GLO", "4": "9MOBILE" };
const CABLE_NAMES = ["dstv", "gotv", "startimes"];
const DEFAULT_BALANCE_KOBO = 50_000_000;

type JsonObject = Record<string, unknown>;

export async function startInlomaxEmulator(
  options: { apiKey?: string; seed?: number } = {},
): Promise<InlomaxEmulator> {
  const apiKey = options.apiKey ?? "inlomax-test-key";
  const random = mulberry32(options.seed ?? 1);
  const requests: EmulatorRequest[] = [];
  const vends: EmulatorVend[] = [];
  const modes = faultModes<InlomaxMode>("success");
  let requeriesToResolve = 1;
  let balanceKobo = DEFAULT_BALANCE_KOBO;
  let services: unknown = inlomaxFixtureServices();
  let sequence = 0;

  function fixture(): Partial<InlomaxServicesFixture> {
    return typeof services === "object" && services !== null
      ? (services as Partial<InlomaxServicesFixture>)
      : {};
  }

  function newReference(): string {
    sequence += 1;
    return `IMX${String(sequence).padStart(6, "0")}${Math.floor(random() * 1e6)
      .toString()
      .padStart(6, "0")}`;
  }

  function newToken(): string {
    let token = "";
    for (let i = 0; i < 20; i += 1) {
      token += Math.floor(random() * 10).toString();
    }
    return token;
  }

  /** Faults that happen in front of the app (gateway, crash before vend): identical on every endpoint. */
  function preAppFault(mode: InlomaxMode): Outcome | undefined {
    return gatewayFault(mode, GATEWAY_PAGES);
  }

  /** How a processed answer is mangled on the way back (the work itself already happened). */
  function postAppFault(mode: InlomaxMode, reply: JsonObject): Reply | undefined {
    switch (mode) {
      case "garbage_json":
        return { status: 200, body: JSON.stringify(reply).slice(0, 25) };
      case "unknown_status":
        return json(200, { ...reply, status: "weird" });
      case "empty_body":
        return { status: 200, body: "" };
      default:
        return undefined;
    }
  }

  function failed(message: string): Reply {
    return json(200, { status: "failed", message });
  }

  /** Shared purchase path: pre-app faults, definite failures, vend, then the answer per mode. */
  function purchase(
    recipient: string,
    item: { service: InlomaxService; serviceID: string; amountKobo: number; costKobo: number },
    describe: (vend: EmulatorVend) => JsonObject,
    invalidRecipient: string | undefined,
  ): Outcome {
    const mode = modes.modeFor(recipient);
    const early = preAppFault(mode);
    if (early) {
      return early;
    }
    if (invalidRecipient !== undefined) {
      return failed(invalidRecipient);
    }
    if (mode === "failed") {
      return failed(`Transaction failed: ${recipient} is not a valid recipient for this service.`);
    }
    if (mode === "out_of_float" || balanceKobo < item.costKobo) {
      return failed("Insufficient balance, fund your wallet");
    }
    const processing = mode.startsWith("processing_then_");
    const finalState: InlomaxVendState =
      mode === "processing_then_failed" || mode === "success_then_failed"
        ? "failed"
        : mode === "processing_then_reversed"
          ? "reversed"
          : "success";
    const vend: EmulatorVend = {
      reference: newReference(),
      ...item,
      recipient,
      state: processing ? "processing" : "success",
      finalState,
      requeries: 0,
      at: Date.now(),
    };
    balanceKobo -= item.costKobo;
    vends.push(vend);
    const body: JsonObject = {
      status: processing ? "processing" : "success",
      message: processing ? "Transaction is processing" : "Transaction successful",
      data: { ...describe(vend), reference: vend.reference, status: vend.state },
    };
    if (mode === "nul_in_answer") {
      body.message = "Transaction\u0000 successful";
      body.data = { ...(body.data as JsonObject), customerName: "ADA\u0000 OBI", note: "\u0000" };
    }
    const mangled = postAppFault(mode, body);
    if (mangled) {
      return mangled;
    }
    if (mode === "timeout_after_success") {
      return { hang: json(200, body) };
    }
    return json(200, body);
  }

  function handleAirtime(body: JsonObject) {
    const recipient = text(body.mobileNumber);
    const network = AIRTIME_IDS[text(body.serviceID)];
    const amountKobo = parseAmount(body.amount);
    if (!network || amountKobo === undefined || amountKobo <= 0) {
      return failed("Invalid serviceID or amount");
    }
    if (amountKobo % 100 !== 0) {
      // Inlomax takes whole naira only.
      return failed("Amount must be a whole number");
    }
    const discount = fixture().airtime?.find((a) => a.serviceID === text(body.serviceID))?.discount ?? 0;
    const costKobo = applyDiscount(amountKobo, discount);
    return purchase(
      recipient,
      { service: "airtime", serviceID: text(body.serviceID), amountKobo, costKobo },
      () => ({
        type: "airtime",
        amount: nairaNumber(amountKobo),
        amountCharged: nairaNumber(costKobo),
        phoneNumber: recipient,
        network,
      }),
      /^0\d{10}$/.test(recipient) ? undefined : "Invalid mobile number",
    );
  }

  function handleData(body: JsonObject) {
    const recipient = text(body.mobileNumber);
    const found = fixture().dataPlans?.find((p) => p.serviceID === text(body.serviceID));
    const amountKobo = found ? parseAmount(found.amount) : undefined;
    if (!found || amountKobo === undefined) {
      return failed("Invalid data plan serviceID");
    }
    return purchase(
      recipient,
      { service: "data", serviceID: found.serviceID, amountKobo, costKobo: amountKobo },
      () => ({
        type: "data",
        amount: found.amount,
        dataPlan: found.dataPlan,
        dataType: found.dataType,
        network: found.network,
      }),
      /^0\d{10}$/.test(recipient) ? undefined : "Invalid mobile number",
    );
  }

  function handleSubCable(body: JsonObject) {
    const recipient = text(body.iucNum);
    const found = fixture().cablePlans?.find((p) => p.serviceID === text(body.serviceID));
    const amountKobo = found ? parseAmount(found.amount) : undefined;
    if (!found || amountKobo === undefined) {
      return failed("Invalid cable plan serviceID");
    }
    const costKobo = applyDiscount(amountKobo, found.discount);
    return purchase(
      recipient,
      { service: "cable", serviceID: found.serviceID, amountKobo, costKobo },
      () => ({ type: "cable", amount: found.amount, iucNum: recipient, cable: found.cable }),
      /^\d{6,20}$/.test(recipient) ? undefined : "Invalid IUC number",
    );
  }

  function handlePayElectric(body: JsonObject) {
    const recipient = text(body.meterNum);
    const found = fixture().electricity?.find((d) => d.serviceID === text(body.serviceID));
    const meterType = text(body.meterType);
    const amountKobo = parseAmount(body.amount);
    if (!found || amountKobo === undefined || amountKobo <= 0 || (meterType !== "1" && meterType !== "2")) {
      return failed("Invalid disco, meter type or amount");
    }
    if (amountKobo % 100 !== 0) {
      return failed("Amount must be a whole number");
    }
    const costKobo = applyDiscount(amountKobo, found.discount);
    return purchase(
      recipient,
      { service: "electricity", serviceID: found.serviceID, amountKobo, costKobo },
      (vend) => {
        if (meterType === "1") {
          vend.token = newToken();
        }
        return {
          type: "electricity",
          token: vend.token ?? "",
          customerName: EMULATOR_METER_CUSTOMER,
          amount: nairaNumber(amountKobo),
          amountCharged: nairaNumber(costKobo),
          meterNum: recipient,
          disco: found.disco,
        };
      },
      /^\d{6,20}$/.test(recipient) ? undefined : "Invalid meter number",
    );
  }

  /** Validations share the fault modes but never vend: "failed" (or a number ending 0000) means invalid. */
  function validate(recipient: string, known: boolean, invalidMessage: string, data: JsonObject): Outcome {
    const mode = modes.modeFor(recipient);
    const early = preAppFault(mode);
    if (early) {
      return early;
    }
    if (!known) {
      return failed("Invalid serviceID");
    }
    if (mode === "failed" || recipient.endsWith("0000") || !/^\d{6,20}$/.test(recipient)) {
      return failed(invalidMessage);
    }
    const body: JsonObject = { status: "success", message: "Validation successful", data };
    const mangled = postAppFault(mode, body);
    if (mangled) {
      return mangled;
    }
    return mode === "timeout_after_success" ? { hangThenDrop: true } : json(200, body);
  }

  function handleValidateCable(body: JsonObject): Outcome {
    const serviceID = text(body.serviceID);
    const known =
      CABLE_NAMES.includes(serviceID.toLowerCase()) ||
      (fixture().cablePlans?.some((p) => p.serviceID === serviceID) ?? false);
    return validate(text(body.iucNum), known, "Invalid IUC number", {
      customerName: EMULATOR_CABLE_CUSTOMER,
      currentBouquet: EMULATOR_CABLE_BOUQUET,
    });
  }

  function handleValidateMeter(body: JsonObject): Outcome {
    const meterType = text(body.meterType);
    const known =
      (meterType === "1" || meterType === "2") &&
      (fixture().electricity?.some((d) => d.serviceID === text(body.serviceID)) ?? false);
    return validate(text(body.meterNum), known, "Invalid meter number", {
      customerName: EMULATOR_METER_CUSTOMER,
    });
  }

  /** Requery: the current state; processing_then_* vends resolve on the Nth requery. */
  function handleTransaction(body: JsonObject): Reply {
    const vend = vends.find((v) => v.reference === text(body.reference));
    if (!vend) {
      return failed("Transaction not found");
    }
    vend.requeries += 1;
    const resolves =
      vend.state === "processing" || (vend.state === "success" && vend.finalState !== "success");
    if (resolves && vend.requeries >= requeriesToResolve) {
      vend.state = vend.finalState;
      if (vend.state !== "success") {
        balanceKobo += vend.costKobo;
      }
    }
    return json(200, {
      status: "success",
      message: "Transaction retrieved",
      data: {
        type: vend.service,
        reference: vend.reference,
        amount: nairaNumber(vend.amountKobo),
        date: new Date(vend.at).toISOString().replace("T", " ").slice(0, 19),
        status: vend.state,
      },
    });
  }

  function route(method: string, path: string, body: unknown): Outcome {
    const pathMode = modes.pathMode(path);
    const early = pathMode ? preAppFault(pathMode) : undefined;
    if (early) {
      return early;
    }
    const reply = dispatch(method, path, body);
    return pathMode ? applyPathMode(pathMode, reply) : reply;
  }

  /** A path-wide mode wraps whatever the endpoint answered (recipient modes were applied inside). */
  function applyPathMode(mode: InlomaxMode, reply: Outcome): Outcome {
    if ("hang" in reply || "hangThenDrop" in reply || reply.status !== 200) {
      return reply;
    }
    if (mode === "failed") {
      return failed("Request failed");
    }
    if (mode === "out_of_float") {
      return failed("Insufficient balance, fund your wallet");
    }
    if (mode === "timeout_after_success") {
      return { hang: reply };
    }
    const parsed = safeJson(reply.body);
    if (typeof parsed !== "object" || parsed === null) {
      return reply;
    }
    if (mode.startsWith("processing_then_")) {
      return json(200, { ...(parsed as JsonObject), status: "processing" });
    }
    return postAppFault(mode, parsed as JsonObject) ?? reply;
  }

  function dispatch(method: string, path: string, body: unknown): Outcome {
    const getRoutes: Record<string, () => Reply> = {
      "/balance": () =>
        json(200, { status: "success", message: "Balance", data: { funds: formatNaira(balanceKobo) } }),
      "/services": () => json(200, { status: "success", message: "Services", data: services }),
    };
    const postRoutes: Record<string, (body: JsonObject) => Outcome> = {
      "/airtime": handleAirtime,
      "/data": handleData,
      "/subcable": handleSubCable,
      "/payelectric": handlePayElectric,
      "/validatecable": handleValidateCable,
      "/validatemeter": handleValidateMeter,
      "/transaction": handleTransaction,
    };
    const get = getRoutes[path];
    const post = postRoutes[path];
    if (get) {
      return method === "GET" ? get() : json(405, { status: "failed", message: "Method not allowed" });
    }
    if (!post) {
      return json(404, { status: "failed", message: "Endpoint not found" });
    }
    if (method !== "POST") {
      return json(405, { status: "failed", message: "Method not allowed" });
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return json(400, { status: "failed", message: "Invalid request body" });
    }
    return post(body as JsonObject);
  }

  const server = await startEmulatorServer({
    basePath: "/api",
    hangMs: modes.hangMs,
    record: ({ method, path, body, header }) => {
      const headers = {
        authorization: header("authorization"),
        authorizationToken: header("authorization-token"),
        contentType: header("content-type"),
      };
      requests.push({ method, path, body, headers, at: Date.now() });
    },
    authorize: ({ header }) =>
      header("authorization") === `Token ${apiKey}`
        ? undefined
        : json(401, { status: "failed", message: "Invalid API key. Authentication failed." }),
    route: ({ method, path, body }) => route(method, path, body),
  });

  return {
    url: server.url,
    apiKey,
    close: server.close,
    ...modes.switches,
    setRequeriesToResolve: (n) => {
      requeriesToResolve = n;
    },
    setBalanceKobo: (kobo) => {
      balanceKobo = kobo;
    },
    balanceKobo: () => balanceKobo,
    setServices: (next) => {
      services = next;
    },
    setVendState: (reference, state) => {
      const vend = vends.find((v) => v.reference === reference);
      if (!vend) {
        throw new Error(`No Inlomax emulator transaction ${reference}`);
      }
      if (vend.state === "success" && state !== "success") {
        balanceKobo += vend.costKobo;
      }
      vend.state = state;
      vend.finalState = state;
    },
    resetModes: () => {
      modes.reset();
      requeriesToResolve = 1;
    },
    requests,
    vends,
    countRequests: (filter) =>
      requests.filter((request) => matchesRequest(request, filter, matchesRecipient)).length,
  };
}

/** The `recipient` filter: the phone, IUC or meter number in the request body. */
function matchesRecipient(request: EmulatorRequest, filter: { recipient?: string }): boolean {
  if (filter.recipient === undefined) {
    return true;
  }
  const body = (typeof request.body === "object" && request.body !== null ? request.body : {}) as JsonObject;
  const recipients = [body.mobileNumber, body.iucNum, body.meterNum].map((v) => text(v));
  return recipients.includes(filter.recipient);
}

function text(value: unknown): string {
  return typeof value === "string" || typeof value === "number" ? String(value).trim() : "";
}

/** Inlomax accepts amounts as numbers or numeric strings; anything else is a bad request. */
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

/** cost = face × (1 − discount%), rounded to the kobo; discount as "3", "3.5%" or 3. */
function applyDiscount(amountKobo: number, discount: string | number): number {
  const percent = Number(String(discount).replace("%", "").trim());
  const bps = Number.isFinite(percent) ? Math.round(percent * 100) : 0;
  return Math.round((amountKobo * (10_000 - bps)) / 10_000);
}

/** Kobo as the JSON number Inlomax answers with (98.5 for 9850). */
function nairaNumber(kobo: number): number {
  return Number(koboToNairaString(kobo));
}

/** 50000050 → "500,000.50": the comma-grouped string form some Inlomax fields use. */
function formatNaira(kobo: number): string {
  const naira = Math.floor(kobo / 100).toLocaleString("en-US");
  return `${naira}.${String(kobo % 100).padStart(2, "0")}`;
}

/** Small deterministic PRNG so references and tokens repeat for a given seed. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
