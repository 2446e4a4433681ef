import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { PROJECT_ROOT } from "../../api/config";

/** How long a load generator may take to say it is ready. */
const READY_TIMEOUT_MS = 30_000;

/** What a child writes, one JSON object a line: once `ready`, then one answer per request id. */
type ChildLine =
  | ({ type: "ready" } & Record<string, unknown>)
  | ({ type: "answer"; id: number; ok: true } & Record<string, unknown>)
  | { type: "answer"; id: number; ok: false; error: string };

export type JsonChild<Ready> = {
  /** What the child said with `ready` (its emulator's address, for instance). */
  hello: Ready;
  /** Send one request; resolves with the child's answer to it (rejects on `ok: false` or exit). */
  request<T>(body: Record<string, unknown>): Promise<T>;
  /** End its stdin (it finishes and exits); SIGKILL after 5 s. */
  close(): Promise<void>;
};

/**
 * A bench load generator in a child process (scripts/lib/*-load.ts), spoken to in JSON lines over
 * stdin/stdout, so the load never shares the measured server's event loop. Lines that are not JSON
 * are passed on to stderr; the child's stderr is ours.
 */
export async function startJsonChild<Ready>(options: {
  /** The child's script, relative to scripts/lib. */
  script: string;
  args?: string[];
  /** For messages: "HTTP load generator", "Telegram load generator". */
  name: string;
}): Promise<JsonChild<Ready>> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(PROJECT_ROOT, "scripts", "lib", options.script), ...(options.args ?? [])],
    { cwd: PROJECT_ROOT, stdio: ["pipe", "pipe", "inherit"] },
  );
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const pending = new Map<number, { resolve(answer: unknown): void; reject(error: Error): void }>();
  let nextId = 1;
  let ready: ((hello: Ready) => void) | undefined;
  let gone: Error | undefined;

  createInterface({ input: child.stdout }).on("line", (text) => {
    let line: ChildLine;
    try {
      line = JSON.parse(text) as ChildLine;
    } catch {
      process.stderr.write(`${options.name}: ${text}\n`);
      return;
    }
    if (line.type === "ready") {
      ready?.(line as unknown as Ready);
      return;
    }
    const waiter = pending.get(line.id);
    pending.delete(line.id);
    if (!waiter) {
      return;
    }
    if (line.ok) {
      waiter.resolve(line);
    } else {
      waiter.reject(new Error(`bench: ${options.name}: ${line.error}`));
    }
  });
  void exited.then((code) => {
    gone = new Error(`bench: the ${options.name} exited (code ${code})`);
    for (const waiter of pending.values()) {
      waiter.reject(gone);
    }
    pending.clear();
  });

  const close = async () => {
    child.stdin?.end();
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };

  let hello: Ready;
  try {
    hello = await new Promise<Ready>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`bench: the ${options.name} was not ready within ${READY_TIMEOUT_MS} ms`)),
        READY_TIMEOUT_MS,
      );
      ready = (answer) => {
        clearTimeout(timer);
        resolve(answer);
      };
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`bench: the ${options.name} exited before it was ready (code ${code})`));
      });
    });
  } catch (error) {
    await close();
    throw error;
  }

  return {
    hello,
    request<T>(body: Record<string, unknown>): Promise<T> {
      if (gone) {
        return Promise.reject(gone);
      }
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: (answer) => resolve(answer as T), reject });
        child.stdin?.write(`${JSON.stringify({ ...body, id })}\n`);
      });
    },
    close,
  };
}
