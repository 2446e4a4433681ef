/**
 * The Telegram load generator of `npm run bench`, run as a child process by
 * scripts/lib/telegram-load-client.ts (`node --import tsx scripts/lib/telegram-load.ts
 * --first-update-id N`): the Bot API emulator on 127.0.0.1 (real HTTP long polling) and simulated
 * users writing to the bot in a closed loop, on an event loop of their own. Requests come as JSON
 * lines on stdin, answers go as JSON lines on stdout; stdin closing ends the process.
 *
 * An answer is a sendMessage the emulator accepted into the user's chat. They are found by reading
 * the emulator's call log every millisecond (it has no callback), so a latency may read up to ~1 ms
 * long. The first wrong or missing answer fails the run.
 */
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { startTelegramEmulator, type TelegramEmulator } from "../../test/emulators/telegram-emulator";
import type {
  ChatReport,
  EmulatorCounts,
  LoadAnswer,
  LoadRequest,
  LoadRun,
  LoadUser,
  RunJson,
} from "./telegram-load-client";

type Chat = {
  sent: number;
  unexpected: number;
  /** The user is waiting for an answer: called with its text. */
  waiter?: (text: string) => void;
};

const { values } = parseArgs({ options: { "first-update-id": { type: "string" } }, strict: true });
const emulator = await startTelegramEmulator({
  firstUpdateId: Number(values["first-update-id"] ?? 1),
  recordCalls: true,
});
const chats = new Map<number, Chat>();
let cursor = 0;

/** Hand every sendMessage accepted since the last look to the user waiting in that chat. */
function collectAnswers(): void {
  const calls = emulator.calls;
  for (; cursor < calls.length; cursor++) {
    const call = calls[cursor];
    // A sendMessage is answered in the request's own turn of the event loop: its status is final.
    if (call?.method !== "sendMessage" || call.status !== 200) {
      continue;
    }
    const chat = chats.get(Number(call.payload.chat_id));
    if (!chat) {
      continue;
    }
    const waiter = chat.waiter;
    if (waiter) {
      chat.waiter = undefined;
      waiter(String(call.payload.text ?? ""));
    } else {
      chat.unexpected++;
    }
  }
}
const collector = setInterval(collectAnswers, 1);

function chatOf(userId: number): Chat {
  let chat = chats.get(userId);
  if (!chat) {
    chat = { sent: 0, unexpected: 0 };
    chats.set(userId, chat);
  }
  return chat;
}

/** Send one message and wait for its answer; resolves with the latency in ms. */
function exchange(user: LoadUser, text: string, timeoutMs: number): Promise<number> {
  const chat = chatOf(user.userId);
  return new Promise<number>((resolve, reject) => {
    const started = performance.now();
    const timer = setTimeout(() => {
      chat.waiter = undefined;
      reject(new Error(`chat ${user.userId}: no answer to "${text}" within ${timeoutMs} ms`));
    }, timeoutMs);
    chat.waiter = (answer) => {
      clearTimeout(timer);
      if (answer.includes(user.expect)) {
        resolve(performance.now() - started);
      } else {
        reject(
          new Error(
            `chat ${user.userId}: "${text}" was answered "${answer.slice(0, 160)}", expected "${user.expect}"`,
          ),
        );
      }
    };
    emulator.userSends(user.userId, text);
    chat.sent++;
  });
}

/**
 * Every user in its own loop until the deadline (or `maxPerUser`). The first failure rejects at once
 * (the bench stops); the other users' exchanges in flight are left to end on their own.
 */
function closedLoop(run: LoadRun, durationMs: number, maxPerUser: number): Promise<RunJson> {
  const latencies: number[] = [];
  const start = performance.now();
  const deadline = start + durationMs;
  let failed = false;
  return new Promise<RunJson>((resolve, reject) => {
    const loops = run.users.map(async (user) => {
      for (let done = 0; done < maxPerUser && performance.now() < deadline && !failed; done++) {
        latencies.push(await exchange(user, run.text, run.answerTimeoutMs));
      }
    });
    Promise.all(loops).then(
      () =>
        resolve({
          ok: latencies.length,
          failed: 0,
          failures: [],
          latenciesMs: latencies,
          elapsedMs: performance.now() - start,
        }),
      (error: unknown) => {
        failed = true;
        reject(error);
      },
    );
  });
}

function counts(): EmulatorCounts {
  const { stats } = emulator;
  return {
    getUpdates: stats.calls.getUpdates ?? 0,
    sendMessage: stats.calls.sendMessage ?? 0,
    delivered: stats.delivered,
    status429: stats.status429,
    status5xx: stats.status5xx,
  };
}

function report(e: TelegramEmulator, userIds: number[]): ChatReport[] {
  collectAnswers();
  return userIds.map((userId) => ({
    userId,
    sent: chats.get(userId)?.sent ?? 0,
    botMessageIds: e.botMessages(userId).map((m) => m.message_id),
    unexpected: chats.get(userId)?.unexpected ?? 0,
  }));
}

async function handle(request: LoadRequest): Promise<LoadAnswer> {
  switch (request.cmd) {
    case "limits":
      emulator.setLimits(request.limits);
      return { type: "answer", id: request.id, ok: true, limits: true };
    case "run": {
      const countsAtStart = counts();
      const warmup =
        request.warmupMs > 0
          ? await closedLoop(request, request.warmupMs, Number.POSITIVE_INFINITY)
          : { ok: 0, failed: 0, failures: [], latenciesMs: [], elapsedMs: 0 };
      const run = await closedLoop(
        request,
        request.durationMs,
        request.messagesPerUser ?? Number.POSITIVE_INFINITY,
      );
      return { type: "answer", id: request.id, ok: true, warmup, run, countsAtStart };
    }
    case "report":
      return {
        type: "answer",
        id: request.id,
        ok: true,
        chats: report(emulator, request.userIds),
        counts: counts(),
      };
  }
}

function send(answer: LoadAnswer): void {
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  let request: LoadRequest;
  try {
    request = JSON.parse(line) as LoadRequest;
  } catch {
    process.stderr.write(`telegram load: not a request: ${line.slice(0, 200)}\n`);
    return;
  }
  handle(request).then(send, (error: unknown) =>
    send({
      type: "answer",
      id: request.id,
      ok: false,
      error: error instanceof Error ? error.message : String(error),
    }),
  );
});
lines.on("close", () => {
  clearInterval(collector);
  void emulator.close().then(() => process.exit(0));
});

send({ type: "ready", apiRoot: emulator.apiRoot, token: emulator.token, botInfo: emulator.botInfo });
