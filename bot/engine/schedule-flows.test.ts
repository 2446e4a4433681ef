import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceContext } from "../../api/services/context";
import { lagosInstant, sweepSchedules } from "../../api/services/schedules";
import { chatHarness, choiceIds, confirmOf, texts } from "../../test/helpers/chat-engine";
import { makeCtx } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { expectLedgerConsistent } from "../../test/helpers/ledger";

/**
 * Schedules in the chat (issue 19), on the real engine and database with a clock the test moves:
 * a daily schedule is created with Confirm and the PIN (deleted like a purchase PIN), runs on the
 * sweeper's passes (today at once, tomorrow at the run hour), each outcome reaches the chat outbox
 * once; "my schedules" lists it and manages it; Pidgin.
 */
let tdb: TestDatabase;
let ctx: ServiceContext;
let h: Awaited<ReturnType<typeof chatHarness>>;
let clock = lagosInstant("2026-12-14", 10);

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 10 });
  ctx = makeCtx(tdb.db, { now: () => clock });
  h = await chatHarness(tdb, ctx);
});
afterAll(() => tdb.destroy());

const sweep = () => sweepSchedules({ ctx, vtu: h.harness.vtu });

describe("schedules in chat", () => {
  it("a daily schedule made in chat runs with a moved clock, and each outcome is in the outbox once", async () => {
    clock = lagosInstant("2026-12-14", 10);
    const c = await h.customer("sch-ada", 500_000);
    const userId = await c.userId();
    const summary = await c.say("airtime 500 for 08031234567 every day");
    expect(texts(summary)).toMatch(
      /^Schedule: MTN airtime ₦500 for 08031234567, every day\.\nFirst run: today/,
    );
    expect(texts(summary)).toMatch(/you authorise up to ₦\S+ a run and ₦\S+ a month/);
    const asked = await c.tap(confirmOf(summary));
    expect(texts(asked)).toMatch(/Send your transaction PIN to authorise this schedule/);
    const wrong = await c.say("1111");
    expect(wrong.deleteInput).toBe(true);
    expect(texts(wrong)).toMatch(/incorrect|wrong/i);
    const done = await c.say("2580");
    expect(done.deleteInput).toBe(true);
    expect(texts(done)).toMatch(/^Done: MTN airtime ₦500 for 0803\*\*\*4567, every day\. Next run: today\. /);
    const schedule = await tdb.db
      .selectFrom("schedules")
      .selectAll()
      .where("user_id", "=", userId)
      .executeTakeFirstOrThrow();

    // Today's run, then tomorrow's with the clock moved; each swept twice (a duplicate pass).
    for (const at of [lagosInstant("2026-12-14", 10), lagosInstant("2026-12-15", 8)]) {
      clock = at;
      await sweep();
      await sweep();
      await h.harness.drain();
      await sweep();
    }
    const runs = await tdb.db
      .selectFrom("schedule_runs")
      .selectAll()
      .where("schedule_id", "=", schedule.id)
      .orderBy("due_on")
      .execute();
    expect(runs.map((r) => [r.due_on, r.state])).toEqual([
      ["2026-12-14", "delivered"],
      ["2026-12-15", "delivered"],
    ]);
    const outbox = await tdb.db
      .selectFrom("chat_outbox")
      .select(["kind", "payload"])
      .where("user_id", "=", userId)
      .where("kind", "like", "order.%")
      .execute();
    const orderIds = runs.map((r) => r.order_id);
    for (const orderId of orderIds) {
      expect(
        outbox.filter((o) => (o.payload as { orderId?: string }).orderId === orderId).map((o) => o.kind),
      ).toEqual(["order.delivered"]);
    }

    // "my schedules": the next run and the last outcome; pause, then resume.
    const listed = await c.say("my schedules");
    expect(texts(listed)).toMatch(
      /1\. MTN airtime ₦500 for 0803\*\*\*4567, every day — active; next: Wed 16 Dec 2026; last: delivered, Tue 15 Dec 2026/,
    );
    const manage = await c.tap(`sch:${schedule.id}`);
    expect(choiceIds(manage)).toEqual(expect.arrayContaining(["pause", "skip", "delete"]));
    expect(texts(await c.tap("pause"))).toMatch(/^Paused: MTN airtime/);
    await c.say("my schedules");
    await c.tap(`sch:${schedule.id}`);
    expect(texts(await c.tap("resume"))).toMatch(/^Resumed: .* Next run: Wed 16 Dec 2026/);
    await expectLedgerConsistent(tdb.db);
  });

  it("without a PIN, says to set one before showing the schedule", async () => {
    const c = h.chat("sch-nopin");
    await c.say("hi");
    const out = await c.say("airtime 500 for 08031234567 every day");
    expect(texts(out)).toMatch(/Set your PIN first/);
    expect(choiceIds(out)).toContain("nav:pin");
  });

  it("in Pidgin, and how to write one when the request has no product", async () => {
    clock = lagosInstant("2026-12-14", 10);
    const c = await h.customer("sch-bola", 500_000);
    await c.say("speak pidgin");
    expect(texts(await c.say("my schedules"))).toMatch(/You no get any schedule/);
    expect(texts(await c.say("renew my dstv every month"))).toMatch(/^Which card\? Write am again/);
    expect(texts(await c.say("every month"))).toMatch(/"repeat my last order every month"/);
    const summary = await c.say("every Friday ₦500 airtime for 08031234567");
    expect(texts(summary)).toMatch(/^Schedule: .*every Friday\.\nFirst one go run: Fri 18 Dec 2026/);
  });
});
