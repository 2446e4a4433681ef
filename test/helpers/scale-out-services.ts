import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { ensureTraversableByPostgres } from "../../db/embedded";
import { freePort } from "../../scripts/lib/free-port";

/**
 * The outside services of the scale-out test, as a Debian machine has them: the PostgreSQL server
 * from the `postgresql` package (initdb/pg_ctl under /usr/lib/postgresql/<version>/bin; CI installs
 * it), started as a cluster of our own in a temp dir, and redis-server with the README's flags.
 */

/** The newest /usr/lib/postgresql/<version>/bin that has initdb and pg_ctl. */
export function findPostgresBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) {
    return undefined;
  }
  return readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => path.join(root, v, "bin"))
    .find((bin) => existsSync(path.join(bin, "initdb")) && existsSync(path.join(bin, "pg_ctl")));
}

export type Cluster = {
  port: number;
  /** Run one statement through psql as the cluster's superuser (the `postgres` OS user as root). */
  sql(statement: string): void;
  stop(): void;
};

/**
 * A private cluster in `dir` on a free port. As root, PostgreSQL runs as the OS user `postgres`
 * (it refuses root), who must own the data and socket dirs and be able to enter every folder above
 * them; local connections use peer authentication as on Debian, TCP uses passwords (scram).
 */
export async function startCluster(dir: string): Promise<Cluster> {
  const bin = findPostgresBin();
  if (!bin) {
    throw new Error(
      "No PostgreSQL server binaries under /usr/lib/postgresql/*/bin (apt-get install -y postgresql); the scale-out test needs them.",
    );
  }
  const asRoot = process.getuid?.() === 0;
  const runAs = asRoot ? ["runuser", "-u", "postgres", "--"] : [];
  const data = path.join(dir, "pg");
  const sockets = path.join(dir, "sock");
  mkdirSync(data, { recursive: true, mode: 0o700 });
  mkdirSync(sockets, { recursive: true, mode: 0o755 });
  if (asRoot) {
    const uid = Number(spawnSync("id", ["-u", "postgres"]).stdout.toString().trim());
    const gid = Number(spawnSync("id", ["-g", "postgres"]).stdout.toString().trim());
    chownSync(data, uid, gid);
    chownSync(sockets, uid, gid);
    ensureTraversableByPostgres([data, sockets], () => {});
  }
  const run = (command: string[], what: string) => {
    const [file, ...args] = [...runAs, ...command];
    const result = spawnSync(file ?? "", args, { encoding: "utf8" });
    if (result.status !== 0) {
      throw new Error(`${what} failed (${result.status}): ${result.stderr || result.stdout}`);
    }
    return result.stdout;
  };
  run(
    [
      path.join(bin, "initdb"),
      "-D",
      data,
      "-U",
      "postgres",
      `--auth-local=${asRoot ? "peer" : "trust"}`,
      "--auth-host=scram-sha-256",
      "--encoding=UTF8",
      "--locale=C",
    ],
    "initdb",
  );
  const port = await freePort();
  run(
    [
      path.join(bin, "pg_ctl"),
      "-D",
      data,
      "-l",
      path.join(sockets, "postgresql.log"), // a folder the postgres user may write to
      "-w",
      "-o",
      `-p ${port} -k ${sockets} -c listen_addresses=localhost -c fsync=off -c max_connections=200`,
      "start",
    ],
    "pg_ctl start",
  );
  return {
    port,
    sql: (statement) =>
      void run(
        [
          path.join(bin, "psql"),
          "-h",
          sockets,
          "-p",
          String(port),
          "-U",
          "postgres",
          "-v",
          "ON_ERROR_STOP=1",
          "-c",
          statement,
        ],
        `psql -c "${statement}"`,
      ),
    stop: () => {
      const [file, ...args] = [...runAs, path.join(bin, "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop"];
      spawnSync(file ?? "", args);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type RedisServer = {
  port: number;
  /** Shut down (SIGTERM: Redis fsyncs its AOF and exits), as a restart or a crash-free stop would. */
  stop(): Promise<void>;
  /** Start again with the same flags and dir: the AOF brings the queued jobs back. */
  start(): Promise<void>;
};

/** redis-server with the given flags (the README's, with our port and dir), in the foreground. */
export async function startRedisServer(args: string[], port: number): Promise<RedisServer> {
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn("redis-server", args, { stdio: "ignore" });
    const deadline = Date.now() + 15_000;
    while (!(await answers(port))) {
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(`redis-server ${args.join(" ")} did not start`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await start();
  return {
    port,
    start,
    stop: () =>
      new Promise<void>((resolve) => {
        const running = child;
        if (!running || running.exitCode !== null) {
          resolve();
          return;
        }
        running.once("exit", () => resolve());
        running.kill("SIGTERM");
      }),
  };
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (d) => {
      socket.end();
      resolve(String(d).startsWith("+PONG"));
    });
    socket.once("error", () => resolve(false));
  });
}
