import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCtx, testConfig } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { uniquePhone } from "../../../test/helpers/fixtures";
import {
  call,
  expectErrorEnvelope,
  makeTestApp,
  registerAndLogin,
  type TestApp,
} from "../../../test/helpers/http";
import type { ServiceContext } from "../context";
import { addDays, lagosDate } from "../vtu/due-date";
import {
  adminCustomerCards,
  listCableCards,
  listNudgeOptOuts,
  rememberVerifiedCard,
  reminderCounts,
  resumeCardReminders,
  resumePurchaseNudges,
  stopCardReminders,
  stopPurchaseNudges,
} from "./cards";
import { sendCableReminders } from "./reminders";

/**
 * Turning reminders back on, and what the admin sees (issue 19, DECISIONS §70), on the real
 * database: a card's reminders off and on again (only the owner's), the nudge opt-outs undone, the
 * `POST /api/vtu/cable/cards/:id/reminders` route, a card's last reminder and the counts.
 */
let tdb: TestDatabase;
let ctx: ServiceContext;
let app: TestApp;

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 5 });
  const config = testConfig({ CABLE_REMINDER_DAYS: "3,1" });
  ctx = makeCtx(tdb.db, { config });
  app = makeTestApp(tdb.db, { config }).app;
});
afterAll(() => tdb.destroy());

const userIdOf = async (phone: string) =>
  (await tdb.db.selectFrom("users").select("id").where("phone", "=", phone).executeTakeFirstOrThrow()).id;

async function card(userId: string, smartcard: string, dueInDays: number) {
  await rememberVerifiedCard(ctx, {
    userId,
    provider: "dstv",
    smartcard,
    customerName: "ADA OBI",
    bouquet: "Compact",
    renewalAmountKobo: 1_900_000,
    dueDate: addDays(lagosDate(ctx.now()), dueInDays),
  });
  const cards = await listCableCards(ctx, userId);
  const found = cards.find((c) => c.smartcard === smartcard);
  if (!found) {
    throw new Error("card not stored");
  }
  return found;
}

describe("reminders back on", () => {
  it("a card's reminders turn off and on again, only for its owner; the sweep follows", async () => {
    const token = await registerAndLogin(app, "08031230001");
    const userId = await userIdOf("08031230001");
    await registerAndLogin(app, "08031230002");
    const otherId = await userIdOf("08031230002");
    const mine = await card(userId, "7012340001", 1);

    expect(await resumeCardReminders(ctx, { userId: otherId, cardId: mine.id })).toBeUndefined();
    expect((await stopCardReminders(ctx, { userId, cardId: mine.id }))?.remindersOff).toBe(true);
    expect(await sendCableReminders({ ctx })).toEqual({ sent: 0 });
    expect((await resumeCardReminders(ctx, { userId, cardId: mine.id }))?.remindersOff).toBe(false);
    expect(await sendCableReminders({ ctx })).toEqual({ sent: 1 });

    // The route: off, then on; someone else's card or a bad id is not found; the body is checked.
    const off = await call(app, "POST", `/api/vtu/cable/cards/${mine.id}/reminders`, {
      token,
      body: { on: false },
    });
    expect(off.status).toBe(200);
    expect(off.body.data.card).toMatchObject({ id: mine.id, remindersOff: true });
    const on = await call(app, "POST", `/api/vtu/cable/cards/${mine.id}/reminders`, {
      token,
      body: { on: true },
    });
    expect(on.body.data.card).toMatchObject({ id: mine.id, remindersOff: false });
    const otherToken = await call(app, "POST", "/api/auth/login", {
      body: { phone: "08031230002", password: "correct-horse-9" },
    });
    expectErrorEnvelope(
      await call(app, "POST", `/api/vtu/cable/cards/${mine.id}/reminders`, {
        token: otherToken.body.data.token,
        body: { on: false },
      }),
      404,
      "CARD_NOT_FOUND",
    );
    expectErrorEnvelope(
      await call(app, "POST", "/api/vtu/cable/cards/12abc/reminders", { token, body: { on: false } }),
      404,
      "CARD_NOT_FOUND",
    );
    expectErrorEnvelope(
      await call(app, "POST", "/api/vtu/cable/cards/x%00/reminders", { token, body: { on: false } }),
      400,
      "INVALID_CHARACTERS",
    );
    expect(
      (
        await call(app, "POST", `/api/vtu/cable/cards/${mine.id}/reminders`, {
          token,
          body: { on: "\u0000" },
        })
      ).status,
    ).toBe(400);
    expect((await listCableCards(ctx, userId))[0]?.remindersOff).toBe(false);
    expect((await listCableCards(ctx, otherId)).length).toBe(0);
  });

  it("POST /api/sandbox/cable-reminders/run sends a due reminder once, like the worker's pass", async () => {
    const phone = uniquePhone();
    const token = await registerAndLogin(app, phone);
    await card(await userIdOf(phone), "7012340009", 3);
    const first = await call(app, "POST", "/api/sandbox/cable-reminders/run", { token });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.data.reminders).toEqual({ sent: 1 });
    const again = await call(app, "POST", "/api/sandbox/cable-reminders/run", { token });
    expect(again.body.data.reminders).toEqual({ sent: 0 });
    expectErrorEnvelope(await call(app, "POST", "/api/sandbox/cable-reminders/run"), 401, "UNAUTHENTICATED");
  });

  it("nudge opt-outs are undone by kind", async () => {
    await registerAndLogin(app, "08031230003");
    const userId = await userIdOf("08031230003");
    await stopPurchaseNudges(ctx, { userId, kind: "data" });
    await stopPurchaseNudges(ctx, { userId, kind: "electricity" });
    expect(await listNudgeOptOuts(ctx, userId)).toEqual(["data", "electricity"]);
    await resumePurchaseNudges(ctx, { userId, kind: "data" });
    await resumePurchaseNudges(ctx, { userId, kind: "data" });
    expect(await listNudgeOptOuts(ctx, userId)).toEqual(["electricity"]);
  });
});

describe("the admin's view", () => {
  it("a card's last reminder sent, and the counts of today and the coming days", async () => {
    const before = await reminderCounts(ctx);
    await registerAndLogin(app, "08031230004");
    const userId = await userIdOf("08031230004");
    const soon = await card(userId, "7012340004", 3);
    const later = await card(userId, "7012340005", 2);
    const far = await card(userId, "7012340006", 20);
    await stopCardReminders(ctx, { userId, cardId: later.id });
    expect(await reminderCounts(ctx)).toMatchObject({
      sentToday: before.sentToday,
      upcoming: before.upcoming + 1,
      cardsOff: before.cardsOff + 1,
      windowDays: 3,
    });
    await sendCableReminders({ ctx });
    const after = await reminderCounts(ctx);
    expect(after.sentToday).toBe(before.sentToday + 1);
    const cards = await adminCustomerCards(ctx, userId);
    expect(cards.map((c) => [c.smartcard, c.remindersOff, c.lastReminderDays])).toEqual([
      [later.smartcard, true, null],
      [soon.smartcard, false, 3],
      [far.smartcard, false, null],
    ]);
    expect(cards[1]?.lastReminderAt).toBeInstanceOf(Date);
  });
});
