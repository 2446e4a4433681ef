import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notificationChoices, notificationText } from "../../../bot/outbox/notification-text";
import { chatHarness, choiceIds, confirmOf, texts } from "../../../test/helpers/chat-engine";
import { makeCtx, testConfig } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { expectLedgerConsistent } from "../../../test/helpers/ledger";
import type { ServiceContext } from "../context";
import { verifyAccount } from "../vtu";
import { addDays, dueDateOf, lagosDate } from "../vtu/due-date";
import { listCableCards } from "./cards";
import { sweepCableReminders } from "./reminders";

/**
 * Cable renewal reminders and purchase nudges (issue 19 §3–§4, DECISIONS §66) on the real database
 * and the chat engine, with an injected clock (ctx.now): the sandbox's due dates, the card stored on
 * verify and moved on a delivered renewal, reminders 3 and 1 days before once each (racing sweeps,
 * a sweep run again), the opt-out, a reminder's "Renew now" through the chat to one delivered order,
 * electricity and data nudges once each.
 */
let tdb: TestDatabase;
let ctx: ServiceContext;
let h: Awaited<ReturnType<typeof chatHarness>>;
let clock = new Date();
const DAY = 86_400_000;

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 10 });
  ctx = makeCtx(tdb.db, { now: () => clock, config: testConfig({ CABLE_REMINDER_DAYS: "3,1" }) });
  h = await chatHarness(tdb, ctx);
});
afterAll(() => tdb.destroy());

const outbox = (userId: string, kind: string) =>
  tdb.db
    .selectFrom("chat_outbox")
    .select(["id", "payload", "reply"])
    .where("user_id", "=", userId)
    .where("kind", "=", kind)
    .orderBy("id")
    .execute();

describe("due dates", () => {
  it("parses provider dates as Lagos days", () => {
    expect(dueDateOf("2026-12-10")).toBe("2026-12-10");
    expect(dueDateOf("2026-12-10T00:00:00")).toBe("2026-12-10");
    expect(dueDateOf("2026-12-09T23:30:00Z")).toBe("2026-12-10"); // 00:30 in Lagos
    expect(dueDateOf("")).toBeUndefined();
    expect(dueDateOf("soon")).toBeUndefined();
  });

  it("the sandbox returns a due date by card: 3DD… in DD days, 99… none, others in 14 days", async () => {
    clock = new Date();
    const today = lagosDate(clock);
    const verify = (number: string) =>
      verifyAccount({ ctx, vtu: h.deps.vtu, input: { kind: "smartcard", provider: "dstv", number } });
    expect(await verify("3031234567")).toMatchObject({
      dueDate: addDays(today, 3),
      currentBouquet: "Compact",
      renewalAmountKobo: 1_900_000,
    });
    expect((await verify("3011234567")).dueDate).toBe(addDays(today, 1));
    expect((await verify("9912345678")).dueDate).toBeNull();
    expect((await verify("7012345678")).dueDate).toBe(addDays(today, 14));
  });
});

describe("cable renewal reminders", () => {
  it("stored on verify; 3 and 1 days before, once each (racing sweeps, a restart); then off", async () => {
    clock = new Date();
    const today = lagosDate(clock);
    const c = await h.customer("cr-ada");
    const userId = await c.userId();
    const asked = await c.say("renew my dstv 3032221234");
    expect(texts(asked)).toMatch(/Compact/);
    await c.tap("nav:menu"); // not bought: the card is remembered all the same
    const [card] = await listCableCards(ctx, userId);
    expect(card).toMatchObject({
      provider: "dstv",
      smartcard: "3032221234",
      bouquet: "Compact",
      renewalAmountKobo: 1_900_000,
      dueDate: addDays(today, 3),
      dueSource: "provider",
    });

    // Two workers at once, then the same sweep again (a restart): one reminder.
    await Promise.all([sweepCableReminders({ ctx }), sweepCableReminders({ ctx })]);
    await sweepCableReminders({ ctx });
    let rows = await outbox(userId, "cable.renewal_due");
    expect(rows).toHaveLength(1);
    expect(rows[0]?.reply.text).toBe(
      `Your DStv Compact on card 3032221234 ends in 3 days (${new Date(`${addDays(today, 3)}T12:00:00Z`).toLocaleDateString("en-GB", { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" })}). Renewal: ₦19,000. Renew now?`,
    );
    const payload = rows[0]?.payload as Record<string, unknown>;
    expect(notificationChoices(payload, "en")?.map((x) => x.label)).toEqual([
      "Renew now",
      "Stop reminders",
      "Auto-renew",
    ]);
    expect(notificationChoices(payload, "pcm")?.[0]?.label).toBe("Renew am now");
    expect(notificationText("cable.renewal_due", payload, "pcm")).toMatch(/go finish in 3 days time/);

    // Two days later: the 1-day reminder, once.
    clock = new Date(clock.getTime() + 2 * DAY);
    await Promise.all([sweepCableReminders({ ctx }), sweepCableReminders({ ctx })]);
    await sweepCableReminders({ ctx });
    rows = await outbox(userId, "cable.renewal_due");
    expect(rows).toHaveLength(2);
    expect(rows[1]?.reply.text).toMatch(/ends tomorrow/);
    const reminders = await tdb.db
      .selectFrom("cable_reminders")
      .select(["days_before", "sent"])
      .where("card_id", "=", card?.id as number)
      .orderBy("days_before")
      .execute();
    expect(reminders).toEqual([
      { days_before: 1, sent: true },
      { days_before: 3, sent: true },
    ]);
    // Due day and after: nothing more.
    clock = new Date(clock.getTime() + 2 * DAY);
    await sweepCableReminders({ ctx });
    expect(await outbox(userId, "cable.renewal_due")).toHaveLength(2);
  });

  it("Stop reminders: no reminder for that card", async () => {
    clock = new Date();
    const c = await h.customer("cr-stop");
    const userId = await c.userId();
    await c.say("renew my gotv 3013331234");
    await c.tap("nav:menu");
    const [card] = await listCableCards(ctx, userId);
    const stopped = await c.tap(`rmd:stop:${card?.id}`);
    expect(texts(stopped)).toMatch(/no more renewal reminders for card 3013331234/);
    await sweepCableReminders({ ctx });
    expect(await outbox(userId, "cable.renewal_due")).toHaveLength(0);
    // Someone else's card id is not theirs to stop.
    const other = await h.customer("cr-other");
    expect(texts(await other.tap(`rmd:renew:${card?.id}`))).toMatch(/could not find that card/);
  });

  it("without buttons, a typed number answers the reminder last shown", async () => {
    clock = new Date();
    const c = await h.customer("cr-typed");
    const userId = await c.userId();
    await c.say("renew my startimes 30155501234");
    await c.tap("nav:menu");
    await sweepCableReminders({ ctx });
    const [row] = await outbox(userId, "cable.renewal_due");
    // The sender showed it (marked sent after every earlier message of the chat).
    await tdb.db
      .updateTable("chat_outbox")
      .set({ status: "sent", sent_at: new Date() })
      .where("user_id", "=", userId)
      .execute();
    expect(row).toBeDefined();
    const stopped = await c.say("2");
    expect(texts(stopped)).toMatch(/no more renewal reminders for card 30155501234/);
    // Once something else was shown, "1" is the menu's again.
    await tdb.db
      .updateTable("chat_outbox")
      .set({ status: "sent", sent_at: new Date() })
      .where("user_id", "=", userId)
      .execute();
    expect(texts(await c.say("1"))).not.toMatch(/could not find that card/);
    expect((await listCableCards(ctx, userId))[0]?.remindersOff).toBe(true);
  });

  it("Renew now, tapped in the chat: Confirm + PIN, one delivered order, the due date moves on 30 days", async () => {
    clock = new Date();
    const today = lagosDate(clock);
    const c = await h.customer("cr-renew", 5_000_000);
    const userId = await c.userId();
    await c.say("renew my dstv 3034441234");
    await c.tap("nav:menu");
    await sweepCableReminders({ ctx });
    const [row] = await outbox(userId, "cable.renewal_due");
    const renew = notificationChoices(row?.payload as Record<string, unknown>, "en")?.[0]?.id as string;
    expect(renew).toMatch(/^rmd:renew:\d+$/);

    const summary = await c.tap(renew);
    expect(texts(summary)).toMatch(/Compact \(renew\) for card 3034441234/);
    const pin = await c.tap(confirmOf(summary));
    expect(texts(pin)).toMatch(/PIN/);
    await c.say("2580");
    await h.harness.drain();
    // A second tap of the same old Confirm buys nothing more.
    await c.tap(confirmOf(summary));
    await h.harness.drain();

    const orders = await tdb.db
      .selectFrom("vtu_orders")
      .select(["state", "subscription", "recipient"])
      .where("user_id", "=", userId)
      .execute();
    expect(orders).toEqual([{ state: "delivered", subscription: "renew", recipient: "3034441234" }]);
    await sweepCableReminders({ ctx });
    await sweepCableReminders({ ctx });
    const [card] = await listCableCards(ctx, userId);
    expect(card).toMatchObject({ dueDate: addDays(today, 33), dueSource: "renewal", bouquet: "Compact" });
    // Verified again: the sandbox (like a biller) now says 30 days after the payment; the provider wins.
    await verifyAccount({
      ctx,
      vtu: h.deps.vtu,
      userId,
      input: { kind: "smartcard", provider: "dstv", number: "3034441234" },
    });
    expect((await listCableCards(ctx, userId))[0]?.dueDate).toBe(addDays(today, 30));
    await expectLedgerConsistent(tdb.db);
  });
});

describe("purchase nudges", () => {
  it("electricity: once, 14 days after the last token, with Buy again; stop turns them off", async () => {
    clock = new Date();
    const c = await h.customer("nd-light", 5_000_000);
    const userId = await c.userId();
    const summary = await c.say("light 2000 ikeja prepaid 45123456789");
    await c.tap(confirmOf(summary));
    await c.say("2580");
    await h.harness.drain();
    const [order] = await tdb.db
      .selectFrom("vtu_orders")
      .select(["id", "state"])
      .where("user_id", "=", userId)
      .execute();
    expect(order?.state).toBe("delivered");

    clock = new Date(clock.getTime() + 13 * DAY);
    await sweepCableReminders({ ctx });
    expect(await outbox(userId, "nudge.electricity")).toHaveLength(0);
    clock = new Date(clock.getTime() + 1 * DAY + 60_000);
    await Promise.all([sweepCableReminders({ ctx }), sweepCableReminders({ ctx })]);
    await sweepCableReminders({ ctx });
    const rows = await outbox(userId, "nudge.electricity");
    expect(rows).toHaveLength(1);
    expect(rows[0]?.reply.text).toMatch(
      /^Your last electricity token was 14 days ago: ₦2,000 for meter 45123456789/,
    );
    const choices = notificationChoices(rows[0]?.payload as Record<string, unknown>, "en");
    expect(choices?.map((x) => x.id)).toEqual([`repeat:${order?.id}`, "rmd:stop:electricity"]);
    const again = await c.tap(`repeat:${order?.id}`);
    expect(texts(again)).toMatch(/45123456789/);
    expect(choiceIds(again).some((id) => id.startsWith("confirm:"))).toBe(true);
    expect(texts(await c.tap("rmd:stop:electricity"))).toMatch(/no more electricity reminders/);
    await expectLedgerConsistent(tdb.db);
  });

  it("data: a 30-day plan is offered again 2 days before it ends, once", async () => {
    clock = new Date();
    const c = await h.customer("nd-data", 5_000_000);
    const userId = await c.userId();
    const plans = await c.say("1gb mtn for 08031241234");
    const summary = await c.tap(choiceIds(plans).find((id) => id.startsWith("plan:")) ?? "");
    await c.tap(confirmOf(summary));
    await c.say("2580");
    await h.harness.drain();
    const [order] = await tdb.db
      .selectFrom("vtu_orders")
      .select(["id", "state"])
      .where("user_id", "=", userId)
      .execute();
    expect(order?.state).toBe("delivered");

    clock = new Date(clock.getTime() + 27 * DAY);
    await sweepCableReminders({ ctx });
    expect(await outbox(userId, "nudge.data")).toHaveLength(0);
    clock = new Date(clock.getTime() + 1 * DAY + 60_000);
    await Promise.all([sweepCableReminders({ ctx }), sweepCableReminders({ ctx })]);
    await sweepCableReminders({ ctx });
    const rows = await outbox(userId, "nudge.data");
    expect(rows).toHaveLength(1);
    expect(rows[0]?.reply.text).toMatch(/for 08031241234 ends on .*\. Buy it again\?$/);
    const again = await c.tap(`repeat:${order?.id}`);
    expect(texts(again)).toMatch(/08031241234/);
    expect(choiceIds(again).some((id) => id.startsWith("confirm:"))).toBe(true);
  });
});
