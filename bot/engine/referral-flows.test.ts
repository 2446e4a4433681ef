import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceContext } from "../../api/services/context";
import { sweepReferralRewards } from "../../api/services/rewards";
import { getWalletBalance } from "../../api/services/wallet";
import { chatHarness, choiceIds, confirmOf, texts } from "../../test/helpers/chat-engine";
import { makeCtx } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import { notificationText } from "../outbox/notification-text";
import { handleChatInput } from "./engine";

/**
 * Referrals in the chat (issue 18 §1), on the real engine and the embedded PostgreSQL: "my referral
 * link" shows the link, the rules and the counts; "ref <code>" applies a friend's code (never one's
 * own, never after the window); the referee's first purchase through the chat, then the sweeper,
 * pays both once and tells both chats once; Pidgin.
 */
let tdb: TestDatabase;
let ctx: ServiceContext;
let h: Awaited<ReturnType<typeof chatHarness>>;

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 10 });
  ctx = makeCtx(tdb.db);
  h = await chatHarness(tdb, ctx);
});
afterAll(() => tdb.destroy());

async function codeOf(userId: string): Promise<string> {
  const row = await tdb.db
    .selectFrom("users")
    .select("referral_code")
    .where("id", "=", userId)
    .executeTakeFirstOrThrow();
  return row.referral_code;
}

async function referredBy(userId: string): Promise<string | null> {
  const row = await tdb.db
    .selectFrom("users")
    .select("referred_by")
    .where("id", "=", userId)
    .executeTakeFirstOrThrow();
  return row.referred_by;
}

async function outboxKinds(userId: string, kind: string) {
  return tdb.db
    .selectFrom("chat_outbox")
    .select(["kind", "reply", "payload"])
    .where("user_id", "=", userId)
    .where("kind", "=", kind)
    .execute();
}

describe("my referral link", () => {
  it("shows the link on its own line, the code to copy, the rules in words and the counts", async () => {
    const c = await h.customer("ref-show");
    const code = await codeOf(await c.userId());
    const out = await c.say("my referral link");
    const text = texts(out);
    const lines = text.split("\n");
    expect(lines).toContain(`${ctx.config.publicBaseUrl}/r/${code}`);
    expect(lines).toContain(code);
    expect(out.replies[0]?.copy).toBe(code);
    expect(text).toMatch(/first purchase of ₦1,000 or more earns you ₦100, and they get ₦50 welcome bonus/);
    expect(text).toMatch(/So far: 0 friends joined, 0 rewarded, ₦0 earned\./);
    // A new customer may still say who invited them.
    expect(choiceIds(out)).toContain("have_code");
    for (const phrase of ["referral code", "invite friends", "how do I refer", "refer a friend"]) {
      expect(texts(await c.say(phrase)), phrase).toContain(code);
    }
  });

  it('a second customer\'s "ref <code>" applies the first one\'s code; "I have a code" works too', async () => {
    const ada = await h.customer("ref-ada");
    const adaId = await ada.userId();
    const code = await codeOf(adaId);
    const bola = await h.customer("ref-bola");
    const applied = await bola.say(`ref ${code}`);
    expect(texts(applied)).toMatch(
      /^You joined through .*invitation\. Make your first purchase of ₦1,000 or more and you get ₦50 welcome bonus\.$/,
    );
    expect(await referredBy(await bola.userId())).toBe(adaId);
    // Only once.
    expect(texts(await bola.say(`my referral code is ${code}`))).toBe(
      "You already joined with a referral code.",
    );
    // The code step, through the button.
    const chidi = await h.customer("ref-chidi");
    const shown = await chidi.say("my referral link");
    const asked = await chidi.tap("have_code");
    expect(texts(asked)).toMatch(/Type the referral code/);
    expect(texts(shown)).not.toContain(code);
    const done = await chidi.say(code.toLowerCase());
    expect(texts(done)).toMatch(/^You joined through/);
    expect(await referredBy(await chidi.userId())).toBe(adaId);
    // Ada's counts.
    expect(texts(await ada.say("my referral link"))).toMatch(/So far: 2 friends joined, 0 rewarded/);
  });

  it("refuses the customer's own code, an unknown one, and a code after the days allowed, in words", async () => {
    const c = await h.customer("ref-self");
    const own = await codeOf(await c.userId());
    expect(texts(await c.say(`ref ${own}`))).toBe(
      "That is your own referral code: share it with friends instead.",
    );
    expect(texts(await c.say("ref NOPE1234"))).toMatch(/That referral code does not exist/);
    expect(await referredBy(await c.userId())).toBeNull();

    const late = await h.customer("ref-late");
    // Eight days later (the code can be given within REFERRAL_CODE_DAYS = 7 of joining).
    const later = makeCtx(tdb.db, { now: () => new Date(Date.now() + 8 * 86_400_000) });
    let n = 0;
    const lateSays = (text: string) =>
      handleChatInput(
        { ...h.deps, ctx: () => later },
        { channel: "console", userRef: "ref-late", messageId: `ref-late-later-${++n}`, text },
      );
    const summary = await lateSays("my referral link");
    expect(choiceIds(summary)).not.toContain("have_code");
    expect(texts(await lateSays(`ref ${own}`))).toMatch(/within 7 days of joining; that time has passed/);
    expect(await referredBy(await late.userId())).toBeNull();
  });

  it('a WhatsApp first message "ref <code>" applies the code', async () => {
    const ada = await h.customer("ref-wa-ada");
    const code = await codeOf(await ada.userId());
    const wa = h.chat("2348031119876", "whatsapp");
    expect(texts(await wa.say(`ref ${code}`))).toMatch(/^You joined through/);
    expect(await referredBy(await wa.userId())).toBe(await ada.userId());
  });
});

describe("the reward", () => {
  it("the referee's first purchase over ₦1,000 through the chat pays ₦100 and ₦50 once, and both chats are told once", async () => {
    const ada = await h.customer("loop-ada");
    const adaId = await ada.userId();
    const bola = await h.customer("loop-bola", 500_000);
    const bolaId = await bola.userId();
    await bola.say(`ref ${await codeOf(adaId)}`);

    const w = h.chatWithWorker("loop-bola");
    // ₦1,000 of airtime meets the ₦1,000 minimum by its face value (it costs ₦979.70).
    await w.say("airtime 1000 08031234567");
    const summary = await w.tap("net:mtn");
    await w.tap(confirmOf(summary));
    const paid = await w.say("2580");
    // Delivered at once, or placed and delivered by the worker a moment later (a busy machine).
    expect(texts(paid)).toMatch(/Delivered|Placed|processing/i);
    await h.harness.drain();
    const bought = await tdb.db
      .selectFrom("vtu_orders")
      .select("state")
      .where("user_id", "=", bolaId)
      .execute();
    expect(bought).toEqual([{ state: "delivered" }]);

    const before = {
      ada: (await getWalletBalance({ ctx, userId: adaId })).balanceKobo,
      bola: (await getWalletBalance({ ctx, userId: bolaId })).balanceKobo,
    };
    await sweepReferralRewards({ ctx });
    await sweepReferralRewards({ ctx });
    expect((await getWalletBalance({ ctx, userId: adaId })).balanceKobo - before.ada).toBe(10_000);
    expect((await getWalletBalance({ ctx, userId: bolaId })).balanceKobo - before.bola).toBe(5_000);

    const rewarded = await outboxKinds(adaId, "referral.rewarded");
    const welcome = await outboxKinds(bolaId, "referral.welcome");
    expect(rewarded).toHaveLength(1);
    expect(welcome).toHaveLength(1);
    const payload = (row: { payload: unknown }) => row.payload as Record<string, unknown>;
    expect(notificationText("referral.rewarded", payload(rewarded[0] ?? { payload: {} }), "en")).toBe(
      "A friend you invited made their first purchase: ₦100 has been added to your wallet, plus 100 loyalty points. Thank you!",
    );
    expect(notificationText("referral.welcome", payload(welcome[0] ?? { payload: {} }), "pcm")).toBe(
      "Welcome bonus: ₦50 don enter your wallet because of your first purchase.",
    );
    expect(texts(await ada.say("my referral link"))).toMatch(
      /So far: 1 friend joined, 1 rewarded, ₦100 earned\./,
    );
    await expectLedgerConsistent(tdb.db);
  });
});

describe("in Pidgin", () => {
  it("the link, the rules and an applied code are Pidgin", async () => {
    const ada = await h.customer("pcm-ref-ada");
    const code = await codeOf(await ada.userId());
    const c = await h.customer("pcm-ref-bola");
    const offered = await c.say("abeg wetin be my balance");
    expect(choiceIds(offered)).toContain("lang:pcm");
    await c.tap("lang:pcm");
    const shown = await c.say("wetin be my referral link");
    expect(texts(shown)).toMatch(/^Invite your people come TADA make you earn/);
    expect(texts(shown)).toMatch(/im first purchase of ₦1,000 or more go give you ₦100/);
    expect(texts(await c.say("how I go refer person"))).toMatch(/How e dey work/);
    expect(texts(await c.say(`ref ${code}`))).toMatch(
      /^You don join through .*invitation\. Make your first purchase of ₦1,000 or more and you go get ₦50 welcome bonus\.$/,
    );
    expect(texts(await c.say(`ref ${code}`))).toBe("You don already join with referral code before.");
  });
});
