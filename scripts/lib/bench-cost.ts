/**
 * What one operation of a bench run costs, measured the same way for every scenario:
 *   statements  top-level calls in the bench database from pg_stat_statements (BEGIN and COMMIT
 *               count; so do deferred constraint triggers, which PostgreSQL runs at COMMIT and
 *               reports as top level)
 *   commits     pg_stat_database.xact_commit of the bench database
 *   Node CPU    this process (the server: HTTP app, VTU worker, bot; and the pg clients of the raw
 *               baselines, which run here), process.cpuUsage(). Never the load generators: they run
 *               in child processes
 *   PG CPU      the whole cluster: the postmaster and every child of it (backends, checkpointer, WAL
 *               writer, I/O workers, autovacuum), utime + stime from /proc/<pid>/stat, plus what
 *               children that exited left in the postmaster's cutime + cstime
 * The meter reads all this from the `postgres` maintenance database, so its own statements and
 * commits are never counted in the bench database.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import pg from "pg";
import { findRunningPostmaster } from "../../db/embedded";

/**
 * How long until every backend has published its commit count. A backend publishes its statistics
 * at the end of a transaction at most once a second; one that goes idle within a second of its last
 * report only reports again when its idle timer fires, PGSTAT_IDLE_INTERVAL = 10 s later (pgstat.c).
 * pg_stat_force_next_flush() cannot help: it only affects the backend that calls it. Measured here:
 * 3 s of updates on 8 connections showed 70 % of their commits at once and all of them after 9.2 s.
 */
export const STATS_SETTLE_MS = 10_500;

type Counters = { statements: number; nodeCpuUs: number; pgCpuTicks: number };

/**
 * The counters at one boundary between runs. A snapshot waits STATS_SETTLE_MS for the commit count;
 * CPU and statements are read both before the wait (where a run that ends here stops) and after it
 * (where a run that starts here begins), so the idle wait is in neither.
 */
export type CostSnapshot = {
  end: Counters;
  start: Counters;
  commits: number;
  /** pg_stat_statements entries evicted so far: an entry evicted mid-run takes its calls with it. */
  deallocs: number;
};

/** Per operation (ops = every operation the run finished, failed ones included). */
export type Cost = {
  ops: number;
  statements: number;
  commits: number;
  nodeCpuMs: number;
  pgCpuMs: number;
  /** False when pg_stat_statements evicted entries during the run: `statements` is then too low. */
  statementsComplete: boolean;
};

export type CostMeter = {
  /** The counters now, once the commit counts have settled (takes STATS_SETTLE_MS). */
  snapshot(): Promise<CostSnapshot>;
  /** The cost per operation of what ran between two snapshots. */
  diff(a: CostSnapshot, b: CostSnapshot, ops: number): Cost;
  close(): Promise<void>;
};

/** The settings that load pg_stat_statements into a cluster the meter will measure. */
export const COST_METER_SETTINGS = [
  "shared_preload_libraries=pg_stat_statements",
  "pg_stat_statements.track=top",
  // Room for every distinct statement of a run (app, BullMQ, baselines): none may be evicted.
  "pg_stat_statements.max=10000",
];

/**
 * A meter on the cluster whose data directory is `pgDir` (started with COST_METER_SETTINGS) for the
 * database of `databaseUrl`.
 */
export async function startCostMeter(args: { databaseUrl: string; pgDir: string }): Promise<CostMeter> {
  const postmaster = findRunningPostmaster(args.pgDir);
  if (!postmaster) {
    throw new Error(`bench: no running PostgreSQL found for ${args.pgDir}`);
  }
  const url = new URL(args.databaseUrl);
  const database = decodeURIComponent(url.pathname.slice(1));
  url.pathname = "/postgres";
  const client = new pg.Client({ connectionString: url.toString(), application_name: "tada-bench-meter" });
  // An error between queries (the server stopping) must not crash the bench; the next query fails.
  client.on("error", () => {});
  await client.connect();
  const ticksPerSecond = clockTicksPerSecond();
  let oid: number;
  try {
    // The view lives in the database that created the extension; it reports every database.
    await client.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    const found = await client.query<{ oid: number }>("SELECT oid FROM pg_database WHERE datname = $1", [
      database,
    ]);
    const row = found.rows[0];
    if (!row) {
      throw new Error(`bench: database ${database} not found`);
    }
    oid = row.oid;
  } catch (error) {
    await client.end();
    throw error;
  }

  const counters = async (): Promise<Counters> => {
    const cpu = process.cpuUsage();
    const pgCpuTicks = clusterCpuTicks(postmaster.pid);
    // pg_stat_statements(false): the counters without reading every query text from disk.
    const { rows } = await client.query<{ calls: string }>(
      "SELECT coalesce(sum(calls), 0) AS calls FROM pg_stat_statements(false) WHERE dbid = $1 AND toplevel",
      [oid],
    );
    return { statements: Number(rows[0]?.calls ?? 0), nodeCpuUs: cpu.user + cpu.system, pgCpuTicks };
  };

  return {
    async snapshot() {
      const end = await counters();
      await new Promise((resolve) => setTimeout(resolve, STATS_SETTLE_MS));
      const { rows } = await client.query<{ commits: string; deallocs: string }>(
        `SELECT (SELECT xact_commit FROM pg_stat_database WHERE datid = $1) AS commits,
                (SELECT dealloc FROM pg_stat_statements_info) AS deallocs`,
        [oid],
      );
      const start = await counters();
      return { end, start, commits: Number(rows[0]?.commits ?? 0), deallocs: Number(rows[0]?.deallocs ?? 0) };
    },
    diff(a, b, ops) {
      const per = (total: number) => (ops > 0 ? total / ops : Number.NaN);
      return {
        ops,
        statements: per(b.end.statements - a.start.statements),
        commits: per(b.commits - a.commits),
        nodeCpuMs: per((b.end.nodeCpuUs - a.start.nodeCpuUs) / 1000),
        pgCpuMs: per(((b.end.pgCpuTicks - a.start.pgCpuTicks) * 1000) / ticksPerSecond),
        statementsComplete: b.deallocs === a.deallocs,
      };
    },
    async close() {
      await client.end().catch(() => {});
    },
  };
}

/**
 * CPU clock ticks used by the cluster so far: the postmaster's own and its reaped children's
 * (cutime, cstime), plus every live child's. A backend that exits between two readings moves from
 * the second sum to the first when the postmaster reaps it, so connections closed mid-run still count.
 */
function clusterCpuTicks(postmasterPid: number): number {
  const postmaster = readStat(postmasterPid);
  if (!postmaster) {
    throw new Error(`bench: the postmaster (pid ${postmasterPid}) is gone`);
  }
  let ticks = postmaster.ticks + postmaster.childTicks;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    const stat = readStat(Number(entry));
    if (stat?.ppid === postmasterPid) {
      ticks += stat.ticks + stat.childTicks;
    }
  }
  return ticks;
}

/** /proc/<pid>/stat: the fields after "(comm)" start with state, ppid; utime..cstime are 14–17 of the line. */
function readStat(pid: number): { ppid: number; ticks: number; childTicks: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined; // gone meanwhile
  }
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const field = (n: number) => Number(fields[n - 3] ?? 0);
  return { ppid: field(4), ticks: field(14) + field(15), childTicks: field(16) + field(17) };
}

function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100; // the Linux default
  }
}
