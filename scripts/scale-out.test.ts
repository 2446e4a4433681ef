import { spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../api/config";
import { createDb } from "../db/client";
import type { Database } from "../db/database";
import { hasRedisServer } from "../test/helpers/redis";
import { readScaleOutSteps, redisFlag, withPort, withRedisFlag } from "../test/helpers/scale-out-readme";
import {
  type Cluster,
  findPostgresBin,
  type RedisServer,
  startCluster,
  startRedisServer,
} from "../test/helpers/scale-out-services";
import { freePort } from "./lib/free-port";
import {
  killGroup,
  type ProductProcess,
  spawnProduct,
  stopGracefully,
  waitForLog,
  waitHealthy,
} from "./lib/soak/app-process";
import { SOAK_OVERRIDES, SOAK_WINDOWS } from "./lib/soak/embedded-soak";
import { FaultLog, Gate } from "./lib/soak/faults";
import { SoakHttp } from "./lib/soak/http";
import { summaryLine } from "./lib/soak/report";
import {
  type FaultRecord,
  faultRecord,
  judgeRecoveries,
  ordersInFlight,
  RecoveryTracker,
  round,
  runOps,
  settleAndVerify,
} from "./lib/soak/run";
import { Violations } from "./lib/soak/violations";
import { planOps, Workload } from "./lib/soak/workload";

/**
 * Scale-out, run the way the README's "Scale-out mode" block says (issue 13, item 9): Debian's
 * PostgreSQL (a cluster of our own, the role and database created with the README's SQL),
 * redis-server with the README's flags (AOF, noeviction), `npm run migrate` with the README's
 * variables, two `ROLE=api npm start` on their own PORTs and one `ROLE=worker npm start`. The soak
 * workload runs across both API ports; mid-load the worker is killed with -9 (and restarted, as a
 * supervisor would) and Redis is stopped for 20 s. Then: no stuck orders, the sandbox providers'
 * books agree with ours, every balance matches the client-side model, and `npm run check-ledger`
 * passes.
 *
 * The Redis stop is a shutdown (SIGTERM: Redis writes its AOF and exits) and a restart on the same
 * dir 20 s later, the way a Redis restart or failover happens in production; it shows that queued
 * jobs survive on AOF and every process reconnects. A frozen Redis (SIGSTOP) is covered by
 * api/jobs/redis-pause.test.ts. During the stop an API answer may be a clean 503; a 500 may not.
 */

const OPS = 300;
const CONCURRENCY = 8;
const SEED = 9;
const REDIS_STOP_MS = 20_000;
/** A dead worker's leases are taken over within 30 s (issue 13, item 7). */
const RECOVERY_BUDGET_SECONDS = 30;

const available = findPostgresBin() !== undefined && hasRedisServer();
// Skipped only where the tools are missing and skips are allowed; CI (TADA_FAIL_ON_SKIP=1) runs it
// and fails with the missing tool's name.
const skip = !available && process.env.TADA_FAIL_ON_SKIP !== "1";

const dir = path.join(os.tmpdir(), `tada-scale-out-${process.pid}-${Date.now()}`);
const processes: ProductProcess[] = [];
let cluster: Cluster | undefined;
let redis: RedisServer | undefined;
let auditor: Kysely<Database> | undefined;

afterAll(async () => {
  for (const p of processes) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      await killGroup(p);
    }
  }
  await auditor?.destroy();
  await redis?.stop();
  cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

function npm(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("npm", args, { cwd: PROJECT_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (d) => {
      output += String(d);
    });
    child.stderr?.on("data", (d) => {
      output += String(d);
    });
    child.once("exit", (code) => resolve({ code, output }));
  });
}

describe.skipIf(skip)("scale-out mode, as the README says", () => {
  it(
    "two API processes and a worker on Debian's PostgreSQL and Redis survive a worker kill -9 and a 20 s Redis stop with every balance exact",
    async () => {
      const started = Date.now();
      const steps = readScaleOutSteps();
      // What the README promises an operator, checked on the text they paste.
      expect(redisFlag(steps.redisArgs, "appendonly")).toBe("yes");
      expect(redisFlag(steps.redisArgs, "appendfsync")).toBe("everysec");
      expect(redisFlag(steps.redisArgs, "maxmemory-policy")).toBe("noeviction");
      expect(steps.migrate).toBe(true);
      const apis = steps.starts.filter((s) => s.ROLE === "api");
      expect(apis.length).toBeGreaterThanOrEqual(2);
      expect(new Set(apis.map((s) => s.PORT)).size).toBe(apis.length); // one PORT per API process
      expect(steps.starts.filter((s) => s.ROLE === "worker")).toHaveLength(1);
      const databaseUrl = steps.env.DATABASE_URL ?? "";
      const redisUrl = steps.env.REDIS_URL ?? "";
      expect(new URL(databaseUrl).hostname).toBe("localhost");
      expect(new URL(redisUrl).hostname).toBe("localhost");

      mkdirSync(dir, { recursive: true, mode: 0o755 });
      cluster = await startCluster(path.join(dir, "postgres"));
      for (const statement of steps.sql) {
        cluster.sql(statement);
      }
      const redisPort = await freePort();
      const redisDir = path.join(dir, "redis");
      mkdirSync(redisDir, { recursive: true });
      let redisArgs = withRedisFlag(steps.redisArgs, "port", String(redisPort));
      redisArgs = withRedisFlag(redisArgs, "dir", redisDir);
      redisArgs = withRedisFlag(redisArgs, "daemonize", undefined); // in the foreground, so the test can stop it
      redis = await startRedisServer(redisArgs, redisPort);

      const shared: Record<string, string> = {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/root",
        ...steps.env,
        DATABASE_URL: withPort(databaseUrl, cluster.port),
        REDIS_URL: withPort(redisUrl, redisPort),
      };
      const migrated = await npm(["run", "migrate"], shared);
      expect(migrated.code, migrated.output).toBe(0);

      // The app processes: the README's variables, its PORT/ROLE per line, and the soak's rate-limit
      // overrides (one client plays every customer; see SOAK_OVERRIDES).
      const appEnv = { ...shared, ...SOAK_OVERRIDES, LOG_LEVEL: "warn" };
      const apiUrls: string[] = [];
      let logs = 0;
      const startRole = async (vars: Record<string, string>): Promise<ProductProcess> => {
        const port = vars.PORT ? String(await freePort()) : undefined;
        const product = spawnProduct(
          { ...appEnv, ...vars, ...(port ? { PORT: port } : {}) },
          path.join(dir, `${vars.ROLE}-${++logs}.log`),
          ["npm", "start"],
        );
        processes.push(product);
        if (port) {
          const url = `http://127.0.0.1:${port}`;
          await waitHealthy(url, product, 120_000);
          apiUrls.push(url);
        } else {
          await waitForLog(product, "Worker only", 120_000);
        }
        return product;
      };
      for (const vars of apis) {
        await startRole(vars);
      }
      const workerVars = steps.starts.find((s) => s.ROLE === "worker") ?? { ROLE: "worker" };
      let worker = await startRole(workerVars);

      auditor = createDb(shared.DATABASE_URL ?? "", { poolSize: 3, onIdleError: () => {} });
      const db = auditor;
      const violations = new Violations();
      const faults = new FaultLog();
      const http = new SoakHttp({ baseUrls: () => apiUrls, gate: new Gate(), faults, violations });
      const workload = new Workload({ http, violations, seed: SEED, userCount: 16 });
      await workload.setup();
      const ops = planOps(SEED, OPS);

      const records: FaultRecord[] = [];
      const trackers: RecoveryTracker[] = [];
      let redisBack: Promise<void> = Promise.resolve();
      const killWorker = async (atOp: number) => {
        const inFlight = await ordersInFlight(db);
        const at = Date.now();
        await killGroup(worker);
        worker = await startRole(workerVars);
        const record = faultRecord({ n: 1, kind: "worker kill -9", atOp, at }, inFlight);
        record.restartSeconds = round((Date.now() - at) / 1000);
        records.push(record);
        trackers.push(new RecoveryTracker(db, record, inFlight, Date.now()));
      };
      const stopRedis = async (atOp: number) => {
        const inFlight = await ordersInFlight(db);
        const window = faults.open("redis-stop", { transport: false, statuses: [503] });
        const at = Date.now();
        await redis?.stop();
        const record = faultRecord({ n: 2, kind: "redis stop 20 s", atOp, at }, inFlight);
        records.push(record);
        // The load goes on meanwhile; Redis comes back on its own 20 s later.
        redisBack = (async () => {
          await new Promise((resolve) => setTimeout(resolve, REDIS_STOP_MS));
          await redis?.start();
          record.restartSeconds = round((Date.now() - at) / 1000);
          faults.close(window, 5_000);
          trackers.push(new RecoveryTracker(db, record, inFlight, Date.now()));
        })();
      };

      await runOps({
        workload,
        ops,
        concurrency: CONCURRENCY,
        violations,
        beforeOp: async (op) => {
          if (op.index === Math.floor(OPS * 0.3)) {
            await killWorker(op.index);
          } else if (op.index === Math.floor(OPS * 0.6)) {
            await stopRedis(op.index);
          }
        },
        log: (line) => process.stdout.write(`[scale-out] ${line}\n`),
      });
      await redisBack;

      const verdict = await settleAndVerify({
        db,
        http,
        workload,
        windows: SOAK_WINDOWS,
        violations,
        trackers,
        settleTimeoutMs: 300_000,
        ledgerEnv: shared,
        log: (line) => process.stdout.write(`[scale-out] ${line}\n`),
      });
      judgeRecoveries(records, RECOVERY_BUDGET_SECONDS, violations);

      // Ctrl-C in the terminal of each `npm start`: npm and the app under it both get SIGINT; the
      // app drains and exits by itself (npm then ends by the signal), never needing the kill.
      for (const p of processes) {
        if (p.child.exitCode === null && p.child.signalCode === null) {
          const stopped = await stopGracefully(p, { group: true });
          if (stopped.timedOut) {
            violations.add("shutdown", "an npm start did not stop within 30 s of Ctrl-C", { log: p.logFile });
          }
        }
      }
      const summary = summaryLine(
        { seed: SEED, ops: ops.length, kills: records, verdict, violations },
        "scale-out",
      );
      process.stdout.write(
        `${records.map((r) => `[scale-out] ${r.kind} at op ${r.atOp}: ${r.inFlight} in flight, back after ${r.restartSeconds} s, recovery ${r.recoverySeconds !== undefined ? `${r.recoverySeconds} s` : `unfinished (${r.unrecovered.length})`}`).join("\n")}\n` +
          `[scale-out] ${summary} in ${round((Date.now() - started) / 1000)} s\n`,
      );
      for (const line of violations.format()) {
        process.stdout.write(`[scale-out] ${line}\n`);
      }
      expect(verdict.balancesChecked).toBeGreaterThan(0);
      expect(violations.count, [...violations.format(), summary].join("\n")).toBe(0);
    },
    15 * 60_000,
  );
});
