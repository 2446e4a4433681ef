import { ServiceError } from "../errors";

/**
 * The one interface every VTU provider implements (Inlomax, SME Plug, the sandbox). The services own
 * it; clients live in `api/providers/*` and never decide what an outcome means for money — they only
 * classify what the provider said. The order service decides what to do with it (DESIGN §6).
 */

export const NETWORKS = ["mtn", "airtel", "glo", "9mobile"] as const;
export type Network = (typeof NETWORKS)[number];

export const SERVICES = ["airtime", "data", "cable", "electricity"] as const;
export type VtuService = (typeof SERVICES)[number];

export const CABLE_PROVIDERS = ["dstv", "gotv", "startimes"] as const;
export type CableProvider = (typeof CABLE_PROVIDERS)[number];

/** Our DisCo codes (providers.md §6); provider ids map onto these during catalogue sync. */
export const DISCOS = [
  "abuja",
  "benin",
  "eko",
  "enugu",
  "ibadan",
  "ikeja",
  "jos",
  "kaduna",
  "kano",
  "portharcourt",
  "yola",
  "aba",
] as const;
export type Disco = (typeof DISCOS)[number];

export const METER_TYPES = ["prepaid", "postpaid"] as const;
export type MeterType = (typeof METER_TYPES)[number];

/** What the provider actually returned, kept on the attempt row for support and audits. */
export type RawExchange = {
  /** Request body as sent (never contains our API key: keys travel in headers). */
  request?: unknown;
  httpStatus?: number;
  /** Parsed JSON when it parsed, otherwise the text (truncated to 4 kB). */
  body?: unknown;
  /** Network/timeout/parse problem, in words. */
  error?: string;
  durationMs: number;
};

/**
 * - delivered: the provider says the value reached the recipient.
 * - pending:   the provider accepted it and is still processing ("processing", 099): requery.
 * - failed:    a definite answer that nothing was vended. `retryElsewhere` is true only when the
 *              failure is on the provider's side (out of float, product unavailable), so sending
 *              the same order to another provider cannot double-vend and may succeed.
 * - unknown:   timeout, 5xx, empty/HTML/garbage body, zod parse failure, unmapped status. We do not
 *              know whether value was sent: hold the funds, requery, never fail over.
 */
export type VendOutcome =
  | { outcome: "delivered" }
  | { outcome: "pending" }
  | {
      outcome: "failed";
      retryElsewhere: boolean;
      /** Requery only: the provider reversed a transaction it had accepted or delivered. */
      reversed?: boolean;
      /** Requery only: the provider has no record of this request (VTpass 015 style). */
      notFound?: boolean;
    }
  | { outcome: "unknown" };

export type VendResult = VendOutcome & {
  /** The provider's own reference for this transaction (needed by some requery endpoints). */
  providerReference?: string;
  /** Human-readable message from the provider (or ours when it said nothing useful). */
  message: string;
  /** Electricity (prepaid): the token as the provider returned it (digits, maybe grouped). */
  token?: string;
  units?: string;
  customerName?: string;
  /** What the provider charged us, when it says so. */
  costKobo?: number;
  raw: RawExchange;
};

export type VerifyResult =
  | {
      ok: true;
      customerName: string;
      /** Cable: the bouquet currently on the card, as the provider names it. */
      currentBouquet?: string;
      /** Cable renew: what the provider says the renewal costs. */
      renewalAmountKobo?: number;
      /** Cable: the day the current subscription ends, "YYYY-MM-DD" (Lagos), when the provider says. */
      dueDate?: string;
      address?: string;
      raw: RawExchange;
    }
  | {
      ok: false;
      /** invalid: the number does not exist / is wrong. unavailable: we could not ask (timeout, 5xx). */
      reason: "invalid" | "unavailable";
      message: string;
      raw: RawExchange;
    };

/** A provider's catalogue, normalised to our vocabulary (see `api/services/catalogue/normalize.ts`). */
export type ProviderCatalogue = {
  airtime: { network: Network; providerProductId: string; discountBps: number }[];
  data: {
    network: Network;
    providerProductId: string;
    /** The provider's own plan name, for support. */
    name: string;
    sizeMb: number;
    validityDays: number;
    /** sme, cg, gifting, share, awoof, social, talkmore, … */
    family: string;
    costKobo: number;
  }[];
  cable: {
    cable: CableProvider;
    providerProductId: string;
    name: string;
    /** Canonical bouquet slug, e.g. "compact", "jinja". */
    slug: string;
    /** Face price of the bouquet. */
    amountKobo: number;
    discountBps: number;
  }[];
  electricity: { disco: Disco; providerProductId: string; discountBps: number }[];
};

export type AirtimeRequest = { requestId: string; network: Network; phone: string; amountKobo: number };
export type DataRequest = { requestId: string; network: Network; phone: string; providerPlanId: string };
export type CablePayRequest = {
  requestId: string;
  cable: CableProvider;
  smartcard: string;
  /** The bouquet's provider product id. */
  providerPlanId: string;
  amountKobo: number;
  subscription: "renew" | "change";
  phone?: string;
};
export type ElectricityPayRequest = {
  requestId: string;
  /** The disco's provider product id. */
  providerDiscoId: string;
  meterNumber: string;
  meterType: MeterType;
  amountKobo: number;
  phone?: string;
};

export type VtuProvider = {
  /** Stable code stored on attempts: "inlomax", "smeplug", "sandbox", "sandbox-b". */
  readonly code: string;
  readonly services: readonly VtuService[];
  /**
   * True when sending the same requestId twice is safe (the provider de-duplicates on it) and
   * `requery` can look a transaction up by our requestId alone. When false, a purchase that may
   * have been sent is never re-sent: it is requeried by the provider's reference or reviewed by hand.
   */
  readonly idempotentRequestIds: boolean;
  /**
   * Services whose face amount this provider takes in whole naira only (Inlomax: airtime and
   * electricity; SME Plug: airtime). An order for such a service with kobo in its amount is refused
   * before any money moves when any provider that could serve it has this rule.
   */
  readonly wholeNairaServices: readonly VtuService[];

  buyAirtime(input: AirtimeRequest): Promise<VendResult>;
  buyData(input: DataRequest): Promise<VendResult>;
  verifySmartcard(input: {
    cable: CableProvider;
    providerPlanId?: string;
    smartcard: string;
  }): Promise<VerifyResult>;
  payCable(input: CablePayRequest): Promise<VendResult>;
  verifyMeter(input: {
    providerDiscoId: string;
    meterNumber: string;
    meterType: MeterType;
  }): Promise<VerifyResult>;
  payElectricity(input: ElectricityPayRequest): Promise<VendResult>;
  /** Ask for the current state of an earlier purchase. */
  requery(input: { requestId: string; providerReference?: string }): Promise<VendResult>;
  /** Our float at the provider. */
  balance(): Promise<{ balanceKobo: number; raw: RawExchange }>;
  catalogue(): Promise<ProviderCatalogue>;
};

/**
 * `balance()` and `catalogue()` have no "unknown" in their return types, and answering 0 or an empty
 * catalogue would be a lie a sync could act on (deleting every product). So they throw this instead.
 */
export class ProviderUnavailableError extends ServiceError {
  constructor(
    provider: string,
    what: string,
    readonly raw: RawExchange,
  ) {
    super(
      "unavailable",
      "PROVIDER_UNAVAILABLE",
      `${provider} ${what} is unavailable: ${raw.error ?? "bad answer"}`,
      {
        provider,
      },
    );
  }
}

/** Thrown by a client for a service it does not offer (SME Plug has no cable/electricity). */
export class UnsupportedServiceError extends Error {
  constructor(provider: string, service: string) {
    super(`${provider} does not offer ${service}`);
    this.name = "UnsupportedServiceError";
  }
}
