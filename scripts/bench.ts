// npm run bench [-- --seconds N] — throughput, latency and cost per operation of the money path under
// concurrency, each scenario next to a raw baseline measured the same way on the same database:
// wallet debits next to a raw single-row UPDATE (distinct rows and one hot row); sandbox airtime
// purchases end to end through the HTTP API (app and VTU worker on the job backend in this process,
// HTTP clients in a child process) next to the raw purchase floor (the same durable writes in two
// plain SQL statements) and the bcrypt PIN check that bounds them; Telegram "balance" end to end over
// HTTP long polling (users and Bot API emulator in a child process) next to a raw single-row SELECT,
// and under flood limits (nothing lost, nothing twice); the gift-room claim storm (claims from the
// HTTP load generator's child process) next to raw conditional UPDATEs. Then the purchases and their
// floor once more on a durable database (fsync, synchronous_commit and full_page_writes on).
// Cost per operation: statements (pg_stat_statements), commits (pg_stat_database), CPU of this process
// and of the PostgreSQL cluster (scripts/lib/bench-cost.ts). Any failed request fails the bench.
// Always runs on its own throw-away embedded PostgreSQL clusters; never touches DATABASE_URL or DATA_DIR
// (the job queue goes to REDIS_URL when it is set, under a prefix of its own, removed afterwards).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type pg from "pg";
import type { Config } from "../api/config";
import { createLogger } from "../api/logger";
import type { Db, ServiceContext } from "../api/services/context";
import { checkLedger, formatLedgerChecks, SYSTEM_ACCOUNTS } from "../api/services/ledger";
import { insertUser } from "../api/services/users/create-user";
import { creditWallet, debitWallet } from "../api/services/wallet/move-money";
import { findRunningPostmaster } from "../db/embedded";
import { type CostMeter, STATS_SETTLE_MS } from "./lib/bench-cost";
import { type BenchDatabase, withBenchDatabase } from "./lib/bench-database";
import { createClaimRoom, prepareRawClaimStorm } from "./lib/bench-gifts";
import { type PurchaseBench, startPurchaseBench } from "./lib/bench-http";
import {
  costCells,
  type Measured,
  measureClosedLoop,
  measured,
  opsOf,
  runMetered,
  warmUp,
} from "./lib/bench-measure";
import {
  allDelivered,
  describePurchases,
  type PurchaseRun,
  purchaseProblems,
  purchasesContext,
  runPurchases,
} from "./lib/bench-purchases";
import { formatMs, formatRate, formatTable, type Op, type RunResult } from "./lib/bench-stats";
import { type DeliveryCheck, startTelegramBench } from "./lib/bench-telegram";
import { type HttpLoad, startHttpLoad } from "./lib/http-load-client";
import { loadConfigOrExit, runMain } from "./runtime/boot";

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
/** HTTP purchases: concurrent HTTP clients, each its own user, wallet, PIN and API key. */
const HTTP_CLIENTS = 64;
/** A claim not answered within this long is a failed request. */
const CLAIM_TIMEOUT_MS = 60_000;
/** The durable cluster's directory, under the bench's own. */
const DURABLE_DIR = "durable";
/**
 * Warm-up callers of the bcrypt run: a closed loop of 64 such callers cannot finish one round in less
 * than 64 PIN checks of CPU (~15 s), so a full-width warm-up would double its time for nothing.
 */
const BCRYPT_WARMUP_CALLERS = 8;
/** The claim storm: this many recipients at once on a room of STORM_GIFTS gifts. */
const STORM_CLAIMANTS = 2_000;
const STORM_GIFTS = 100;
/** Its warm-up: a smaller storm on a room of its own, so the measured one does not pay the JIT. */
const STORM_WARMUP_CLAIMANTS = 500;
const STORM_WARMUP_GIFTS = 20;
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

const USAGE = `Usage: npm run bench [-- --seconds N]

  --seconds N   measured duration of each run (default ${DEFAULT_SECONDS}, max ${MAX_SECONDS});
                each run is preceded by a ${WARMUP_MS / 1000} s warm-up. The first purchase per HTTP
                client and the bcrypt run each take at least ${HTTP_CLIENTS} PIN checks (~15 s), whatever N is;
                the Telegram flood-limited run sends a fixed ${TELEGRAM_FLOOD_MESSAGES} messages at
                ${TELEGRAM_FLOOD.perSecond}/s (~${Math.ceil(TELEGRAM_FLOOD_MESSAGES / TELEGRAM_FLOOD.perSecond)} s).
                Every cost snapshot waits ${STATS_SETTLE_MS / 1000} s for PostgreSQL to publish its commit
                counts (21 snapshots, ~3.7 min). The purchases run twice: on the main bench database
                (fsync off) and on a durable one. About 8 minutes in all on 2 cores at the default.

  REDIS_URL     when set, the purchase scenario's job queue uses Redis (own key prefix) instead of
                BullMQ's PostgreSQL backend in the bench database
  VTU_DISPATCH  queue: purchases' order jobs go through the job queue; default (auto): they run in
                the server process, as under \`npm start\`
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
  /** What each operation of a run costs (statements, commits, CPU). */
  meter: CostMeter;
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
async function selectCounter(bench: Bench, row: TrackedCounter, options = { prepared: true }): Promise<void> {
  const text = "SELECT v FROM bench_counter WHERE id = $1";
  // Text and values are named (prepared) under the pool (db/prepared-statements.ts); a query config
  // object is sent as it is, unnamed.
  const selected = options.prepared
    ? await bench.raw.query(text, [row.id])
    : await bench.raw.query({ text, values: [row.id] });
  if (selected.rowCount !== 1) {
    throw new Error(`bench: bench_counter row ${row.id} is missing`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Driver

/**
 * One block of the results table: a service row and its raw baseline; for purchases also the cold
 * first purchases and the crypto bound (bcrypt) both purchase rows are compared with.
 */
/** `bound`: a second reference row; the service's ratio to it is shown on that row. */
type Result = { service: Measured; baseline: Measured; cold?: Measured; bound?: Measured };

type GiftReport = {
  result: Result;
  winners: number;
  full: number;
  warmupWinners: number;
  warmupFull: number;
  rawWinners: number;
  rawClaimed: number;
};

type TelegramReport = {
  results: Result[];
  /** The "balance" run without flood limits (the table row), checked message by message. */
  balance: DeliveryCheck;
  flood: { measured: Measured; check: DeliveryCheck };
};

/** What one bench database gave: its table rows, what to print below the table, and what failed. */
type Report = {
  context: string[];
  results: Result[];
  lines: string[];
  problems: string[];
  warnings: string[];
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
    return await benchInOwnDatabases(dataDir, seconds);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

async function benchInOwnDatabases(dataDir: string, seconds: number): Promise<number> {
  const config = loadConfigOrExit({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    DATA_DIR: dataDir,
    PIN_PEPPER: randomBytes(32).toString("hex"),
    // The purchase scenario measures our side of a purchase: the sandbox answers at once.
    SANDBOX_LATENCY_MS: "0",
    // Each bench client is one customer buying as fast as it can: lift the per-user money-action limit.
    MONEY_ACTIONS_PER_MINUTE: "10000",
    // Each bench client buys with its own API key, far past a reseller's default 120 requests a minute.
    API_KEY_RATE_LIMIT_PER_MINUTE: "100000",
    // Each bench chat enters its PIN about once a second, far past a person's pace.
    PIN_ATTEMPTS_PER_MINUTE: "1000",
    // The claim storm comes from one address (the load generator on 127.0.0.1).
    GIFT_CLAIMS_PER_MINUTE_PER_IP: "1000000",
    REDIS_URL: process.env.REDIS_URL,
    // `VTU_DISPATCH=queue npm run bench` measures purchases through the job queue instead.
    VTU_DISPATCH: process.env.VTU_DISPATCH,
  });
  progress("starting the HTTP load generator (child process)");
  const load = await startHttpLoad();
  try {
    const database = (durable: boolean) => ({
      dataDir: durable ? path.join(dataDir, DURABLE_DIR) : dataDir,
      durable,
      poolSize: POOL_SIZE,
      applicationName: APP_NAME,
      log: progress,
    });
    const main = await withBenchDatabase(database(false), (db) => benchMain(db, config, load, seconds));
    // A second cluster, durable as production is, for the purchases and their floor again.
    const durable = await withBenchDatabase(database(true), (db) => benchDurable(db, config, load, seconds));
    return printReports(seconds, [main, durable]);
  } finally {
    await load.close();
  }
}

/** The main bench database (fsync off): every scenario, then its checks. */
async function benchMain(
  database: BenchDatabase,
  config: Config,
  load: HttpLoad,
  seconds: number,
): Promise<Report> {
  let keySeq = 0;
  const runTag = randomBytes(4).toString("hex");
  const bench: Bench = {
    ctx: { db: database.db, config, logger: createLogger({ level: "silent" }), now: () => new Date() },
    db: database.db,
    raw: database.raw,
    meter: database.meter,
    wallets: [],
    counters: [],
    nextIdempotencyKey: () => `bench-${runTag}-${++keySeq}`,
  };
  const results: Result[] = [];
  for (const scenario of SCENARIOS) {
    const { callers } = scenario;
    const serviceOp = await scenario.setup(bench);
    const baselineOp = await scenario.baseline.setup(bench);
    // Both warm up first, so one snapshot ends the service's run and starts the baseline's.
    progress(
      `${scenario.name}, and its baseline: ${WARMUP_MS / 1000} s warm-up each, then ${seconds} s measured each`,
    );
    const serviceWarmup = await warmUp(serviceOp, callers, WARMUP_MS);
    const baselineWarmup = await warmUp(baselineOp, callers, WARMUP_MS);
    const before = await bench.meter.snapshot();
    const service = await runMetered({
      meter: bench.meter,
      before,
      name: scenario.name,
      op: serviceOp,
      callers,
      seconds,
      warmup: serviceWarmup,
    });
    const baseline = await runMetered({
      meter: bench.meter,
      before: service.after,
      name: scenario.baseline.name,
      op: baselineOp,
      callers,
      seconds,
      warmup: baselineWarmup,
    });
    results.push({ service: service.row, baseline: baseline.row });
  }

  const jobsKind = config.REDIS_URL ? "Redis (REDIS_URL)" : "PostgreSQL (bench database)";
  progress(`HTTP purchases: starting the app, the VTU worker on ${jobsKind} and ${HTTP_CLIENTS} clients`);
  const http = await startPurchaseBench({
    db: bench.db,
    config,
    logger: bench.ctx.logger,
    databaseUrl: database.url,
    redisUrl: config.REDIS_URL,
    clients: HTTP_CLIENTS,
    fundKobo: FUND_KOBO,
    progress,
  });
  let purchases: PurchaseRun;
  let bound: Measured;
  let telegram: TelegramReport;
  let gifts: GiftReport;
  try {
    const boundName = `bcrypt PIN verify (cost ${config.PIN_BCRYPT_COST}, uncached), ${HTTP_CLIENTS} callers`;
    progress(
      `${boundName}: ${WARMUP_MS / 1000} s warm-up (${BCRYPT_WARMUP_CALLERS} callers), measured after the purchases`,
    );
    const boundWarmup = await warmUp(http.bcryptVerify, BCRYPT_WARMUP_CALLERS, WARMUP_MS);
    purchases = await runPurchases({
      http,
      load,
      meter: bench.meter,
      raw: bench.raw,
      clients: HTTP_CLIENTS,
      fundKobo: FUND_KOBO,
      seconds,
      warmupMs: WARMUP_MS,
      label: "",
      measureCold: true,
      progress,
    });
    progress(`${boundName}: ${seconds} s measured (at least one round of ${HTTP_CLIENTS} compares)`);
    const boundRun = await runMetered({
      meter: bench.meter,
      before: purchases.after,
      name: boundName,
      op: http.bcryptVerify,
      callers: HTTP_CLIENTS,
      seconds,
      warmup: boundWarmup,
    });
    bound = boundRun.row;
    telegram = await benchTelegram(bench, http, seconds);
    gifts = await benchClaimStorm(bench, http, load);
  } finally {
    progress("HTTP purchases: stopping the HTTP server, the VTU worker and the job backend");
    await http.close();
  }
  results.push(
    { service: purchases.service, baseline: purchases.floor, cold: purchases.cold, bound },
    ...telegram.results,
    gifts.result,
  );

  const lines = [
    ...describePurchases(purchases, "", bound),
    ...describeBackground(bound),
    "",
    ...describeTelegram(telegram),
    "",
    ...describeGifts(gifts),
    "",
  ];
  const problems: string[] = [];
  const warnings: string[] = [];
  const balanceProblems = await verifyBalances(bench);
  const debits = bench.wallets.reduce((n, w) => n + w.debits, 0);
  lines.push(
    balanceProblems.length === 0
      ? `balances: all ${bench.wallets.length} wallets equal funded − debits × ${DEBIT_KOBO} kobo (${debits} debits)`
      : `balances: ${balanceProblems.length} MISMATCH(ES)`,
    ...balanceProblems.map((p) => `  ${p}`),
  );
  problems.push(...balanceProblems.map((p) => `wallet balance: ${p}`));
  lines.push(...purchaseChecks(purchases, ""));
  problems.push(...purchaseProblems(purchases));
  const counterProblems = await verifyCounters(bench);
  lines.push(
    counterProblems.length === 0
      ? `bench_counter: all ${bench.counters.length} rows equal start − committed updates`
      : `bench_counter: ${counterProblems.length} MISMATCH(ES)`,
    ...counterProblems.map((p) => `  ${p}`),
  );
  problems.push(...counterProblems.map((p) => `bench_counter: ${p}`));
  problems.push(...telegramProblems(telegram).map((p) => `telegram: ${p}`));
  if (gifts.winners !== STORM_GIFTS || gifts.full !== STORM_CLAIMANTS - STORM_GIFTS) {
    problems.push(
      `claim storm: ${gifts.winners} winners and ${gifts.full} "room full", expected ${STORM_GIFTS} and ${STORM_CLAIMANTS - STORM_GIFTS}`,
    );
  }
  if (
    gifts.warmupWinners !== STORM_WARMUP_GIFTS ||
    gifts.warmupFull !== STORM_WARMUP_CLAIMANTS - STORM_WARMUP_GIFTS
  ) {
    problems.push(
      `claim storm warm-up: ${gifts.warmupWinners} winners and ${gifts.warmupFull} "room full", expected ` +
        `${STORM_WARMUP_GIFTS} and ${STORM_WARMUP_CLAIMANTS - STORM_WARMUP_GIFTS}`,
    );
  }
  if (gifts.rawWinners !== STORM_GIFTS || gifts.rawClaimed !== STORM_GIFTS) {
    problems.push(`raw claim storm: ${gifts.rawWinners} winners, counter ${gifts.rawClaimed}`);
  }
  const ledger = await checkLedger(bench.db);
  const ledgerFailed = ledger.filter((r) => !r.ok).length;
  lines.push(
    "",
    formatLedgerChecks(ledger),
    ledgerFailed ? `${ledgerFailed} ledger check(s) FAILED` : "ledger OK",
  );
  if (ledgerFailed) {
    problems.push(`${ledgerFailed} ledger check(s) failed`);
  }
  if (!allDelivered(purchases)) {
    warnings.push("NOT ALL purchases answered delivered");
  }
  return {
    context: [
      `bench db: ${await database.describe()} (throw-away embedded PostgreSQL)`,
      purchasesContext(config, http.jobsKind, HTTP_CLIENTS),
      `bcrypt run: its warm-up uses ${BCRYPT_WARMUP_CALLERS} callers and its closed loop lasts at least one round of ${HTTP_CLIENTS} compares`,
    ],
    results,
    lines,
    problems,
    warnings,
  };
}

/** The durable bench database: purchases and the raw purchase floor once more, then their checks. */
async function benchDurable(
  database: BenchDatabase,
  config: Config,
  load: HttpLoad,
  seconds: number,
): Promise<Report> {
  const label = "durable: ";
  progress(`${label}HTTP purchases: starting the app, the VTU worker and ${HTTP_CLIENTS} clients`);
  const http = await startPurchaseBench({
    db: database.db,
    config,
    logger: createLogger({ level: "silent" }),
    databaseUrl: database.url,
    redisUrl: config.REDIS_URL,
    clients: HTTP_CLIENTS,
    fundKobo: FUND_KOBO,
    progress,
  });
  let purchases: PurchaseRun;
  try {
    purchases = await runPurchases({
      http,
      load,
      meter: database.meter,
      raw: database.raw,
      clients: HTTP_CLIENTS,
      fundKobo: FUND_KOBO,
      seconds,
      warmupMs: WARMUP_MS,
      label,
      // Its first purchases are only the warm-up: the table shows the main database's.
      measureCold: false,
      progress,
    });
  } finally {
    progress(`${label}HTTP purchases: stopping the HTTP server, the VTU worker and the job backend`);
    await http.close();
  }
  const ledger = await checkLedger(database.db);
  const ledgerFailed = ledger.filter((r) => !r.ok);
  const problems = [
    ...purchaseProblems(purchases).map((p) => `${label}${p}`),
    ...ledgerFailed.map((r) => `${label}ledger check failed: ${formatLedgerChecks([r])}`),
  ];
  return {
    context: [`durable bench db: ${await database.describe()} (a second throw-away embedded PostgreSQL)`],
    // The first purchases were only the warm-up here: the table shows the measured run and its floor.
    results: [{ service: purchases.service, baseline: purchases.floor }],
    lines: [
      ...describePurchases(purchases, label),
      ...purchaseChecks(purchases, label),
      ledgerFailed.length > 0
        ? formatLedgerChecks(ledger)
        : `${label}ledger OK (${ledger.length} checks passed on the durable database)`,
      "",
    ],
    problems,
    warnings: allDelivered(purchases) ? [] : [`${label}NOT ALL purchases answered delivered`],
  };
}

function purchaseChecks(p: PurchaseRun, label: string): string[] {
  return [
    p.walletProblems.length === 0
      ? `${label}purchase wallets: all ${HTTP_CLIENTS} equal funded − delivered orders, held = unresolved orders`
      : `${label}purchase wallets: ${p.walletProblems.length} MISMATCH(ES)`,
    ...p.walletProblems.map((w) => `  ${w}`),
    p.floorProblems.length === 0
      ? `${label}raw purchase floor: every order delivered, every hold posted, every entry balanced, ` +
        "every balance = opening + its postings"
      : `${label}raw purchase floor: ${p.floorProblems.length} PROBLEM(S)`,
    ...p.floorProblems.map((f) => `  ${f}`),
  ];
}

/** Print the context, the table and the checks of every database; 0 when nothing failed. */
function printReports(seconds: number, reports: Report[]): number {
  const results = reports.flatMap((r) => r.results);
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const out: string[] = [
    "",
    `context: ${cores} cores (${os.cpus()[0]?.model.trim() ?? "unknown cpu"}), Node ${process.version}, ` +
      `${seconds} s per run after a ${WARMUP_MS / 1000} s warm-up, ${CALLERS} callers, pool ${POOL_SIZE}`,
    ...reports.flatMap((r) => r.context),
    "",
    resultsTable(results),
    "",
    "ratio = service ops/s ÷ raw baseline ops/s (same callers, duration and database); purchases: ÷ the raw purchase floor",
    "  first-purchase row: its purchases/s ÷ bcrypt PIN verifies/s; bcrypt row: measured purchases/s ÷ bcrypt PIN verifies/s",
    "stmts/op: top-level statements in the bench database per operation (pg_stat_statements; BEGIN/COMMIT count);",
    "  commits/op: pg_stat_database.xact_commit; Node CPU: this process (app, VTU worker, bot, the raw baselines' pg",
    "  clients), never the load generators' child processes; PG CPU: every process of the cluster (/proc). Measured",
    `  around each run alone, after a ${STATS_SETTLE_MS / 1000} s wait for PostgreSQL to publish its commit counts`,
    "",
    ...reports.flatMap((r) => r.lines),
  ];

  const measuredRows = results
    .flatMap((r) => [r.service, r.baseline, r.cold, r.bound])
    .filter((m): m is Measured => m !== undefined);
  const failing = measuredRows.filter((m) => m.warmup.failed + m.run.failed > 0);
  const failedOps = failing.reduce((n, m) => n + m.warmup.failed + m.run.failed, 0);
  out.push(`failed operations: ${failedOps} (warm-ups included)`);
  const problems = reports.flatMap((r) => r.problems);
  for (const m of failing) {
    for (const [label, count] of mergeFailures(m.warmup, m.run)) {
      out.push(`  ${m.name}: ${count} × ${label}`);
      problems.unshift(`${m.name}: ${count} failed: ${label}`);
    }
  }
  process.stdout.write(`${out.join("\n")}\n`);

  if (problems.length > 0) {
    process.stdout.write(
      `\nbench FAILED (${problems.length} problem(s)):\n${problems.map((p) => `  ${p}`).join("\n")}\n`,
    );
    return 1;
  }
  const warnings = reports.flatMap((r) => r.warnings);
  if (warnings.length > 0) {
    process.stdout.write(`\nbench passed its correctness checks, but: ${warnings.join("; ")}\n`);
  }
  return 0;
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
      meter: bench.meter,
    });
    const service = measured(name, balance.run, { warmup: balance.warmup, cost: balance.cost });
    const rows = await createCounters(bench, TELEGRAM_CHATS);
    const baseline = await measure(
      bench,
      `raw single-row SELECT baseline (prepared), ${TELEGRAM_CHATS} callers`,
      (caller) => selectCounter(bench, pick(rows, caller)),
      TELEGRAM_CHATS,
      seconds,
    );
    // Before DECISIONS §49 this baseline ran unprepared by mistake (pg-pool's query passes a callback,
    // which the automatic naming skipped), unlike every other baseline: kept as a second row so the
    // earlier ratios can be compared.
    const unprepared = await measure(
      bench,
      `raw single-row SELECT, unprepared (parsed and planned each call), ${TELEGRAM_CHATS} callers`,
      (caller) => selectCounter(bench, pick(rows, caller), { prepared: false }),
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
      results: [{ service, baseline, bound: unprepared }],
      balance: balance.check,
      flood: { measured: measured(floodName, flood.run), check: flood.check },
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
  // A warm-up like every other row's: a smaller storm on a room of its own, checked, not measured.
  progress(`${name}: warm-up storm of ${STORM_WARMUP_CLAIMANTS} on a room of ${STORM_WARMUP_GIFTS}`);
  const stormOn = (room: { token: string; roomId: string }, claimants: number) =>
    load.claims({
      baseUrl: http.baseUrl,
      roomToken: room.token,
      deviceTag: `bench-device-${room.roomId}`,
      claimants,
      timeoutMs: CLAIM_TIMEOUT_MS,
    });
  const warmup = await stormOn(await createClaimRoom(http.ctx(), STORM_WARMUP_GIFTS), STORM_WARMUP_CLAIMANTS);
  progress(name);
  // Both made first, so one snapshot ends the storm's window and starts the raw burst's.
  const room = await createClaimRoom(http.ctx(), STORM_GIFTS);
  const rawStorm = await prepareRawClaimStorm(bench.raw, STORM_GIFTS);
  const s0 = await bench.meter.snapshot();
  const storm = await stormOn(room, STORM_CLAIMANTS);
  const s1 = await bench.meter.snapshot();
  progress(`raw baseline: ${STORM_CLAIMANTS} concurrent conditional UPDATEs on one row of ${STORM_GIFTS}`);
  const raw = await rawStorm.run(STORM_CLAIMANTS);
  const s2 = await bench.meter.snapshot();
  const exact =
    storm.winners === STORM_GIFTS &&
    storm.full === STORM_CLAIMANTS - STORM_GIFTS &&
    warmup.winners === STORM_WARMUP_GIFTS &&
    warmup.full === STORM_WARMUP_CLAIMANTS - STORM_WARMUP_GIFTS;
  return {
    result: {
      service: measured(exact ? name : `${name} — WRONG WINNER COUNT`, storm.run, {
        warmup: warmup.run,
        cost: bench.meter.diff(s0, s1, opsOf(storm.run)),
      }),
      baseline: measured(`raw conditional UPDATE baseline, ${STORM_CLAIMANTS} callers, one row`, raw.run, {
        cost: bench.meter.diff(s1, s2, opsOf(raw.run)),
      }),
    },
    winners: storm.winners,
    full: storm.full,
    warmupWinners: warmup.winners,
    warmupFull: warmup.full,
    rawWinners: raw.winners,
    rawClaimed: raw.claimed,
  };
}

/**
 * The bcrypt run makes no SQL at all: the statements, commits and PostgreSQL CPU of its window are
 * what the idle app, VTU worker and job queue do in the background, which every row measured while
 * they run (purchases, floor, Telegram, claim storm) carries too.
 */
function describeBackground(bound: Measured): string[] {
  const { cost, run } = bound;
  if (!cost || run.elapsedMs <= 0) {
    return [];
  }
  const ops = opsOf(run);
  const runSeconds = run.elapsedMs / 1000;
  // The commit count of a window also covers the snapshot's settle wait at its end.
  const commitSeconds = runSeconds + STATS_SETTLE_MS / 1000;
  return [
    `background (the bcrypt run makes no SQL; over its ${runSeconds.toFixed(0)} s the app, VTU worker and job queue ` +
      `sat idle): ${((cost.statements * ops) / runSeconds).toFixed(1)} statements/s, ` +
      `${((cost.commits * ops) / commitSeconds).toFixed(1)} commits/s, ` +
      `${((cost.pgCpuMs * ops) / runSeconds).toFixed(1)} ms PG CPU/s; rows measured while they run carry their share`,
  ];
}

function describeGifts(g: GiftReport): string[] {
  return [
    `gift claim storm: ${g.winners} claims won, ${g.full} answered "room full" (expected exactly ${STORM_GIFTS} winners ` +
      `and ${STORM_CLAIMANTS - STORM_GIFTS} "room full"); raw baseline: ${g.rawWinners} winners, counter ${g.rawClaimed}`,
    `  its warm-up storm (${STORM_WARMUP_CLAIMANTS} on a room of ${STORM_WARMUP_GIFTS}, not measured): ` +
      `${g.warmupWinners} won, ${g.warmupFull} "room full"`,
  ];
}

function describeTelegram(t: TelegramReport): string[] {
  const checked = (label: string, c: DeliveryCheck) =>
    `${label}: ${c.messages} messages, ${c.answers} answers in the chats; ${c.lost} lost, ${c.duplicates} duplicate ` +
    `(each chat's bot messages = the outbox rows sent to it); ${c.status429} × 429 from the emulator`;
  const { measured: flood, check } = t.flood;
  const s = flood.summary;
  return [
    "telegram: the simulated users and the Bot API emulator run in a child process; the bot in this process " +
      "long-polls the emulator over HTTP (getUpdates), records each update in chat_updates before acknowledging " +
      "it, and answers through the engine and the chat outbox (sendMessage over HTTP). Each user sends " +
      '"balance" when the answer to its previous one arrived; latency = send → the answer in the chat ' +
      "(seen within ~1 ms); a wrong or missing answer fails the bench. Without flood limits the outbox pacing " +
      "is lifted and the emulator limits nothing; ratio = answers/s ÷ raw single-row SELECTs/s (prepared, as " +
      "every baseline and the product's repeated statements are; the unprepared row's ratio is on its own line)",
    checked('telegram "balance", no flood limits', t.balance),
    `${flood.name}, in the emulator and our outbox pacing: ` +
      `${formatRate(s.opsPerSecond)} answers/s, p50 ${formatMs(s.p50)} ms, p99 ${formatMs(s.p99)} ms, ` +
      `${(flood.run.elapsedMs / 1000).toFixed(1)} s`,
    checked("  flood run", check),
    ...telegramProblems(t).map((p) => `  PROBLEM: ${p}`),
  ];
}

function telegramProblems(t: TelegramReport): string[] {
  return [...t.balance.problems, ...t.flood.check.problems];
}

function measure(bench: Bench, name: string, op: Op, callers: number, seconds: number): Promise<Measured> {
  return measureClosedLoop({ meter: bench.meter, name, op, callers, seconds, warmupMs: WARMUP_MS, progress });
}

function resultsTable(results: Result[]): string {
  const row = (m: Measured, indent: string, ratio: string) => [
    `${indent}${m.name}`,
    formatRate(m.summary.opsPerSecond),
    formatMs(m.summary.p50),
    formatMs(m.summary.p99),
    String(m.run.failed),
    ratio,
    ...costCells(m.cost),
  ];
  const ratioOf = (a: Measured, b: Measured) => {
    const ratio = b.summary.opsPerSecond > 0 ? a.summary.opsPerSecond / b.summary.opsPerSecond : NaN;
    if (!Number.isFinite(ratio)) {
      return "-";
    }
    // Full-stack purchases against a raw baseline can be far below 0.01: keep two significant digits.
    return ratio >= 0.01 ? ratio.toFixed(2) : ratio.toPrecision(2);
  };
  const rows = results.flatMap(({ service, baseline, cold, bound }) => [
    row(service, "", ratioOf(service, baseline)),
    row(baseline, "  ", ""),
    ...(cold ? [row(cold, "  ", bound ? ratioOf(cold, bound) : "")] : []),
    ...(bound ? [row(bound, "  ", ratioOf(service, bound))] : []),
  ]);
  return formatTable(
    [
      "",
      "ops/s",
      "p50 ms",
      "p99 ms",
      "failed",
      "ratio",
      "stmts/op",
      "commits/op",
      "Node CPU ms/op",
      "PG CPU ms/op",
    ],
    rows,
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
 * If the process ends any other way than through main's `finally` (Ctrl-C, a crash), the servers
 * must still go and the directory with them. Ctrl-C is the awkward one: the terminal also sends
 * SIGINT to the servers, whose fast shutdown kills our connections, and tsx SIGKILLs this process
 * ~60 ms after relaying the signal — too soon for an orderly async stop. So on exit, stop the servers
 * at once (SIGQUIT = immediate shutdown; the data is thrown away anyway) and leave the directory to
 * a detached `rm` that waits for them to go.
 */
function cleanUpOnAbnormalExit(dataDir: string): void {
  process.on("exit", () => {
    if (!existsSync(dataDir)) {
      return; // main's finally has cleaned up
    }
    const pids: number[] = [];
    for (const pgDir of [path.join(dataDir, "pg"), path.join(dataDir, DURABLE_DIR, "pg")]) {
      const postmaster = findRunningPostmaster(pgDir);
      if (postmaster) {
        try {
          process.kill(postmaster.pid, "SIGQUIT");
          pids.push(postmaster.pid);
        } catch {
          // already gone
        }
      }
    }
    const script =
      'dir="$1"; shift; for p in "$@"; do i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; done; rm -rf -- "$dir"';
    spawn("sh", ["-c", script, "tada-bench-cleanup", dataDir, ...pids.map(String)], {
      detached: true,
      stdio: "ignore",
    }).unref();
  });
  const interrupted = (code: number) => {
    process.stderr.write(`\nbench: interrupted; stopping the bench databases and removing ${dataDir}\n`);
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
