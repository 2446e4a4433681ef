// npm run bench [-- --seconds N] — throughput and latency of the money path under concurrency,
// each scenario next to a raw single-row UPDATE baseline measured the same way on the same database;
// then sandbox airtime purchases end to end through the HTTP API (app and VTU worker on the job backend
// in this process, fetch clients in a child process) next to the same raw baseline and the bcrypt PIN
// check that bounds them; the gift-room claim storm (claims from the same child process);
// Telegram "balance" end to end over HTTP long polling (users and Bot API emulator in a child process)
// next to a raw single-row SELECT baseline, and under flood limits (nothing lost, nothing twice).
// Always runs on its own throw-away embedded PostgreSQL (fsync off); never touches DATABASE_URL or DATA_DIR
// (the job queue goes to REDIS_URL when it is set, under a prefix of its own, removed afterwards).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { sql } from "kysely";
import type pg from "pg";
import type { Config } from "../api/config";
import { createLogger } from "../api/logger";
import type { Db, ServiceContext } from "../api/services/context";
import { checkLedger, formatLedgerChecks, SYSTEM_ACCOUNTS } from "../api/services/ledger";
import { insertUser } from "../api/services/users/create-user";
import { FINAL_STATES } from "../api/services/vtu";
import { creditWallet, debitWallet } from "../api/services/wallet/move-money";
import { createDb, createPool } from "../db/client";
import { findRunningPostmaster, startEmbeddedPostgres } from "../db/embedded";
import { migrateToLatest } from "../db/migrate";
import { createClaimRoom, prepareRawClaimStorm } from "./lib/bench-gifts";
import { LISTEN_BACKLOG, type PurchaseBench, startPurchaseBench } from "./lib/bench-http";
import {
  formatMs,
  formatRate,
  formatTable,
  type Op,
  percentile,
  type RunResult,
  runClosedLoop,
  type Summary,
  summarize,
} from "./lib/bench-stats";
import { type DeliveryCheck, startTelegramBench } from "./lib/bench-telegram";
import { freePort } from "./lib/free-port";
import { type HttpLoad, startHttpLoad } from "./lib/http-load-client";
import { loadConfigOrExit, runMain } from "./lib/runtime";

const CALLERS = 32;
const POOL_SIZE = 40;
const WARMUP_MS = 1_000;
const DEFAULT_SECONDS = 5;
const MAX_SECONDS = 600;
/** ₦1,000,000 per wallet: at 100 kobo a debit no run can come near it. */
const FUND_KOBO = 100_000_000;
const DEBIT_KOBO = 100;
const COUNTER_START = 1_000_000_000_000;
const ACTOR = "system:bench";
const APP_NAME = "tada-bench";
/** HTTP purchases: concurrent fetch clients, each its own user, wallet, PIN and API key. */
const HTTP_CLIENTS = 64;
/**
 * A purchase or claim not answered within this long is a failed request. The first purchase of each
 * client waits for its bcrypt PIN check behind up to 63 others on one event loop (~20 s here).
 */
const PURCHASE_TIMEOUT_MS = 60_000;
const CLAIM_TIMEOUT_MS = 60_000;
/**
 * Warm-up callers of the bcrypt run: a closed loop of 64 such callers cannot finish one round in less
 * than 64 PIN checks of CPU (~15 s), so a full-width warm-up would double its time for nothing.
 */
const BCRYPT_WARMUP_CALLERS = 8;
/** The claim storm: this many recipients at once on a room of STORM_GIFTS gifts. */
const STORM_CLAIMANTS = 2_000;
const STORM_GIFTS = 100;
/** Telegram users of the "balance" run, each its own customer in a closed loop. */
const TELEGRAM_CHATS = 64;
/** Telegram user ids of the bench (far from real ones); the flood run has its own users. */
const TELEGRAM_FIRST_USER = 9_100_000_000;
const TELEGRAM_FLOOD_FIRST_USER = 9_100_100_000;
/** The flood-limited run: Telegram's limits, in the emulator and in our outbox pacing. */
const TELEGRAM_FLOOD = { users: 100, messagesPerUser: 5, perSecond: 30, perChatPerSecond: 1 };
const TELEGRAM_FLOOD_MESSAGES = TELEGRAM_FLOOD.users * TELEGRAM_FLOOD.messagesPerUser;
/** An answer slower than this fails the bench (the flood run queues ~users ÷ 30/s seconds). */
const TELEGRAM_ANSWER_TIMEOUT_MS = 15_000;
const TELEGRAM_FLOOD_ANSWER_TIMEOUT_MS = 60_000;
/** How long to wait after the purchases for orders that answered before delivery to settle. */
const SETTLE_TIMEOUT_MS = 20_000;

const USAGE = `Usage: npm run bench [-- --seconds N]

  --seconds N   measured duration of each run (default ${DEFAULT_SECONDS}, max ${MAX_SECONDS});
                each run is preceded by a ${WARMUP_MS / 1000} s warm-up. The first purchase per HTTP
                client and the bcrypt run each take at least ${HTTP_CLIENTS} PIN checks (~15 s), whatever N is;
                the Telegram flood-limited run sends a fixed ${TELEGRAM_FLOOD_MESSAGES} messages at
                ${TELEGRAM_FLOOD.perSecond}/s (~${Math.ceil(TELEGRAM_FLOOD_MESSAGES / TELEGRAM_FLOOD.perSecond)} s).

  REDIS_URL     when set, the purchase scenario's job queue uses Redis (own key prefix) instead of
                BullMQ's PostgreSQL backend in the bench database
`;

/** A wallet created by the bench, with what we expect its balance to be. */
type TrackedWallet = { userId: string; label: string; fundedKobo: number; debits: number };
/** A bench_counter row, with how many committed decrements we made. */
type TrackedCounter = { id: number; updates: number };

/** Everything a scenario's setup and ops may use. */
type Bench = {
  ctx: ServiceContext;
  db: Db;
  /** A plain pg.Pool for the raw baselines (one client per transaction). */
  raw: pg.Pool;
  wallets: TrackedWallet[];
  counters: TrackedCounter[];
  nextIdempotencyKey(): string;
};

/** A workload to measure: `setup` creates its rows and returns the op each caller loops on. */
type Workload = { name: string; setup(bench: Bench): Promise<Op> };

/** One row of the results table: the service op next to the raw baseline it is compared with. */
type Scenario = Workload & { callers: number; baseline: Workload };

const SCENARIOS: Scenario[] = [
  {
    name: `wallet debits, ${CALLERS} callers, distinct wallets`,
    callers: CALLERS,
    async setup(bench) {
      const wallets = await createFundedWallets(bench, CALLERS, FUND_KOBO, "distinct");
      return (caller) => debitOnce(bench, pick(wallets, caller));
    },
    baseline: {
      name: `raw UPDATE baseline, ${CALLERS} distinct rows`,
      async setup(bench) {
        const rows = await createCounters(bench, CALLERS);
        return (caller) => decrementCounter(bench, pick(rows, caller));
      },
    },
  },
  {
    name: `wallet debits, ${CALLERS} callers, one hot wallet`,
    callers: CALLERS,
    async setup(bench) {
      // As much money as the 32 distinct wallets together.
      const [wallet] = await createFundedWallets(bench, 1, CALLERS * FUND_KOBO, "hot");
      if (!wallet) {
        throw new Error("bench: the hot wallet was not created");
      }
      return () => debitOnce(bench, wallet);
    },
    baseline: {
      name: "raw UPDATE baseline, one row",
      async setup(bench) {
        const [row] = await createCounters(bench, 1);
        if (!row) {
          throw new Error("bench: the hot bench_counter row was not created");
        }
        return () => decrementCounter(bench, row);
      },
    },
  },
];

// ---------------------------------------------------------------------------------------------------
// Service ops and their setup

async function createFundedWallets(
  bench: Bench,
  count: number,
  fundKobo: number,
  label: string,
): Promise<TrackedWallet[]> {
  const created: TrackedWallet[] = [];
  for (let i = 0; i < count; i++) {
    const user = await bench.db
      .transaction()
      .execute((trx) => insertUser(trx, { displayName: `bench ${label} ${i + 1}` }));
    const funded = await creditWallet({
      ctx: bench.ctx,
      input: {
        userId: user.id,
        amountKobo: fundKobo,
        counterparty: SYSTEM_ACCOUNTS.adjustments,
        description: "bench funding",
        idempotencyKey: `bench-fund-${user.id}`,
        actor: ACTOR,
      },
    });
    if (funded.balanceKobo !== fundKobo) {
      throw new Error(`bench: wallet ${user.id} holds ${funded.balanceKobo} kobo after funding ${fundKobo}`);
    }
    const wallet = { userId: user.id, label: `${label} ${i + 1}`, fundedKobo: fundKobo, debits: 0 };
    bench.wallets.push(wallet);
    created.push(wallet);
  }
  return created;
}

async function debitOnce(bench: Bench, wallet: TrackedWallet): Promise<void> {
  const result = await debitWallet({
    ctx: bench.ctx,
    input: {
      userId: wallet.userId,
      amountKobo: DEBIT_KOBO,
      counterparty: SYSTEM_ACCOUNTS.vtuClearing,
      description: "bench debit",
      idempotencyKey: bench.nextIdempotencyKey(),
      actor: ACTOR,
    },
  });
  if (result.replayed) {
    throw new Error("bench: a fresh idempotency key was answered as a replay");
  }
  wallet.debits++;
}

// ---------------------------------------------------------------------------------------------------
// Raw baseline: BEGIN; UPDATE bench_counter SET v = v - 1 WHERE id = $1 RETURNING v; COMMIT

async function createCounters(bench: Bench, count: number): Promise<TrackedCounter[]> {
  await bench.raw.query("CREATE TABLE IF NOT EXISTS bench_counter (id int PRIMARY KEY, v bigint NOT NULL)");
  const first = bench.counters.length + 1;
  const rows = Array.from({ length: count }, (_, i) => ({ id: first + i, updates: 0 }));
  await bench.raw.query("INSERT INTO bench_counter (id, v) SELECT id, $2 FROM unnest($1::int[]) AS id", [
    rows.map((r) => r.id),
    COUNTER_START,
  ]);
  bench.counters.push(...rows);
  return rows;
}

async function decrementCounter(bench: Bench, row: TrackedCounter): Promise<void> {
  const client = await bench.raw.connect();
  try {
    await client.query("BEGIN");
    const updated = await client.query("UPDATE bench_counter SET v = v - 1 WHERE id = $1 RETURNING v", [
      row.id,
    ]);
    if (updated.rowCount !== 1) {
      throw new Error(`bench: bench_counter row ${row.id} is missing`);
    }
    await client.query("COMMIT");
  } catch (error) {
    client.release(true); // a connection in an unknown transaction state is not reused
    throw error;
  }
  client.release();
  row.updates++;
}

/** The Telegram run's baseline: one primary-key read of one row, on its own pooled connection. */
async function selectCounter(bench: Bench, row: TrackedCounter): Promise<void> {
  const selected = await bench.raw.query("SELECT v FROM bench_counter WHERE id = $1", [row.id]);
  if (selected.rowCount !== 1) {
    throw new Error(`bench: bench_counter row ${row.id} is missing`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Driver

type Measured = { name: string; warmup: RunResult; run: RunResult; summary: Summary };

/**
 * One block of the results table: a service row and its raw baseline; for purchases also the cold
 * first purchases and the crypto bound (bcrypt) both purchase rows are compared with.
 */
type Result = { service: Measured; baseline: Measured; cold?: Measured; bound?: Measured };

const NO_RUN: RunResult = {
  ok: 0,
  failed: 0,
  failures: new Map(),
  latenciesMs: new Float64Array(),
  elapsedMs: 0,
};

/** What the HTTP purchase scenario saw besides its timings. */
type PurchaseReport = {
  result: Result;
  jobsKind: string;
  coldStates: Map<string, number>;
  /** delivered_at − created_at of the delivered orders, ascending ms. */
  coldLagMs: Float64Array;
  runLagMs: Float64Array;
  runStates: Map<string, number>;
  settledStates: Map<string, number>;
  failedJobs: number;
  walletProblems: string[];
  telegram: TelegramReport;
  gifts: GiftReport;
};

type GiftReport = { result: Result; winners: number; rawWinners: number; rawClaimed: number; full: number };

type TelegramReport = {
  results: Result[];
  /** The "balance" run without flood limits (the table row), checked message by message. */
  balance: DeliveryCheck;
  flood: { measured: Measured; check: DeliveryCheck };
};

runMain(async () => {
  const seconds = parseSeconds();
  if (seconds === undefined) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (process.env.DATABASE_URL) {
    process.stdout.write(
      "note: DATABASE_URL is set but ignored: the bench always uses its own throw-away embedded PostgreSQL.\n",
    );
  }

  // Not mkdtemp: its 0700 directory cannot be entered by the `postgres` OS user when we run as root.
  const dataDir = path.join(os.tmpdir(), `tada-bench-${process.pid}-${Date.now()}`);
  mkdirSync(dataDir, { recursive: true });
  cleanUpOnAbnormalExit(dataDir);
  try {
    return await benchInOwnDatabase(dataDir, seconds);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

async function benchInOwnDatabase(dataDir: string, seconds: number): Promise<number> {
  const config = loadConfigOrExit({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    DATA_DIR: dataDir,
    PIN_PEPPER: randomBytes(32).toString("hex"),
    // The purchase scenario measures our side of a purchase: the sandbox answers at once.
    SANDBOX_LATENCY_MS: "0",
    // Each bench client is one customer buying as fast as it can: lift the per-user money-action limit.
    MONEY_ACTIONS_PER_MINUTE: "10000",
    // Each bench chat enters its PIN about once a second, far past a person's pace.
    PIN_ATTEMPTS_PER_MINUTE: "1000",
    // The claim storm comes from one address (the load generator on 127.0.0.1).
    GIFT_CLAIMS_PER_MINUTE_PER_IP: "1000000",
    REDIS_URL: process.env.REDIS_URL,
  });
  const port = await freePort();
  progress(`starting a throw-away embedded PostgreSQL on port ${port} in ${dataDir}`);
  const server = await startEmbeddedPostgres({
    dataDir,
    port,
    mode: "own",
    ephemeral: true,
    log: progress,
  });
  const db = createDb(server.url, { poolSize: POOL_SIZE, applicationName: APP_NAME });
  const raw = createPool(server.url, { poolSize: POOL_SIZE, applicationName: `${APP_NAME}-raw` });
  // A failing connection emits "error" on the pool (idle) or on the client (checked out, between two
  // queries); with no listener that crashes the process. The op's next query fails and is counted.
  raw.on("error", (error) => progress(`an idle raw-baseline connection failed: ${error.message}`));
  raw.on("connect", (client) => client.on("error", () => {}));
  try {
    await migrateToLatest(db);
    let keySeq = 0;
    const runTag = randomBytes(4).toString("hex");
    const bench: Bench = {
      ctx: { db, config, logger: createLogger({ level: "silent" }), now: () => new Date() },
      db,
      raw,
      wallets: [],
      counters: [],
      nextIdempotencyKey: () => `bench-${runTag}-${++keySeq}`,
    };
    const context = await describeContext(db, seconds);

    const results: Result[] = [];
    for (const scenario of SCENARIOS) {
      const serviceOp = await scenario.setup(bench);
      const baselineOp = await scenario.baseline.setup(bench);
      const service = await measure(scenario.name, serviceOp, scenario.callers, seconds);
      const baseline = await measure(scenario.baseline.name, baselineOp, scenario.callers, seconds);
      results.push({ service, baseline });
    }
    const purchases = await benchHttpPurchases(bench, config, server.url, seconds);
    results.push(purchases.result, ...purchases.telegram.results, purchases.gifts.result);

    const out: string[] = [
      "",
      context,
      httpContext(config, purchases.jobsKind),
      "",
      resultsTable(results),
      "",
    ];
    out.push(
      "ratio = service ops/s ÷ raw baseline ops/s (same callers, duration and database)",
      "  first-purchase row: its purchases/s ÷ bcrypt PIN verifies/s; bcrypt row: measured purchases/s ÷ bcrypt PIN verifies/s",
      "",
    );
    out.push(
      ...describePurchases(purchases),
      "",
      ...describeTelegram(purchases.telegram),
      "",
      ...describeGifts(purchases.gifts),
      "",
    );

    const failures = results
      .flatMap((r) => [r.service, r.baseline, r.cold, r.bound])
      .filter((m): m is Measured => m !== undefined)
      .filter((m) => m.warmup.failed + m.run.failed > 0);
    const failedOps = failures.reduce((n, m) => n + m.warmup.failed + m.run.failed, 0);
    out.push(`failed operations: ${failedOps} (warm-ups included)`);
    for (const m of failures) {
      for (const [label, count] of mergeFailures(m.warmup, m.run)) {
        out.push(`  ${m.name}: ${count} × ${label}`);
      }
    }

    const balanceProblems = await verifyBalances(bench);
    const debits = bench.wallets.reduce((n, w) => n + w.debits, 0);
    out.push(
      balanceProblems.length === 0
        ? `balances: all ${bench.wallets.length} wallets equal funded − debits × ${DEBIT_KOBO} kobo (${debits} debits)`
        : `balances: ${balanceProblems.length} MISMATCH(ES)`,
      ...balanceProblems.map((p) => `  ${p}`),
    );
    const walletProblems = purchases.walletProblems;
    out.push(
      walletProblems.length === 0
        ? `purchase wallets: all ${HTTP_CLIENTS} equal funded − delivered orders, held = unresolved orders`
        : `purchase wallets: ${walletProblems.length} MISMATCH(ES)`,
      ...walletProblems.map((p) => `  ${p}`),
    );
    const counterProblems = await verifyCounters(bench);
    out.push(
      counterProblems.length === 0
        ? `bench_counter: all ${bench.counters.length} rows equal start − committed updates`
        : `bench_counter: ${counterProblems.length} MISMATCH(ES)`,
      ...counterProblems.map((p) => `  ${p}`),
    );

    const ledger = await checkLedger(db);
    const ledgerFailed = ledger.filter((r) => !r.ok).length;
    out.push(
      "",
      formatLedgerChecks(ledger),
      ledgerFailed ? `${ledgerFailed} ledger check(s) FAILED` : "ledger OK",
    );
    process.stdout.write(`${out.join("\n")}\n`);

    const giftsExact =
      purchases.gifts.winners === STORM_GIFTS &&
      purchases.gifts.full === STORM_CLAIMANTS - STORM_GIFTS &&
      purchases.gifts.rawWinners === STORM_GIFTS &&
      purchases.gifts.rawClaimed === STORM_GIFTS;
    const ok =
      giftsExact &&
      failedOps === 0 &&
      balanceProblems.length === 0 &&
      walletProblems.length === 0 &&
      telegramProblems(purchases.telegram).length === 0 &&
      counterProblems.length === 0 &&
      !ledgerFailed;
    if (!ok) {
      process.stdout.write("\nbench FAILED its correctness checks (see above)\n");
    } else if (!allDelivered(purchases)) {
      process.stdout.write(
        "\nbench passed its correctness checks, but NOT ALL purchases answered delivered\n",
      );
    }
    return ok ? 0 : 1;
  } finally {
    progress("stopping the bench database");
    await Promise.allSettled([db.destroy(), raw.end()]);
    await waitForDisconnects(server.url);
    await server.stop();
  }
}

/**
 * Sandbox airtime purchases through the HTTP API, then the raw baseline and the bcrypt bound with the
 * same callers. The app, worker and job backend are closed before this returns, whatever happens.
 */
async function benchHttpPurchases(
  bench: Bench,
  config: Config,
  databaseUrl: string,
  seconds: number,
): Promise<PurchaseReport> {
  const jobsKind = config.REDIS_URL ? "Redis (REDIS_URL)" : "PostgreSQL (bench database)";
  progress(`HTTP purchases: starting the app, the VTU worker on ${jobsKind} and ${HTTP_CLIENTS} clients`);
  const http = await startPurchaseBench({
    db: bench.db,
    config,
    logger: bench.ctx.logger,
    databaseUrl,
    redisUrl: config.REDIS_URL,
    clients: HTTP_CLIENTS,
    fundKobo: FUND_KOBO,
    progress,
  });
  let load: HttpLoad | undefined;
  try {
    progress("HTTP purchases: starting the load generator (child process)");
    load = await startHttpLoad();
    const counters = await createCounters(bench, HTTP_CLIENTS);
    // The warm-up is one purchase per client: it pays each client's first bcrypt PIN check (then the
    // verified-PIN cache answers, as for a reseller buying all day) and is reported as its own row.
    const coldName = "first purchase per client (PIN cache cold)";
    progress(`${coldName}: ${HTTP_CLIENTS} concurrent purchases, the warm-up of the measured run`);
    const coldFrom = new Date();
    const coldRun = await load.purchases(
      http.purchases({
        label: "cold",
        durationMs: PURCHASE_TIMEOUT_MS,
        maxOpsPerClient: 1,
        timeoutMs: PURCHASE_TIMEOUT_MS,
      }),
    );
    const cold: Measured = {
      name: coldName,
      warmup: NO_RUN,
      run: coldRun.run,
      summary: summarize(coldRun.run),
    };
    const coldStates = coldRun.states;
    const runFrom = new Date();
    const serviceName = `sandbox airtime purchases over HTTP, ${HTTP_CLIENTS} clients`;
    progress(`${serviceName}: ${seconds} s measured`);
    const measured = await load.purchases(
      http.purchases({ label: "run", durationMs: seconds * 1000, timeoutMs: PURCHASE_TIMEOUT_MS }),
    );
    const service: Measured = {
      name: serviceName,
      warmup: NO_RUN,
      run: measured.run,
      summary: summarize(measured.run),
    };
    const runStates = measured.states;
    const runTo = new Date();
    progress("HTTP purchases: waiting for every order to settle");
    const settledStates = await http.settle(SETTLE_TIMEOUT_MS);
    const baseline = await measure(
      `raw UPDATE baseline, ${HTTP_CLIENTS} distinct rows`,
      (caller) => decrementCounter(bench, pick(counters, caller)),
      HTTP_CLIENTS,
      seconds,
    );
    const bound = await measure(
      `bcrypt PIN verify (cost ${config.PIN_BCRYPT_COST}, uncached), ${HTTP_CLIENTS} callers`,
      http.bcryptVerify,
      HTTP_CLIENTS,
      seconds,
      { warmupCallers: BCRYPT_WARMUP_CALLERS },
    );
    const telegram = await benchTelegram(bench, http, seconds);
    const gifts = await benchClaimStorm(bench, http, load);
    for (const [m, states] of [
      [service, runStates],
      [cold, coldStates],
    ] as const) {
      if (!everyDelivered(states)) {
        m.name += " — NOT ALL DELIVERED";
      }
    }
    return {
      result: { service, baseline, cold, bound },
      jobsKind: http.jobsKind,
      coldStates,
      coldLagMs: await http.deliveryLagMs(coldFrom, runFrom),
      runLagMs: await http.deliveryLagMs(runFrom, runTo),
      runStates,
      settledStates,
      failedJobs: http.failedJobs(),
      walletProblems: await http.verifyWallets(),
      telegram,
      gifts,
    };
  } finally {
    progress(
      "HTTP purchases: stopping the load generator, the HTTP server, the VTU worker and the job backend",
    );
    await load?.close();
    await http.close();
  }
}

/**
 * Telegram "balance" end to end: simulated users and the Bot API emulator in a child process, the
 * bot (long polling, inbox, engine, outbox) in this one on the purchase bench's services; next to
 * raw single-row SELECTs with as many callers. Then the same under Telegram's flood limits, a fixed
 * number of messages per user, to show that pacing loses and repeats nothing.
 */
async function benchTelegram(bench: Bench, http: PurchaseBench, seconds: number): Promise<TelegramReport> {
  progress("Telegram: starting the load generator and Bot API emulator (child process)");
  const tg = await startTelegramBench({
    ctx: http.ctx,
    vtu: http.vtu,
    payments: http.payments,
    fundKobo: FUND_KOBO,
    progress,
  });
  try {
    const name = `Telegram "balance" end to end, HTTP long polling, ${TELEGRAM_CHATS} users (answers/s)`;
    progress(`${name}: ${WARMUP_MS / 1000} s warm-up, then ${seconds} s measured`);
    const balance = await tg.balance({
      firstUserId: TELEGRAM_FIRST_USER,
      users: TELEGRAM_CHATS,
      warmupMs: WARMUP_MS,
      durationMs: seconds * 1000,
      answerTimeoutMs: TELEGRAM_ANSWER_TIMEOUT_MS,
    });
    const service: Measured = {
      name,
      warmup: balance.warmup,
      run: balance.run,
      summary: summarize(balance.run),
    };
    const rows = await createCounters(bench, TELEGRAM_CHATS);
    const baseline = await measure(
      `raw single-row SELECT baseline, ${TELEGRAM_CHATS} callers`,
      (caller) => selectCounter(bench, pick(rows, caller)),
      TELEGRAM_CHATS,
      seconds,
    );
    const f = TELEGRAM_FLOOD;
    const floodName =
      `Telegram "balance" under flood limits (${f.perSecond}/s, ${f.perChatPerSecond}/s per chat), ` +
      `${f.users} users × ${f.messagesPerUser}`;
    progress(`${floodName}: at least ${Math.ceil(TELEGRAM_FLOOD_MESSAGES / f.perSecond)} s`);
    const flood = await tg.balance({
      firstUserId: TELEGRAM_FLOOD_FIRST_USER,
      users: f.users,
      warmupMs: 0,
      durationMs: 10 * 60_000,
      messagesPerUser: f.messagesPerUser,
      answerTimeoutMs: TELEGRAM_FLOOD_ANSWER_TIMEOUT_MS,
      limits: { perSecond: f.perSecond, perChatPerSecond: f.perChatPerSecond },
    });
    return {
      results: [{ service, baseline }],
      balance: balance.check,
      flood: {
        measured: { name: floodName, warmup: NO_RUN, run: flood.run, summary: summarize(flood.run) },
        check: flood.check,
      },
    };
  } finally {
    await tg.close();
  }
}

/**
 * The claim storm: STORM_CLAIMANTS recipients claim at once, over HTTP from the load generator's
 * child process, on a room of STORM_GIFTS; then the same burst as raw conditional UPDATEs on one
 * row. Both must give exactly STORM_GIFTS winners, and every other claimant a clean "room full".
 */
async function benchClaimStorm(bench: Bench, http: PurchaseBench, load: HttpLoad): Promise<GiftReport> {
  const name = `gift claim storm: ${STORM_CLAIMANTS} concurrent claims on a room of ${STORM_GIFTS}, HTTP (answers/s)`;
  progress(name);
  const room = await createClaimRoom(http.ctx(), STORM_GIFTS);
  const storm = await load.claims({
    baseUrl: http.baseUrl,
    roomToken: room.token,
    deviceTag: `bench-device-${room.roomId}`,
    claimants: STORM_CLAIMANTS,
    timeoutMs: CLAIM_TIMEOUT_MS,
  });
  progress(`raw baseline: ${STORM_CLAIMANTS} concurrent conditional UPDATEs on one row of ${STORM_GIFTS}`);
  const rawStorm = await prepareRawClaimStorm(bench.raw, STORM_GIFTS);
  const raw = await rawStorm.run(STORM_CLAIMANTS);
  const measured = (n: string, run: RunResult): Measured => ({
    name: n,
    warmup: NO_RUN,
    run,
    summary: summarize(run),
  });
  const exact = storm.winners === STORM_GIFTS && storm.full === STORM_CLAIMANTS - STORM_GIFTS;
  return {
    result: {
      service: measured(exact ? name : `${name} — WRONG WINNER COUNT`, storm.run),
      baseline: measured(`raw conditional UPDATE baseline, ${STORM_CLAIMANTS} callers, one row`, raw.run),
    },
    winners: storm.winners,
    full: storm.full,
    rawWinners: raw.winners,
    rawClaimed: raw.claimed,
  };
}

function describeGifts(g: GiftReport): string[] {
  return [
    `gift claim storm: ${g.winners} claims won, ${g.full} answered "room full" (expected exactly ${STORM_GIFTS} winners ` +
      `and ${STORM_CLAIMANTS - STORM_GIFTS} "room full"); ` +
      `raw baseline: ${g.rawWinners} winners, counter ${g.rawClaimed}`,
  ];
}

function describeTelegram(t: TelegramReport): string[] {
  const checked = (label: string, c: DeliveryCheck) =>
    `${label}: ${c.messages} messages, ${c.answers} answers in the chats; ${c.lost} lost, ${c.duplicates} duplicate ` +
    `(each chat's bot messages = the outbox rows sent to it); ${c.status429} × 429 from the emulator`;
  const { measured, check } = t.flood;
  const s = measured.summary;
  return [
    "telegram: the simulated users and the Bot API emulator run in a child process; the bot in this process " +
      "long-polls the emulator over HTTP (getUpdates), records each update in chat_updates before acknowledging " +
      "it, and answers through the engine and the chat outbox (sendMessage over HTTP). Each user sends " +
      '"balance" when the answer to its previous one arrived; latency = send → the answer in the chat ' +
      "(seen within ~1 ms); a wrong or missing answer fails the bench. Without flood limits the outbox pacing " +
      "is lifted and the emulator limits nothing; ratio = answers/s ÷ raw single-row SELECTs/s",
    checked('telegram "balance", no flood limits', t.balance),
    `${measured.name}, in the emulator and our outbox pacing: ` +
      `${formatRate(s.opsPerSecond)} answers/s, p50 ${formatMs(s.p50)} ms, p99 ${formatMs(s.p99)} ms, ` +
      `${(measured.run.elapsedMs / 1000).toFixed(1)} s`,
    checked("  flood run", check),
    ...telegramProblems(t).map((p) => `  PROBLEM: ${p}`),
  ];
}

function telegramProblems(t: TelegramReport): string[] {
  return [...t.balance.problems, ...t.flood.check.problems];
}

function httpContext(config: Config, jobsKind: string): string {
  return (
    `purchases: ${HTTP_CLIENTS} fetch() clients in a child process → the Hono app on 127.0.0.1 (@hono/node-server, ` +
    `listen backlog ${LISTEN_BACKLOG}, net.core.somaxconn ${somaxconn()}), ` +
    `POST /api/vtu/airtime; VTU worker in this process (concurrency ${config.VTU_WORKER_CONCURRENCY}) on BullMQ/${jobsKind}; ` +
    `sandbox latency ${config.SANDBOX_LATENCY_MS} ms; VTU_RESPONSE_WAIT_MS=${config.VTU_RESPONSE_WAIT_MS}; ` +
    `PIN bcrypt cost ${config.PIN_BCRYPT_COST} (bcryptjs, pure JS), PIN_VERIFY_CACHE_SECONDS=${config.PIN_VERIFY_CACHE_SECONDS}; ` +
    `the purchases' warm-up is one purchase per client (its own row); the bcrypt run's warm-up uses ` +
    `${BCRYPT_WARMUP_CALLERS} callers and its closed loop lasts at least one round of ${HTTP_CLIENTS} compares`
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

function describePurchases(p: PurchaseReport): string[] {
  const lines: string[] = [];
  const responses = (states: Map<string, number>) =>
    `${total(states)} responses, ${formatStates(states)} — ${everyDelivered(states) ? "all delivered" : "NOT ALL DELIVERED"}`;
  lines.push(
    `purchase responses, measured run:         ${responses(p.runStates)}`,
    `purchase responses, first per client:     ${responses(p.coldStates)}`,
  );
  const open = [...p.settledStates].filter(([state]) => !(FINAL_STATES as readonly string[]).includes(state));
  lines.push(
    `orders after settling (≤ ${SETTLE_TIMEOUT_MS / 1000} s): ${total(p.settledStates)} orders, ` +
      `${formatStates(p.settledStates)}${open.length > 0 ? " — SOME NEVER SETTLED" : ""}`,
    `VTU worker: ${p.failedJobs} failed job attempt(s)`,
  );
  const lag = (lagMs: Float64Array) =>
    `p50 ${formatMs(percentile(lagMs, 50))} ms, p99 ${formatMs(percentile(lagMs, 99))} ms (${lagMs.length} orders)`;
  lines.push(
    "order created → delivered by the worker (created after the PIN check, so this excludes it):",
    `  measured run:         ${lag(p.runLagMs)}`,
    `  first per client:     ${lag(p.coldLagMs)}`,
  );
  const { service, cold, bound } = p.result;
  if (bound && bound.summary.opsPerSecond > 0) {
    const verifies = bound.summary.opsPerSecond;
    const line = (label: string, m: Measured) =>
      `  ${label}${formatRate(m.summary.opsPerSecond)} purchases/s ÷ ${formatRate(verifies)} verifies/s = ` +
      (m.summary.opsPerSecond / verifies).toFixed(2);
    lines.push(
      "crypto bound (purchases/s ÷ uncached bcrypt PIN verifies/s; 1.00 = a purchase costs its PIN check's CPU and nothing more):",
      line("measured run (PIN cache warm): ", service),
      ...(cold ? [line("first purchase per client:     ", cold)] : []),
    );
  }
  return lines;
}

function everyDelivered(states: Map<string, number>): boolean {
  return total(states) > 0 && (states.get("delivered") ?? 0) === total(states);
}

function allDelivered(p: PurchaseReport): boolean {
  return everyDelivered(p.runStates) && everyDelivered(p.coldStates);
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

async function measure(
  name: string,
  op: Op,
  callers: number,
  seconds: number,
  options: { warmupCallers?: number } = {},
): Promise<Measured> {
  const warmupCallers = Math.min(callers, options.warmupCallers ?? callers);
  progress(
    `${name}: ${WARMUP_MS / 1000} s warm-up${warmupCallers === callers ? "" : ` (${warmupCallers} callers)`}, ` +
      `then ${seconds} s measured`,
  );
  const warmup = await runClosedLoop(op, { callers: warmupCallers, durationMs: WARMUP_MS });
  const run = await runClosedLoop(op, { callers, durationMs: seconds * 1000 });
  return { name, warmup, run, summary: summarize(run) };
}

function resultsTable(results: Result[]): string {
  const row = (m: Measured, indent: string, ratio: string) => [
    `${indent}${m.name}`,
    formatRate(m.summary.opsPerSecond),
    formatMs(m.summary.p50),
    formatMs(m.summary.p95),
    formatMs(m.summary.p99),
    String(m.run.failed),
    ratio,
  ];
  const ratioOf = (a: Measured, b: Measured) => {
    const ratio = b.summary.opsPerSecond > 0 ? a.summary.opsPerSecond / b.summary.opsPerSecond : NaN;
    if (!Number.isFinite(ratio)) {
      return "-";
    }
    // Full-stack purchases against a raw UPDATE are far below 0.01: keep two significant digits.
    return ratio >= 0.01 ? ratio.toFixed(2) : ratio.toPrecision(2);
  };
  const rows = results.flatMap(({ service, baseline, cold, bound }) => [
    row(service, "", ratioOf(service, baseline)),
    row(baseline, "  ", ""),
    ...(cold ? [row(cold, "  ", bound ? ratioOf(cold, bound) : "")] : []),
    ...(bound ? [row(bound, "  ", ratioOf(service, bound))] : []),
  ]);
  return formatTable(["", "ops/s", "p50 ms", "p95 ms", "p99 ms", "failed", "ratio"], rows);
}

async function describeContext(db: Db, seconds: number): Promise<string> {
  const setting = async (name: "server_version" | "fsync" | "synchronous_commit") => {
    const { rows } = await sql<Record<string, string>>`SHOW ${sql.raw(name)}`.execute(db);
    return rows[0]?.[name] ?? "?";
  };
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  return (
    `context: ${cores} cores (${os.cpus()[0]?.model.trim() ?? "unknown cpu"}), Node ${process.version}, ` +
    `PostgreSQL ${await setting("server_version")}, ${seconds} s per run after a ${WARMUP_MS / 1000} s warm-up, ` +
    `${CALLERS} callers, pool ${POOL_SIZE}; bench db: fsync=${await setting("fsync")}, ` +
    `synchronous_commit=${await setting("synchronous_commit")} (throw-away embedded PostgreSQL)`
  );
}

async function verifyBalances(bench: Bench): Promise<string[]> {
  if (bench.wallets.length === 0) {
    return [];
  }
  const rows = await bench.db
    .selectFrom("accounts")
    .select(["user_id", "balance", "held"])
    .where(
      "user_id",
      "in",
      bench.wallets.map((w) => w.userId),
    )
    .execute();
  const byUser = new Map(rows.map((r) => [r.user_id, r]));
  const problems: string[] = [];
  for (const wallet of bench.wallets) {
    const expected = wallet.fundedKobo - wallet.debits * DEBIT_KOBO;
    const row = byUser.get(wallet.userId);
    if (!row) {
      problems.push(`wallet ${wallet.label} (${wallet.userId}) is missing`);
    } else if (row.balance !== expected || row.held !== 0) {
      problems.push(
        `wallet ${wallet.label} (${wallet.userId}): balance ${row.balance}, held ${row.held}; ` +
          `expected ${expected} = ${wallet.fundedKobo} − ${wallet.debits} × ${DEBIT_KOBO}, held 0`,
      );
    }
  }
  return problems;
}

async function verifyCounters(bench: Bench): Promise<string[]> {
  if (bench.counters.length === 0) {
    return [];
  }
  const { rows } = await bench.raw.query<{ id: number; v: number }>("SELECT id, v FROM bench_counter");
  const byId = new Map(rows.map((r) => [r.id, r.v]));
  return bench.counters
    .filter((c) => byId.get(c.id) !== COUNTER_START - c.updates)
    .map(
      (c) =>
        `row ${c.id}: v = ${byId.get(c.id)}, expected ${COUNTER_START - c.updates} (${c.updates} updates)`,
    );
}

function mergeFailures(...runs: RunResult[]): Map<string, number> {
  const merged = new Map<string, number>();
  for (const run of runs) {
    for (const [label, count] of run.failures) {
      merged.set(label, (merged.get(label) ?? 0) + count);
    }
  }
  return merged;
}

/** `--seconds N` → N; undefined for --help. Throws on anything else. */
function parseSeconds(): number | undefined {
  const { values } = parseArgs({
    options: { seconds: { type: "string" }, help: { type: "boolean", short: "h" } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    return undefined;
  }
  if (values.seconds === undefined) {
    return DEFAULT_SECONDS;
  }
  const seconds = Number(values.seconds);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_SECONDS) {
    throw new Error(
      `--seconds must be a number above 0 and at most ${MAX_SECONDS} (got "${values.seconds}")\n\n${USAGE}`,
    );
  }
  return seconds;
}

/**
 * If the process ends any other way than through main's `finally` (Ctrl-C, a crash), the server
 * must still go and the directory with it. Ctrl-C is the awkward one: the terminal also sends
 * SIGINT to the server, whose fast shutdown kills our connections, and tsx SIGKILLs this process
 * ~60 ms after relaying the signal — too soon for an orderly async stop. So on exit, stop the server
 * at once (SIGQUIT = immediate shutdown; the data is thrown away anyway) and leave the directory to
 * a detached `rm` that waits for the server to go.
 */
function cleanUpOnAbnormalExit(dataDir: string): void {
  process.on("exit", () => {
    if (!existsSync(dataDir)) {
      return; // main's finally has cleaned up
    }
    const postmaster = findRunningPostmaster(path.join(dataDir, "pg"));
    if (postmaster) {
      try {
        process.kill(postmaster.pid, "SIGQUIT");
      } catch {
        // already gone
      }
    }
    const script =
      'if [ "$1" -gt 0 ]; then i=0; while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; fi; rm -rf -- "$2"';
    spawn("sh", ["-c", script, "tada-bench-cleanup", String(postmaster?.pid ?? 0), dataDir], {
      detached: true,
      stdio: "ignore",
    }).unref();
  });
  const interrupted = (code: number) => {
    process.stderr.write(`\nbench: interrupted; stopping the bench database and removing ${dataDir}\n`);
    process.exit(code);
  };
  process.once("SIGINT", () => interrupted(130));
  process.once("SIGTERM", () => interrupted(143));
  // 57P01 "terminating connection due to administrator command": the server got the Ctrl-C first.
  process.on("uncaughtException", (error) => {
    if ((error as { code?: unknown }).code === "57P01") {
      interrupted(130);
    }
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exit(1);
  });
}

/**
 * pg-pool's end() resolves before its sockets are closed; a server stopped at that moment sends
 * "terminating connection due to administrator command" to a client that no longer listens for
 * errors, which crashes the process. So wait until the server has seen every bench connection go:
 * every client connection but the probe's (BullMQ names its own, so application_name cannot tell).
 */
async function waitForDisconnects(url: string): Promise<void> {
  const probe = createPool(url, { poolSize: 1, applicationName: `${APP_NAME}-shutdown` });
  probe.on("error", () => {});
  try {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const { rows } = await probe.query<{ n: number }>(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
      );
      if ((rows[0]?.n ?? 0) === 0) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } catch {
    // Best effort: the server is stopped next either way.
  } finally {
    await probe.end();
  }
}

function pick<T>(items: T[], index: number): T {
  const item = items[index];
  if (item === undefined) {
    throw new Error(`bench: no item ${index} (have ${items.length})`);
  }
  return item;
}

/** Progress goes to stderr, so `npm run bench > results.txt` keeps only the results. */
function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}
