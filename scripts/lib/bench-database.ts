/**
 * A throw-away embedded PostgreSQL for `npm run bench`, with what every scenario needs: the migrated
 * schema, a Kysely database and a raw pg.Pool on it, and a cost meter (pg_stat_statements preloaded).
 * Not durable by default, like the tests (fsync, synchronous_commit and full_page_writes off);
 * `durable` turns all three on, as in production.
 */
import { statfsSync } from "node:fs";
import path from "node:path";
import { Kysely, PostgresDialect, sql } from "kysely";
import type pg from "pg";
import type { Db } from "../../api/services/context";
import { createPool, type DbOptions } from "../../db/client";
import type { Database } from "../../db/database";
import { startEmbeddedPostgres } from "../../db/embedded";
import { migrateToLatest } from "../../db/migrate";
import { COST_METER_SETTINGS, type CostMeter, startCostMeter } from "./bench-cost";
import { freePort } from "./free-port";

/** Given after the ephemeral defaults (fsync=off, …), so they win: postgres takes the last -c of a name. */
const DURABLE_SETTINGS = ["fsync=on", "synchronous_commit=on", "full_page_writes=on"];

export type BenchDatabase = {
  url: string;
  db: Db;
  /** A plain pg.Pool for the raw baselines (its repeated statements are prepared, as Kysely's are). */
  raw: pg.Pool;
  meter: CostMeter;
  /** "PostgreSQL 18.4, fsync=off, synchronous_commit=off, full_page_writes=off, data on ext4". */
  describe(): Promise<string>;
};

/** Start a cluster under `dataDir`, run `work` on it, and stop and remove it whatever happens. */
export async function withBenchDatabase<T>(
  args: {
    dataDir: string;
    durable: boolean;
    poolSize: number;
    applicationName: string;
    log(message: string): void;
  },
  work: (database: BenchDatabase) => Promise<T>,
): Promise<T> {
  const port = await freePort();
  args.log(
    `starting a throw-away embedded PostgreSQL (${args.durable ? "durable" : "fsync off"}) on port ${port} in ${args.dataDir}`,
  );
  const server = await startEmbeddedPostgres({
    dataDir: args.dataDir,
    port,
    mode: "own",
    ephemeral: true,
    settings: [...COST_METER_SETTINGS, ...(args.durable ? DURABLE_SETTINGS : [])],
    log: args.log,
  });
  // As createDb does, but on a pool we can reach (to keep its connections).
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: keptPool(server.url, { poolSize: args.poolSize, applicationName: args.applicationName }),
    }),
  });
  const raw = keptPool(server.url, {
    poolSize: args.poolSize,
    applicationName: `${args.applicationName}-raw`,
  });
  // A failing connection emits "error" on the pool (idle) or on the client (checked out, between two
  // queries); with no listener that crashes the process. The op's next query fails and is counted.
  raw.on("error", (error) => args.log(`an idle raw-baseline connection failed: ${error.message}`));
  raw.on("connect", (client) => client.on("error", () => {}));
  let meter: CostMeter | undefined;
  try {
    await migrateToLatest(db);
    meter = await startCostMeter({ databaseUrl: server.url, pgDir: path.join(args.dataDir, "pg") });
    const describe = async () => {
      const setting = async (name: string) => {
        const { rows } = await sql<Record<string, string>>`SHOW ${sql.raw(name)}`.execute(db);
        return rows[0]?.[name] ?? "?";
      };
      const settings = await Promise.all(
        ["fsync", "synchronous_commit", "full_page_writes"].map(async (n) => `${n}=${await setting(n)}`),
      );
      return (
        `PostgreSQL ${await setting("server_version")}, ${settings.join(", ")}, ` +
        `data on ${filesystemOf(args.dataDir)}`
      );
    };
    return await work({ url: server.url, db, raw, meter, describe });
  } finally {
    args.log("stopping the bench database");
    await meter?.close();
    await Promise.allSettled([db.destroy(), raw.end()]);
    await waitForDisconnects(server.url, args.applicationName);
    await server.stop();
  }
}

/**
 * A pool that keeps its idle connections. Every cost snapshot pauses the bench for 10.5 s, and
 * pg-pool closes a connection idle for 10 s by default: each measured run would then begin by opening
 * again (fork, SCRAM, cold catalog caches) the connections its warm-up opened, a cost no busy server
 * pays.
 */
function keptPool(url: string, options: DbOptions): pg.Pool {
  const pool = createPool(url, options);
  pool.options.idleTimeoutMillis = 0; // 0: never close an idle connection (pg-pool)
  return pool;
}

/** fsync on tmpfs costs nothing: say where the data is, so a durable run can be read for what it is. */
function filesystemOf(dir: string): string {
  const names: Record<number, string> = {
    61267: "ext4",
    16914836: "tmpfs",
    1481003842: "xfs",
    2435016766: "btrfs",
    2035054128: "overlayfs",
  };
  try {
    const { type } = statfsSync(dir);
    return names[type] ?? `filesystem 0x${type.toString(16)}`;
  } catch {
    return "an unknown filesystem";
  }
}

/**
 * pg-pool's end() resolves before its sockets are closed; a server stopped at that moment sends
 * "terminating connection due to administrator command" to a client that no longer listens for
 * errors, which crashes the process. So wait until the server has seen every bench connection go:
 * every client connection but the probe's (BullMQ names its own, so application_name cannot tell).
 */
async function waitForDisconnects(url: string, applicationName: string): Promise<void> {
  const probe = createPool(url, { poolSize: 1, applicationName: `${applicationName}-shutdown` });
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
