import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import net from "node:net";
import { freePort } from "../../scripts/lib/free-port";

/** Whether this machine can run the Redis suites. */
export function hasRedisServer(): boolean {
  return spawnSync("redis-server", ["--version"]).status === 0;
}

/**
 * Skip the Redis suites where redis-server is missing — except under TADA_FAIL_ON_SKIP=1 (CI),
 * where they run and fail with a clear message instead of passing silently.
 */
export const skipRedisSuites = !hasRedisServer() && process.env.TADA_FAIL_ON_SKIP !== "1";

/** A private, non-persistent redis-server on a free port, for one test file. */
export async function startRedis(): Promise<{
  url: string;
  stop(): Promise<void>;
  /** SIGSTOP / SIGCONT the server: it stops answering without closing connections (fault F3). */
  pause(): void;
  resume(): void;
}> {
  if (!hasRedisServer()) {
    throw new Error(
      "redis-server is not installed (apt-get install -y redis-server); the Redis suites need it.",
    );
  }
  const port = await freePort();
  const child: ChildProcess = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--maxmemory-policy",
      "noeviction",
    ],
    { stdio: "ignore" },
  );
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.end();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (up) {
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    pause: () => child.kill("SIGSTOP"),
    resume: () => child.kill("SIGCONT"),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
