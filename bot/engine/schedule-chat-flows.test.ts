import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceContext } from "../../api/services/context";
import { setOrChangePin } from "../../api/services/pins";
import { createSchedule, lagosInstant, sweepSchedules } from "../../api/services/schedules";
import { chatHarness, choiceIds, confirmOf, texts } from "../../test/helpers/chat-engine";
import { makeCtx } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import { TEST_PIN } from "../../test/helpers/vtu";
import type { ChatChannel } from "./types";

/**
 * Schedules in chat, the second part (issue 19 §1 and §5, DECISIONS §68): electricity and cable
 * schedules with the meter or card verified before the summary, a schedule from the last order,
 * and a new amount ("change schedule 2 to ₦700", and from the list) — each with Confirm and the
 * PIN, typed on Telegram and on the one-time page on WhatsApp, on the real engine and database.
 */
let tdb: TestDatabase;
let ctx: ServiceContext;
let h: Awaited<ReturnType<typeof chatHarness>>;
// Monday 14 Dec 2026, 10:00 Lagos.
let clock = lagosInstant("2026-12-14", 10);

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 10 });
  ctx = makeCtx(tdb.db, { now: () => clock });
  h = await chatHarness(tdb, ctx);
});
afterAll(() => tdb.destroy());

const sweep = () => sweepSchedules({ ctx, vtu: h.harness.vtu });

/** Someone on `channel` with PIN 2580 (set as the PIN flow sets it on that channel) and money. */
async function person(ref: string, channel: ChatChannel, balanceKobo = 2_000_000) {
  const c = h.chat(ref, channel);
  await c.say("hi");
  const userId = await c.userId();
  await setOrChangePin({ ctx, userId, input: { pin: TEST_PIN } });
  await h.fund(userId, balanceKobo);
  return { c, userId };
}

async function schedulesOf(userId: string) {
  return tdb.db.selectFrom("schedules").selectAll().where("user_id", "=", userId).orderBy("id").execute();
}

describe("electricity and cable schedules in chat", () => {
  it("Telegram: a monthly IKEDC prepaid schedule is verified, confirmed with the typed PIN, and runs on its date", async () => {
    clock = lagosInstant("2026-12-14", 10);
    const { c, userId } = await person("tg-sch-power", "telegram");
    const summary = await c.say("pay ₦5000 IKEDC prepaid 45123456789 every month on the 1st");
    expect(texts(summary)).toMatch(
      /^Schedule: Ikeja Electric \(IKEDC\) prepaid electricity ₦5,000 for meter 45123456789 \(SANDBOX METER OKONKWO\), every month on the 1st\.\nFirst run: Fri 1 Jan 2027\./,
    );
    const asked = await c.tap(confirmOf(summary));
    expect(texts(asked)).toMatch(/Send your transaction PIN to authorise this schedule/);
    const done = await c.say(TEST_PIN);
    expect(done.deleteInput).toBe(true);
    expect(texts(done)).toMatch(
      /^Done: Ikeja Electric \(IKEDC\) prepaid electricity ₦5,000 for meter 45123456789, every month on the 1st\./,
    );
    const [row] = await schedulesOf(userId);
    expect(row).toMatchObject({
      service: "electricity",
      disco: "ikeja",
      meter_type: "prepaid",
      recipient: "45123456789",
      amount_kobo: 500_000,
      recurrence: "monthly",
      month_day: 1,
      next_due_on: "2027-01-01",
    });

    // On the 1st it buys the token once.
    clock = lagosInstant("2027-01-01", 9);
    await sweep();
    await sweep();
    await h.harness.drain();
    await sweep();
    const runs = await tdb.db
      .selectFrom("schedule_runs")
      .select(["due_on", "state"])
      .where("schedule_id", "=", row?.id ?? "")
      .execute();
    expect(runs).toEqual([{ due_on: "2027-01-01", state: "delivered" }]);
    await expectLedgerConsistent(tdb.db);
  });

  it("a meter that does not verify is refused before any summary; a missing piece is asked for", async () => {
    clock = lagosInstant("2026-12-14", 10);
    const { c, userId } = await person("tg-sch-badmeter", "telegram");
    const bad = await c.say("pay 5000 IKEDC prepaid 45123450000 every month on the 1st");
    expect(texts(bad)).toMatch(/^I could not verify that number, so nothing was scheduled/);
    expect(choiceIds(bad).some((id) => id.startsWith("confirm:"))).toBe(false);
    expect(texts(await c.say("pay 5000 IKEDC 45123456789 every month"))).toMatch(/^Prepaid or postpaid\?/);
    expect(texts(await c.say("renew my gotv every month"))).toMatch(/^Which card\?/);
    expect(await schedulesOf(userId)).toEqual([]);
  });

  it("WhatsApp: a DStv renewal schedule names the bouquet on the card; the PIN goes on the one-time page", async () => {
    clock = lagosInstant("2026-12-14", 10);
    const { c, userId } = await person("2348037771901", "whatsapp");
    const summary = await c.say("renew DStv 1234567890 every month on the 25th");
    expect(texts(summary)).toMatch(
      /^Schedule: DStv .+ renewal for card 1234567890 \(SANDBOX VIEWER ADEBAYO\), every month on the 25th\.\nFirst run: Fri 25 Dec 2026\./,
    );
    const ask = await c.send({ choice: confirmOf(summary), messageId: "wa-sch-cable" });
    expect(texts(ask)).toMatch(/open this link/i);
    expect(texts(ask)).not.toMatch(/Send your transaction PIN/);
    const typed = await c.say(TEST_PIN);
    expect(texts(typed)).toMatch(/never send your PIN in this chat/);
    expect(await schedulesOf(userId)).toEqual([]);
    const done = await c.send({ text: TEST_PIN, pinFromSecurePage: true, pinLinkFor: "wa-sch-cable" });
    expect(texts(done)).toMatch(/^Done: DStv renewal for card 1234567890, every month on the 25th\./);
    expect(await schedulesOf(userId)).toMatchObject([
      { service: "cable", cable_provider: "dstv", recipient: "1234567890", month_day: 25 },
    ]);
    await expectLedgerConsistent(tdb.db);
  });

  it("in Pidgin", async () => {
    clock = lagosInstant("2026-12-14", 10);
    const { c } = await person("tg-sch-pcm", "telegram");
    await c.say("speak pidgin");
    expect(texts(await c.say("pay 5000 IKEDC prepaid 45123456789 every month on the 1st"))).toMatch(
      /\nFirst one go run: Fri 1 Jan 2027\./,
    );
    await c.say("cancel");
    expect(texts(await c.say("renew my gotv every month"))).toMatch(/^Which card\? Write am again/);
  });
});

describe("a schedule from the last order", () => {
  it("'repeat my last order every month' copies the last delivered purchase; without how often, one question", async () => {
    clock = lagosInstant("2026-12-14", 10);
    const { c, userId } = await person("tg-sch-repeat", "telegram");
    expect(texts(await c.say("repeat my last order every month"))).toMatch(/no delivered order yet/);

    // A purchase in chat, delivered.
    const w = h.chat("tg-sch-repeat", "telegram");
    const bought = await w.say("airtime 700 08031234567");
    const sum = choiceIds(bought).includes("net:mtn") ? await w.tap("net:mtn") : bought;
    await w.tap(confirmOf(sum));
    await w.say(TEST_PIN);
    await h.harness.drain();

    const summary = await c.say("repeat my last order every month");
    expect(texts(summary)).toMatch(
      /^Schedule: MTN airtime ₦700 for 08031234567, every month on the 14th\.\nFirst run: today/,
    );
    await c.tap(confirmOf(summary));
    const done = await c.say(TEST_PIN);
    expect(texts(done)).toMatch(/^Done: MTN airtime ₦700 for 0803\*\*\*4567, every month on the 14th\./);
    expect(await schedulesOf(userId)).toMatchObject([
      { service: "airtime", network: "mtn", recipient: "08031234567", amount_kobo: 70_000, month_day: 14 },
    ]);

    // "schedule my last order": how often, then the same summary.
    const asked = await c.say("schedule my last order");
    expect(texts(asked)).toMatch(/^How often should I buy MTN airtime ₦700 for 08031234567\?/);
    expect(choiceIds(asked)).toEqual(
      expect.arrayContaining(["often:daily", "often:weekly", "often:monthly"]),
    );
    expect(texts(await c.tap("often:weekly"))).toMatch(
      /^Schedule: MTN airtime ₦700 for 08031234567, every Monday\./,
    );
    await c.say("cancel");
    expect(texts(await c.say("buy this again every Friday"))).toMatch(
      /, every Friday\.\nFirst run: Fri 18 Dec 2026/,
    );
    await expectLedgerConsistent(tdb.db);
  });
});

describe("changing a schedule's amount in chat", () => {
  it("'change schedule 2 to ₦700', 'change my airtime schedule amount to 800' and the list's Change amount, each with the PIN", async () => {
    clock = lagosInstant("2026-12-14", 10);
    const { c, userId } = await person("tg-sch-change", "telegram");
    const make = (input: Record<string, unknown>) =>
      createSchedule({
        ctx,
        vtu: h.harness.vtu,
        userId,
        input: { recipient: "08031234567", network: "mtn", pin: TEST_PIN, ...input } as never,
      });
    const { schedule: airtime } = await make({
      service: "airtime",
      amountKobo: 50_000,
      recurrence: { kind: "weekly", weekday: 5 },
    });
    const dataPlan = await tdb.db
      .selectFrom("catalogue_products")
      .select("id")
      .where("service", "=", "data")
      .where("network", "=", "mtn")
      .executeTakeFirstOrThrow();
    // A second later (ids follow the clock), so the list's order is known.
    clock = new Date(clock.getTime() + 1000);
    await make({ service: "data", planId: dataPlan.id, recurrence: { kind: "monthly", day: 1 } });
    // "my schedules" lists newest first: 1 = the data schedule, 2 = the airtime one.
    expect(texts(await c.say("my schedules"))).toMatch(/1\. MTN data .*\n2\. MTN airtime ₦500/);

    expect(texts(await c.say("change schedule 1 to ₦700"))).toMatch(/has no amount to change/);
    expect(texts(await c.say("change schedule 9 to ₦700"))).toMatch(/no schedule number 9/);

    const summary = await c.say("change schedule 2 to ₦700");
    expect(texts(summary)).toMatch(
      /^Change MTN airtime ₦500 for 0803\*\*\*4567, every Friday: ₦500 → ₦700 each time\.\nEach run will cost ₦\S+: you authorise up to ₦\S+ a run/,
    );
    await c.tap(confirmOf(summary));
    const wrong = await c.say("1111");
    expect(texts(wrong)).toMatch(/incorrect/i);
    const done = await c.say(TEST_PIN);
    expect(done.deleteInput).toBe(true);
    expect(texts(done)).toMatch(
      /^Changed: MTN airtime ₦700 for 0803\*\*\*4567, every Friday\. Next run: Fri 18 Dec 2026\./,
    );
    const after = (await schedulesOf(userId)).find((s) => s.id === airtime.id);
    expect(after?.amount_kobo).toBe(70_000);
    expect(after?.per_run_cap_kobo).toBeGreaterThanOrEqual(after?.amount_kobo ? 68_000 : 0);

    // By its service: the one airtime schedule.
    const bySvc = await c.say("change my airtime schedule amount to 800");
    expect(texts(bySvc)).toMatch(/: ₦700 → ₦800 each time/);
    await c.tap(confirmOf(bySvc));
    await c.say(TEST_PIN);
    expect((await schedulesOf(userId)).find((s) => s.id === airtime.id)?.amount_kobo).toBe(80_000);

    // From the list: Manage → Change amount → the amount typed → Confirm → PIN.
    await c.say("my schedules");
    const manage = await c.tap(`sch:${airtime.id}`);
    expect(choiceIds(manage)).toContain("amount");
    expect(texts(await c.tap("amount"))).toMatch(/buys ₦800 each time now\. Type the new amount/);
    expect(texts(await c.say("abc"))).toMatch(/Type the new amount in naira/);
    const typed = await c.say("900");
    expect(texts(typed)).toMatch(/: ₦800 → ₦900 each time/);
    await c.tap(confirmOf(typed));
    expect(texts(await c.say(TEST_PIN))).toMatch(/^Changed: MTN airtime ₦900/);
    expect((await schedulesOf(userId)).find((s) => s.id === airtime.id)?.amount_kobo).toBe(90_000);
    await expectLedgerConsistent(tdb.db);
  });

  it("WhatsApp: the new amount is authorised on the PIN page", async () => {
    clock = lagosInstant("2026-12-14", 10);
    const { c, userId } = await person("2348037771902", "whatsapp");
    await createSchedule({
      ctx,
      vtu: h.harness.vtu,
      userId,
      input: {
        service: "airtime",
        recipient: "08031234567",
        network: "mtn",
        amountKobo: 50_000,
        recurrence: { kind: "daily" },
        pin: TEST_PIN,
      },
    });
    const summary = await c.say("change my airtime schedule to 600");
    expect(texts(summary)).toMatch(/₦500 → ₦600 each time/);
    const ask = await c.send({ choice: confirmOf(summary), messageId: "wa-sch-amount" });
    expect(texts(ask)).toMatch(/open this link/i);
    expect(texts(await c.say(TEST_PIN))).toMatch(/never send your PIN in this chat/);
    expect((await schedulesOf(userId))[0]?.amount_kobo).toBe(50_000);
    const done = await c.send({ text: TEST_PIN, pinFromSecurePage: true, pinLinkFor: "wa-sch-amount" });
    expect(texts(done)).toMatch(/^Changed: MTN airtime ₦600/);
    expect((await schedulesOf(userId))[0]?.amount_kobo).toBe(60_000);
    await expectLedgerConsistent(tdb.db);
  });
});
