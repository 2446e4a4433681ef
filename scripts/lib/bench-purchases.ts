/**
 * The purchase rows of `npm run bench`: sandbox airtime purchases end to end over HTTP (the clients
 * in the load generator's child process, see http-load.ts), and beside them the raw purchase floor
 * (bench-purchase-floor.ts) on the same database. Run once on the bench database and once more on a
 * durable one.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type pg from "pg";
import type { Config } from "../../api/config";
import { FINAL_STATES } from "../../api/services/vtu";
import { LISTEN_BACKLOG } from "../runtime/http";
import type { CostMeter, CostSnapshot } from "./bench-cost";
import type { PurchaseBench } from "./bench-http";
import { type Measured, measured, opsOf, runMetered, warmUp } from "./bench-measure";
import { createPurchaseFloor } from "./bench-purchase-floor";
import { formatMs, formatRate, percentile } from "./bench-stats";
import type { HttpLoad } from "./http-load-client";

/**
 * A purchase not answered within this long is a failed request. The first purchase of each client
 * waits for its bcrypt PIN check behind up to 63 others on one event loop (~20 s here).
 */
const PURCHASE_TIMEOUT_MS = 60_000;
/** How long to wait after the purchases for orders that answered before delivery to settle. */
const SETTLE_TIMEOUT_MS = 20_000;

export type PurchaseRun = {
  /** The first purchase per client (PIN cache cold): the warm-up of the measured run. */
  cold: Measured;
  service: Measured;
  floor: Measured;
  coldStates: Map<string, number>;
  runStates: Map<string, number>;
  /** Every bench order after the run, once settled (or SETTLE_TIMEOUT_MS passed). */
  settledStates: Map<string, number>;
  /** delivered_at − created_at of the delivered orders, ascending ms. */
  coldLagMs: Float64Array;
  runLagMs: Float64Array;
  failedJobs: number;
  walletProblems: string[];
  floorProblems: string[];
  /** The last cost snapshot (after the floor's run): a run warmed up beforehand may start from it. */
  after: CostSnapshot;
};

/**
 * One purchase per client (the warm-up, measured as its own row when `measureCold`), `seconds` of
 * purchases, then the raw floor with as many callers; each between cost snapshots. The floor warms
 * up first, so the purchases' last snapshot starts its run. `label` prefixes the row names.
 */
export async function runPurchases(args: {
  http: PurchaseBench;
  load: HttpLoad;
  meter: CostMeter;
  raw: pg.Pool;
  clients: number;
  fundKobo: number;
  seconds: number;
  warmupMs: number;
  label: string;
  measureCold: boolean;
  progress(message: string): void;
}): Promise<PurchaseRun> {
  const { http, load, meter, progress } = args;
  // Made before the first snapshot, so its commits are settled before anything is measured.
  const floor = await createPurchaseFloor(args.raw, {
    callers: args.clients,
    fundKobo: args.fundKobo,
    tag: randomBytes(4).toString("hex"),
    shards: http.ctx().config.SYSTEM_ACCOUNT_SHARDS,
  });
  const floorName = `${args.label}raw purchase floor, ${args.clients} callers (2 SQL statements per purchase)`;
  progress(`${floorName}: ${args.warmupMs / 1000} s warm-up (measured after the purchases)`);
  const floorWarmup = await warmUp(floor.purchase, args.clients, args.warmupMs);

  // The warm-up is one purchase per client: it pays each client's first bcrypt PIN check (then the
  // verified-PIN cache answers, as for a reseller buying all day) and is measured as its own row.
  const coldName = `${args.label}first purchase per client (PIN cache cold)`;
  progress(`${coldName}: ${args.clients} concurrent purchases, the warm-up of the measured run`);
  const s0 = args.measureCold ? await meter.snapshot() : undefined;
  const coldFrom = new Date();
  const cold = await load.purchases(
    http.purchases({
      label: "cold",
      durationMs: PURCHASE_TIMEOUT_MS,
      maxOpsPerClient: 1,
      timeoutMs: PURCHASE_TIMEOUT_MS,
    }),
  );
  const s1 = await meter.snapshot();
  const runFrom = new Date();
  const serviceName = `${args.label}sandbox airtime purchases over HTTP, ${args.clients} clients`;
  progress(`${serviceName}: ${args.seconds} s measured`);
  const run = await load.purchases(
    http.purchases({ label: "run", durationMs: args.seconds * 1000, timeoutMs: PURCHASE_TIMEOUT_MS }),
  );
  const runTo = new Date();
  const s2 = await meter.snapshot();
  progress("HTTP purchases: waiting for every order to settle");
  const settledStates = await http.settle(SETTLE_TIMEOUT_MS);

  progress(`${floorName}: ${args.seconds} s measured`);
  const floorRun = await runMetered({
    meter,
    before: s2,
    name: floorName,
    op: floor.purchase,
    callers: args.clients,
    seconds: args.seconds,
    warmup: floorWarmup,
  });
  const flag = (name: string, states: Map<string, number>) =>
    everyDelivered(states) ? name : `${name} — NOT ALL DELIVERED`;
  return {
    cold: measured(flag(coldName, cold.states), cold.run, {
      cost: s0 ? meter.diff(s0, s1, opsOf(cold.run)) : undefined,
    }),
    service: measured(flag(serviceName, run.states), run.run, { cost: meter.diff(s1, s2, opsOf(run.run)) }),
    floor: floorRun.row,
    coldStates: cold.states,
    runStates: run.states,
    settledStates,
    coldLagMs: await http.deliveryLagMs(coldFrom, runFrom),
    runLagMs: await http.deliveryLagMs(runFrom, runTo),
    failedJobs: http.failedJobs(),
    walletProblems: await http.verifyWallets(),
    floorProblems: await floor.verify(),
    after: floorRun.after,
  };
}

export function purchasesContext(config: Config, jobsKind: string, clients: number): string {
  return (
    `purchases: ${clients} node:http clients in a child process → the Hono app on 127.0.0.1 (@hono/node-server, ` +
    `listen backlog ${LISTEN_BACKLOG}, net.core.somaxconn ${somaxconn()}), ` +
    `POST /api/vtu/airtime; order jobs ${config.VTU_DISPATCH === "auto" ? "run in this process" : `on BullMQ/${jobsKind}`} (concurrency ${config.VTU_WORKER_CONCURRENCY}); ` +
    `sandbox latency ${config.SANDBOX_LATENCY_MS} ms; VTU_RESPONSE_WAIT_MS=${config.VTU_RESPONSE_WAIT_MS}; ` +
    `PIN bcrypt cost ${config.PIN_BCRYPT_COST} (bcryptjs, pure JS), PIN_VERIFY_CACHE_SECONDS=${config.PIN_VERIFY_CACHE_SECONDS}; ` +
    `the purchases' warm-up is one purchase per client (its own row)`
  );
}

/** The kernel's cap on a listen backlog (the claim storm needs room for 2,000 connections at once). */
function somaxconn(): string {
  try {
    return readFileSync("/proc/sys/net/core/somaxconn", "utf8").trim();
  } catch {
    return "?";
  }
}

/** What the purchase run saw besides its timings; `bound` is the bcrypt row, when measured. */
export function describePurchases(p: PurchaseRun, label: string, bound?: Measured): string[] {
  const responses = (states: Map<string, number>) =>
    `${total(states)} responses, ${formatStates(states)} — ${everyDelivered(states) ? "all delivered" : "NOT ALL DELIVERED"}`;
  const open = [...p.settledStates].filter(([state]) => !(FINAL_STATES as readonly string[]).includes(state));
  const lag = (lagMs: Float64Array) =>
    `p50 ${formatMs(percentile(lagMs, 50))} ms, p99 ${formatMs(percentile(lagMs, 99))} ms (${lagMs.length} orders)`;
  const lines = [
    `${label}purchase responses, measured run:         ${responses(p.runStates)}`,
    `${label}purchase responses, first per client:     ${responses(p.coldStates)}`,
    `${label}orders after settling (≤ ${SETTLE_TIMEOUT_MS / 1000} s): ${total(p.settledStates)} orders, ` +
      `${formatStates(p.settledStates)}${open.length > 0 ? " — SOME NEVER SETTLED" : ""}`,
    `${label}VTU worker: ${p.failedJobs} failed job attempt(s)`,
    `${label}order created → delivered by the worker (created after the PIN check, so this excludes it):`,
    `  measured run:         ${lag(p.runLagMs)}`,
    `  first per client:     ${lag(p.coldLagMs)}`,
  ];
  if (bound && bound.summary.opsPerSecond > 0) {
    const verifies = bound.summary.opsPerSecond;
    const line = (name: string, m: Measured) =>
      `  ${name}${formatRate(m.summary.opsPerSecond)} purchases/s ÷ ${formatRate(verifies)} verifies/s = ` +
      (m.summary.opsPerSecond / verifies).toFixed(2);
    lines.push(
      "crypto bound (purchases/s ÷ uncached bcrypt PIN verifies/s; 1.00 = a purchase costs its PIN check's CPU and nothing more):",
      line("measured run (PIN cache warm): ", p.service),
      line("first purchase per client:     ", p.cold),
    );
  }
  return lines;
}

/** Purchase problems that fail the bench (not counting failed requests, which are counted apart). */
export function purchaseProblems(p: PurchaseRun): string[] {
  return [
    ...p.walletProblems.map((w) => `purchase wallet: ${w}`),
    ...p.floorProblems.map((f) => `raw purchase floor: ${f}`),
  ];
}

export function allDelivered(p: PurchaseRun): boolean {
  return everyDelivered(p.runStates) && everyDelivered(p.coldStates);
}

function everyDelivered(states: Map<string, number>): boolean {
  return total(states) > 0 && (states.get("delivered") ?? 0) === total(states);
}

function formatStates(states: Map<string, number>): string {
  if (states.size === 0) {
    return "none";
  }
  return [...states]
    .sort(([a], [b]) => (a === "delivered" ? -1 : b === "delivered" ? 1 : a.localeCompare(b)))
    .map(([state, n]) => `${state} ${n}`)
    .join(", ");
}

function total(states: Map<string, number>): number {
  return [...states.values()].reduce((n, v) => n + v, 0);
}
