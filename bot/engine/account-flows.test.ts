import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_BANKS } from "../../api/providers/sandbox-gateway/gateway";
import type { ServiceContext } from "../../api/services/context";
import { getWalletBalance } from "../../api/services/wallet";
import { chatHarness, choiceIds, texts } from "../../test/helpers/chat-engine";
import { makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import { matchBanks } from "./flows/withdraw-banks";

let tdb: TestDatabase;
let ctx: ServiceContext;
let h: Awaited<ReturnType<typeof chatHarness>>;

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 10 });
  ctx = makeCtx(tdb.db);
  h = await chatHarness(tdb, ctx);
});
afterAll(() => tdb.destroy());

describe("withdraw from the chat", () => {
  it("finds a bank by any words of its name, and GTB by its nickname", () => {
    const names = (text: string) => matchBanks(SANDBOX_BANKS, text).map((b) => b.code);
    expect(names("gtb")).toEqual(["058"]);
    expect(names("Kuda")).toEqual(["50211"]);
    expect(names("united bank")).toEqual(["033"]);
    expect(names("bank")).toEqual([]);
    expect(names("opay")).toEqual([]);
  });

  it("bank by name → account → the bank's name confirmed → amount → fee → PIN: the amount and fee are held", async () => {
    const c = await h.customer("w-1");
    const banks = await c.tap("nav:withdraw");
    expect(choiceIds(banks)).toContain("bank:044");
    const account = await c.say("access");
    expect(texts(account)).toMatch(/10-digit Access Bank account number/);
    const wrong = await c.say("0123450000");
    expect(texts(wrong)).toMatch(/No account 0123450000.*Type the account number again/s);
    const name = await c.say("0123456789");
    expect(texts(name)).toMatch(/ADAEZE OKAFOR \(SANDBOX\) \(Access Bank, 0123456789\)/);
    const amount = await c.tap("name:yes");
    expect(texts(amount)).toMatch(/You have ₦5,000 available/);
    const summary = await c.say("2k");
    expect(texts(summary)).toMatch(/Withdraw ₦2,000 to ADAEZE OKAFOR.*Fee: ₦50\. ₦2,050 leaves your wallet/s);
    await c.tap("confirm");
    const done = await c.say("2580");
    expect(done.deleteInput).toBe(true);
    expect(texts(done)).toMatch(/Withdrawal of ₦2,000 to ADAEZE OKAFOR \(SANDBOX\) \(reference TADA-WD-/);

    const userId = await c.userId();
    const rows = await tdb.db
      .selectFrom("withdrawals")
      .select(["state", "amount_kobo", "fee_kobo", "bank_code", "account_number"])
      .where("user_id", "=", userId)
      .execute();
    expect(rows).toEqual([
      {
        state: "held",
        amount_kobo: 200_000,
        fee_kobo: 5_000,
        bank_code: "044",
        account_number: "0123456789",
      },
    ]);
    const balance = await getWalletBalance({ ctx, userId });
    expect(balance).toMatchObject({ balanceKobo: 500_000, heldKobo: 205_000, availableKobo: 295_000 });
    await expectLedgerConsistent(tdb.db);
  });

  it("a typed bank name matching several banks offers them; a repeated PIN message withdraws once", async () => {
    const c = await h.customer("w-2");
    await c.say("withdraw 1000");
    const several = await c.say("bank");
    expect(texts(several)).toMatch(/could not find/);
    const picked = await c.say("united");
    expect(texts(picked)).toMatch(/United Bank for Africa account number/);
    await c.say("0223456789");
    const summary = await c.tap("name:yes");
    expect(texts(summary)).toMatch(/Withdraw ₦1,000/);
    await c.tap("confirm");
    const pin = { text: "2580", messageId: "w-2-pin" };
    await c.send(pin);
    expect((await c.send(pin)).duplicate).toBe(true);
    const rows = await tdb.db
      .selectFrom("withdrawals")
      .select("id")
      .where("user_id", "=", await c.userId())
      .execute();
    expect(rows).toHaveLength(1);
    await expectLedgerConsistent(tdb.db);
  });
});

describe("receipts from the chat", () => {
  it("picks a recent order and shows its receipt with the electricity token; 'receipt ord_…' works too", async () => {
    const c = await h.customer("r-1");
    await c.say("light 2000 ikeja prepaid 45123456789");
    await c.tap("confirm");
    await c.say("2580");
    await h.harness.drain();
    const order = await tdb.db
      .selectFrom("vtu_orders")
      .select("id")
      .where("user_id", "=", await c.userId())
      .executeTakeFirstOrThrow();

    const list = await c.tap("nav:receipt");
    expect(choiceIds(list)).toContain(`rcpt:${order.id}`);
    const receipt = await c.tap(`rcpt:${order.id}`);
    // The amount bought beside what was paid for it (the price includes the fee).
    expect(texts(receipt)).toMatch(/Receipt — .*\nFor: 45123456789.*\nValue: ₦2,000\nPaid: ₦2,\d{3}/);
    expect(texts(receipt)).toMatch(/Token: \d{4} \d{4} \d{4} \d{4} \d{4} \(9\.5 kWh\)/);

    const typed = await c.say(`receipt ${order.id}`);
    expect(texts(typed)).toMatch(/Token: \d{4} /);

    // Someone else's order id is simply not found (S6).
    const other = await h.customer("r-2");
    expect(texts(await other.say(`receipt ${order.id}`))).toMatch(/not found/i);

    // An order that was not delivered is not offered (it has no receipt).
    await c.say("light 2000 ikeja prepaid 45123450001"); // the sandbox fails this meter's vend
    await c.tap("confirm");
    await c.say("2580");
    await h.harness.drain();
    const failedBefore = await tdb.db
      .selectFrom("vtu_orders")
      .select("id")
      .where("user_id", "=", await c.userId())
      .where("state", "<>", "delivered")
      .execute();
    const again = await c.tap("nav:receipt");
    expect(failedBefore).toHaveLength(1);
    expect(choiceIds(again).filter((id) => id.startsWith("rcpt:"))).toEqual([`rcpt:${order.id}`]);
  });
});

describe("S5: PIN attempts per chat", () => {
  it("over the limit the PIN is refused unchecked, even the right one, with when to retry", async () => {
    const clock = new Date("2026-11-25T10:00:05Z");
    const limited = makeCtx(tdb.db, {
      config: testConfig({ PIN_ATTEMPTS_PER_MINUTE: "2" }),
      now: () => clock,
    });
    const lh = await chatHarness(tdb, limited);
    const c = await lh.customer("s5-1");
    await c.say("airtime 100 08031235555");
    await c.tap("net:mtn");
    await c.tap("confirm");
    expect(texts(await c.say("1111"))).toMatch(/PIN/);
    expect(texts(await c.say("1112"))).toMatch(/PIN/);
    const refused = await c.say("2580");
    expect(refused.deleteInput).toBe(true);
    expect(texts(refused)).toMatch(/Too many PIN attempts.*did not check.*55 seconds/s);
    const userId = await c.userId();
    const pin = await tdb.db
      .selectFrom("user_pins")
      .select("failed_attempts")
      .where("user_id", "=", userId)
      .executeTakeFirstOrThrow();
    expect(pin.failed_attempts).toBe(2);
    const orders = await tdb.db.selectFrom("vtu_orders").select("id").where("user_id", "=", userId).execute();
    expect(orders).toHaveLength(0);
  });
});

describe("S5: the PIN attempt limiter fails closed", () => {
  it("when the limiter cannot count, the PIN is not checked and nothing is bought", async () => {
    const c = await h.customer("s5-down");
    await c.say("airtime 100 08031235556");
    await c.tap("net:mtn");
    await c.tap("confirm");
    // The counter table gone stands for a limiter that errors (a real failure, nothing faked).
    await tdb.db.schema.alterTable("rate_limit_counters").renameTo("rate_limit_counters_away").execute();
    try {
      const refused = await c.say("2580");
      expect(refused.deleteInput).toBe(true);
      expect(texts(refused)).toMatch(/cannot check PINs right now/);
    } finally {
      await tdb.db.schema.alterTable("rate_limit_counters_away").renameTo("rate_limit_counters").execute();
    }
    const orders = await tdb.db
      .selectFrom("vtu_orders")
      .select("id")
      .where("user_id", "=", await c.userId())
      .execute();
    expect(orders).toHaveLength(0);
    // Once the limiter is back, the same PIN step goes on.
    expect(texts(await c.say("2580"))).toMatch(/Order placed|Delivered/);
    await h.harness.drain();
    await expectLedgerConsistent(tdb.db);
  });
});

describe("linking another channel", () => {
  it("a code from the console used on Telegram makes both the same person; a reused or unknown code says so", async () => {
    const onConsole = await h.customer("l-console");
    const issued = await onConsole.tap("nav:link");
    const code = /\/link ([A-Z0-9]{8})/.exec(texts(issued))?.[1];
    expect(code).toBeDefined();

    const telegram = h.chat("l-tg-1", "telegram", "Ada");
    const linked = await telegram.say(`/link ${code}`);
    expect(texts(linked)).toMatch(/Linked!/);
    expect(await telegram.userId()).toBe(await onConsole.userId());
    expect(texts(await telegram.tap("nav:balance"))).toMatch(/₦5,000/);
    const session = await tdb.db
      .selectFrom("chat_sessions")
      .select("user_id")
      .where("channel", "=", "telegram")
      .where("external_id", "=", "l-tg-1")
      .executeTakeFirstOrThrow();
    expect(session.user_id).toBe(await onConsole.userId());

    const other = h.chat("l-tg-2", "telegram");
    expect(texts(await other.say(`link ${code?.toLowerCase()}`))).toMatch(/already used/);
    expect(texts(await other.say("link ZZZZ2222"))).toMatch(/do not know that link code/);
  });

  it("an expired code says it expired", async () => {
    const c = await h.customer("l-exp");
    const code = /\/link ([A-Z0-9]{8})/.exec(texts(await c.say("link my whatsapp")))?.[1];
    const later = makeCtx(tdb.db, { now: () => new Date(Date.now() + 11 * 60_000) });
    const lh = await chatHarness(tdb, later);
    expect(texts(await lh.chat("l-exp-wa", "whatsapp").say(`/link ${code}`))).toMatch(/expired/);
  });
});

describe("saved beneficiaries in the chat", () => {
  it("offers to save after a purchase; the saved number is offered and picked next time, to a delivered order", async () => {
    const c = await h.customer("b-1");
    await c.say("airtime 500 08031236666");
    await c.tap("net:mtn");
    await c.tap("confirm");
    const paid = await c.say("2580");
    expect(texts(paid)).toMatch(/Save MTN 08031236666 for next time\?/);
    expect(choiceIds(paid)).toEqual(["save:yes", "save:no", "nav:menu"]);
    expect(texts(await c.tap("save:yes"))).toMatch(/Saved MTN 08031236666/);

    const ask = await c.tap("nav:airtime");
    const saved = choiceIds(ask).find((id) => id.startsWith("ben:"));
    expect(choiceIds(ask)[0]).toBe(saved);
    // The saved number brings its network: the next question is the amount.
    const amount = await c.tap(saved ?? "");
    expect(choiceIds(amount)).toContain("amt:20000");
    const summary = await c.tap("amt:20000");
    expect(texts(summary)).toMatch(/MTN airtime ₦200 for 08031236666/);
    await c.tap("confirm");
    const again = await c.say("2580");
    expect(choiceIds(again)).not.toContain("save:yes");
    await h.harness.drain();

    const orders = await tdb.db
      .selectFrom("vtu_orders")
      .select(["state", "recipient"])
      .where("user_id", "=", await c.userId())
      .execute();
    expect(orders).toEqual([
      { state: "delivered", recipient: "08031236666" },
      { state: "delivered", recipient: "08031236666" },
    ]);
    await expectLedgerConsistent(tdb.db);
  });

  it("the offer does not trap anyone: another request is simply answered; a saved meter fills the whole meter", async () => {
    const c = await h.customer("b-2", 1_000_000);
    await c.say("light 2000 ikeja prepaid 45123456789");
    await c.tap("confirm");
    const paid = await c.say("2580");
    expect(texts(paid)).toMatch(/Save SANDBOX METER OKONKWO · 45123456789 for next time\?/);
    expect(texts(await c.say("balance"))).toMatch(/Your balance is/);

    await c.say("light 1000 ikeja prepaid 45123456789");
    await c.tap("confirm");
    await c.say("2580");
    await c.tap("save:yes");
    const discos = await c.tap("nav:electricity");
    const saved = choiceIds(discos).find((id) => id.startsWith("ben:"));
    const amount = await c.tap(saved ?? "");
    expect(texts(amount)).toMatch(/Meter 45123456789: SANDBOX METER OKONKWO\. How much/);
    await h.harness.drain();
    await expectLedgerConsistent(tdb.db);
  });
});

describe("saved beneficiaries for data and cable TV", () => {
  it("a saved data number is offered after the plan; a saved smartcard fills the provider and card", async () => {
    const c = await h.customer("b-3", 5_000_000);
    const plans = await c.say("1gb mtn for 08031237001");
    await c.tap(choiceIds(plans).find((id) => id.startsWith("plan:")) ?? "");
    await c.tap("confirm");
    expect(texts(await c.say("2580"))).toMatch(/Save MTN 08031237001/);
    await c.tap("save:yes");
    const again = await c.say("1gb mtn");
    const phone = await c.tap(choiceIds(again).find((id) => id.startsWith("plan:")) ?? "");
    const saved = choiceIds(phone).find((id) => id.startsWith("ben:"));
    expect(texts(await c.tap(saved ?? ""))).toMatch(/for 08031237001\.\nYou pay/);
    await c.say("cancel");

    const tv = await c.say("renew my dstv 7012345678");
    await c.tap(choiceIds(tv).includes("sub:renew") ? "sub:renew" : "confirm");
    await c.tap("confirm");
    expect(texts(await c.say("2580"))).toMatch(/Save SANDBOX VIEWER ADEBAYO · DStv 7012345678/);
    await c.tap("save:yes");
    const providers = await c.tap("nav:cable");
    const card = choiceIds(providers).find((id) => id.startsWith("ben:"));
    expect(texts(await c.tap(card ?? ""))).toMatch(/SANDBOX VIEWER ADEBAYO/);
    await c.say("cancel");
    await h.harness.drain();
    await expectLedgerConsistent(tdb.db);
  });
});

describe("start and onboarding", () => {
  it("/start on Telegram greets by name, takes the shared contact as the phone, then offers the PIN set-up", async () => {
    const c = h.chat("o-tg-1", "telegram", "Chiamaka");
    const hello = await c.say("/start");
    expect(texts(hello)).toMatch(/^Hello Chiamaka! I am TADA/);
    expect(hello.replies.find((r) => r.askContact)?.askContact).toBe("Share my phone number");
    const shared = await c.send({ contactPhone: "2348031230001" });
    expect(texts(shared)).toMatch(/your number is 08031230001/);
    expect(choiceIds(shared)[0]).toBe("nav:pin");
    expect(texts(await c.tap("nav:pin"))).toMatch(/Choose a 4–6 digit transaction PIN/);
    await c.say("2580");
    // The saved number is offered as "my number" in purchases.
    expect(choiceIds(await c.tap("nav:airtime"))).toContain("self");
    // /start again: the phone and PIN are there, so just the greeting and the menu.
    const again = await c.say("/start");
    expect(again.replies.some((r) => r.askContact)).toBe(false);
    expect(choiceIds(again)).toContain("nav:airtime");
  });

  it("on WhatsApp the chat's own number becomes the person's phone without asking", async () => {
    const c = h.chat("2348037770001", "whatsapp");
    const hello = await c.say("hi");
    expect(hello.replies.some((r) => r.askContact)).toBe(false);
    expect(choiceIds(hello)[0]).toBe("nav:pin");
    const user = await tdb.db
      .selectFrom("users")
      .select("phone")
      .where("id", "=", await c.userId())
      .executeTakeFirstOrThrow();
    expect(user.phone).toBe("08037770001");
  });

  it("a typed number works where contacts cannot be shared; a number on another account is a clear error", async () => {
    const c = h.chat("o-wa-1", "whatsapp");
    await c.say("hello");
    expect(texts(await c.say("0803 123 0002"))).toMatch(/your number is 08031230002/);
    const other = h.chat("o-wa-2", "whatsapp");
    await other.say("hi");
    const taken = await other.say("08031230002");
    expect(texts(taken)).toMatch(/08031230002 is already on another TADA account/);
    // Not a number: the onboarding steps aside and the request is answered.
    const third = h.chat("o-wa-3", "whatsapp");
    await third.say("hi");
    expect(texts(await third.say("my balance"))).toMatch(/Your balance is/);
  });

  it("finds the number anywhere in the answer, then offers the PIN set-up", async () => {
    const c = h.chat("o-con-1");
    expect(texts(await c.say("hi"))).toMatch(/What is your phone number/);
    const saved = await c.say("my number na 08161234501 abeg");
    expect(texts(saved)).toMatch(/^Thanks, your number is 08161234501\./);
    expect(choiceIds(saved)[0]).toBe("nav:pin");
  });

  it("keeps the question through a hello and words without a number, and takes a bare number after", async () => {
    const c = h.chat("o-con-2");
    await c.say("hi");
    // The terminal chat says "hi" itself: the person's own "hi" is answered and the question stays.
    const hello = await c.say("hi");
    expect(texts(hello)).toMatch(/^Hello!\n\nWhat is your phone number/);
    expect(choiceIds(hello)).toEqual(["skip"]);
    const words = await c.say("it is me");
    expect(texts(words)).toBe(
      "I could not find a phone number in that. Type your number like 08031234567, or tap Not now.",
    );
    expect(choiceIds(words)).toEqual(["skip"]);
    const short = await c.say("my number is 0816123");
    expect(texts(short)).toBe(
      '"0816123" is not a whole phone number: Nigerian numbers have 11 digits, like 08031234567. Or tap Not now.',
    );
    const saved = await c.say("08161234502");
    expect(texts(saved)).toMatch(/^Thanks, your number is 08161234502\./);
    expect(choiceIds(saved)[0]).toBe("nav:pin");
  });

  it("another request at the question is answered, without taking its number as the person's own", async () => {
    const c = h.chat("o-con-3");
    await c.say("hi");
    const airtime = await c.say("airtime 500 for 08161234503");
    expect(texts(airtime)).toMatch(/MTN|network/i);
    const user = await tdb.db
      .selectFrom("users")
      .select("phone")
      .where("id", "=", await c.userId())
      .executeTakeFirstOrThrow();
    expect(user.phone).toBeNull();
  });

  it("a person with no number on file is asked for it again at their next hello, in Pidgin too", async () => {
    const c = h.chat("o-con-4");
    await c.say("hi");
    await c.tap("skip");
    const next = await c.say("good evening");
    expect(texts(next)).toMatch(/^Good (morning|afternoon|evening)!\n\nWhat is your phone number/);
    expect(texts(await c.say("0816 123 4504"))).toMatch(/your number is 08161234504/);
    // With the number on file, a hello is just the hello.
    expect(texts(await c.say("hi"))).not.toMatch(/phone number/);

    const p = h.chat("o-con-5");
    await p.say("hi");
    await p.say("speak pidgin");
    await p.tap("skip");
    expect(texts(await p.say("hello"))).toMatch(/Wetin be your phone number/);
    expect(texts(await p.say("abeg"))).toMatch(/^I no see phone number for wetin you write/);
  });
});

describe("forgot PIN", () => {
  it("sends a one-time code through the chat outbox; the code and a new PIN together reset it", async () => {
    const c = await h.customer("p-reset");
    const asked = await c.tap("nav:pin");
    expect(choiceIds(asked)).toContain("pin:forgot");
    expect(texts(await c.tap("pin:forgot"))).toMatch(/6-digit reset code/);
    const note = await tdb.db
      .selectFrom("notifications")
      .select("body")
      .where("user_id", "=", await c.userId())
      .where("kind", "=", "pin_reset_code")
      .executeTakeFirstOrThrow();
    const code = /code is (\d{6})/.exec(note.body)?.[1];
    const wrong = await c.say("000000 7391");
    expect(wrong.deleteInput).toBe(true);
    expect(texts(wrong)).toMatch(/reset code is wrong or expired/);
    const done = await c.say(`${code} 7391`);
    expect(done.deleteInput).toBe(true);
    expect(texts(done)).toMatch(/new PIN is set/);
    // A wrong PIN while paying offers the reset too, from inside the purchase.
    await c.say("airtime 100 08031235557");
    await c.tap("net:mtn");
    await c.tap("confirm");
    const wrongPin = await c.say("1357");
    expect(choiceIds(wrongPin)).toEqual(["pin:forgot", expect.stringMatching(/^cancel:/)]);
    expect(texts(await c.tap("pin:forgot"))).toMatch(/6-digit reset code/);
    await c.say("cancel");
    // The new PIN is the one that works now.
    await c.tap("nav:pin");
    expect(texts(await c.say("7391 4826"))).toMatch(/Your PIN is set/);
  });
});
