import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import type { Kysely } from "kysely";
import { createDb } from "../../../db/client";
import type { Database } from "../../../db/database";
import { embeddedDatabaseUrl, findRunningPostmaster } from "../../../db/embedded";
import { freePort } from "../free-port";
import { killGroup, type ProductProcess, spawnProduct, stopGracefully, waitHealthy } from "./app-process";
import { FaultLog, Gate } from "./faults";
import { SoakHttp } from "./http";
import type { SoakOptions } from "./options";
import {
  type FaultRecord,
  faultRecord,
  judgeRecoveries,
  ordersInFlight,
  RecoveryTracker,
  round,
  runOps,
  settleAndVerify,
  type Verdict,
} from "./run";
import type { Windows } from "./verify";
import { Violations } from "./violations";
import { planFingerprint, planOps, Workload } from "./workload";

/**
 * What the soak changes in the product's configuration, and why. Everything else is the embedded
 * default as `npm start` runs it, sandbox pace included (600 ms latency, 3 s timeouts, 8 s pending),
 * and the crash-recovery settings (VTU_SUBMIT_LEASE_SECONDS, VTU_SWEEP_INTERVAL_SECONDS) are left
 * alone on purpose: how fast orders recover after a kill is what the soak measures.
 */
export const SOAK_OVERRIDES: Readonly<Record<string, string>> = {
  // One client drives every customer at machine speed; the per-user, per-IP and per-hour limits
  // are tested on their own and would only turn operations into 429s here.
  MONEY_ACTIONS_PER_MINUTE: "600",
  AUTH_RATE_LIMIT_PER_MINUTE: "10000",
  GIFT_CLAIMS_PER_MINUTE_PER_IP: "100000",
  GIFT_ROOMS_PER_HOUR: "10000",
  // Password hashing is not under test; 10 is the lowest cost the configuration accepts.
  PASSWORD_BCRYPT_COST: "10",
  // "Never processed" counts as a failure 10 s after the attempt instead of 60 s: still far longer
  // than the sandbox takes to record a vend (600 ms), so it can never refund something vended.
  VTU_NOT_FOUND_GRACE_SECONDS: "10",
  // Requeries of pending/unknown orders start 2 s apart (doubling) instead of 10 s: the backoff is
  // not what the soak measures, and the slow fault paths (…0005: a timeout at each provider) then
  // settle in about half a minute, not two.
  VTU_REQUERY_BASE_SECONDS: "2",
  // A checkout whose webhook died with the app is reconciled within a minute instead of ten.
  FUNDING_RECONCILE_INTERVAL_MINUTES: "1",
  // The first post-delivery requery 20 s after delivery instead of 2 min (the sandbox reverses its
  // …0008 deliveries 8 s after them); the later checks keep their spacing. Builds without the
  // post-delivery schedule ignore it.
  VTU_VERIFY_AFTER_DELIVERY: "20s,2m,30m,6h,24h",
};

/** The windows the verification allows, from the configuration above and the defaults. */
export const SOAK_WINDOWS: Windows = {
  leaseSeconds: 120,
  sweepSeconds: 5,
  // First post-delivery check (20 s) + a sweep (5 s) + slack for a requery and a restart (40 s).
  reversalSeconds: 65,
  manualReviewMinutes: 180,
};

export type SoakResult = {
  seed: number;
  ops: number;
  fingerprint: string;
  kills: FaultRecord[];
  verdict: Verdict;
  violations: Violations;
  seconds: number;
  dataDir: string;
  http: SoakHttp["stats"];
  workload: Workload["stats"];
  users: number;
  rooms: number;
};

/**
 * `npm run soak`: the embedded default started as a user starts it, a mixed workload over HTTP from
 * this process, `kill -9` of the whole process group every `killEvery` operations and a restart,
 * then settlement and verification.
 */
export async function runEmbeddedSoak(
  options: SoakOptions,
  log: (line: string) => void,
): Promise<SoakResult> {
  const started = Date.now();
  rmSync(options.dataDir, { recursive: true, force: true });
  mkdirSync(options.dataDir, { recursive: true, mode: 0o755 });
  const port = await freePort();
  const pgPort = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/root",
    DATA_DIR: options.dataDir,
    PORT: String(port),
    EMBEDDED_PG_PORT: String(pgPort),
    LOG_LEVEL: "warn",
    ...SOAK_OVERRIDES,
  };
  const violations = new Violations();
  const faults = new FaultLog();
  const gate = new Gate();
  const http = new SoakHttp({ baseUrls: () => [baseUrl], gate, faults, violations });
  const logFile = (n: number) => path.join(options.dataDir, `app-${n}.log`);

  let product: ProductProcess = spawnProduct(env, logFile(0));
  let db: Kysely<Database> | undefined;
  const kills: FaultRecord[] = [];
  const trackers: RecoveryTracker[] = [];
  // Ctrl-C on the soak must not leave the app (in its own process group) and its PostgreSQL behind.
  const interrupted = (signal: NodeJS.Signals) => {
    try {
      process.kill(-product.pid, "SIGKILL");
    } catch {
      // already gone
    }
    killPostgresGroup(path.join(options.dataDir, "pg"));
    process.stderr.write(`[soak] ${signal}: the app was killed; DATA_DIR left at ${options.dataDir}\n`);
    process.exit(130);
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  try {
    await waitHealthy(baseUrl, product, 180_000);
    log(`app up in ${round((Date.now() - started) / 1000)} s on ${baseUrl} (DATA_DIR ${options.dataDir})`);
    db = createDb(embeddedDatabaseUrl(options.dataDir, pgPort), {
      poolSize: 3,
      applicationName: "tada-soak",
      onIdleError: () => {},
    });
    const auditor = db;

    const workload = new Workload({ http, violations, seed: options.seed, userCount: options.users });
    await workload.setup();
    const ops = planOps(options.seed, options.ops);
    const fingerprint = planFingerprint(options.seed, ops);
    log(
      `seed ${options.seed}: ${ops.length} operations (plan ${fingerprint}), ${options.users} customers, concurrency ${options.concurrency}, kill -9 every ${options.killEvery || "never"}`,
    );

    const killAt = new Set(
      options.killEvery > 0
        ? ops.filter((op) => op.index > 0 && op.index % options.killEvery === 0).map((op) => op.index)
        : [],
    );

    const killAndRestart = async (atOp: number) => {
      const n = kills.length + 1;
      for (const tracker of trackers) {
        await tracker.stop();
      }
      const inFlight = await ordersInFlight(auditor).catch(() => []);
      gate.close();
      const window = faults.open("kill", { transport: true, statuses: [] });
      const killedAt = Date.now();
      await killGroup(product);
      // The embedded PostgreSQL runs in a process group of its own (a terminal's Ctrl-C must reach
      // the app alone, db/embedded.ts): a pulled plug takes it too, backends and all.
      killPostgresGroup(path.join(options.dataDir, "pg"));
      const record = faultRecord({ n, kind: "kill -9", atOp, at: killedAt }, inFlight);
      const orphan = findRunningPostmaster(path.join(options.dataDir, "pg"));
      if (orphan) {
        record.notes.push(`PostgreSQL (pid ${orphan.pid}) survived the group kill; the restart stopped it`);
      }
      product = spawnProduct(env, logFile(n));
      await waitHealthy(baseUrl, product, 180_000);
      const healthyAt = Date.now();
      record.restartSeconds = round((healthyAt - killedAt) / 1000);
      faults.close(window, 1_000);
      gate.open();
      kills.push(record);
      trackers.push(new RecoveryTracker(auditor, record, inFlight, healthyAt));
      log(
        `kill -9 #${n} at operation ${atOp}: ${inFlight.length} order(s) in flight, /healthz 200 after ${record.restartSeconds} s`,
      );
    };

    await runOps({
      workload,
      ops,
      concurrency: options.concurrency,
      violations,
      beforeOp: async (op) => {
        if (killAt.has(op.index)) {
          await killAndRestart(op.index);
        }
      },
      log,
    });
    log(`all ${ops.length} operations answered; settling`);

    const verdict = await settleAndVerify({
      db: auditor,
      http,
      workload,
      windows: SOAK_WINDOWS,
      violations,
      trackers,
      settleTimeoutMs: options.settleTimeoutSeconds * 1_000,
      ledgerEnv: {
        PATH: env.PATH ?? "",
        HOME: env.HOME ?? "",
        DATA_DIR: options.dataDir,
        EMBEDDED_PG_PORT: String(pgPort),
        LOG_LEVEL: "warn",
      },
      log,
    });
    judgeRecoveries(kills, options.recoveryBudgetSeconds, violations);
    for (const k of kills) {
      log(
        `kill -9 #${k.n} (op ${k.atOp}): restart ${k.restartSeconds} s, ${k.inFlight} in flight, recovery ${k.recoverySeconds ?? `not finished (${k.unrecovered.length} left)`}${k.recoverySeconds !== undefined ? " s" : ""}`,
      );
    }

    await db.destroy();
    db = undefined;
    const stopped = await stopGracefully(product);
    if (stopped.code !== 0) {
      violations.add("shutdown", "Ctrl-C (SIGINT) did not stop the app cleanly", {
        ...stopped,
        log: product.logFile,
      });
    }
    return {
      seed: options.seed,
      ops: ops.length,
      fingerprint,
      kills,
      verdict,
      violations,
      seconds: round((Date.now() - started) / 1000),
      dataDir: options.dataDir,
      http: http.stats,
      workload: workload.stats,
      users: workload.users.length,
      rooms: workload.rooms.length,
    };
  } finally {
    process.removeListener("SIGINT", interrupted);
    process.removeListener("SIGTERM", interrupted);
    await db?.destroy().catch(() => {});
    if (product.child.exitCode === null && product.child.signalCode === null) {
      await killGroup(product);
    }
    const orphan = findRunningPostmaster(path.join(options.dataDir, "pg"));
    if (orphan) {
      process.kill(orphan.pid, "SIGINT");
    }
  }
}

/** kill -9 of the embedded PostgreSQL's process group (the postmaster leads it; its backends are in it). */
function killPostgresGroup(pgDir: string): void {
  const postmaster = findRunningPostmaster(pgDir);
  if (!postmaster) {
    return;
  }
  try {
    process.kill(-postmaster.pid, "SIGKILL");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") {
      throw error;
    }
  }
}
