import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listDataPlans } from "../../api/services/catalogue/listings";
import { setUserPhone } from "../../api/services/users";
import { NETWORKS } from "../../api/services/vtu";
import type { PastPurchase } from "../../api/services/vtu/past-purchases";
import { getWalletBalance } from "../../api/services/wallet";
import { chatHarness, choiceIds, confirmOf, texts } from "../../test/helpers/chat-engine";
import { makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import { sandboxPhone } from "../../test/helpers/vtu";
import { handleChatInput } from "./engine";
import { describePurchase, firstName, timeOfDay } from "./flows/greeting";
import { intentFor } from "./flows/repeat";
import type { Intent } from "./intents/intent";
import type { PhraseRequest } from "./phrase";
import { MAIN_MENU, MENU_CHOICE } from "./replies";
import type { ChatOutput, EngineDeps } from "./types";

/** Issue 16 item 5: greetings with a one-tap repeat, repeats, and data plan recommendations. */
let tdb: TestDatabase;
let h: Awaited<ReturnType<typeof chatHarness>>;
const ctx = () => h.deps.ctx();

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 10 });
  h = await chatHarness(tdb, makeCtx(tdb.db, { config: testConfig({ VTU_RESPONSE_WAIT_MS: "0" }) }));
});
afterAll(() => tdb.destroy());

let n = 0;
/** A chat on engine deps of its own (an `understand` or `phrase` fake), with a display name. */
function chat(userRef: string, extra: Partial<EngineDeps> = {}, displayName?: string) {
  const deps = { ...h.deps, ...extra };
  const send = (input: { text?: string; choice?: string }): Promise<ChatOutput> =>
    handleChatInput(deps, { channel: "console", userRef, displayName, messageId: `rf${++n}`, ...input });
  return { say: (text: string) => send({ text }), tap: (choice: string) => send({ choice }) };
}

let own = 0;
/**
 * A person who said hi, set PIN 2580, has ₦5,000 and their own number on file (through the
 * harness, so its userId works). Without a number, a hello asks for it first.
 */
async function customer(ref: string) {
  const c = await h.customer(ref);
  const userId = await c.userId();
  await setUserPhone({ ctx: ctx(), userId, phone: `0816${String(7_000_000 + ++own)}` });
  return { ...c, userId };
}

const ordersOf = (userId: string) =>
  tdb.db
    .selectFrom("vtu_orders")
    .select(["id", "state", "product_id", "recipient", "network", "face_amount_kobo", "price_kobo"])
    .where("user_id", "=", userId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();

const allPlans = async () =>
  (await Promise.all(NETWORKS.map((network) => listDataPlans({ ctx: ctx(), network })))).flat();

/** An understanding that reads every message as this intent (what the grammar gives after merge). */
const understands = (intent: Intent) => ({ understand: async () => intent });

describe("greeting", () => {
  it("greets a returning person by Lagos time, and without a purchase shows the menu", async () => {
    const c = await customer("g-plain");
    const out = await chat("g-plain", {}, "Ada Obi").say("good evening");
    expect(texts(out)).toBe(`Good ${timeOfDay(new Date())} Ada! What would you like to do?`);
    expect(choiceIds(out)).toEqual(MAIN_MENU.map((m) => m.id));
    expect(await ordersOf(c.userId)).toEqual([]);
  });

  it("offers the last delivered data purchase as a one-tap repeat that ends at Confirm + PIN and buys once", async () => {
    const c = await customer("g-data");
    const phone = sandboxPhone();
    const plans = await c.say(`1gb mtn for ${phone}`);
    const plan = choiceIds(plans).find((id) => id.startsWith("plan:data:mtn:1024mb:30d"));
    await c.tap(confirmOf(await c.tap(plan ?? "")));
    await c.say("2580");
    await h.harness.drain();
    const [first] = await ordersOf(c.userId);
    expect(first?.state).toBe("delivered");

    const hi = await chat("g-data", {}, "Ada").say("hi");
    expect(texts(hi)).toBe(`Good ${timeOfDay(new Date())} Ada — same 1GB MTN for ${phone}?`);
    expect(choiceIds(hi)).toEqual([`repeat:${first?.id}`, MENU_CHOICE.id]);

    // "1" answers the greeting's own list: the repeat.
    const summary = await c.say("1");
    expect(texts(summary)).toMatch(new RegExp(`MTN 1GB · 30 days · SME for ${phone}`));
    const before = await getWalletBalance({ ctx: ctx(), userId: c.userId });
    await c.tap(confirmOf(summary));
    const paid = await c.say("2580");
    expect(paid.deleteInput).toBe(true);
    await h.harness.drain();
    const orders = await ordersOf(c.userId);
    expect(orders).toHaveLength(2);
    expect(orders[1]).toMatchObject({
      state: "delivered",
      product_id: first?.product_id,
      recipient: phone,
      network: "mtn",
    });
    const after = await getWalletBalance({ ctx: ctx(), userId: c.userId });
    expect(before.availableKobo - after.availableKobo).toBe(first?.price_kobo);
    await expectLedgerConsistent(tdb.db);
  });

  it("a tapped airtime repeat shows the same amount, number and network at the summary", async () => {
    const c = await customer("g-airtime");
    const phone = sandboxPhone(undefined, "0802");
    await c.tap(confirmOf(await c.say(`airtime 200 airtel ${phone}`)));
    await c.say("2580");
    await h.harness.drain();
    const [first] = await ordersOf(c.userId);
    const hi = await c.say("hello");
    expect(texts(hi)).toMatch(new RegExp(`— same ₦200 Airtel airtime for ${phone}\\?$`));
    const summary = await c.tap(`repeat:${first?.id}`);
    expect(texts(summary)).toMatch(new RegExp(`Airtel.*₦200 for ${phone}`));
    await c.tap(confirmOf(summary));
    await c.say("2580");
    await h.harness.drain();
    const orders = await ordersOf(c.userId);
    expect(orders.map((o) => [o.state, o.network, o.recipient, o.face_amount_kobo])).toEqual([
      ["delivered", "airtel", phone, 20_000],
      ["delivered", "airtel", phone, 20_000],
    ]);
    await expectLedgerConsistent(tdb.db);
  });

  it.each([
    ["electricity", "light 2000 ikeja prepaid 45123456789", /₦2,000.*45123456789|45123456789.*₦2,000/s],
    ["cable", "renew my dstv 7012345678", /\(renew\) for card 7012345678/],
  ])(
    "a %s repeat reaches the summary with the same values and buys once more",
    async (service, ask, same) => {
      const c = await customer(`g-${service}`);
      await h.fund(c.userId, 10_000_000);
      const first = await c.say(ask);
      const summary = choiceIds(first).includes("sub:renew") ? await c.tap("sub:renew") : first;
      expect(texts(summary)).toMatch(same);
      await c.tap(confirmOf(summary));
      await c.say("2580");
      await h.harness.drain();
      const [order] = await ordersOf(c.userId);
      expect(order?.state).toBe("delivered");
      const again = await c.tap(`repeat:${order?.id}`);
      expect(texts(again)).toMatch(same);
      expect(texts(again)).toBe(texts(summary));
      await c.tap(confirmOf(again));
      await c.say("2580");
      await h.harness.drain();
      const orders = await ordersOf(c.userId);
      expect(orders).toHaveLength(2);
      const { id: _a, ...one } = orders[0] ?? { id: "" };
      const { id: _b, ...two } = orders[1] ?? { id: "" };
      expect(two).toEqual(one);
      await expectLedgerConsistent(tdb.db);
    },
  );

  it('"same as last time" opens the last delivered purchase at its summary', async () => {
    const c = await customer("g-same");
    const phone = sandboxPhone();
    await c.tap(confirmOf(await c.say(`airtime 150 mtn ${phone}`)));
    await c.say("2580");
    await h.harness.drain();
    const summary = await c.say("same as last time");
    expect(texts(summary)).toMatch(new RegExp(`MTN.*₦150 for ${phone}`));
    await c.tap(confirmOf(summary));
    await c.say("2580");
    await h.harness.drain();
    expect((await ordersOf(c.userId)).map((o) => [o.state, o.recipient, o.face_amount_kobo])).toEqual([
      ["delivered", phone, 15_000],
      ["delivered", phone, 15_000],
    ]);
    await expectLedgerConsistent(tdb.db);
  });

  it("someone else's order or an unknown id is answered plainly and starts nothing", async () => {
    const owner = await customer("g-owner");
    await owner.tap(confirmOf(await owner.say(`airtime 100 mtn ${sandboxPhone()}`)));
    await owner.say("2580");
    await h.harness.drain();
    const [theirs] = await ordersOf(owner.userId);
    const other = await customer("g-other");
    for (const id of [theirs?.id, "ord_doesnotexist", "../../x"]) {
      const out = await other.tap(`repeat:${id}`);
      expect(texts(out)).toMatch(/could not find that order among yours/);
      expect(choiceIds(out)).not.toContain(expect.stringMatching(/^confirm:/));
    }
    expect(await ordersOf(other.userId)).toEqual([]);
  });

  it("the repeat intent with nothing bought yet says so", async () => {
    const c = chat("g-nothing", understands({ kind: "repeat" }));
    await c.say("hi");
    const out = await c.say("do that thing again");
    expect(texts(out)).toMatch(/not bought anything yet/);
  });

  it("names, Lagos hours and purchase descriptions", () => {
    expect(firstName("  Ada  Obi ")).toBe("Ada");
    expect(firstName("🙂")).toBeUndefined();
    expect(firstName(null)).toBeUndefined();
    // 06:59 UTC is 07:59 in Lagos; 11:00 UTC is noon; 16:30 UTC is 17:30.
    expect(timeOfDay(new Date("2026-12-06T06:59:00Z"))).toBe("morning");
    expect(timeOfDay(new Date("2026-12-06T11:00:00Z"))).toBe("afternoon");
    expect(timeOfDay(new Date("2026-12-06T16:30:00Z"))).toBe("evening");
    expect(timeOfDay(new Date("2026-12-06T23:30:00Z"))).toBe("morning");
    const base = {
      id: "ord_1",
      state: "delivered",
      productName: "x",
      network: null,
      biller: null,
      meterType: null,
      subscription: null,
      faceAmountKobo: 500_000,
      priceKobo: 500_000,
      sizeMb: null,
      validityDays: null,
      createdAt: new Date(),
    } as const;
    const cable: PastPurchase = {
      ...base,
      service: "cable",
      productId: "cable:dstv:compact",
      productName: "Compact",
      recipient: "1234567890",
      biller: "dstv",
      subscription: "change",
    };
    const light: PastPurchase = {
      ...base,
      service: "electricity",
      productId: "electricity:ikeja",
      recipient: "45012345678",
      biller: "ikeja",
      meterType: "prepaid",
    };
    expect(describePurchase("en", cable)).toBe("DStv Compact for card 1234567890");
    expect(describePurchase("en", light)).toBe("₦5,000 Ikeja Electric light for meter 45012345678");
    expect(intentFor(cable)).toEqual({
      kind: "cable",
      provider: "dstv",
      smartcard: "1234567890",
      bouquet: "compact",
      subscription: "change",
    });
    expect(intentFor({ ...cable, subscription: "renew" })).toEqual({
      kind: "cable",
      provider: "dstv",
      smartcard: "1234567890",
      subscription: "renew",
    });
    expect(intentFor(light)).toEqual({
      kind: "electricity",
      disco: "ikeja",
      meterType: "prepaid",
      meterNumber: "45012345678",
      amountKobo: 500_000,
    });
  });
});

describe("recommendations", () => {
  const ask: Intent = {
    kind: "recommend",
    budgetKobo: 200_000,
    usage: ["whatsapp", "social"],
    network: "mtn",
  };

  it("answers a budget and usage with catalogue plans only, within the budget, and a tap reaches the data summary", async () => {
    const c = await customer("r-budget");
    const r = chat("r-budget", understands(ask));
    const out = await r.say("abeg which one go make sense for me");
    const catalogue = await allPlans();
    const offered = choiceIds(out).filter((id) => id.startsWith("rec:"));
    expect(offered.length).toBeGreaterThan(0);
    expect(offered.length).toBeLessThanOrEqual(3);
    for (const id of offered) {
      const plan = catalogue.find((p) => `rec:${p.id}` === id);
      expect(plan, id).toBeDefined();
      expect(plan?.network).toBe("mtn");
      expect(plan?.priceKobo).toBeLessThanOrEqual(200_000);
      // Name, price and price per GB as the catalogue row gives them.
      expect(texts(out)).toContain(plan?.name);
    }
    expect(texts(out)).toMatch(/^The data plans I suggest within ₦2,000 for about 4GB a month on MTN:/);
    expect(texts(out)).toMatch(/per GB/);

    const picked = offered[0] ?? "";
    const asked = await c.tap(picked);
    expect(texts(asked)).toMatch(/Which number should get the data/);
    const phone = sandboxPhone();
    const summary = await c.say(phone);
    const plan = catalogue.find((p) => `rec:${p.id}` === picked);
    expect(texts(summary)).toContain(`${plan?.name} for ${phone}`);
    await c.tap(confirmOf(summary));
    await c.say("2580");
    await h.harness.drain();
    expect(await ordersOf(c.userId)).toMatchObject([{ state: "delivered", product_id: plan?.id }]);
    await expectLedgerConsistent(tdb.db);
  });

  it("reads the request from the customer's words (grammar), and answers in catalogue plans", async () => {
    const c = await customer("r-words");
    const out = await c.say("which plan best for 2k on mtn? I use whatsapp and instagram");
    expect(texts(out)).toMatch(/^The data plans I suggest within ₦2,000 for about 4GB a month on MTN:/);
    const mtn = await listDataPlans({ ctx: ctx(), network: "mtn" });
    const offered = choiceIds(out).filter((id) => id.startsWith("rec:"));
    expect(offered.length).toBe(3);
    for (const id of offered) {
      const plan = mtn.find((p) => `rec:${p.id}` === id);
      expect(plan?.priceKobo).toBeLessThanOrEqual(200_000);
    }
    // "2" picks the second suggestion, like a tap.
    const second = mtn.find((p) => `rec:${p.id}` === offered[1]);
    expect(texts(await c.say("2"))).toMatch(/Which number should get the data/);
    const summary = await c.say(sandboxPhone());
    expect(texts(summary)).toContain(`${second?.name} for `);
  });

  it("asking for advice in the middle of a data purchase answers it (the question is left)", async () => {
    const c = await customer("r-midway");
    await c.tap("nav:data");
    await c.tap("net:mtn");
    const out = await c.say("which plan is best for youtube?");
    expect(texts(out)).toMatch(/^The data plans I suggest for about 10GB a month across all networks:/);
    expect(choiceIds(out)[0]).toMatch(/^rec:data:/);
  });

  it("with no network said, uses the network of the customer's own data orders", async () => {
    const c = await customer("r-history");
    const phone = sandboxPhone(undefined, "0805");
    const plans = await c.say(`1gb glo for ${phone}`);
    const plan = choiceIds(plans).find((id) => id.startsWith("plan:data:glo:1024mb"));
    await c.tap(confirmOf(await c.tap(plan ?? "")));
    await c.say("2580");
    await h.harness.drain();
    const out = await chat("r-history", understands({ kind: "recommend" })).say("wetin you go recommend");
    expect(texts(out)).toMatch(/on Glo, the network you buy most/);
    expect(choiceIds(out)[0]).toBe("rec:data:glo:1024mb:30d:cg");
    expect(texts(out)).toMatch(/What you bought before\./);
  });

  it("a budget below the cheapest plan says so and offers the cheapest", async () => {
    await customer("r-poor");
    const out = await chat(
      "r-poor",
      understands({ kind: "recommend", budgetKobo: 10_000, network: "mtn" }),
    ).say("something for 100 naira");
    const cheapest = (await listDataPlans({ ctx: ctx(), network: "mtn" }))[0];
    expect(texts(out)).toMatch(/^No data plan fits within ₦100 on MTN\./);
    expect(texts(out)).toContain(`The cheapest is ${cheapest?.name}`);
    expect(choiceIds(out)).toEqual([`rec:${cheapest?.id}`, MENU_CHOICE.id]);
  });

  it("a fake LLM that invents a plan or a price is overruled; a faithful rewording is used", async () => {
    await customer("r-llm");
    const seen: PhraseRequest[] = [];
    const reply = async (phrase: (draft: string) => string) => {
      const deps = {
        ...understands(ask),
        phrase: async (request: PhraseRequest) => {
          seen.push(request);
          return phrase(request.draft);
        },
      };
      return texts(await chat("r-llm", deps).say("best plan for me"));
    };
    const draft = await reply((d) => d);
    const drafted = seen[0]?.draft ?? "";
    expect(draft).toBe(drafted);
    expect(seen[0]?.customerText).toBe("best plan for me");

    const invented = [
      (d: string) => `${d}\nOr try MTN 3GB for ₦900, a hidden deal!`,
      (d: string) => d.replace(/₦1,\d{3}/, "₦999"),
      (d: string) => `${d}\nAirtel 10GB is also good.`,
      (d: string) => d.split("\n").slice(0, 2).join("\n"), // drops plans
      (d: string) => d.replace("₦2,000", "2k"),
      (d: string) => `${d}\nPay at https://tada.example.com`,
    ];
    for (const phrase of invented) {
      expect(await reply(phrase)).toBe(drafted);
    }
    const friendly = (d: string) =>
      `Hi! ${d.replace("The data plans I suggest", "Here are good plans")} Enjoy!`;
    expect(await reply(friendly)).toBe(friendly(drafted));
  });

  it("the Pidgin answer is the same plans in Pidgin", async () => {
    const c = await customer("r-pcm");
    // The language preference is stored by another change; the flow reads fc.lang only.
    const { recommendFlow } = await import("./flows/recommend");
    const fc = {
      deps: h.deps,
      ctx: ctx(),
      input: { channel: "console" as const, userRef: "r-pcm", messageId: "x" },
      userId: c.userId,
      lang: "pcm" as const,
    };
    const out = await recommendFlow.start(fc, ask);
    expect(out.replies[0]?.text).toMatch(/^See the data plans wey I go suggest wey no pass ₦2,000/);
    const en = await recommendFlow.start({ ...fc, lang: "en" }, ask);
    expect(out.replies[0]?.choices).toEqual(en.replies[0]?.choices);
  });
});
