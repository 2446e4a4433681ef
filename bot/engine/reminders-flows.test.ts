import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceContext } from "../../api/services/context";
import { rememberVerifiedCard, sendCableReminders } from "../../api/services/renewals";
import { addDays, lagosDate } from "../../api/services/vtu/due-date";
import { chatHarness, choiceIds, texts } from "../../test/helpers/chat-engine";
import { makeCtx } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { expectLedgerConsistent } from "../../test/helpers/ledger";

/**
 * Reminders and cable cards in the chat (issue 19, DECISIONS §70), on the real engine and the
 * embedded PostgreSQL: "my cards" lists the cards (masked to the last four) and the purchase
 * reminders with a choice each; a tap or a typed request turns one off or back on, in the database
 * the reminder sweep reads; someone else's card is never touched; Pidgin.
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

async function cardsOf(userId: string) {
  return tdb.db
    .selectFrom("cable_cards")
    .select(["id", "smartcard", "reminders_off"])
    .where("user_id", "=", userId)
    .orderBy("due_date")
    .execute();
}

async function addCards(userId: string) {
  const today = lagosDate(ctx.now());
  await rememberVerifiedCard(ctx, {
    userId,
    provider: "dstv",
    smartcard: "7012344567",
    customerName: "ADA OBI",
    bouquet: "Compact",
    renewalAmountKobo: 1_900_000,
    dueDate: addDays(today, 3),
  });
  await rememberVerifiedCard(ctx, {
    userId,
    provider: "gotv",
    smartcard: "7098761234",
    customerName: "ADA OBI",
    bouquet: "Jinja",
    renewalAmountKobo: 390_000,
    dueDate: addDays(today, 20),
  });
}

describe("reminders in the chat", () => {
  it("lists the cards masked, with a choice each; a tap stops one, a typed request turns it back on", async () => {
    const c = await h.customer("rmd-ada");
    const userId = await c.userId();
    await addCards(userId);
    const [dstv, gotv] = await cardsOf(userId);
    if (!dstv || !gotv) {
      throw new Error("no cards");
    }

    const shown = await c.say("my cards");
    const text = texts(shown);
    expect(text).toMatch(
      /^Your cable cards:\n1\. DStv ••••4567, Compact · due .+ · renews at ₦19,000 · reminders on$/m,
    );
    expect(text).toMatch(/^2\. GOtv ••••1234, Jinja · due .+ · renews at ₦3,900 · reminders on$/m);
    expect(text).toContain("Purchase reminders: electricity on, data plans on.");
    // The card number itself is never shown whole.
    expect(text).not.toContain("7012344567");
    expect(choiceIds(shown)).toEqual([
      `off:${dstv.id}`,
      `off:${gotv.id}`,
      "off:electricity",
      "off:data",
      "nav:menu",
    ]);

    const stopped = await c.tap(`off:${dstv.id}`);
    expect(texts(stopped)).toMatch(/^Done: no more renewal reminders for DStv ••••4567\./);
    expect(texts(stopped)).toMatch(/1\. DStv ••••4567.* · reminders off$/m);
    expect(choiceIds(stopped)[0]).toBe(`on:${dstv.id}`);
    expect((await cardsOf(userId)).map((card) => card.reminders_off)).toEqual([true, false]);
    // Off is what the sweep reads: the card due in 3 days is not reminded.
    await sendCableReminders({ ctx });
    const reminded = () =>
      tdb.db.selectFrom("cable_reminders").select("card_id").where("card_id", "=", dstv.id).execute();
    expect(await reminded()).toEqual([]);

    const back = await c.say("turn on reminders for 7012344567");
    expect(texts(back)).toMatch(/^Done: renewal reminders are on for DStv ••••4567\./);
    expect((await cardsOf(userId)).map((card) => card.reminders_off)).toEqual([false, false]);
    await sendCableReminders({ ctx });
    expect(await reminded()).toHaveLength(1);

    // "stop cable reminders": every card; "stop reminders" alone asks which.
    await c.say("stop my cable reminders");
    expect((await cardsOf(userId)).map((card) => card.reminders_off)).toEqual([true, true]);
    // Typed "1" on a channel without buttons is the first choice: turn the DStv card back on.
    await c.say("my cards");
    expect(texts(await c.say("1"))).toMatch(/^Done: renewal reminders are on for DStv ••••4567\./);
    await c.say("stop cable reminders");
    const which = await c.say("stop reminders");
    expect(texts(which)).toMatch(/^Which reminders\? Choose below\./);
    expect(choiceIds(which)).toEqual([
      `on:${dstv.id}`,
      `on:${gotv.id}`,
      "off:electricity",
      "off:data",
      "nav:menu",
    ]);
    await expectLedgerConsistent(tdb.db);
  });

  it("purchase reminders: stopped and turned back on by kind", async () => {
    const c = await h.customer("rmd-bola");
    const userId = await c.userId();
    const optOuts = async () =>
      (
        await tdb.db
          .selectFrom("purchase_nudge_opt_outs")
          .select("kind")
          .where("user_id", "=", userId)
          .execute()
      ).map((r) => r.kind);

    const none = await c.say("my reminders");
    expect(texts(none)).toMatch(/^I don't know any cable card of yours yet/);
    const off = await c.say("stop data reminders");
    expect(texts(off)).toMatch(/^Done: no more data plan reminders\./);
    expect(texts(off)).toContain("Purchase reminders: electricity on, data plans off.");
    expect(await optOuts()).toEqual(["data"]);
    await c.tap("off:electricity");
    expect((await optOuts()).sort()).toEqual(["data", "electricity"]);
    const on = await c.say("turn on data reminders");
    expect(texts(on)).toMatch(/^Done: data plan reminders are on\./);
    expect(choiceIds(on)).toEqual(["on:electricity", "off:data", "nav:menu"]);
    expect(await optOuts()).toEqual(["electricity"]);
  });

  it("never touches someone else's card, and speaks Pidgin", async () => {
    const owner = await h.customer("rmd-owner");
    await addCards(await owner.userId());
    const [theirs] = await cardsOf(await owner.userId());
    const c = await h.customer("rmd-other");
    await c.say("my cards");
    const tapped = await c.tap(`off:${theirs?.id}`);
    expect(texts(tapped)).toMatch(/^That card is not among yours, so nothing changed\./);
    const typed = await c.say("stop reminders for 7012344567");
    expect(texts(typed)).toMatch(/^I don't know card ••••4567 among yours, so nothing changed\./);
    expect((await cardsOf(await owner.userId())).map((card) => card.reminders_off)).toEqual([false, false]);

    await owner.say("pidgin");
    const pidgin = texts(await owner.say("wetin be my cards"));
    expect(pidgin).toMatch(
      /^Your cable cards wey I know:\n1\. DStv card ••••4567, Compact · e go end .+ · to renew na ₦19,000 · I go remind you$/m,
    );
    expect(pidgin).toContain("Reminder to buy again: light dey on, data plan dey on.");
  });
});
