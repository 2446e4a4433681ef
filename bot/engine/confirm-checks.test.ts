import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceContext } from "../../api/services/context";
import { SYSTEM_ACCOUNTS } from "../../api/services/ledger";
import { debitWallet, getWalletBalance } from "../../api/services/wallet";
import { chatHarness, choiceIds, confirmOf, texts } from "../../test/helpers/chat-engine";
import { makeCtx } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import type { ChatOutput } from "./types";

/**
 * Confirm asks for the PIN only when the PIN can pay: a wallet short of the price is told the
 * shortfall and offered funding, and someone with no PIN sets one first while the purchase waits.
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

type Chat = ReturnType<typeof h.chat>;

const ordersOf = async (c: Chat) =>
  tdb.db
    .selectFrom("vtu_orders")
    .select(["state", "face_amount_kobo", "recipient"])
    .where("user_id", "=", await c.userId())
    .execute();

/** A summary (Confirm or Cancel) from each flow that pays through the shared confirm step. */
const SUMMARIES = {
  airtime: async (c) => {
    await c.say("airtime 100 08031240001");
    return c.tap("net:mtn");
  },
  data: async (c) => {
    const plans = await c.say("1gb mtn for 08031240002");
    return c.tap(choiceIds(plans).find((id) => id.startsWith("plan:")) ?? "");
  },
  electricity: async (c) => {
    await c.say("light 5000 ikeja 45121231000");
    return c.tap("mt:prepaid");
  },
  cable: async (c) => {
    const verified = await c.say("renew my dstv 7012345678");
    return choiceIds(verified).includes("sub:renew") ? c.tap("sub:renew") : verified;
  },
} satisfies Record<string, (c: Chat) => Promise<ChatOutput>>;

describe("no PIN yet", () => {
  it("Confirm sets the PIN first and keeps the purchase; the new PIN then pays for it", async () => {
    const c = h.chat("np-airtime");
    await c.say("hi");
    await h.fund(await c.userId(), 500_000);
    const summary = await c.say("buy 200 recharge card for 0816-123-4567 glo");
    expect(texts(summary)).toMatch(/Glo airtime ₦200 for 08161234567/);
    const confirm = confirmOf(summary);

    const ok = await c.say("ok");
    expect(texts(ok)).toBe(
      "You have no transaction PIN yet, and it is needed to pay. Set it now and the ₦200 airtime will be waiting. " +
        "Choose a 4–6 digit transaction PIN and send it. I will delete the message right away.",
    );
    expect(texts(ok)).not.toMatch(/Send your transaction PIN/);

    const set = await c.say("2580");
    expect(set.deleteInput).toBe(true);
    expect(texts(set)).toMatch(
      /^Your PIN is set\..*\nNow tap Confirm to pay for the ₦200 airtime, or Cancel\.$/,
    );
    // The same summary's own Confirm and Cancel: the purchase was kept.
    expect(choiceIds(set)).toEqual([confirm, `cancel:${confirm.slice("confirm:".length)}`]);
    expect(await ordersOf(c)).toEqual([]);

    const pin = await c.tap(confirm);
    expect(texts(pin)).toMatch(/Send your transaction PIN to pay ₦193\.92/);
    const paid = await c.say("2580");
    expect(paid.deleteInput).toBe(true);
    expect(texts(paid)).toMatch(/Order placed: ₦200 Glo airtime for 08161234567|Delivered/);
    await h.harness.drain();
    const orders = await ordersOf(c);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ face_amount_kobo: 20_000, recipient: "08161234567" });
    await expectLedgerConsistent(tdb.db);
  });

  it("in Pidgin, and Cancel at the PIN set-up buys nothing", async () => {
    const c = h.chat("np-pidgin");
    await c.say("hi");
    await c.say("speak pidgin");
    await h.fund(await c.userId(), 500_000);
    await c.say("airtime 100 08031240003");
    const ok = await c.tap(confirmOf(await c.tap("net:mtn")));
    expect(texts(ok)).toMatch(
      /^You never set transaction PIN, and na am you go use pay\. Set am now, the ₦100 airtime go dey wait for you\./,
    );
    const cancelled = await c.tap("cancel");
    expect(texts(cancelled)).toMatch(/Nothing happen and no money move/);
    expect(await ordersOf(c)).toEqual([]);
    await expectLedgerConsistent(tdb.db);
  });

  it("on WhatsApp the PIN is set on the one-time page, then the purchase carries on", async () => {
    const c = h.chat("2348037771501", "whatsapp");
    await c.say("hi");
    await h.fund(await c.userId(), 500_000);
    await c.say("airtime 100 08031240004");
    const summary = await c.tap("net:mtn");
    const ok = await c.send({ choice: confirmOf(summary), messageId: "wa-np-confirm" });
    expect(texts(ok)).toMatch(/^You have no transaction PIN yet.*Open this link to choose your PIN\./);
    expect(ok.replies[0]?.link?.url).toBeTruthy();
    const set = await c.send({ text: "2580", pinFromSecurePage: true, pinLinkFor: "wa-np-confirm" });
    expect(texts(set)).toMatch(/Now tap Confirm to pay for the ₦100 airtime, or Cancel\.$/);
    const pin = await c.tap(confirmOf(set));
    expect(pin.replies[0]?.link?.url).toBeTruthy();
    expect(await ordersOf(c)).toEqual([]);
  });
});

describe("a wallet short of the price", () => {
  it("Confirm names the shortfall and offers funding instead of asking for the PIN", async () => {
    const c = await h.customer("short-light", 99_915);
    const summary = await SUMMARIES.electricity(c);
    expect(texts(summary)).toMatch(/₦5,075/);
    const out = await c.tap(confirmOf(summary));
    expect(texts(out)).toBe(
      "This costs ₦5,075 and your wallet has ₦999.15: you are ₦4,075.85 short. Nothing was bought. Fund your wallet, then try again.",
    );
    expect(texts(out)).not.toMatch(/PIN/);
    expect(choiceIds(out)).toEqual(["nav:fund", "nav:menu"]);
    // The PIN step was never reached: a PIN now is not taken for anything.
    const fund = await c.tap("nav:fund");
    expect(texts(fund)).toMatch(/How much do you want to add to your wallet/);
    expect(await ordersOf(c)).toEqual([]);
    expect((await getWalletBalance({ ctx, userId: await c.userId() })).balanceKobo).toBe(99_915);
    await expectLedgerConsistent(tdb.db);
  });

  it("every flow sharing the confirm step checks the wallet first (airtime, data, electricity, cable)", async () => {
    for (const [flow, make] of Object.entries(SUMMARIES)) {
      const c = await h.customer(`short-${flow}`, 5_000);
      const summary = await make(c);
      const out = await c.tap(confirmOf(summary));
      expect(texts(out), flow).toMatch(
        /^This costs ₦[\d,.]+ and your wallet has ₦50: you are ₦[\d,.]+ short\./,
      );
      expect(choiceIds(out), flow).toContain("nav:fund");
      expect(await ordersOf(c), flow).toEqual([]);
    }
    await expectLedgerConsistent(tdb.db);
  });

  it("in Pidgin too", async () => {
    const c = await h.customer("short-pidgin", 5_000);
    await c.say("speak pidgin");
    const out = await c.tap(confirmOf(await SUMMARIES.airtime(c)));
    expect(texts(out)).toMatch(/^This one cost ₦[\d,.]+ but na ₦50 dey your wallet: ₦[\d,.]+ still remain\./);
    expect(out.replies.at(-1)?.choices?.map((ch) => ch.label)).toEqual(["Put money for my wallet", "Menu"]);
  });

  it("money spent between Confirm and the PIN: the order's refusal names the shortfall and offers funding", async () => {
    const c = await h.customer("short-race", 600_000);
    const userId = await c.userId();
    const summary = await SUMMARIES.electricity(c);
    const pin = await c.tap(confirmOf(summary));
    expect(texts(pin)).toMatch(/Send your transaction PIN to pay ₦5,075/);
    await debitWallet({
      ctx,
      input: {
        userId,
        amountKobo: 500_000,
        counterparty: SYSTEM_ACCOUNTS.paymentClearing,
        description: "test spend",
        idempotencyKey: "short-race-spend",
        actor: "system:test",
      },
    });
    const out = await c.say("2580");
    expect(out.deleteInput).toBe(true);
    expect(texts(out)).toBe(
      "This costs ₦5,075 and your wallet has ₦1,000: you are ₦4,075 short. Nothing was bought. Fund your wallet, then try again.",
    );
    expect(choiceIds(out)).toEqual(["nav:fund", "nav:menu"]);
    expect(await ordersOf(c)).toEqual([]);
    await expectLedgerConsistent(tdb.db);
  });
});
