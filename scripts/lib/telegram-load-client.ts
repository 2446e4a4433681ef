/**
 * The bench's side of the Telegram load generator (scripts/lib/telegram-load.ts): it runs in a child
 * process, so neither the Bot API emulator nor the simulated users share the event loop of the bot
 * being measured. One JSON object per line each way: requests on the child's stdin, answers (and a
 * first "ready" line) on its stdout; its stderr is ours.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import type { UserFromGetMe } from "grammy/types";
import { PROJECT_ROOT } from "../../api/config";
import type { RunResult } from "./bench-stats";

/** A simulated Telegram user: who writes, and a piece of text the right answer contains. */
export type LoadUser = { userId: number; expect: string };

export type FloodLimits = { overallPerSecond?: number; perChatPerSecond?: number };

export type LoadRun = {
  users: LoadUser[];
  /** What every user sends, again and again. */
  text: string;
  warmupMs: number;
  durationMs: number;
  /** Stop each user after this many messages of the measured run, even before `durationMs`. */
  messagesPerUser?: number;
  /** No answer within this long fails the run. */
  answerTimeoutMs: number;
};

/** The emulator's counters (cumulative since it started). */
export type EmulatorCounts = {
  getUpdates: number;
  sendMessage: number;
  delivered: number;
  status429: number;
  status5xx: number;
};

/** One chat as the emulator saw it. */
export type ChatReport = {
  userId: number;
  /** Messages the user sent. */
  sent: number;
  /** The bot's messages in the chat, in order. */
  botMessageIds: number[];
  /** Bot messages that arrived while the user was not waiting for an answer. */
  unexpected: number;
};

/** A RunResult as JSON. */
export type RunJson = {
  ok: number;
  failed: number;
  failures: [string, number][];
  latenciesMs: number[];
  elapsedMs: number;
};

export type LoadRequest =
  | { id: number; cmd: "limits"; limits: FloodLimits }
  | ({ id: number; cmd: "run" } & LoadRun)
  | { id: number; cmd: "report"; userIds: number[] };

export type LoadAnswer =
  | { type: "ready"; apiRoot: string; token: string; botInfo: UserFromGetMe }
  | { type: "answer"; id: number; ok: false; error: string }
  | { type: "answer"; id: number; ok: true; limits: true }
  | { type: "answer"; id: number; ok: true; warmup: RunJson; run: RunJson; countsAtStart: EmulatorCounts }
  | { type: "answer"; id: number; ok: true; chats: ChatReport[]; counts: EmulatorCounts };

export type TelegramLoad = {
  apiRoot: string;
  token: string;
  botInfo: UserFromGetMe;
  /** Flood limits of the emulator from now on (`{}`: none). */
  setLimits(limits: FloodLimits): Promise<void>;
  /**
   * A closed loop: each user sends `text`, waits for the answer, checks it, sends again. Rejects at
   * the first answer that is wrong or does not come within `answerTimeoutMs`.
   */
  run(run: LoadRun): Promise<{ warmup: RunResult; run: RunResult; countsAtStart: EmulatorCounts }>;
  report(userIds: number[]): Promise<{ chats: ChatReport[]; counts: EmulatorCounts }>;
  close(): Promise<void>;
};

/** A request without its id (distributed over the union, so each command keeps its fields). */
type RequestBody = WithoutId<LoadRequest>;
type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;

const CHILD = path.join(PROJECT_ROOT, "scripts", "lib", "telegram-load.ts");
const READY_TIMEOUT_MS = 30_000;

export function fromRunJson(json: RunJson): RunResult {
  return {
    ok: json.ok,
    failed: json.failed,
    failures: new Map(json.failures),
    latenciesMs: Float64Array.from(json.latenciesMs),
    elapsedMs: json.elapsedMs,
  };
}

/** Start the load generator (and its emulator) in a child process. */
export async function startTelegramLoad(options: { firstUpdateId: number }): Promise<TelegramLoad> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", CHILD, "--first-update-id", String(options.firstUpdateId)],
    { cwd: PROJECT_ROOT, stdio: ["pipe", "pipe", "inherit"] },
  );
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const pending = new Map<number, { resolve(answer: LoadAnswer): void; reject(error: Error): void }>();
  let nextId = 1;
  let ready: ((answer: LoadAnswer) => void) | undefined;
  let gone: Error | undefined;

  createInterface({ input: child.stdout }).on("line", (line) => {
    let answer: LoadAnswer;
    try {
      answer = JSON.parse(line) as LoadAnswer;
    } catch {
      process.stderr.write(`telegram load: ${line}\n`);
      return;
    }
    if (answer.type === "ready") {
      ready?.(answer);
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
      waiter.reject(new Error(`bench: Telegram load generator: ${answer.error}`));
    }
  });
  void exited.then((code) => {
    gone = new Error(`bench: the Telegram load generator exited (code ${code})`);
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

  let hello: Extract<LoadAnswer, { type: "ready" }>;
  try {
    hello = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`bench: the Telegram load generator was not ready within ${READY_TIMEOUT_MS} ms`)),
        READY_TIMEOUT_MS,
      );
      ready = (answer) => {
        clearTimeout(timer);
        resolve(answer as Extract<LoadAnswer, { type: "ready" }>);
      };
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`bench: the Telegram load generator exited before it was ready (code ${code})`));
      });
    });
  } catch (error) {
    await close();
    throw error;
  }

  const request = <T extends LoadAnswer>(body: RequestBody): Promise<T> => {
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
    apiRoot: hello.apiRoot,
    token: hello.token,
    botInfo: hello.botInfo,
    async setLimits(limits) {
      await request({ cmd: "limits", limits });
    },
    async run(run) {
      const answer = await request<Extract<LoadAnswer, { warmup: RunJson }>>({ cmd: "run", ...run });
      return {
        warmup: fromRunJson(answer.warmup),
        run: fromRunJson(answer.run),
        countsAtStart: answer.countsAtStart,
      };
    },
    async report(userIds) {
      const answer = await request<Extract<LoadAnswer, { chats: ChatReport[] }>>({ cmd: "report", userIds });
      return { chats: answer.chats, counts: answer.counts };
    },
    close,
  };
}

function writeLine(child: ChildProcess, body: unknown): void {
  child.stdin?.write(`${JSON.stringify(body)}\n`);
}
