import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saveBeneficiary } from "../../api/services/beneficiaries";
import type { ServiceContext } from "../../api/services/context";
import { formatNaira } from "../../api/services/money";
import { getWalletBalance } from "../../api/services/wallet";
import { chatHarness, choiceIds, confirmOf, countingContext, texts } from "../../test/helpers/chat-engine";
import { makeCtx } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import { awaitsPin, handleChatInput } from "./engine";
import { MAIN_MENU } from "./replies";
import type { ChatOutput } from "./types";

/** Issue 14: each summary's own Confirm, words at the PIN step, compact answers, known networks. */
let tdb: TestDatabase;
let ctx: ServiceContext;
let h: Awaited<ReturnType<typeof chatHarness>>;

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 10 });
  ctx = makeCtx(tdb.db);
  h = await chatHarness(tdb, ctx);
});
afterAll(() => tdb.destroy());

type Chat = Awaited<ReturnType<typeof h.customer>>;

const ordersOf = async (c: Chat) =>
  tdb.db
    .selectFrom("vtu_orders")
    .select(["state", "face_amount_kobo", "network", "recipient"])
    .where("user_id", "=", await c.userId())
    .orderBy("created_at")
    .execute();

/** Everything that moves money from a chat, for "nothing was bought". */
const moneyRows = async (c: Chat) => {
  const userId = await c.userId();
  const [orders, withdrawals, rooms] = await Promise.all([
    tdb.db.selectFrom("vtu_orders").select("id").where("user_id", "=", userId).execute(),
    tdb.db.selectFrom("withdrawals").select("id").where("user_id", "=", userId).execute(),
    tdb.db.selectFrom("gift_rooms").select("id").where("creator_id", "=", userId).execute(),
  ]);
  return orders.length + withdrawals.length + rooms.length;
};

/** The outbox rows that clear buttons, for one chat. */
const clearedTags = (ref: string) =>
  tdb.db
    .selectFrom("chat_outbox")
    .select("target")
    .where("external_id", "=", ref)
    .where("op", "=", "clear_buttons")
    .execute()
    .then((rows) => rows.map((r) => r.target));

/** A summary (Confirm or Cancel) from each purchase flow, starting from wherever the chat is. */
const SUMMARIES: Record<string, (c: Chat) => Promise<ChatOutput>> = {
  airtime: async (c) => {
    await c.tap("nav:menu");
    await c.say("airtime 100 08031240001");
    return c.tap("net:mtn");
  },
  data: async (c) => {
    await c.tap("nav:menu");
    const plans = await c.say("1gb mtn for 08031240002");
    return c.tap(choiceIds(plans).find((id) => id.startsWith("plan:")) ?? "");
  },
  electricity: async (c) => {
    await c.tap("nav:menu");
    return c.say("light 2000 ikeja prepaid 45123456789");
  },
  cable: async (c) => {
    await c.tap("nav:menu");
    const verified = await c.say("renew my dstv 7012345678");
    return choiceIds(verified).includes("sub:renew") ? c.tap("sub:renew") : verified;
  },
  withdraw: async (c) => {
    await c.tap("nav:menu");
    await c.say("withdraw 1000");
    await c.tap("bank:044");
    await c.say("0123456789");
    return c.tap("name:yes");
  },
  gift: async (c) => {
    await c.tap("nav:menu");
    await c.say("create gift room");
    await c.tap("gift:cash");
    await c.say("300");
    await c.say("2");
    await c.tap("mode:first_come");
    await c.tap("msg:skip");
    return c.tap("hours:24");
  },
};

describe("each summary's own Confirm", () => {
  it("a Confirm from an older summary buys nothing and points at the current one; its buttons are cleared", async () => {
    const c = await h.customer("s-stale");
    const small = await c.say("airtime 100 08031241111");
    expect(texts(small)).toMatch(/Which network/);
    const first = await c.tap("net:mtn");
    const oldConfirm = confirmOf(first);
    expect(oldConfirm).toMatch(/^confirm:[\w-]{4,16}$/);
    expect(Buffer.byteLength(`c:${oldConfirm}`)).toBeLessThanOrEqual(64);
    const oldTag = `summary:${oldConfirm.slice("confirm:".length)}`;
    expect(first.replies[0]?.tag).toBe(oldTag);
    expect(choiceIds(first)).toEqual([oldConfirm, `cancel:${oldConfirm.slice(8)}`]);

    // A new airtime purchase replaces the ₦100 one: the old summary's buttons are removed.
    await c.tap("nav:airtime");
    expect(await clearedTags("s-stale")).toEqual([oldTag]);
    await c.say("08031241111");
    await c.tap("net:mtn");
    const second = await c.tap("amt:100000");
    expect(texts(second)).toMatch(/MTN airtime ₦1,000 for 08031241111/);
    const newConfirm = confirmOf(second);
    expect(newConfirm).not.toBe(oldConfirm);

    const stale = await c.tap(oldConfirm);
    expect(texts(stale)).toMatch(/That summary has expired: nothing was bought from it\./);
    expect(texts(stale)).toMatch(/The one waiting is for ₦1,000 airtime/);
    expect(choiceIds(stale)).toEqual(choiceIds(second));
    expect(await ordersOf(c)).toEqual([]);

    // The current summary still confirms and pays ₦1,000, once.
    expect(texts(await c.tap(newConfirm))).toMatch(/Send your transaction PIN to pay/);
    const paid = await c.say("2580");
    expect(texts(paid)).toMatch(/₦1,000/);
    // Paid: its summary's buttons go too, and its Confirm pressed again buys nothing more.
    expect(await clearedTags("s-stale")).toContain(`summary:${newConfirm.slice(8)}`);
    expect(texts(await c.tap(newConfirm))).toMatch(/expired: nothing was bought/);
    await h.harness.drain();
    expect(await ordersOf(c)).toEqual([
      { state: "delivered", face_amount_kobo: 100_000, network: "mtn", recipient: "08031241111" },
    ]);
    await expectLedgerConsistent(tdb.db);
  });

  it('a typed "1" or "yes" confirms the summary shown; an old Cancel cancels nothing', async () => {
    const c = await h.customer("s-typed");
    await c.say("airtime 100 08031242222");
    const first = await c.tap("net:mtn");
    expect(texts(await c.say("yes"))).toMatch(/Send your transaction PIN to pay ₦/);
    await c.say("cancel");
    await c.say("airtime 200 08031242222");
    const second = await c.tap("net:mtn");
    // Cancel on the first summary leaves the second one waiting.
    const oldCancel = choiceIds(first).find((id) => id.startsWith("cancel:")) ?? "";
    expect(texts(await c.tap(oldCancel))).toMatch(/expired.*The one waiting is for ₦200 airtime/s);
    expect(texts(await c.say("1"))).toMatch(/Send your transaction PIN to pay ₦/);
    // Its own Confirm tapped again at the PIN step is the same purchase, already confirmed.
    expect(texts(await c.tap(confirmOf(second)))).toMatch(/Already confirmed/);
    const pinStep = await tdb.db
      .selectFrom("chat_sessions")
      .select(["step", "data"])
      .where("external_id", "=", "s-typed")
      .executeTakeFirstOrThrow();
    expect(pinStep.step).toBe("pin");
    expect(pinStep.data.summaryId).toBe(confirmOf(second).slice(8));
    await c.say("cancel");
    expect(await ordersOf(c)).toEqual([]);
  });

  it("every purchase flow's summary has its own Confirm; an older one is refused in each", async () => {
    const c = await h.customer("s-flows", 5_000_000);
    for (const [flow, make] of Object.entries(SUMMARIES)) {
      const older = await make(c);
      const olderConfirm = confirmOf(older);
      expect(older.replies.at(-1)?.tag, flow).toBe(`summary:${olderConfirm.slice(8)}`);
      const newer = await make(c);
      const newerConfirm = confirmOf(newer);
      expect(newerConfirm, flow).not.toBe(olderConfirm);
      expect(await clearedTags("s-flows"), flow).toContain(`summary:${olderConfirm.slice(8)}`);
      expect(texts(await c.tap(olderConfirm)), flow).toMatch(/expired: nothing was bought/);
      expect(texts(await c.tap(newerConfirm)), flow).toMatch(/PIN/);
      expect(texts(await c.say("cancel")), flow).toMatch(/Cancelled/);
    }
    expect(await moneyRows(c)).toBe(0);
  });
});

describe("words at the PIN step", () => {
  it('"balance" at the PIN step cancels the purchase in a word, stays in the chat and is answered', async () => {
    const c = await h.customer("p-words");
    await c.say("airtime 1000 08031243333");
    await c.tap(confirmOf(await c.tap("net:mtn")));
    const input = {
      channel: "console" as const,
      userRef: "p-words",
      messageId: "p-words-x",
      text: "balance",
    };
    expect(await awaitsPin(h.deps, input)).toBe(false);
    expect(await awaitsPin(h.deps, { ...input, text: "2580" })).toBe(true);
    const out = await c.say("balance");
    expect(out.deleteInput).toBe(false);
    expect(out.replies).toHaveLength(1);
    expect(texts(out)).toBe("Cancelled the ₦1,000 airtime.\nYour balance is ₦5,000.");
    // The purchase is gone: a PIN now pays for nothing (it is deleted as sent by mistake, §82).
    expect(texts(await c.say("2580"))).toMatch(/^That looked like a PIN, so I deleted it\./);
    expect(await ordersOf(c)).toEqual([]);
  });

  it("a PIN-looking message is still the PIN; digits that may hold one are deleted and asked again", async () => {
    const c = await h.customer("p-digits");
    await c.say("airtime 100 08031244444");
    await c.tap(confirmOf(await c.tap("net:mtn")));
    const wrapped = await c.say("pin 2580");
    expect(wrapped.deleteInput).toBe(true);
    expect(texts(wrapped)).toMatch(/Send your 4–6 digit PIN/);
    const paid = await c.say("2580");
    expect(paid.deleteInput).toBe(true);
    expect(texts(paid)).toMatch(/Delivered|Order placed/);
    await h.harness.drain();
    expect(await ordersOf(c)).toHaveLength(1);
  });

  it("on WhatsApp too, a request at the PIN step leaves the purchase (the PIN page link is unused)", async () => {
    const c = h.chat("2348037771401", "whatsapp");
    await c.say("hi");
    await c.say("withdraw 1000");
    // No PIN yet is fine: the PIN step is reached before any PIN is checked.
    await c.tap("bank:044");
    await c.say("0123456789");
    await c.tap("name:yes");
    await c.say("1");
    const out = await c.say("my balance");
    expect(out.deleteInput).toBe(false);
    expect(texts(out)).toMatch(/^Cancelled the ₦1,000 withdrawal\.\nYour balance is ₦0\.$/);
  });
});

describe("compact answers", () => {
  it("an answer is one message ending in a Menu choice; menu, help and Menu show the full menu", async () => {
    const c = await h.customer("c-compact");
    const balance = await c.say("balance");
    expect(balance.replies).toEqual([
      { text: "Your balance is ₦5,000.", choices: [{ id: "nav:menu", label: "Menu" }] },
    ]);
    // "1" answers what was shown: the Menu choice.
    const menu = await c.say("1");
    expect(choiceIds(menu)).toEqual(MAIN_MENU.map((m) => m.id));
    // A number from the full menu then picks from it.
    const index = choiceIds(menu).indexOf("nav:balance") + 1;
    expect(texts(await c.say(String(index)))).toBe("Your balance is ₦5,000.");
    expect(choiceIds(await c.tap("nav:menu"))).toEqual(MAIN_MENU.map((m) => m.id));
    expect(choiceIds(await c.say("menu"))).toEqual(MAIN_MENU.map((m) => m.id));
    const help = await c.say("help");
    expect(help.replies).toHaveLength(1);
    expect(choiceIds(help)).toEqual(MAIN_MENU.map((m) => m.id));
    const history = await c.say("my orders");
    expect(history.replies).toHaveLength(1);
    expect(choiceIds(history)).toEqual(["nav:menu"]);
    const cancelled = await c.tap("nav:airtime").then(() => c.say("cancel"));
    expect(cancelled.replies).toEqual([
      {
        text: "Cancelled. Nothing was done and no money moved.",
        choices: [{ id: "nav:menu", label: "Menu" }],
      },
    ]);
  });

  it("a delivered purchase is one message; for data it names the plan", async () => {
    await h.customer("c-data", 1_000_000);
    // Order jobs run as they are queued here (as the worker does), so the reply can say "Delivered".
    const c = h.chatWithWorker("c-data");
    const plans = await c.say("1gb mtn for 08031245555");
    const plan = choiceIds(plans).find((id) => /^plan:data:mtn:1024mb:30d:/.test(id));
    await c.tap(confirmOf(await c.tap(plan ?? "")));
    const paid = await c.say("2580");
    expect(texts(paid)).toMatch(/^Delivered: MTN 1GB \(30 days\) to 08031245555\./);
    await c.tap("save:yes");
    // The number is saved now: the next purchase for it is one message with the Menu choice.
    const again = await c.say("1gb mtn for 08031245555");
    await c.tap(confirmOf(await c.tap(choiceIds(again).find((id) => id === plan) ?? "")));
    const second = await c.say("2580");
    expect(second.replies).toHaveLength(1);
    expect(texts(second)).toMatch(/^Delivered: MTN 1GB \(30 days\) to 08031245555\.$/);
    expect(choiceIds(second)).toEqual(["nav:menu"]);
    await h.harness.drain();
    await expectLedgerConsistent(tdb.db);
  });
});

describe("networks already known", () => {
  it("a number delivered to before is not asked its network again, for airtime or data", async () => {
    const c = await h.customer("n-known", 1_000_000);
    // 0803 looks like MTN, but it was bought as Glo (ported) and delivered.
    await c.say("airtime 100 08031246666");
    await c.tap(confirmOf(await c.tap("net:glo")));
    await c.say("2580");
    await h.harness.drain();
    expect(await ordersOf(c)).toMatchObject([{ state: "delivered", network: "glo" }]);

    const airtime = await c.say("airtime 200 08031246666");
    expect(texts(airtime)).toMatch(/^Glo airtime ₦200 for 08031246666\.\nYou pay/);
    confirmOf(airtime);
    const data = await c.say("menu").then(() => c.say("data for 08031246666"));
    expect(texts(data)).toMatch(/^Glo data plans:/);
    // Another person's orders say nothing about this person's numbers.
    const other = await h.customer("n-other");
    expect(texts(await other.say("airtime 200 08031246666"))).toMatch(/Which network/);
  });

  it("a saved number brings its network, even typed rather than picked", async () => {
    const c = await h.customer("n-saved");
    await saveBeneficiary({
      ctx,
      userId: await c.userId(),
      input: { service: "data", recipient: "08031247777", provider: "airtel", label: "Mum" },
    });
    const out = await c.say("airtime 100 08031247777");
    expect(texts(out)).toMatch(/^Airtel airtime ₦100 for 08031247777\./);
  });
});

describe("round trips", () => {
  it('a "balance" message costs 2 round trips: claim and load (with the wallet), save and queue', async () => {
    const c = await h.customer("r-balance");
    const counted = countingContext(tdb.url, ctx);
    const deps = { ...h.deps, ctx: () => counted.ctx };
    let n = 0;
    const say = async (text: string) => {
      counted.reset();
      const out = await handleChatInput(deps, {
        channel: "console",
        userRef: "r-balance",
        messageId: `r-balance-${++n}`,
        text,
      });
      return { out, trips: counted.count() };
    };
    try {
      const plain = await say("balance");
      expect(texts(plain.out)).toBe("Your balance is ₦5,000.");
      expect(plain.trips).toBe(2);
      // In the middle of a question, and at a PIN step (which it cancels): no more.
      await c.tap("nav:data");
      const midway = await say("balance");
      expect(texts(midway.out)).toBe("Your balance is ₦5,000.");
      expect(midway.trips).toBe(2);
      await c.say("airtime 100 08031248888");
      await c.tap(confirmOf(await c.tap("net:mtn")));
      const atPin = await say("balance");
      expect(texts(atPin.out)).toBe("Cancelled the ₦100 airtime.\nYour balance is ₦5,000.");
      expect(atPin.trips).toBe(2);
    } finally {
      await counted.destroy();
    }
    const wallet = await getWalletBalance({ ctx, userId: await c.userId() });
    expect(wallet.balanceKobo).toBe(500_000);
  });

  it("messages of many chats at once share statements, and each chat gets its own answer", async () => {
    const chats = 30;
    const refs = Array.from({ length: chats }, (_, i) => `r-many-${i}`);
    for (const [i, ref] of refs.entries()) {
      const c = h.chat(ref);
      await c.say("hi");
      // A different balance per chat: an answer meant for another chat is caught.
      await h.fund(await c.userId(), 100_000 + i * 100);
    }
    const counted = countingContext(tdb.url, ctx);
    const deps = { ...h.deps, ctx: () => counted.ctx };
    try {
      counted.reset();
      const outs = await Promise.all(
        refs.map((ref) =>
          handleChatInput(deps, { channel: "console", userRef: ref, messageId: `${ref}-b`, text: "balance" }),
        ),
      );
      const trips = counted.count();
      outs.forEach((out, i) => {
        expect(texts(out)).toBe(`Your balance is ${formatNaira(100_000 + i * 100)}.`);
        expect(out.outboxIds).toHaveLength(1);
      });
      // 30 chats, 2 statements each alone: together one claim and one save (a few more if the
      // answers come back from PostgreSQL in more than one turn).
      expect(trips).toBeLessThanOrEqual(6);
      // Each chat's step was saved and its input marked handled.
      const handled = await tdb.db
        .selectFrom("chat_inputs")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where(
          "message_id",
          "in",
          refs.map((ref) => `${ref}-b`),
        )
        .where("handled_at", "is not", null)
        .executeTakeFirstOrThrow();
      expect(Number(handled.n)).toBe(chats);
      // The same messages again (redelivered): claimed by nobody, answered by nobody.
      const again = await Promise.all(
        refs.map((ref) =>
          handleChatInput(deps, { channel: "console", userRef: ref, messageId: `${ref}-b`, text: "balance" }),
        ),
      );
      expect(again.every((out) => out.duplicate && out.outboxIds.length === 0)).toBe(true);
    } finally {
      await counted.destroy();
    }
  });
});
