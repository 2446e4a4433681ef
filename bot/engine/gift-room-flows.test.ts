import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceContext } from "../../api/services/context";
import { setOrChangePin } from "../../api/services/pins";
import { getWalletBalance } from "../../api/services/wallet";
import { chatHarness, choiceIds, texts } from "../../test/helpers/chat-engine";
import { captureLogger, makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import { expectNoPin } from "../../test/helpers/sentinel";
import { handleChatInput } from "./engine";
import type { ChatOutput } from "./types";

let tdb: TestDatabase;
let ctx: ServiceContext;
let logs: () => string;
let h: Awaited<ReturnType<typeof chatHarness>>;

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 10 });
  const captured = captureLogger();
  logs = captured.text;
  ctx = makeCtx(tdb.db, { logger: captured.logger });
  h = await chatHarness(tdb, ctx);
});
afterAll(() => tdb.destroy());

const roomsOf = (userId: string) =>
  tdb.db.selectFrom("gift_rooms").selectAll().where("creator_id", "=", userId).execute();
const available = async (userId: string) => (await getWalletBalance({ ctx, userId })).availableKobo;
const linkOf = (out: ChatOutput) => out.replies.find((r) => r.link)?.link?.url ?? "";

describe("gift rooms from the chat", () => {
  it("first come airtime: amount, count, message, length → summary with the face value → Confirm → PIN → link", async () => {
    const c = await h.customer("g-first");
    const userId = await c.userId();
    const kind = await c.say("create gift room");
    expect(choiceIds(kind)).toEqual(["gift:airtime", "gift:data", "gift:cash", "gift:mine", "cancel"]);
    expect(texts(await c.tap("gift:airtime"))).toMatch(/How much airtime per gift/);
    expect(texts(await c.say("20"))).toMatch(
      /₦20 is less than the least for an airtime gift \(₦50\)\. Amounts for an airtime gift are ₦50 to ₦50,000\./,
    );
    expect(texts(await c.say("500"))).toMatch(/How many gifts/);
    expect(texts(await c.say("100000"))).toMatch(/from 1 to 500/);
    expect(choiceIds(await c.say("5 gifts"))).toContain("mode:quiz");
    expect(texts(await c.tap("mode:first_come"))).toMatch(/short message/);
    expect(choiceIds(await c.say("Happy Sunday, fam!"))).toContain("hours:24");
    const summary = await c.tap("hours:24");
    expect(texts(summary)).toMatch(/5 × ₦500 airtime, first come/);
    expect(texts(summary)).toMatch(/Total: 5 × ₦500 = ₦2,500 moves from your wallet/);
    expect(texts(summary)).toMatch(/any discount on what is sent.*comes back/);
    const ask = await c.tap("confirm");
    expect(texts(ask)).toMatch(/Send your transaction PIN to put ₦2,500 into the gift room/);
    // A double tap on Confirm asks for the PIN again; a redelivered PIN message is ignored.
    expect(texts(await c.tap("confirm"))).toMatch(/Already confirmed/);
    const atPin = await tdb.db
      .selectFrom("chat_sessions")
      .select(["flow", "step", "data", "expires_at"])
      .where("channel", "=", "console")
      .where("external_id", "=", "g-first")
      .executeTakeFirstOrThrow();
    const done = await c.send({ text: "2580", messageId: "g-first-pin" });
    expect((await c.send({ text: "2580", messageId: "g-first-pin" })).duplicate).toBe(true);
    expect(done.deleteInput).toBe(true);
    expect(texts(done)).toMatch(/Your gift room is open: 5 × ₦500 airtime, ₦2,500 in the room/);
    expect(linkOf(done)).toMatch(/\/gift\/[A-Za-z0-9_-]{32}$/);
    expect(texts(done)).toContain(`Happy Sunday, fam!\nOpen the link and enter your number: ${linkOf(done)}`);

    // The chat put back at that PIN step (a save lost in a crash): the same Confirm opens no second room.
    await tdb.db
      .updateTable("chat_sessions")
      .set(atPin)
      .where("channel", "=", "console")
      .where("external_id", "=", "g-first")
      .execute();
    const replayed = await c.say("2580");
    expect(linkOf(replayed)).toBe(linkOf(done));

    const rooms = await roomsOf(userId);
    expect(rooms).toHaveLength(1);
    expect(rooms[0]).toMatchObject({
      kind: "airtime",
      amount_kobo: 50_000,
      gift_price_kobo: 50_000,
      capacity: 5,
      mode: "first_come",
      message: "Happy Sunday, fam!",
    });
    expect(await available(userId)).toBe(500_000 - 250_000);
    await expectLedgerConsistent(tdb.db);
  });

  it("quiz with a data plan: network → plan → question → answers; escrow is the count × the plan price", async () => {
    const c = await h.customer("g-quiz");
    const userId = await c.userId();
    await c.tap("nav:gift");
    expect(texts(await c.tap("gift:data"))).toMatch(/Which network/);
    const plans = await c.tap("net:mtn");
    const planId = choiceIds(plans).find((id) => id.startsWith("plan:"));
    expect(planId).toBeDefined();
    await c.tap(planId ?? "");
    await c.say("3");
    expect(texts(await c.say("quiz"))).toMatch(/quiz question/);
    expect(texts(await c.say("What is the capital of Nigeria?"))).toMatch(/accepted answers/);
    await c.say("Abuja, FCT ");
    await c.tap("msg:skip");
    const summary = await c.tap("hours:48");
    expect(texts(summary)).toMatch(/3 × MTN .*, quiz\.\nRecipients need a number on MTN\./);
    expect(texts(summary)).toMatch(/Accepted answers: Abuja, FCT\nOpen for 2 days/);
    await c.tap("confirm");
    const done = await c.say("2580");
    expect(done.deleteInput).toBe(true);
    expect(texts(done)).toMatch(/first 3 to answer my question correctly/);

    const [room] = await roomsOf(userId);
    expect(room).toMatchObject({
      kind: "data",
      plan_id: planId?.slice(5),
      network: "mtn",
      capacity: 3,
      mode: "quiz",
      quiz_question: "What is the capital of Nigeria?",
    });
    expect(room?.quiz_answers).toEqual(["Abuja", "FCT"]);
    expect(await available(userId)).toBe(500_000 - 3 * (room?.gift_price_kobo ?? 0));
    await expectLedgerConsistent(tdb.db);
  });

  it("random draw of wallet cash: a typed draw time, and the room stays open past it", async () => {
    const c = await h.customer("g-draw");
    const userId = await c.userId();
    await c.say("giveaway");
    await c.tap("gift:cash");
    await c.say("1k");
    await c.say("4");
    expect(choiceIds(await c.tap("mode:random_draw"))).toContain("draw:tomorrow");
    // A time we cannot read is said so; one we can read but too soon gets the 5 minutes rule.
    expect(texts(await c.say("whenever you like"))).toMatch(/^I could not read that time\. /);
    expect(texts(await c.say("tomorow 9am"))).toMatch(/^I could not read that time\. /);
    expect(texts(await c.say("in 2 min"))).toMatch(
      /could not use that time: a draw is at least 5 minutes from now/,
    );
    await c.say("in 30 min");
    // A message that reads like a request is still the message (a free-text step).
    const hours = await c.say("check your balance after the draw");
    expect(choiceIds(hours)).toContain("hours:6");
    const summary = await c.tap("hours:6");
    expect(texts(summary)).toMatch(
      /4 × ₦1,000 cash, random draw\.\nRecipients get it in their TADA wallet\.\nDraw: .* Lagos time\nMessage: check your balance after the draw/,
    );
    await c.tap("confirm");
    const done = await c.say("2580");
    expect(texts(done)).toMatch(/Join before .* Lagos time: 4 winners of ₦1,000 cash each/);

    const [room] = await roomsOf(userId);
    expect(room).toMatchObject({ kind: "cash", amount_kobo: 100_000, capacity: 4, mode: "random_draw" });
    const lead = (room?.draw_at?.getTime() ?? 0) - Date.now();
    expect(lead).toBeGreaterThan(29 * 60_000);
    expect(lead).toBeLessThanOrEqual(30 * 60_000);
    expect(await available(userId)).toBe(100_000);
    await expectLedgerConsistent(tdb.db);
  });

  it("a cash room said in words is cash; with the kind unsaid it is asked, and the amount and count are kept", async () => {
    const c = await h.customer("g-cash-words");
    const cash = await c.say("create gift room 3 people 1k cash each");
    expect(texts(cash)).toMatch(/How do people win\?/);
    await c.tap("mode:quiz");
    await c.say("What is the capital of Nigeria?");
    await c.say("Abuja");
    await c.tap("msg:skip");
    expect(texts(await c.tap("hours:24"))).toMatch(/^Gift room: 3 × ₦1,000 cash, quiz\./);
    await c.say("cancel");

    const unsaid = await c.say("create gift room 3 people 1k each");
    expect(texts(unsaid)).toMatch(/What do you want to give\?/);
    expect(choiceIds(unsaid)).toContain("gift:cash");
    expect(texts(await c.tap("gift:airtime"))).toMatch(
      /How do people win\?\n• First come: the first 3 to open/,
    );
    await c.tap("mode:first_come");
    await c.tap("msg:skip");
    expect(texts(await c.tap("hours:24"))).toMatch(/^Gift room: 3 × ₦1,000 airtime, first come\./);
    await c.say("cancel");

    // Picked as data, the amount has no use: the data questions follow, the count kept.
    await c.say("gift room 2 people 500 each");
    expect(texts(await c.tap("gift:data"))).toMatch(/Which network/);
    await c.tap("net:mtn");
    expect(texts(await c.say("cancel"))).toMatch(/Cancelled/);
  });

  it("on numbered chats a typed 1 is one gift or a quiz answer, not the Cancel button", async () => {
    const c = await h.customer("g-one");
    await c.tap("nav:gift");
    await c.tap("gift:cash");
    await c.say("200");
    const count = await c.say("1");
    expect(texts(count)).toMatch(/How do people win\?\n• First come: the first 1 to open the link/);
    await c.tap("mode:quiz");
    await c.say("What is 0 + 1?");
    expect(texts(await c.say("1"))).toMatch(/short message/);
    await c.tap("msg:skip");
    const summary = await c.tap("hours:24");
    expect(texts(summary)).toMatch(/1 × ₦200 cash, quiz\..*Accepted answers: 1\n/s);
    expect(texts(await c.say("cancel"))).toMatch(/Cancelled/);
  });

  it("a draw after the room would close is refused at the length question", async () => {
    const c = await h.customer("g-draw-late");
    await c.tap("nav:gift");
    await c.tap("gift:cash");
    await c.say("500");
    await c.say("2");
    await c.tap("mode:random_draw");
    expect(texts(await c.say("in 500 hours"))).toMatch(/The draw must be within 167 hours from now/);
    await c.say("in 10 hours");
    const hours = await c.tap("msg:skip");
    expect(choiceIds(hours)).not.toContain("hours:6");
    expect(texts(await c.say("6"))).toMatch(/must stay open past the draw/);
    expect(texts(await c.say("cancel"))).toMatch(/Cancelled/);
  });

  it("a data plan withdrawn before the PIN: back to the plan list, nothing taken", async () => {
    const c = await h.customer("g-plan-gone");
    const userId = await c.userId();
    await c.tap("nav:gift");
    await c.tap("gift:data");
    const plans = choiceIds(await c.tap("net:glo")).filter((id) => id.startsWith("plan:"));
    const gone = plans.at(-1) ?? "";
    await c.tap(gone);
    await c.say("2");
    await c.tap("mode:first_come");
    await c.tap("msg:skip");
    await c.tap("hours:24");
    await c.tap("confirm");
    await tdb.db
      .updateTable("catalogue_products")
      .set({ enabled: false })
      .where("id", "=", gone.slice(5))
      .execute();
    try {
      const back = await c.say("2580");
      expect(back.deleteInput).toBe(true);
      expect(texts(back)).toMatch(/That plan is no longer available\. Nothing was taken.*Which Glo plan/s);
      expect(await roomsOf(userId)).toHaveLength(0);
      expect(await available(userId)).toBe(500_000);
      // Another plan, and the rest of the answers are kept: straight to the summary.
      const summary = await c.tap(plans[0] ?? "");
      expect(texts(summary)).toMatch(/2 × Glo .*first come.*Confirm\?/s);
    } finally {
      await tdb.db
        .updateTable("catalogue_products")
        .set({ enabled: true })
        .where("id", "=", gone.slice(5))
        .execute();
    }
  });

  it("too little in the wallet: the summary says so and offers funding instead of Confirm", async () => {
    const c = await h.customer("g-poor", 100_000);
    await c.say("gift room");
    await c.tap("gift:airtime");
    await c.say("500");
    await c.say("10");
    await c.tap("mode:first_come");
    await c.tap("msg:skip");
    const summary = await c.tap("hours:24");
    expect(texts(summary)).toMatch(/You have ₦1,000 available, which is not enough/);
    expect(choiceIds(summary)).toEqual(["nav:fund", "cancel"]);
    expect(texts(await c.say("confirm"))).toMatch(/Fund your wallet first/);
    expect(await roomsOf(await c.userId())).toHaveLength(0);
  });

  it("a wrong PIN keeps the PIN step; my gift rooms shows the room; closing it refunds the escrow", async () => {
    const c = await h.customer("g-close");
    const userId = await c.userId();
    await c.tap("nav:gift");
    await c.tap("gift:airtime");
    await c.say("200");
    await c.say("10");
    await c.tap("mode:first_come");
    await c.tap("msg:skip");
    await c.tap("hours:24");
    await c.tap("confirm");
    const wrong = await c.say("1111");
    expect(wrong.deleteInput).toBe(true);
    expect(texts(wrong)).toMatch(/Incorrect PIN/);
    expect(choiceIds(wrong)).toEqual(["pin:forgot", expect.stringMatching(/^cancel:/)]);
    await c.say("2580");
    expect(await available(userId)).toBe(500_000 - 200_000);

    const list = await c.say("my gift rooms");
    expect(texts(list)).toMatch(/1\. ₦200 airtime × 10: open, 0\/10 claimed, ₦2,000 left/);
    const [room] = await roomsOf(userId);
    const shown = await c.tap(`room:${room?.id}`);
    expect(linkOf(shown)).toContain(`/gift/${room?.token}`);
    expect(texts(await c.tap("room:close"))).toMatch(/Close this room now\?.*₦2,000 now/s);
    const closed = await c.tap("room:close:yes");
    expect(texts(closed)).toMatch(/Room closed: 0 of 10 gifts claimed\. ₦2,000 is back in your wallet/);
    expect(await available(userId)).toBe(500_000);
    const after = await tdb.db
      .selectFrom("gift_rooms")
      .select("status")
      .where("id", "=", room?.id ?? "")
      .executeTakeFirst();
    expect(after?.status).toBe("closed");
    // The reply said it: this chat gets one "room closed" message, not the notification as well.
    const messages = await tdb.db
      .selectFrom("chat_outbox")
      .select(["channel", "external_id", "dedupe_key"])
      .where("user_id", "=", userId)
      .where("dedupe_key", "like", "gift.room_closed:%")
      .execute();
    expect(messages).toEqual([
      {
        channel: "console",
        external_id: "g-close",
        dedupe_key: `gift.room_closed:${room?.id}@console:g-close`,
      },
    ]);
    // The list shows it closed, and it offers no second close.
    expect(texts(await c.tap("nav:gift"))).toMatch(/What do you want to give/);
    expect(texts(await c.tap("gift:mine"))).toMatch(/closed, 0\/10 claimed, ₦0 left/);
    expect(choiceIds(await c.tap(`room:${room?.id}`))).not.toContain("room:close");
    await expectLedgerConsistent(tdb.db);
  });

  it("someone else's room cannot be opened or closed from a chat", async () => {
    const owner = await h.customer("g-owner");
    await owner.tap("nav:gift");
    await owner.tap("gift:cash");
    await owner.say("100");
    await owner.say("2");
    await owner.tap("mode:first_come");
    await owner.tap("msg:skip");
    await owner.tap("hours:24");
    await owner.tap("confirm");
    await owner.say("2580");
    const [room] = await roomsOf(await owner.userId());
    const other = await h.customer("g-other");
    await other.say("my gift rooms");
    expect(texts(await other.tap(`room:${room?.id}`))).toMatch(/Gift room was not found/);
  });

  it("over the rooms-per-hour limit: a plain answer, nothing taken, the menu", async () => {
    const c = await h.customer("g-limit");
    const userId = await c.userId();
    // The same database and chat with GIFT_ROOMS_PER_HOUR=1: the second room in an hour is refused.
    const strict = makeCtx(tdb.db, { logger: ctx.logger, config: testConfig({ GIFT_ROOMS_PER_HOUR: "1" }) });
    let n = 0;
    const say = (text?: string, choice?: string) =>
      handleChatInput(
        { ...h.deps, ctx: () => strict },
        { channel: "console", userRef: "g-limit", messageId: `g-limit-${n++}`, text, choice },
      );
    const openRoom = async () => {
      for (const [text, choice] of [
        [undefined, "nav:gift"],
        [undefined, "gift:cash"],
        ["300"],
        ["2"],
        [undefined, "mode:first_come"],
        [undefined, "msg:skip"],
        [undefined, "hours:24"],
        [undefined, "confirm"],
      ]) {
        await say(text, choice);
      }
      return say("2580");
    };
    expect(texts(await openRoom())).toMatch(/Your gift room is open/);
    const refused = await openRoom();
    expect(refused.deleteInput).toBe(true);
    expect(texts(refused)).toMatch(/opened a lot of gift rooms.*Nothing was taken from your wallet/);
    expect(choiceIds(refused)).toEqual(["nav:menu"]);
    expect(await roomsOf(userId)).toHaveLength(1);
    expect(await available(userId)).toBe(500_000 - 60_000);
  });

  it("on WhatsApp the PIN goes on the one-time page, never typed into the chat", async () => {
    const c = h.chat("2348037779001", "whatsapp");
    await c.say("hi");
    const userId = await c.userId();
    await setOrChangePin({ ctx, userId, input: { pin: "2580" } });
    await h.fund(userId, 500_000);
    await c.say("gift room");
    await c.say("1"); // Airtime, by its number
    await c.say("100");
    await c.say("3");
    await c.say("first come");
    await c.tap("msg:skip");
    await c.tap("hours:24");
    const ask = await c.send({ choice: "confirm", messageId: "wa-gift-confirm" });
    expect(linkOf(ask)).toMatch(/\/pin\/[A-Za-z0-9_-]+$/);
    expect(texts(ask)).not.toMatch(/Send your transaction PIN/);
    const typed = await c.say("2580");
    expect(texts(typed)).toMatch(/never send your PIN in this chat/);
    expect(await roomsOf(userId)).toHaveLength(0);
    const done = await c.send({ text: "2580", pinFromSecurePage: true, pinLinkFor: "wa-gift-confirm" });
    expect(texts(done)).toMatch(/Your gift room is open: 3 × ₦100 airtime/);
    expect(await roomsOf(userId)).toHaveLength(1);
    expect(await available(userId)).toBe(500_000 - 30_000);
  });

  it("S11: the sentinel PIN is in no reply, no chat state, no room and no log line", async () => {
    const c = h.chat("g-sentinel");
    await c.say("hello");
    await c.tap("nav:pin");
    const outputs = [await c.say("9137")];
    await h.fund(await c.userId(), 100_000);
    await c.say("send airtime to my group");
    await c.tap("gift:airtime");
    await c.say("100");
    await c.say("2");
    await c.tap("mode:quiz");
    await c.say("Who sang Ojuelegba?");
    await c.say("Wizkid");
    await c.say("Na una own o");
    await c.tap("hours:24");
    await c.tap("confirm");
    outputs.push(await c.say("9137"));
    expect(texts(outputs[1] as ChatOutput)).toMatch(/Your gift room is open/);
    for (const out of outputs) {
      expect(out.deleteInput).toBe(true);
      expectNoPin(JSON.stringify(out), "9137");
    }
    const sessions = await tdb.db.selectFrom("chat_sessions").select("data").execute();
    expectNoPin(JSON.stringify(sessions), "9137");
    const rooms = await tdb.db.selectFrom("gift_rooms").selectAll().execute();
    expectNoPin(JSON.stringify(rooms), "9137");
    expectNoPin(logs(), "9137");
  });
});
