/**
 * The Telegram workload of `npm run bench`: updates through the whole stack (grammY → our adapter →
 * chat engine → services → PostgreSQL → VTU worker), with the Bot API answered in process (no
 * network), next to a bare grammY bot that replies "ok" to every message, in the same run.
 */
import { Bot } from "grammy";
import type { ServiceContext } from "../../api/services/context";
import type { PaymentsRuntime } from "../../api/services/funding";
import { SYSTEM_ACCOUNTS } from "../../api/services/ledger";
import type { VtuRuntime } from "../../api/services/vtu";
import { creditWallet } from "../../api/services/wallet/move-money";
import type { EngineDeps } from "../../bot/engine/types";
import { createTelegramBot } from "../../bot/telegram/bot";
import { BOT_INFO, tapUpdate, textUpdate } from "../../bot/telegram/offline";
import type { Op } from "./bench-stats";

const PIN = "2580";
/** Telegram user ids of the bench chats (far from real ones). */
const FIRST_CHAT_ID = 9_100_000_000;

/** Answer every Bot API call locally; keep the texts sent to each chat until the op reads them. */
function offlineApi(bot: Bot, inbox?: Map<number, string[]>) {
  let messageIds = 1;
  bot.api.config.use(async (_prev, method, payload) => {
    const chatId = (payload as { chat_id?: number }).chat_id ?? 0;
    if (method === "sendMessage" && inbox) {
      inbox.get(chatId)?.push(String((payload as { text?: string }).text ?? ""));
    }
    const result =
      method === "sendMessage"
        ? { message_id: messageIds++, date: 0, chat: { id: chatId, type: "private" } }
        : true;
    // biome-ignore lint/suspicious/noExplicitAny: a raw Bot API response.
    return { ok: true, result } as any;
  });
}

export type TelegramBench = {
  /** A bare grammY bot: one text update in, "ok" out. */
  bareUpdate: Op;
  /** "balance" through the full stack. */
  balanceUpdate: Op;
  /**
   * One update of a complete airtime purchase; each chat cycles through the four of them
   * ("airtime 100 0803…" → MTN → Confirm → PIN), the last one answered "Delivered".
   */
  purchaseUpdate: Op;
  /** Purchases answered "Delivered" / otherwise (e.g. still pending) since the last call. */
  takeOutcomes(): { delivered: number; other: number };
  userIds: string[];
};

export async function startTelegramBench(args: {
  ctx: () => ServiceContext;
  vtu: VtuRuntime;
  payments: PaymentsRuntime;
  chats: number;
  fundKobo: number;
  progress(message: string): void;
}): Promise<TelegramBench> {
  const deps: EngineDeps = { ctx: args.ctx, vtu: args.vtu, payments: args.payments };
  const inbox = new Map<number, string[]>();
  const bot = createTelegramBot({
    token: "1:bench",
    apiRoot: "http://127.0.0.1:9",
    deps,
    logger: args.ctx().logger,
    botInfo: BOT_INFO,
  });
  offlineApi(bot, inbox);
  const bare = new Bot("2:bare", { botInfo: BOT_INFO });
  offlineApi(bare);
  bare.on("message", (ctx) => ctx.reply("ok"));

  const chatIds = Array.from({ length: args.chats }, (_, i) => FIRST_CHAT_ID + i);
  for (const id of chatIds) {
    inbox.set(id, []);
  }
  args.progress(`Telegram: ${args.chats} chats say /start, set a PIN in chat and get funded`);
  const userIds = await Promise.all(
    chatIds.map(async (id) => {
      await bot.handleUpdate(textUpdate(id, "/start"));
      await bot.handleUpdate(tapUpdate(id, "c:nav:pin"));
      await bot.handleUpdate(textUpdate(id, PIN));
      const ctx = args.ctx();
      const { user_id: userId } = await ctx.db
        .selectFrom("identities")
        .select("user_id")
        .where("channel", "=", "telegram")
        .where("external_id", "=", String(id))
        .executeTakeFirstOrThrow();
      await creditWallet({
        ctx,
        input: {
          userId,
          amountKobo: args.fundKobo,
          counterparty: SYSTEM_ACCOUNTS.adjustments,
          description: "bench funding",
          idempotencyKey: `bench-telegram-fund-${userId}`,
          actor: "system:bench",
        },
      });
      return userId;
    }),
  );

  const chatOf = (caller: number) => {
    const id = chatIds[caller % chatIds.length];
    if (id === undefined) {
      throw new Error("bench: no Telegram chats");
    }
    return id;
  };
  /** Send one update and return what the bot answered to that chat. */
  const exchange = async (chatId: number, update: Parameters<Bot["handleUpdate"]>[0]) => {
    inbox.set(chatId, []);
    await bot.handleUpdate(update);
    return (inbox.get(chatId) ?? []).join("\n");
  };

  const step = new Map<number, number>();
  let outcomes = { delivered: 0, other: 0 };
  // The sandbox's plain success: the recipient's last four digits are not 0001–0008.
  const STEPS: { send: (chatId: number) => Parameters<Bot["handleUpdate"]>[0]; expect: RegExp }[] = [
    {
      send: (id) => textUpdate(id, `airtime 100 0803${String(id % 1000).padStart(3, "0")}1234`),
      expect: /MTN/,
    },
    { send: (id) => tapUpdate(id, "c:net:mtn"), expect: /You pay/ },
    { send: (id) => tapUpdate(id, "c:confirm"), expect: /PIN/ },
    { send: (id) => textUpdate(id, PIN), expect: /Delivered|Order placed/ },
  ];
  return {
    bareUpdate: (caller) => bare.handleUpdate(textUpdate(chatOf(caller), "balance")),
    async balanceUpdate(caller) {
      const answer = await exchange(chatOf(caller), textUpdate(chatOf(caller), "balance"));
      if (!/balance is/.test(answer)) {
        throw new Error(`bench: balance answered "${answer.slice(0, 80)}"`);
      }
    },
    async purchaseUpdate(caller) {
      const chatId = chatOf(caller);
      const at = step.get(chatId) ?? 0;
      const current = STEPS[at];
      if (!current) {
        throw new Error("bench: purchase step out of range");
      }
      const answer = await exchange(chatId, current.send(chatId));
      if (!current.expect.test(answer)) {
        // Start over from a clean chat; the cancel is one more update of the same workload.
        step.set(chatId, 0);
        await exchange(chatId, textUpdate(chatId, "cancel"));
        throw new Error(`bench: step ${at + 1} answered "${answer.slice(0, 80)}"`);
      }
      if (at === STEPS.length - 1) {
        if (/Delivered/.test(answer)) {
          outcomes.delivered++;
        } else {
          outcomes.other++;
        }
      }
      step.set(chatId, (at + 1) % STEPS.length);
    },
    takeOutcomes() {
      const taken = outcomes;
      outcomes = { delivered: 0, other: 0 };
      return taken;
    },
    userIds,
  };
}
