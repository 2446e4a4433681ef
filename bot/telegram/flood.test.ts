import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatHarness, makeChatHarness } from "../../test/helpers/chat";
import { startTelegramEmulator, startTelegramStack } from "../../test/helpers/telegram";

/**
 * Issue 14: a burst under Telegram's flood limits (about 30 messages a second per bot, one a second
 * per chat) is slowed, never dropped or repeated. 200 people send 10 messages each, quickly, over
 * real long polling; the emulator enforces the limits (a send over them is a 429 with retry_after).
 */
let h: ChatHarness;
beforeAll(async () => {
  h = await makeChatHarness();
});
afterAll(() => h.destroy());

async function until(probe: () => Promise<boolean | undefined>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) {
      throw new Error(`not done after ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

const USERS = 200;
const EACH = 10;

describe("2,000 messages from 200 people under flood limits", () => {
  it("every message is answered, in order per chat, none twice", async () => {
    const emu = await startTelegramEmulator({
      firstUpdateId: 5_000_000,
      limits: { overallPerSecond: 30, perChatPerSecond: 1 },
      recordCalls: false,
    });
    const stack = await startTelegramStack(h, emu, {
      TELEGRAM_SENDS_PER_SECOND: "30",
      TELEGRAM_CHAT_SENDS_PER_SECOND: "1",
    });
    try {
      const chats = Array.from({ length: USERS }, (_, i) => 40_000 + i);
      const words = [
        "balance",
        "hi",
        "balance",
        "help",
        "balance",
        "menu",
        "balance",
        "history",
        "balance",
        "balance",
      ];
      const started = Date.now();
      for (let round = 0; round < EACH; round++) {
        for (const chat of chats) {
          emu.userSends(chat, words[round] ?? "balance");
        }
      }
      // Every message handled (the engine records each message id once it answered).
      await until(async () => {
        const row = await h.tdb.db
          .selectFrom("chat_inputs")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("channel", "=", "telegram")
          .where("handled_at", "is not", null)
          .where("message_id", "like", "m:4%")
          .executeTakeFirstOrThrow();
        return Number(row.n) >= USERS * EACH || undefined;
      }, 240_000);
      await stack.outbox.flush(240_000);
      const seconds = (Date.now() - started) / 1000;
      const rows = await h.tdb.db
        .selectFrom("chat_outbox")
        .select(["external_id", "status", "channel_message_id", "id"])
        .where("channel", "=", "telegram")
        .where("op", "=", "send")
        .where("external_id", "in", chats.map(String))
        .orderBy("id")
        .execute();
      expect(rows.filter((r) => r.status !== "sent")).toEqual([]);
      let lost = 0;
      let repeated = 0;
      for (const chat of chats) {
        const mine = rows.filter((r) => r.external_id === String(chat));
        const shown = emu.botMessages(chat);
        lost += Math.max(0, mine.length - shown.length);
        repeated += Math.max(0, shown.length - mine.length);
        // In order: the chat shows the outbox's messages in the order they were queued.
        expect(shown.map((m) => String(m.message_id))).toEqual(mine.map((r) => r.channel_message_id));
      }
      const unhandledNow = () =>
        h.tdb.db.selectFrom("chat_updates").select("update_key").where("handled_at", "is", null).execute();
      // An update is marked handled just after its answer went out, and the marks are written in
      // batches (inbox.ts HANDLED_FLUSH_MS): the last batch gets up to 5 s before it is counted.
      for (let i = 0; i < 50 && (await unhandledNow()).length > 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const unhandled = await unhandledNow();
      process.stdout.write(
        `flood: ${USERS * EACH} messages, ${rows.length} answers in ${seconds.toFixed(1)} s, ` +
          `lost ${lost}, repeated ${repeated}, 429s ${emu.stats.status429}\n`,
      );
      expect({ lost, repeated, unhandled: unhandled.length }).toEqual({ lost: 0, repeated: 0, unhandled: 0 });
      expect(rows.length).toBeGreaterThanOrEqual(USERS * EACH);
    } finally {
      await stack.shutdown({ drainMs: 1_000, flushMs: 1_000 });
      await emu.close();
    }
  }, 400_000);
});
