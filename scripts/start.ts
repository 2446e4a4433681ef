// npm start — the one-process launcher: database (embedded unless DATABASE_URL), migrations, the HTTP
// API + web pages, and the job workers (ROLE=all, the default), or one role for scale-out.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ServerType } from "@hono/node-server";
import { createJobBackend } from "../api/jobs/backend";
import { startCallbackSender } from "../api/jobs/callbacks";
import { startMaintenanceJobs } from "../api/jobs/maintenance";
import { startPaymentWorkers } from "../api/jobs/payments";
import { startVtuWorkers } from "../api/jobs/vtu";
import { flushLogger, logsQuiet } from "../api/logger";
import { ensureFirstAdmin } from "../api/services/admins";
import { CredentialCache } from "../api/services/auth";
import { registerBoot, startHeartbeat } from "../api/services/processes";
import { beginShutdown } from "../api/shutdown";
import { isAlive } from "../db/embedded";
import { bannerText } from "./lib/banner";
import { loadConfigOrExit, openRuntime, runMain } from "./runtime/boot";
import { setUpChat } from "./runtime/chat";
import { createHttpApp, listenHttp } from "./runtime/http";
import { setUpPayments, setUpVtu } from "./runtime/services";

runMain(async () => {
  // Ctrl-C before the app serves: exit at once. Exiting stops the embedded PostgreSQL (its 'exit'
  // hook), which runs in a session of its own and so does not get the terminal's Ctrl-C itself.
  const stopWhileStarting = () => process.exit(130);
  process.on("SIGINT", stopWhileStarting);
  process.on("SIGTERM", stopWhileStarting);
  const config = loadConfigOrExit();
  const runsApi = config.ROLE === "all" || config.ROLE === "api";
  const runsWorker = config.ROLE === "all" || config.ROLE === "worker";
  // A lone worker (`npm run worker`) joins the embedded database of a running `npm start`.
  const ownsDatabase = config.ROLE !== "worker";
  const releaseLock = config.embeddedDatabase && ownsDatabase ? takeAppLock(config.DATA_DIR) : () => {};

  // Shutdown is ours (HTTP first, then workers, then the database): see loadEmbeddedPostgres.
  const runtime = await openRuntime({ mode: ownsDatabase ? "own" : "attach-or-own" });
  const { logger, db } = runtime;
  const jobs = createJobBackend({ redisUrl: config.REDIS_URL, databaseUrl: runtime.databaseUrl, logger });

  const firstAdmin = await ensureFirstAdmin({ ctx: runtime.ctx() });
  // Crash recovery: leases this process takes carry its boot id; a restart of the same instance
  // (the embedded database's owner is one per data directory, by the lock above) ends the earlier
  // boot at once, so the work it left is taken over by the first sweep instead of after its leases.
  const boot = await registerBoot(runtime.ctx(), {
    role: config.ROLE,
    instanceId:
      config.INSTANCE_ID ??
      (config.embeddedDatabase && ownsDatabase ? `embedded:${config.DATA_DIR}` : undefined),
  });
  const heartbeat = startHeartbeat(runtime.ctx(), boot);
  const vtu = await setUpVtu({
    config,
    db,
    logger,
    jobs,
    ctx: runtime.ctx,
    owner: boot.bootId,
    // LISTEN: purchase requests hear their order's outcome; orders price from a cached catalogue.
    databaseUrl: runtime.databaseUrl,
    // The process that runs the worker too runs its own order jobs (DECISIONS §3).
    localJobs:
      config.ROLE === "all" && config.VTU_DISPATCH === "auto"
        ? { concurrency: config.VTU_WORKER_CONCURRENCY }
        : undefined,
  });
  const payments = setUpPayments({ config, db, logger, jobs, ctx: runtime.ctx });

  // The chat channels live with the API (a Telegram webhook arrives there).
  const chat = runsApi
    ? setUpChat({ config, logger, ctx: runtime.ctx, vtu, payments, owner: boot.bootId })
    : undefined;
  let chatRunning: { stop(): Promise<void> } | undefined;

  let server: ServerType | undefined;
  if (runsApi) {
    const app = createHttpApp({
      db,
      config,
      logger,
      jobs,
      vtu,
      payments,
      telegramWebhook: chat?.telegram?.webhook,
      chatSenders: chat?.senders,
      credentials: vtu.listener && new CredentialCache(vtu.listener),
    });
    server = await listenHttp(app.fetch, { host: config.HOST, port: config.PORT }).catch(
      (error: NodeJS.ErrnoException) => {
        throw error.code === "EADDRINUSE"
          ? new Error(
              `Port ${config.PORT} is already in use. Stop the other program or set PORT to a free port.`,
            )
          : error;
      },
    );
  }
  let callbackSender: { stop(): void } | undefined;
  if (runsWorker) {
    await startMaintenanceJobs({ jobs, ctx: runtime.ctx, logger });
    // Resellers' order callbacks (DECISIONS §71): leased to this boot, taken over if it dies.
    callbackSender = startCallbackSender({ ctx: runtime.ctx, logger, deps: { owner: boot.bootId } });
    await startVtuWorkers({
      jobs,
      ctx: runtime.ctx,
      vtu,
      logger,
      concurrency: config.VTU_WORKER_CONCURRENCY,
      sweepEverySeconds: config.VTU_SWEEP_INTERVAL_SECONDS,
      syncEveryMinutes: config.CATALOGUE_SYNC_INTERVAL_MINUTES,
    });
    await startPaymentWorkers({
      jobs,
      ctx: runtime.ctx,
      payments,
      logger,
      sweepEverySeconds: config.VTU_SWEEP_INTERVAL_SECONDS,
      reconcileEveryMinutes: config.FUNDING_RECONCILE_INTERVAL_MINUTES,
    });
  }

  chatRunning = chat?.begin();

  let stoppingSince: number | undefined;
  const shutdown = async (signal: string) => {
    if (stoppingSince !== undefined) {
      // One Ctrl-C can arrive twice (the terminal signals the whole group, and `npm start` forwards
      // it to a node that its shell exec'd): only a second press, later, forces the exit.
      if (Date.now() - stoppingSince < 1_000) {
        return;
      }
      process.stderr.write("forced exit\n");
      process.exit(1);
    }
    stoppingSince = Date.now();
    beginShutdown();
    logger.info({ signal }, "shutting down");
    // Connections other libraries still hold (BullMQ's LISTEN client) are cut when PostgreSQL stops:
    // "terminating connection due to administrator command" (57P01) is expected now, not a crash.
    process.on("uncaughtException", (error: Error & { code?: string }) => {
      if (error.code === "57P01") {
        return;
      }
      logger.fatal({ err: error }, "uncaught exception during shutdown");
      process.exit(1);
    });
    // Each step runs even if an earlier one failed; the database goes last so in-flight work can finish.
    let exitCode = 0;
    const step = async (name: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (error) {
        exitCode = 1;
        logger.error({ err: error, step: name }, "shutdown step failed");
      }
    };
    await step("chat", async () => chatRunning?.stop());
    await step("callbacks", async () => callbackSender?.stop());
    await step("http", () => closeServer(server));
    // Order jobs running in process finish (waiting ones go to the queue) before the queue closes.
    await step("vtu", async () => vtu.close?.());
    await step("jobs", () => jobs.close());
    await step("heartbeat", () => heartbeat.stop());
    await step("database", () => runtime.close());
    releaseLock();
    logger.info("stopped");
    process.exit(exitCode);
  };
  process.removeListener("SIGINT", stopWhileStarting);
  process.removeListener("SIGTERM", stopWhileStarting);
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));

  // Wall time from the process's start: loading the modules is part of what a person waits for.
  const readySeconds = process.uptime();
  // The banner goes out in one piece after the start-up lines (the first job runs log right after
  // start): the one-time admin password then stands below them instead of scrolling away among them.
  await flushLogger(logger);
  await logsQuiet({ quietMs: 1_000, maxMs: 4_000 });
  await flushLogger(logger);
  if (stoppingSince !== undefined) {
    return 0; // stopped while waiting: the shutdown exits the process
  }
  process.stdout.write(
    bannerText({
      config,
      readySeconds,
      roles: [runsApi && "api", runsWorker && "worker"].filter(Boolean).join(" + "),
      jobs: jobs.kind,
      providers: vtu.providers
        .all()
        .map((p) => p.code)
        .join(", "),
      api: runsApi,
      chat: chat?.telegram
        ? `Telegram (${chat.telegram.mode === "webhook" ? "webhook" : "long polling"})`
        : "Telegram off (set TELEGRAM_BOT_TOKEN)",
      whatsapp: config.WHATSAPP_ENABLED && runsApi,
      firstAdmin,
    }),
  );
  await new Promise(() => {}); // run until a signal
  return 0;
});

/** Stop accepting connections, let in-flight requests finish, drop idle keep-alive sockets at once. */
function closeServer(server: ServerType | undefined): Promise<void> {
  if (!server) {
    return Promise.resolve();
  }
  return new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    if ("closeIdleConnections" in server) {
      server.closeIdleConnections();
    }
  });
}

/**
 * One `npm start` per data dir. The lock tells a live app (refuse to start a second) from a stale
 * one left by kill -9 (take over; the orphaned PostgreSQL is stopped by the embedded boot).
 */
function takeAppLock(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, "app.pid");
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, "utf8").trim());
    if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid) && isOurApp(pid)) {
      throw new Error(
        `TADA VTU is already running from ${dataDir} (pid ${pid}). Stop it first (Ctrl-C or kill ${pid}), or use another DATA_DIR.`,
      );
    }
  }
  writeFileSync(file, `${process.pid}\n`);
  const release = () => {
    try {
      if (readFileSync(file, "utf8").trim() === String(process.pid)) {
        rmSync(file);
      }
    } catch {
      // already gone
    }
  };
  process.on("exit", release);
  return release;
}

function isOurApp(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("scripts/start");
  } catch {
    return false;
  }
}
