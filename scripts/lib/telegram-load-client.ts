/**
 * The bench's side of the Telegram load generator (scripts/lib/telegram-load.ts): it runs in a child
 * process, so neither the Bot API emulator nor the simulated users share the event loop of the bot
 * being measured. One JSON object per line each way: requests on the child's stdin, answers (and a
 * first "ready" line) on its stdout; its stderr is ours.
 */
import type { UserFromGetMe } from "grammy/types";
import { fromRunJson, type RunJson, type RunResult } from "./bench-stats";
import { startJsonChild } from "./json-child";

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

export type { RunJson } from "./bench-stats";

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

/** Start the load generator (and its emulator) in a child process. */
export async function startTelegramLoad(options: { firstUpdateId: number }): Promise<TelegramLoad> {
  const child = await startJsonChild<Extract<LoadAnswer, { type: "ready" }>>({
    script: "telegram-load.ts",
    args: ["--first-update-id", String(options.firstUpdateId)],
    name: "Telegram load generator",
  });
  const request = <T extends LoadAnswer>(body: RequestBody): Promise<T> => child.request<T>(body);
  return {
    apiRoot: child.hello.apiRoot,
    token: child.hello.token,
    botInfo: child.hello.botInfo,
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
    close: () => child.close(),
  };
}
