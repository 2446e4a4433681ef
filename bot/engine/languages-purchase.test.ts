import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceContext } from "../../api/services/context";
import { getWalletBalance } from "../../api/services/wallet";
import { chatHarness, choiceIds, confirmOf, texts } from "../../test/helpers/chat-engine";
import { makeCtx } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import type { ChatOutput } from "./types";

/**
 * Issue 16: a person who chose Pidgin buys in Pidgin from the first question to the delivery, and
 * the money words stay plain (₦ and digits; Confirm, Cancel and PIN keep their names).
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

const labels = (out: ChatOutput) => out.replies.flatMap((r) => r.choices ?? []).map((c) => c.label);

/** A customer (PIN 2580, ₦5,000) who wrote Pidgin and tapped Pidgin when it was offered. */
async function pidginCustomer(ref: string) {
  const c = await h.customer(ref);
  const offered = await c.say("abeg wetin be my balance");
  expect(choiceIds(offered)).toContain("lang:pcm");
  await c.tap("lang:pcm");
  const user = await tdb.db
    .selectFrom("users")
    .select("language")
    .where("id", "=", await c.userId())
    .executeTakeFirstOrThrow();
  expect(user.language).toBe("pcm");
  return c;
}

describe("buying in Pidgin", () => {
  it("airtime end to end: every question, the summary, the PIN prompt and the delivery are Pidgin", async () => {
    const c = await pidginCustomer("pcm-airtime");
    const userId = await c.userId();
    const w = h.chatWithWorker("pcm-airtime");

    const number = await w.tap("nav:airtime");
    expect(texts(number)).toBe("Which number I go load the airtime for? Type am.");
    expect(labels(number)).toContain("Cancel");

    const network = await w.say("08031234567");
    expect(texts(network)).toBe("08031234567 resemble MTN, but people dey port number. Which network e dey?");

    const amount = await w.tap("net:mtn");
    expect(texts(amount)).toBe("How much airtime you want? Tap one or type amount.");
    expect(labels(amount)).toContain("₦500");

    const wrong = await w.say("plenty");
    expect(texts(wrong)).toBe("How much airtime you want? Type amount like 500 or 1k.");

    const summary = await w.tap("amt:50000");
    expect(texts(summary)).toMatch(
      /^MTN airtime ₦500 for 08031234567\.\nYou go pay ₦[\d,]+(?:\.\d\d)? from your wallet\. Confirm\?$/,
    );
    expect(labels(summary)).toEqual(["Confirm", "Cancel"]);
    const price = /You go pay (₦[\d,.]+) from/.exec(texts(summary))?.[1];

    const pin = await w.tap(confirmOf(summary));
    expect(texts(pin)).toBe(`Oya send your transaction PIN make I pay ${price}. I go delete am sharp sharp.`);

    const paid = await w.say("2580");
    expect(paid.deleteInput).toBe(true);
    expect(texts(paid)).toMatch(/^E don land: ₦500 airtime for 08031234567\./);
    expect(texts(paid)).not.toMatch(/Delivered|Order placed/);

    const orders = await tdb.db
      .selectFrom("vtu_orders")
      .select(["state", "face_amount_kobo", "recipient"])
      .where("user_id", "=", userId)
      .execute();
    expect(orders).toEqual([{ state: "delivered", face_amount_kobo: 50_000, recipient: "08031234567" }]);
    await h.harness.drain();
    await expectLedgerConsistent(tdb.db);
  });

  it("an order still with the network is placed in Pidgin, with what happens next", async () => {
    const c = await pidginCustomer("pcm-placed");
    const summary = await c.say("airtime 500 mtn 08031234568");
    expect(texts(summary)).toMatch(/You go pay ₦[\d,.]+ from your wallet\. Confirm\?$/);
    await c.tap(confirmOf(summary));
    const paid = await c.say("2580");
    expect(texts(paid)).toMatch(
      /^Order don enter: ₦500 MTN airtime for 08031234568\. .+ I go message you once e finish\./,
    );
    // The order's state is said in Pidgin too, and says the money is safe.
    expect(texts(paid)).toMatch(/dey send am to the network|Network still dey work on am|your money dey/);
    expect(texts(paid)).not.toMatch(/We have your order|The network is processing/);
    await h.harness.drain();
    const orders = await tdb.db
      .selectFrom("vtu_orders")
      .select("state")
      .where("user_id", "=", await c.userId())
      .execute();
    expect(orders).toEqual([{ state: "delivered" }]);
    await expectLedgerConsistent(tdb.db);
  });

  it("a gift room's first question and a wrong amount in words are Pidgin; nothing moves", async () => {
    const c = await pidginCustomer("pcm-words");
    const before = await getWalletBalance({ ctx, userId: await c.userId() });

    const gift = await c.tap("nav:gift");
    expect(texts(gift)).toMatch(/^Gift room na one link wey you go share for group/);
    expect(texts(gift)).toMatch(/Wetin you wan give\?$/);
    expect(labels(gift)).toEqual(["Airtime", "Data", "Wallet money", "My own gift rooms", "Cancel"]);
    await c.say("cancel");

    const negative = await c.say("airtime -500 08031234567");
    expect(texts(negative)).toMatch(/You write "-500": amount no fit get minus\./);
    expect(texts(negative)).toMatch(/Amount for airtime na ₦[\d,]+ reach ₦[\d,]+\./);
    // The bad amount is not used: the purchase goes on to the next question, in Pidgin.
    expect(texts(negative)).toMatch(
      /08031234567 resemble MTN, but people dey port number\. Which network e dey\?$/,
    );
    expect(texts(negative)).not.toMatch(/You wrote|How much airtime\? Tap/);
    await c.say("cancel");

    const after = await getWalletBalance({ ctx, userId: await c.userId() });
    expect(after.balanceKobo).toBe(before.balanceKobo);
    await expectLedgerConsistent(tdb.db);
  });
});
