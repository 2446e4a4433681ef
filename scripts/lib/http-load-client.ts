/**
 * The bench's side of the HTTP load generator (scripts/lib/http-load.ts): sandbox purchases and the
 * gift-room claim storm are sent from a child process, so the fetch() clients never share the event
 * loop (or the CPU accounting) of the server being measured. One JSON object per line each way:
 * requests on the child's stdin, answers (and a first "ready" line) on its stdout; its stderr is ours.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { PROJECT_ROOT } from "../../api/config";
import { fromRunJson, type RunJson, type RunResult } from "./bench-stats";

/** One purchasing customer: the API key it sends and the number it buys airtime for. */
export type PurchaseClient = { token: string; phone: string };

export type PurchasesRequest = {
  cmd: "purchases";
  baseUrl: string;
  /** Client i is caller i of the closed loop: one request at a time each. */
  clients: PurchaseClient[];
  /** Idempotency keys are `${keyPrefix}-${n}`: a prefix per run keeps them fresh. */
  keyPrefix: string;
  network: string;
  amountKobo: number;
  pin: string;
  durationMs: number;
  /** Stop each client after this many purchases, even before `durationMs`. */
  maxOpsPerClient?: number;
  /** A purchase not answered within this long is a failure. */
  timeoutMs: number;
};

export type ClaimsRequest = {
  cmd: "claims";
  baseUrl: string;
  roomToken: string;
  /** Device ids are `${deviceTag}-${i}`: one device (and one number) per claimant. */
  deviceTag: string;
  claimants: number;
  /** A claim not answered within this long is a failure. */
  timeoutMs: number;
};

type WithId<T> = T & { id: number };
export type HttpLoadRequest = WithId<PurchasesRequest> | WithId<ClaimsRequest>;

export type PurchasesAnswer = { run: RunJson; states: [string, number][] };
export type ClaimsAnswer = { run: RunJson; winners: number; full: number };

export type HttpLoadAnswer =
  | { type: "ready" }
  | { type: "answer"; id: number; ok: false; error: string }
  | ({ type: "answer"; id: number; ok: true } & (PurchasesAnswer | ClaimsAnswer));

export type HttpLoad = {
  /**
   * A closed loop of purchases; every answer other than 201 with `success: true` (another status, a
   * replay, a reset connection, a timeout) is counted as failed with its reason. `states`: the order
   * states of the 201 responses.
   */
  purchases(request: Omit<PurchasesRequest, "cmd">): Promise<{ run: RunResult; states: Map<string, number> }>;
  /**
   * `claimants` claims sent at once, one each. A 201 is a winner, a 409 ROOM_FULL a clean "all taken";
   * anything else is a failure.
   */
  claims(request: Omit<ClaimsRequest, "cmd">): Promise<{ run: RunResult; winners: number; full: number }>;
  close(): Promise<void>;
};

const CHILD = path.join(PROJECT_ROOT, "scripts", "lib", "http-load.ts");
const READY_TIMEOUT_MS = 30_000;

/** Start the load generator in a child process. */
export async function startHttpLoad(): Promise<HttpLoad> {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD], {
    cwd: PROJECT_ROOT,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const pending = new Map<number, { resolve(answer: HttpLoadAnswer): void; reject(error: Error): void }>();
  let nextId = 1;
  let ready: (() => void) | undefined;
  let gone: Error | undefined;

  createInterface({ input: child.stdout }).on("line", (line) => {
    let answer: HttpLoadAnswer;
    try {
      answer = JSON.parse(line) as HttpLoadAnswer;
    } catch {
      process.stderr.write(`http load: ${line}\n`);
      return;
    }
    if (answer.type === "ready") {
      ready?.();
      return;
    }
    const waiter = pending.get(answer.id);
    pending.delete(answer.id);
    if (!waiter) {
      return;
    }
    if (answer.ok) {
      waiter.resolve(answer);
    } else {
      waiter.reject(new Error(`bench: HTTP load generator: ${answer.error}`));
    }
  });
  void exited.then((code) => {
    gone = new Error(`bench: the HTTP load generator exited (code ${code})`);
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

  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`bench: the HTTP load generator was not ready within ${READY_TIMEOUT_MS} ms`)),
        READY_TIMEOUT_MS,
      );
      ready = () => {
        clearTimeout(timer);
        resolve();
      };
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`bench: the HTTP load generator exited before it was ready (code ${code})`));
      });
    });
  } catch (error) {
    await close();
    throw error;
  }

  const request = <T>(body: PurchasesRequest | ClaimsRequest): Promise<T> => {
    if (gone) {
      return Promise.reject(gone);
    }
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: (answer) => resolve(answer as T), reject });
      writeLine(child, { ...body, id });
    });
  };

  return {
    async purchases(body) {
      const answer = await request<PurchasesAnswer>({ cmd: "purchases", ...body });
      return { run: fromRunJson(answer.run), states: new Map(answer.states) };
    },
    async claims(body) {
      const answer = await request<ClaimsAnswer>({ cmd: "claims", ...body });
      return { run: fromRunJson(answer.run), winners: answer.winners, full: answer.full };
    },
    close,
  };
}

function writeLine(child: ChildProcess, body: unknown): void {
  child.stdin?.write(`${JSON.stringify(body)}\n`);
}
