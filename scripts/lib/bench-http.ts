/**
 * The end-to-end purchase workload of `npm run bench`: the real HTTP app on a local port, the VTU
 * worker in the same process on the job backend, the zero-latency sandbox providers, and one
 * funded user with a PIN and an API key per client. The clients themselves run in a child process
 * (scripts/lib/http-load.ts); this side serves them. Plus the crypto bound purchases are compared
 * with: the bcrypt PIN check every purchase pays.
 */
import { randomBytes } from "node:crypto";
import type { ServerType } from "@hono/node-server";
import type { Config } from "../../api/config";
import { createJobBackend } from "../../api/jobs/backend";
import { startVtuWorkers, VTU_QUEUE } from "../../api/jobs/vtu";
import type { Logger } from "../../api/logger";
import { CredentialCache, createApiKey } from "../../api/services/auth";
import type { Db, ServiceContext } from "../../api/services/context";
import type { PaymentsRuntime } from "../../api/services/funding";
import { SYSTEM_ACCOUNTS } from "../../api/services/ledger";
import { pinMatches, setOrChangePin } from "../../api/services/pins";
import { insertUser } from "../../api/services/users/create-user";
import { FINAL_STATES, type VtuRuntime } from "../../api/services/vtu";
import { creditWallet } from "../../api/services/wallet/move-money";
import { createHttpApp, listenHttp } from "../runtime/http";
import { setUpPayments, setUpVtu } from "../runtime/services";
import type { Op } from "./bench-stats";
import { freePort } from "./free-port";
import type { PurchaseClient, PurchasesRequest } from "./http-load-client";

const PIN = "2580";
const AIRTIME_KOBO = 10_000; // ₦100
const ACTOR = "system:bench";

type Client = PurchaseClient & { userId: string };

/** What every bench purchase asks for: ₦100 of MTN airtime, paid with the client's PIN. */
export const PURCHASE = { network: "mtn", amountKobo: AIRTIME_KOBO, pin: PIN } as const;

export type PurchaseBench = {
  /** "postgres" or "redis": where the BullMQ queue lives. */
  jobsKind: string;
  baseUrl: string;
  /**
   * A run of purchases for the load generator: client i (a funded customer with a PIN and an API
   * key) is its caller i; the run's label makes its idempotency keys its own.
   */
  purchases(run: {
    label: string;
    durationMs: number;
    maxOpsPerClient?: number;
    timeoutMs: number;
  }): Omit<PurchasesRequest, "cmd">;
  /**
   * The crypto of one PIN check: pinMatches on a client's stored hash with the verified-PIN cache off
   * (PIN_VERIFY_CACHE_SECONDS=0), i.e. one full bcrypt compare, as a first purchase pays.
   */
  bcryptVerify: Op;
  /** Jobs the VTU worker reported as failed (attempts included). */
  failedJobs(): number;
  /**
   * For the delivered bench orders created in [from, to): delivered_at − created_at in ms, ascending
   * (created_at is set in the request, after the PIN check; delivered_at by the worker).
   */
  deliveryLagMs(from: Date, to: Date): Promise<Float64Array>;
  /** Wait until every bench order is final (or the timeout passes); the orders per state. */
  settle(timeoutMs: number, userIds?: string[]): Promise<Map<string, number>>;
  /**
   * Each client's wallet (or each of `userIds`, funded with the same amount) against its orders:
   * balance = funded − Σ delivered, held = Σ unresolved.
   */
  verifyWallets(userIds?: string[]): Promise<string[]>;
  /** What the Telegram bench runs on: the same worker, job backend and sandbox providers. */
  ctx: () => ServiceContext;
  vtu: VtuRuntime;
  payments: PaymentsRuntime;
  /** HTTP server, worker, job backend (the database stays: the caller owns it). */
  close(): Promise<void>;
};

export async function startPurchaseBench(args: {
  db: Db;
  config: Config;
  logger: Logger;
  databaseUrl: string;
  /** Redis for the job queue when set; otherwise BullMQ's PostgreSQL backend in the bench database. */
  redisUrl?: string;
  clients: number;
  fundKobo: number;
  progress(message: string): void;
}): Promise<PurchaseBench> {
  const { db, config, logger } = args;
  const ctx = (): ServiceContext => ({ db, config, logger, now: () => new Date() });
  const tag = randomBytes(4).toString("hex");
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) {
      await closer().catch((error: unknown) => args.progress(`shutdown step failed: ${String(error)}`));
    }
    closers.length = 0;
  };

  try {
    // Its own prefix: on a shared Redis the bench must neither take a real worker's jobs nor leave its own.
    const prefix = `tada-bench-${tag}`;
    const jobs = createJobBackend({ redisUrl: args.redisUrl, databaseUrl: args.databaseUrl, prefix });
    closers.push(() => jobs.close());
    await jobs.check().catch((error: unknown) => {
      throw new Error(
        `bench: the ${jobs.kind} job backend did not answer${args.redisUrl ? " (REDIS_URL)" : ""}: ${String(error)}`,
      );
    });
    // Composed as `npm start` composes it (ROLE=all): LISTEN for outcomes and catalogue changes, and
    // its own order jobs in process unless VTU_DISPATCH=queue.
    const vtu = await setUpVtu({
      config,
      db,
      logger,
      jobs,
      ctx,
      databaseUrl: args.databaseUrl,
      localJobs: config.VTU_DISPATCH === "auto" ? { concurrency: config.VTU_WORKER_CONCURRENCY } : undefined,
    });
    const worker = await startVtuWorkers({
      jobs,
      ctx,
      vtu,
      logger,
      concurrency: config.VTU_WORKER_CONCURRENCY,
      sweepEverySeconds: config.VTU_SWEEP_INTERVAL_SECONDS,
      syncEveryMinutes: config.CATALOGUE_SYNC_INTERVAL_MINUTES,
    });
    let failedJobs = 0;
    worker.on("failed", () => failedJobs++);
    closers.push(async () => {
      await worker.close();
      if (jobs.kind === "redis") {
        await jobs.queue(VTU_QUEUE).obliterate({ force: true });
      }
    });
    // Closed before the queue (closers run in reverse): jobs running here finish first.
    closers.push(async () => vtu.close?.());

    // Funding is not measured here; the app only needs its gateway wired (no payment workers).
    const payments = setUpPayments({ config, db, logger, jobs, ctx });
    const app = createHttpApp({
      db,
      config,
      logger,
      jobs,
      vtu,
      payments,
      credentials: vtu.listener && new CredentialCache(vtu.listener),
    });
    const port = await freePort();
    // With npm start's listen backlog: the claim storm's 2,000 connections arrive at once.
    const server = await listenHttp(app.fetch, { host: "127.0.0.1", port });
    closers.push(() => closeServer(server));
    const baseUrl = `http://127.0.0.1:${port}`;

    // Each client sets its own PIN (its own bcrypt salt, so its own entry in the verified-PIN cache):
    // ~0.25 s of setup per client, but a shared hash would let one client's check warm the cache for all.
    args.progress(`HTTP purchases: creating ${args.clients} clients (user, funded wallet, PIN, API key)`);
    const clients: Client[] = [];
    for (let i = 0; i < args.clients; i++) {
      clients.push(await createClient(ctx(), i, args.fundKobo));
    }
    const first = clients[0];
    if (!first) {
      throw new Error("bench: no HTTP clients");
    }
    const { pin_hash: pinHash } = await db
      .selectFrom("user_pins")
      .select("pin_hash")
      .where("user_id", "=", first.userId)
      .executeTakeFirstOrThrow();
    const uncached: Config = { ...config, PIN_VERIFY_CACHE_SECONDS: 0 };

    const bcryptVerify: Op = async () => {
      if (!(await pinMatches(uncached, PIN, pinHash))) {
        throw new Error("bench: the PIN does not match its own hash");
      }
    };

    const userIds = clients.map((c) => c.userId);
    const orderStates = async (only: string[]) => {
      const rows = await db
        .selectFrom("vtu_orders")
        .select(["state", (eb) => eb.fn.countAll<number>().as("n")])
        .where("user_id", "in", only)
        .groupBy("state")
        .execute();
      return new Map(rows.map((r) => [r.state as string, Number(r.n)]));
    };

    return {
      jobsKind: jobs.kind,
      baseUrl,
      purchases: (run) => ({
        baseUrl,
        clients: clients.map(({ token, phone }) => ({ token, phone })),
        keyPrefix: `bench-${tag}-${run.label}`,
        ...PURCHASE,
        durationMs: run.durationMs,
        maxOpsPerClient: run.maxOpsPerClient,
        timeoutMs: run.timeoutMs,
      }),
      bcryptVerify,
      failedJobs: () => failedJobs,
      async deliveryLagMs(from, to) {
        const rows = await db
          .selectFrom("vtu_orders")
          .select(["created_at", "delivered_at"])
          .where("user_id", "in", userIds)
          .where("created_at", ">=", from)
          .where("created_at", "<", to)
          .where("delivered_at", "is not", null)
          .execute();
        return Float64Array.from(
          rows.map((r) => (r.delivered_at?.getTime() ?? Number.NaN) - r.created_at.getTime()),
        ).sort();
      },
      async settle(timeoutMs, only = userIds) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const counts = await orderStates(only);
          const open = [...counts].filter(([state]) => !(FINAL_STATES as readonly string[]).includes(state));
          if (open.length === 0 || Date.now() >= deadline) {
            return counts;
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      },
      async verifyWallets(only = userIds) {
        const accounts = await db
          .selectFrom("accounts")
          .select(["user_id", "balance", "held"])
          .where("user_id", "in", only)
          .execute();
        const orders = await db
          .selectFrom("vtu_orders")
          .select(["user_id", "state", "price_kobo"])
          .where("user_id", "in", only)
          .execute();
        const byUser = new Map(accounts.map((a) => [a.user_id, a]));
        const problems: string[] = [];
        for (const client of only.map((userId) => ({ userId }))) {
          const mine = orders.filter((o) => o.user_id === client.userId);
          const spent = sum(mine.filter((o) => o.state === "delivered").map((o) => o.price_kobo));
          const held = sum(mine.filter((o) => !FINAL_STATES.includes(o.state)).map((o) => o.price_kobo));
          const account = byUser.get(client.userId);
          if (!account) {
            problems.push(`purchase client ${client.userId}: wallet is missing`);
          } else if (account.balance !== args.fundKobo - spent || account.held !== held) {
            problems.push(
              `purchase client ${client.userId}: balance ${account.balance}, held ${account.held}; expected ` +
                `${args.fundKobo - spent} = ${args.fundKobo} − ${spent} delivered, held ${held} (${mine.length} orders)`,
            );
          }
        }
        return problems;
      },
      ctx,
      vtu,
      payments,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

async function createClient(ctx: ServiceContext, index: number, fundKobo: number): Promise<Client> {
  const user = await ctx.db
    .transaction()
    .execute((trx) => insertUser(trx, { displayName: `bench buyer ${index + 1}` }));
  await creditWallet({
    ctx,
    input: {
      userId: user.id,
      amountKobo: fundKobo,
      counterparty: SYSTEM_ACCOUNTS.adjustments,
      description: "bench funding",
      idempotencyKey: `bench-fund-${user.id}`,
      actor: ACTOR,
    },
  });
  await setOrChangePin({ ctx, userId: user.id, input: { pin: PIN } });
  const { key } = await createApiKey({ ctx, userId: user.id, input: { name: "bench" } });
  // The sandbox's plain "success" scenario: the last four digits ≥ 1000 (0001–0008 pick the others).
  const phone = `0803${String(index % 1000).padStart(3, "0")}1234`;
  return { userId: user.id, token: key, phone };
}

/** Stop accepting, let in-flight requests finish, drop the clients' idle keep-alive sockets. */
function closeServer(server: ServerType): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    if ("closeIdleConnections" in server) {
      server.closeIdleConnections();
    }
  });
}

function sum(values: number[]): number {
  return values.reduce((total, v) => total + v, 0);
}
