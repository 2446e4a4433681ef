import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceContext } from "../../api/services/context";
import { getWalletBalance } from "../../api/services/wallet";
import { chatHarness, choiceIds, texts } from "../../test/helpers/chat-engine";
import { makeCtx } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import { CORPUS } from "./intents/corpus";
import { HELD_OUT } from "./intents/corpus-held-out";
import { MORE } from "./intents/corpus-more";

/**
 * Issue 16: bad input is explained in words (what was written, what is allowed, limits from the
 * configuration) and never used; fields a first message carries are kept; and no first message,
 * whatever it says, moves money.
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

describe("validation in words", () => {
  it("an amount with kobo is kept, in the first message and typed at the amount question", async () => {
    const c = await h.customer("w-kobo");
    await c.say("airtime 500.50 09061230099");
    expect(texts(await c.tap("net:mtn"))).toMatch(/^MTN airtime ₦500\.50 for 09061230099\./);
    await c.say("cancel");
    await c.say("airtime 09061230099");
    expect(texts(await c.tap("net:mtn"))).toMatch(/How much airtime\?/);
    expect(texts(await c.say("500.50"))).toMatch(/^MTN airtime ₦500\.50 for 09061230099\./);
    await c.say("cancel");
    // Below the least, the kobo amount is quoted with the limits rather than dropped.
    expect(texts(await c.say("airtime 10.30 09061230099"))).toContain(
      "₦10.30 is less than the least for airtime (₦50).",
    );
  });

  it("a negative amount is quoted with the airtime limits, and not bought as ₦500", async () => {
    const c = await h.customer("w-negative");
    const out = await c.say("airtime -500 08031234567");
    expect(texts(out)).toContain('You wrote "-500": an amount can\'t be negative.');
    expect(texts(out)).toContain("Amounts for airtime are ₦50 to ₦50,000.");
    expect(texts(out)).not.toMatch(/₦500\b/);
    // The number was fine: the next question is the network, then the amount is asked.
    const amount = await c.tap("net:mtn");
    expect(texts(amount)).toMatch(/How much airtime\?/);
    const again = await c.say("-200");
    expect(texts(again)).toContain('You wrote "-200"');
  });

  it("an amount above the limit names the limit", async () => {
    const c = await h.customer("w-huge");
    const out = await c.say("airtime 500000000 08031234567");
    expect(texts(out)).toContain("₦500,000,000 is more than the most for airtime at once (₦50,000).");
  });

  it("an unfinished number is quoted and the customer's own number is not offered in its place", async () => {
    const c = await h.customer("w-phone");
    await c.tap("nav:link"); // any flow; then a fresh request
    await c.say("cancel");
    const out = await c.say("send 500 airtime to 0803");
    expect(texts(out)).toContain('"0803" is not a whole phone number');
    expect(choiceIds(out)).not.toContain("self");
    const typed = await c.say("080312345");
    expect(texts(typed)).toContain('"080312345" is not a whole phone number');
  });

  it("a zero size is quoted; a size that is not sold is said so, nearest plans first", async () => {
    const c = await h.customer("w-size");
    const zero = await c.say("buy 0gb data");
    expect(texts(zero)).toContain('You wrote "0gb": a data size must be more than zero.');
    await c.say("cancel");
    const none = await c.say("data 10gb glo");
    expect(texts(none)).toMatch(/Glo has no 10GB plan\. The nearest:/);
    expect(choiceIds(none).some((id) => id.startsWith("plan:"))).toBe(true);
  });

  it("fund and withdraw amounts outside the configured limits are explained", async () => {
    const c = await h.customer("w-fund");
    const fund = await c.say("fund 20");
    expect(texts(fund)).toContain("₦20 is less than the least for wallet funding (₦100).");
    expect(texts(fund)).toMatch(/How much do you want to add/);
    const typed = await c.say("₦0");
    expect(texts(typed)).toContain('You wrote "₦0": the amount can\'t be zero.');
    await c.say("cancel");
    const withdraw = await c.say("withdraw -2k");
    expect(texts(withdraw)).toContain('You wrote "-2k": an amount can\'t be negative.');
  });

  it("a meter number of the wrong length is quoted and not used", async () => {
    const c = await h.customer("w-meter");
    const out = await c.say("ikeja prepaid 5000 meter 12345");
    expect(texts(out)).toContain('"12345" has 5 digits: a meter number has 6 to 13.');
    expect(texts(out)).toMatch(/meter number/i);
  });

  it("a gift room request keeps its count, product and amount: only what is missing is asked", async () => {
    const c = await h.customer("w-gift");
    const out = await c.say("create gift room 10 people 200 airtime each");
    // Kind, amount and count were given: the next question is how people win.
    expect(texts(out)).toMatch(/How do people win\?/);
    expect(texts(out)).toContain("the first 10 to open the link");
    await c.say("cancel");
    const data = await c.say("giveaway 1gb data to 5 people");
    expect(texts(data)).toMatch(/Which network\?/);
    const plans = await c.tap("net:mtn");
    const labels = plans.replies.flatMap((r) => r.choices ?? []).map((choice) => choice.label);
    expect(labels[0]).toMatch(/1GB/);
    const zero = await c.say("cancel").then(() => c.say("gift room 0 people 100 airtime"));
    expect(texts(zero)).toContain('You wrote "0 people": the number of people is a whole number');
  });
});

describe("fields a first message carries", () => {
  it("a withdrawal keeps its bank and account: the next question is whose account it is", async () => {
    const c = await h.customer("w-withdraw");
    const out = await c.say("withdraw 2000 to my gtb 0123451000");
    expect(texts(out)).toMatch(/^That account is .+ \(Guaranty Trust Bank, 0123451000\)/);
    expect(choiceIds(out)).toContain("name:yes");
  });
});

describe("common phrases", () => {
  it("a greeting or thanks at a question is answered, and the question stays open", async () => {
    const c = await h.customer("w-polite");
    const asked = await c.say("data glo");
    expect(texts(asked)).toMatch(/Glo data plans:/);
    const hello = await c.say("good evening");
    expect(texts(hello)).toBe("Hello! Carry on where you stopped: answer the question above.");
    const thanks = await c.say("thank you");
    expect(texts(thanks)).toMatch(/^You're welcome! Carry on/);
    // The plan list is still the one a number picks from.
    const picked = await c.say("1");
    expect(texts(picked)).toMatch(/Which number should get the data\?/);
  });

  it("thanks get a kind answer with one Menu choice, not 'did not get that' and the whole menu", async () => {
    const c = await h.customer("w-thanks");
    for (const text of ["thank you", "thanks boss", "God bless you"]) {
      const out = await c.say(text);
      expect(texts(out)).toMatch(/^You're welcome!/);
      expect(choiceIds(out)).toEqual(["nav:menu"]);
    }
  });
});

describe("no first message moves money", () => {
  it("sends every corpus message (tuned and held out) as a first message: no order, no room, no withdrawal, balance unchanged", async () => {
    const c = await h.customer("w-corpus", 1_000_000);
    const userId = await c.userId();
    const before = await getWalletBalance({ ctx, userId });
    for (const entry of [...CORPUS, ...MORE, ...HELD_OUT]) {
      const out = await c.say(entry.text);
      expect(out.replies.length, entry.text).toBeGreaterThan(0);
      // Whatever the message started, it ends here: the next one is a first message again.
      await c.say("/cancel");
    }
    await h.harness.drain();
    const orders = await tdb.db.selectFrom("vtu_orders").select("id").where("user_id", "=", userId).execute();
    const rooms = await tdb.db
      .selectFrom("gift_rooms")
      .select("id")
      .where("creator_id", "=", userId)
      .execute();
    const withdrawals = await tdb.db
      .selectFrom("withdrawals")
      .select("id")
      .where("user_id", "=", userId)
      .execute();
    expect([orders, rooms, withdrawals]).toEqual([[], [], []]);
    expect(await getWalletBalance({ ctx, userId })).toEqual(before);
    await expectLedgerConsistent(tdb.db);
  }, 240_000);
});
