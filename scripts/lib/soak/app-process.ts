import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { PROJECT_ROOT } from "../../../api/config";

/**
 * The product as an operator runs it: `node --import tsx scripts/start.ts` (what `npm start` runs),
 * in its own process group so `kill -9` of the group takes everything it started with it, the way a
 * crashed container or a pulled plug would (the embedded PostgreSQL runs in a group of its own: the
 * embedded soak kills that one too). Output goes to a log file so a violation can be traced to what
 * the server said.
 */
export type ProductProcess = {
  child: ChildProcess;
  pid: number;
  logFile: string;
  exited: Promise<number | null>;
};

/** `npm start` runs this; the soak runs it directly so the process group is the app alone. */
export const START_COMMAND: readonly string[] = [process.execPath, "--import", "tsx", "scripts/start.ts"];

export function spawnProduct(
  env: Record<string, string>,
  logFile: string,
  command: readonly string[] = START_COMMAND,
): ProductProcess {
  const fd = openSync(logFile, "a");
  const [file, ...args] = command;
  const child = spawn(file ?? "", args, {
    cwd: PROJECT_ROOT,
    env,
    detached: true,
    stdio: ["ignore", fd, fd],
  });
  closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error(`could not start ${command.join(" ")}`);
  }
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, pid, logFile, exited };
}

/** Poll GET /healthz until it answers 200; fails if the process exits or the time runs out. */
export async function waitHealthy(
  baseUrl: string,
  product: ProductProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer yet";
  for (;;) {
    if (product.child.exitCode !== null || product.child.signalCode !== null) {
      throw new Error(
        `the product exited (${product.child.exitCode ?? product.child.signalCode}) before /healthz answered; see ${product.logFile}`,
      );
    }
    try {
      const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) {
        return;
      }
      last = `${response.status} ${(await response.text()).slice(0, 200)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `/healthz did not answer 200 within ${timeoutMs / 1000} s (last: ${last}); see ${product.logFile}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Wait until the log says the process is up (a worker serves no /healthz; its banner says "Worker only"). */
export async function waitForLog(product: ProductProcess, text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!readFileSync(product.logFile, "utf8").includes(text)) {
    if (product.child.exitCode !== null || product.child.signalCode !== null || Date.now() > deadline) {
      throw new Error(
        `"${text}" never appeared in ${product.logFile}:\n${readFileSync(product.logFile, "utf8").slice(-2_000)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** kill -9 of the whole process group (negative pid): the app and everything it started. */
export async function killGroup(product: ProductProcess): Promise<void> {
  try {
    process.kill(-product.pid, "SIGKILL");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") {
      throw error;
    }
  }
  await product.exited;
}

/**
 * Ctrl-C, as an operator stops it: SIGINT to the app (`group`: to its whole process group, as a
 * terminal does, so `npm start` and the node under it both get it). The group is killed if it does
 * not stop in time.
 */
export async function stopGracefully(
  product: ProductProcess,
  options: { timeoutMs?: number; group?: boolean } = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; timedOut: boolean }> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const ended = () => ({ code: product.child.exitCode, signal: product.child.signalCode, timedOut: false });
  if (product.child.exitCode !== null || product.child.signalCode !== null) {
    return ended();
  }
  if (options.group) {
    process.kill(-product.pid, "SIGINT");
  } else {
    product.child.kill("SIGINT");
  }
  const timer = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), timeoutMs).unref());
  if ((await Promise.race([product.exited, timer])) === "timeout") {
    await killGroup(product);
    return { ...ended(), timedOut: true };
  }
  return ended();
}
