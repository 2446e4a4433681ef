import { randomInt } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../../../db/database";
import { addDays, lagosDate } from "../../services/vtu/due-date";
import type {
  CableProvider,
  ProviderCatalogue,
  RawExchange,
  VendResult,
  VerifyResult,
  VtuProvider,
  VtuService,
} from "../../services/vtu/provider";
import { bouquetPriceKobo, fallbackCatalogue, primaryCatalogue, SANDBOX_CURRENT_BOUQUET } from "./fixtures";
import { isInvalidAccount, type SandboxScenario, sandboxDueInDays, scenarioFor } from "./scenarios";

export type SandboxOptions = {
  db: Kysely<Database>;
  /** "primary" sells everything and can run out of float; "fallback" sells airtime and data. */
  role: "primary" | "fallback";
  latencyMs: number;
  /** How long a "timeout" scenario hangs before the caller gives up. */
  timeoutMs: number;
  /** How long pending transactions take to resolve (and delivered-then-reversed ones to reverse). */
  pendingSeconds: number;
  now?: () => Date;
  /** Like a real provider's webhook: told when a pending transaction resolves or one is reversed. */
  onWebhook?: (event: { provider: string; reference: string; requestId: string }) => void;
};

/**
 * What each scenario books in the provider's own table as it answers (the status a later requery
 * finds), and whether it moves on by itself later (pending → final, delivered → reversed). A timeout
 * before processing books nothing: the provider never saw the request. A repeated request id finds
 * what was booked and is answered with it, as a real provider answers a duplicate.
 */
type Booking = { status: Row["status"]; resolves: boolean };
const BOOKINGS: Record<SandboxScenario, Booking | undefined> = {
  success: { status: "success", resolves: false },
  failed: { status: "failed", resolves: false },
  out_of_float: { status: "failed", resolves: false },
  pending_then_success: { status: "processing", resolves: true },
  pending_then_failed: { status: "processing", resolves: true },
  timeout_after_success: { status: "success", resolves: false },
  timeout_before_processing: undefined,
  garbage_body: { status: "success", resolves: false },
  success_then_reversed: { status: "success", resolves: true },
};

type Row = {
  reference: string;
  status: "processing" | "success" | "failed" | "reversed" | "not_processed";
  scenario: string;
  token: string | null;
  resolve_at: Date | null;
  service: string;
  recipient: string;
  amount_kobo: number;
};

/**
 * A provider that behaves like a real one (latency, pending, timeouts, garbage, reversals) with
 * outcomes chosen by the recipient. It keeps its own books in `sandbox_vtu_transactions`, so it
 * answers requeries across restarts and processes, and it de-duplicates on our request id.
 */
export function createSandboxProvider(options: SandboxOptions): VtuProvider {
  const code = options.role === "primary" ? "sandbox" : "sandbox-b";
  // Like the providers they stand in for: the primary as Inlomax, the fallback as SME Plug.
  const wholeNaira: readonly VtuService[] =
    options.role === "primary" ? ["airtime", "electricity"] : ["airtime"];
  const now = options.now ?? (() => new Date());
  const { db } = options;

  async function vend(input: {
    service: VtuService;
    requestId: string;
    recipient: string;
    amountKobo: number;
    product?: string;
    /** Electricity: only prepaid meters get a token; postpaid is a bill payment. */
    prepaid?: boolean;
  }): Promise<VendResult> {
    const started = Date.now();
    const request = { ...input };
    await sleep(options.latencyMs);
    if (wholeNaira.includes(input.service) && input.amountKobo % 100 !== 0) {
      // As the real providers do: refused before anything is processed.
      return {
        outcome: "failed",
        retryElsewhere: false,
        message: "Amount must be a whole number of naira",
        raw: raw(request, started, 200, { status: "failed", message: "Amount must be a whole number" }),
      };
    }
    let scenario: SandboxScenario = scenarioFor(input.recipient);
    if (options.role === "fallback" && scenario === "out_of_float") {
      scenario = "success";
    }
    const reference = `SBX${Date.now().toString(36).toUpperCase()}${randomInt(1e9).toString(36).toUpperCase()}`;
    const token = input.service === "electricity" && input.prepaid ? electricityToken() : null;
    const later = new Date(now().getTime() + options.pendingSeconds * 1000);
    const booking = BOOKINGS[scenario];
    // One statement in the usual case (a purchase's only sandbox statement): book the transaction,
    // or, when this request id booked one already, read that one and answer with it.
    const existing = booking ? await book(booking) : await find(input.requestId);
    if (existing) {
      return fromRow(
        existing,
        raw(request, started, 200, { duplicate: true, reference: existing.reference }),
      );
    }
    if (booking?.resolves) {
      schedule(options, code, reference, input.requestId, later);
    }
    switch (scenario) {
      case "failed":
        return {
          outcome: "failed",
          retryElsewhere: false,
          providerReference: reference,
          message: "Invalid recipient: the number was rejected by the network",
          raw: raw(request, started, 200, { status: "failed", message: "Invalid recipient" }),
        };
      case "out_of_float":
        return {
          outcome: "failed",
          retryElsewhere: true,
          providerReference: reference,
          message: "Insufficient balance: fund your wallet",
          raw: raw(request, started, 200, { status: "failed", message: "Insufficient balance" }),
        };
      case "pending_then_success":
      case "pending_then_failed":
        return {
          outcome: "pending",
          providerReference: reference,
          message: "Transaction is processing",
          raw: raw(request, started, 200, { status: "processing", reference }),
        };
      case "timeout_after_success":
      case "timeout_before_processing":
        await sleep(options.timeoutMs);
        return {
          outcome: "unknown",
          message: "The provider did not answer in time",
          raw: raw(request, started, undefined, undefined, "timeout"),
        };
      case "garbage_body":
        return {
          outcome: "unknown",
          message: "The provider's answer could not be read",
          raw: raw(request, started, 200, '<html>502 Bad Gateway</html>{"sta'),
        };
      default:
        return {
          outcome: "delivered",
          providerReference: reference,
          message: "Transaction successful",
          token: token ?? undefined,
          units: token ? unitsFor(input.amountKobo) : undefined,
          raw: raw(request, started, 200, { status: "success", reference, token }),
        };
    }

    /** Book this request's transaction; answers the one it booked before when there is one. */
    async function book(booking: Booking): Promise<Row | undefined> {
      const inserted = await db
        .insertInto("sandbox_vtu_transactions")
        .values({
          provider: code,
          request_id: input.requestId,
          reference,
          service: input.service,
          recipient: input.recipient,
          amount_kobo: input.amountKobo,
          product: input.product ?? null,
          scenario,
          status: booking.status,
          token,
          resolve_at: booking.resolves ? later : null,
        })
        .onConflict((oc) => oc.columns(["provider", "request_id"]).doNothing())
        .returning("reference")
        .executeTakeFirst();
      return inserted ? undefined : await find(input.requestId);
    }
  }

  /**
   * The card's due date (README "Cable renewal reminders"): `sandboxDueInDays` from today, or 30
   * days after the last cable payment this sandbox delivered for the card when that is later (a
   * renewal moves it on, as the biller's would). None for cards starting 99 (like Inlomax, which
   * returns no due date).
   */
  async function sandboxDueDate(smartcard: string): Promise<string | undefined> {
    const inDays = sandboxDueInDays(smartcard);
    if (inDays === undefined) {
      return undefined;
    }
    const base = addDays(lagosDate(now()), inDays);
    const paid = await db
      .selectFrom("sandbox_vtu_transactions")
      .select((eb) => eb.fn.max("created_at").as("at"))
      .where("service", "=", "cable")
      .where("recipient", "=", smartcard)
      .where("status", "=", "success")
      .executeTakeFirst();
    const renewed = paid?.at ? addDays(lagosDate(new Date(paid.at)), 30) : undefined;
    return renewed && renewed > base ? renewed : base;
  }

  async function find(requestId: string): Promise<Row | undefined> {
    const row = await db
      .selectFrom("sandbox_vtu_transactions")
      .select([
        "reference",
        "status",
        "scenario",
        "token",
        "resolve_at",
        "service",
        "recipient",
        "amount_kobo",
      ])
      .where("provider", "=", code)
      .where("request_id", "=", requestId)
      .executeTakeFirst();
    return row ? settle(row) : undefined;
  }

  /** Move a transaction whose time has come to its final state (the provider "finished" it). */
  async function settle(row: Row): Promise<Row> {
    if (!row.resolve_at || row.resolve_at > now()) {
      return row;
    }
    const next: Row["status"] | undefined =
      row.scenario === "pending_then_success"
        ? "success"
        : row.scenario === "pending_then_failed"
          ? "failed"
          : row.scenario === "success_then_reversed"
            ? "reversed"
            : undefined;
    if (!next || next === row.status) {
      return row;
    }
    await db
      .updateTable("sandbox_vtu_transactions")
      .set({ status: next, resolve_at: null })
      .where("reference", "=", row.reference)
      .execute();
    return { ...row, status: next, resolve_at: null };
  }

  function fromRow(row: Row, rawExchange: RawExchange): VendResult {
    const base = { providerReference: row.reference, raw: rawExchange };
    switch (row.status) {
      case "success":
        return {
          ...base,
          outcome: "delivered",
          message: "Transaction successful",
          token: row.token ?? undefined,
          units: row.token ? unitsFor(row.amount_kobo) : undefined,
        };
      case "processing":
        return { ...base, outcome: "pending", message: "Transaction is processing" };
      case "reversed":
        return {
          ...base,
          outcome: "failed",
          retryElsewhere: false,
          reversed: true,
          message: "Transaction reversed by the network",
        };
      case "failed":
        return {
          ...base,
          outcome: "failed",
          retryElsewhere: row.scenario === "out_of_float",
          message:
            row.scenario === "out_of_float"
              ? "Insufficient balance: fund your wallet"
              : "Transaction failed at the network",
        };
      default:
        return {
          ...base,
          outcome: "failed",
          retryElsewhere: false,
          notFound: true,
          message: "Transaction not processed",
        };
    }
  }

  return {
    code,
    services: options.role === "primary" ? ["airtime", "data", "cable", "electricity"] : ["airtime", "data"],
    idempotentRequestIds: true,
    wholeNairaServices: wholeNaira,
    buyAirtime: (i) =>
      vend({
        service: "airtime",
        requestId: i.requestId,
        recipient: i.phone,
        amountKobo: i.amountKobo,
        product: i.network,
      }),
    buyData: (i) =>
      vend({
        service: "data",
        requestId: i.requestId,
        recipient: i.phone,
        amountKobo: 0,
        product: i.providerPlanId,
      }),
    payCable: (i) =>
      vend({
        service: "cable",
        requestId: i.requestId,
        recipient: i.smartcard,
        amountKobo: i.amountKobo,
        product: i.providerPlanId,
      }),
    payElectricity: (i) =>
      vend({
        service: "electricity",
        requestId: i.requestId,
        recipient: i.meterNumber,
        amountKobo: i.amountKobo,
        product: i.providerDiscoId,
        prepaid: i.meterType === "prepaid",
      }),
    async verifySmartcard(i): Promise<VerifyResult> {
      const started = Date.now();
      await sleep(options.latencyMs);
      if (isInvalidAccount(i.smartcard)) {
        return {
          ok: false,
          reason: "invalid",
          message: "Invalid smartcard number",
          raw: raw(i, started, 200, { status: "failed" }),
        };
      }
      const current = SANDBOX_CURRENT_BOUQUET[i.cable as CableProvider];
      const dueDate = await sandboxDueDate(i.smartcard);
      return {
        ok: true,
        customerName: "SANDBOX VIEWER ADEBAYO",
        currentBouquet: current,
        renewalAmountKobo: bouquetPriceKobo(i.cable, current),
        ...(dueDate ? { dueDate } : {}),
        raw: raw(i, started, 200, { status: "success" }),
      };
    },
    async verifyMeter(i): Promise<VerifyResult> {
      const started = Date.now();
      await sleep(options.latencyMs);
      if (isInvalidAccount(i.meterNumber)) {
        return {
          ok: false,
          reason: "invalid",
          message: "Invalid meter number",
          raw: raw(i, started, 200, { status: "failed" }),
        };
      }
      return {
        ok: true,
        customerName: "SANDBOX METER OKONKWO",
        address: "12 Allen Avenue, Ikeja",
        raw: raw(i, started, 200, { status: "success" }),
      };
    },
    async requery(i): Promise<VendResult> {
      const started = Date.now();
      await sleep(options.latencyMs);
      const row = await find(i.requestId);
      if (!row) {
        return {
          outcome: "failed",
          retryElsewhere: false,
          notFound: true,
          message: "No transaction with that request id",
          raw: raw(i, started, 200, { status: "not_found" }),
        };
      }
      return fromRow(row, raw(i, started, 200, { status: row.status, reference: row.reference }));
    },
    async balance() {
      return { balanceKobo: 50_000_000_00, raw: { durationMs: 0, body: { funds: "50000000" } } };
    },
    async catalogue(): Promise<ProviderCatalogue> {
      await sleep(options.latencyMs);
      return options.role === "primary" ? primaryCatalogue() : fallbackCatalogue();
    },
  };
}

/** Tell the caller about a transaction when it resolves, like a provider webhook (best effort). */
function schedule(options: SandboxOptions, provider: string, reference: string, requestId: string, at: Date) {
  if (!options.onWebhook) {
    return;
  }
  const notify = options.onWebhook;
  const delay = Math.max(0, at.getTime() - Date.now()) + 50;
  setTimeout(() => notify({ provider, reference, requestId }), delay).unref();
}

function raw(
  request: unknown,
  started: number,
  httpStatus?: number,
  body?: unknown,
  error?: string,
): RawExchange {
  return { request, httpStatus, body, error, durationMs: Date.now() - started };
}

function electricityToken(): string {
  let token = "";
  for (let i = 0; i < 20; i++) {
    token += String(randomInt(10));
  }
  return token;
}

function unitsFor(amountKobo: number): string {
  // ~₦209.5/kWh (Band A, 2026): show something believable.
  return `${(amountKobo / 100 / 209.5).toFixed(1)} kWh`;
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
