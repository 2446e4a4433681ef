/**
 * The Telegram workload of `npm run bench`, end to end: the product's Telegram side as `npm start`
 * runs it (setUpTelegram's long polling and inbox, the chat engine, the chat outbox's sender), in
 * this process, against the Bot API emulator over real HTTP. The emulator and the simulated users
 * run in a child process (scripts/lib/telegram-load.ts), so the load never shares the bot's event
 * loop; a wrong or missing answer fails the bench.
 */
import type { Config } from "../../api/config";
import type { ServiceContext } from "../../api/services/context";
import type { PaymentsRuntime } from "../../api/services/funding";
import { SYSTEM_ACCOUNTS } from "../../api/services/ledger";
import { formatNaira } from "../../api/services/money";
import { registerBoot, startHeartbeat } from "../../api/services/processes";
import { findOrCreateUserByIdentity } from "../../api/services/users";
import type { VtuRuntime } from "../../api/services/vtu";
import { creditWallet } from "../../api/services/wallet/move-money";
import type { EngineDeps } from "../../bot/engine/types";
import { ChatSenders } from "../../bot/outbound";
import { startChatOutbox } from "../../bot/outbox/run";
import { setUpTelegram } from "../../bot/telegram/start";
import type { Cost, CostMeter } from "./bench-cost";
import type { RunResult } from "./bench-stats";
import { type FloodLimits, type LoadUser, startTelegramLoad } from "./telegram-load-client";

/** The outbox pacing of a run without flood limits: the highest the configuration allows. */
const UNPACED = { perSecond: 10_000, perChatPerSecond: 1_000 };
/** How long the outbox may take to send what is left after a run (nothing should be left). */
const FLUSH_MS = 10_000;

export type TelegramRunOptions = {
  /** Telegram user ids `firstUserId`, `firstUserId + 1`, … (each run its own users). */
  firstUserId: number;
  users: number;
  warmupMs: number;
  durationMs: number;
  messagesPerUser?: number;
  answerTimeoutMs: number;
  /** Flood limits in the emulator AND in our outbox pacing; none when undefined. */
  limits?: { perSecond: number; perChatPerSecond: number };
  /** Measure what each answer of the run (not of the warm-up) costs. */
  meter?: CostMeter;
};

/** Every message against what the chats show and what the outbox sent. */
export type DeliveryCheck = {
  /** Messages the users sent. */
  messages: number;
  /** Bot messages in their chats. */
  answers: number;
  /** Messages with no answer in the chat. */
  lost: number;
  /** Answers shown more often than the outbox sent them, or arriving when nobody waited. */
  duplicates: number;
  /** The emulator's 429 answers during the run. */
  status429: number;
  problems: string[];
};

export type TelegramRun = { warmup: RunResult; run: RunResult; check: DeliveryCheck; cost?: Cost };

export type TelegramBench = {
  /** "balance" from `users` users in a closed loop, through a bot stack started for this run. */
  balance(options: TelegramRunOptions): Promise<TelegramRun>;
  close(): Promise<void>;
};

export async function startTelegramBench(args: {
  ctx: () => ServiceContext;
  vtu: VtuRuntime;
  payments: PaymentsRuntime;
  fundKobo: number;
  progress(message: string): void;
}): Promise<TelegramBench> {
  // Update ids far from 1: the bench database may hold chat_updates of the same bot id already.
  const load = await startTelegramLoad({ firstUpdateId: 1_000_000 });

  async function balance(options: TelegramRunOptions): Promise<TelegramRun> {
    const ctx = args.ctx();
    args.progress(
      `Telegram: setting up ${options.users} users with funded wallets, then the bot (long polling, outbox)`,
    );
    const users: LoadUser[] = [];
    for (let i = 0; i < options.users; i++) {
      const userId = options.firstUserId + i;
      // A different balance per user: an answer meant for another chat is caught.
      const kobo = args.fundKobo + i * 100;
      const { user } = await findOrCreateUserByIdentity({
        ctx,
        input: { channel: "telegram", externalId: String(userId), displayName: `bench ${userId}` },
      });
      await creditWallet({
        ctx,
        input: {
          userId: user.id,
          amountKobo: kobo,
          counterparty: SYSTEM_ACCOUNTS.adjustments,
          description: "bench funding",
          idempotencyKey: `bench-telegram-fund-${user.id}`,
          actor: "system:bench",
        },
      });
      users.push({ userId, expect: `balance is ${formatNaira(kobo)}.` });
    }

    const pacing = options.limits ?? UNPACED;
    const config: Config = {
      ...ctx.config,
      TELEGRAM_BOT_TOKEN: load.token,
      TELEGRAM_API_ROOT: load.apiRoot,
      TELEGRAM_SENDS_PER_SECOND: pacing.perSecond,
      TELEGRAM_CHAT_SENDS_PER_SECOND: pacing.perChatPerSecond,
    };
    const emulatorLimits: FloodLimits = options.limits
      ? { overallPerSecond: options.limits.perSecond, perChatPerSecond: options.limits.perChatPerSecond }
      : {};
    await load.setLimits(emulatorLimits);

    // Wired as a process wires it (test/helpers/telegram.ts startTelegramStack): a registered boot
    // with its heartbeat, the bot's long polling, and the outbox sender.
    const stackCtx = (): ServiceContext => ({ ...args.ctx(), config });
    const boot = await registerBoot(ctx, { role: "telegram" });
    const heartbeat = startHeartbeat(stackCtx(), boot);
    const deps: EngineDeps = {
      ctx: stackCtx,
      vtu: { ...args.vtu, owner: boot.bootId },
      payments: args.payments,
    };
    const senders = new ChatSenders();
    const telegram = setUpTelegram({
      config,
      deps,
      logger: ctx.logger,
      senders,
      owner: boot.bootId,
      botInfo: load.botInfo,
    });
    if (!telegram) {
      throw new Error("bench: TELEGRAM_BOT_TOKEN is set, so Telegram must be set up");
    }
    const outbox = startChatOutbox({ ctx: stackCtx, senders, logger: ctx.logger, owner: boot.bootId });
    try {
      await telegram.begin();
      const request = {
        users,
        text: "balance",
        messagesPerUser: options.messagesPerUser,
        answerTimeoutMs: options.answerTimeoutMs,
      };
      const { meter } = options;
      let timed: Awaited<ReturnType<typeof load.run>>;
      let cost: Cost | undefined;
      if (meter) {
        // The warm-up on its own (a measured run of 0 ms), so the cost snapshots can go around the run.
        const warm = await load.run({ ...request, warmupMs: options.warmupMs, durationMs: 0 });
        const before = await meter.snapshot();
        const measured = await load.run({ ...request, warmupMs: 0, durationMs: options.durationMs });
        const after = await meter.snapshot();
        cost = meter.diff(before, after, measured.run.ok + measured.run.failed);
        timed = { warmup: warm.warmup, run: measured.run, countsAtStart: warm.countsAtStart };
      } else {
        timed = await load.run({ ...request, warmupMs: options.warmupMs, durationMs: options.durationMs });
      }
      // Every message was answered; anything the outbox still holds now would be a second answer.
      await outbox.flush(FLUSH_MS);
      const check = await checkDelivery(
        stackCtx(),
        users.map((u) => u.userId),
        timed.countsAtStart.status429,
      );
      return { warmup: timed.warmup, run: timed.run, check, cost };
    } finally {
      await telegram.stopReceiving();
      await telegram.drain(FLUSH_MS);
      await outbox.flush(FLUSH_MS);
      await outbox.stop();
      await heartbeat.stop();
    }
  }

  /** The chats (emulator) against the outbox rows (database), per chat. */
  async function checkDelivery(ctx: ServiceContext, userIds: number[], status429Before: number) {
    const { chats, counts } = await load.report(userIds);
    const rows = await ctx.db
      .selectFrom("chat_outbox")
      .select(["external_id", "status", "channel_message_id"])
      .where("channel", "=", "telegram")
      .where("op", "=", "send")
      .where(
        "external_id",
        "in",
        userIds.map((id) => String(id)),
      )
      .orderBy("id")
      .execute();
    const byChat = new Map<string, typeof rows>();
    for (const row of rows) {
      const list = byChat.get(row.external_id) ?? [];
      list.push(row);
      byChat.set(row.external_id, list);
    }
    const check: DeliveryCheck = {
      messages: 0,
      answers: 0,
      lost: 0,
      duplicates: 0,
      status429: counts.status429 - status429Before,
      problems: [],
    };
    for (const chat of chats) {
      const queued = byChat.get(String(chat.userId)) ?? [];
      const sentIds = queued.filter((r) => r.status === "sent").map((r) => r.channel_message_id);
      const shownIds = chat.botMessageIds.map(String);
      check.messages += chat.sent;
      check.answers += shownIds.length;
      check.lost += Math.max(0, chat.sent - shownIds.length);
      check.duplicates += Math.max(0, shownIds.length - sentIds.length) + chat.unexpected;
      if (queued.length !== chat.sent || sentIds.length !== queued.length) {
        check.problems.push(
          `chat ${chat.userId}: ${chat.sent} messages, ${queued.length} outbox answers, ${sentIds.length} sent`,
        );
      } else if (shownIds.join() !== sentIds.join()) {
        check.problems.push(
          `chat ${chat.userId}: the chat shows messages ${shownIds.join()}, the outbox sent ${sentIds.join()}`,
        );
      }
    }
    if (check.lost > 0 || check.duplicates > 0) {
      check.problems.unshift(`${check.lost} lost, ${check.duplicates} duplicate answer(s)`);
    }
    return check;
  }

  return { balance, close: () => load.close() };
}
