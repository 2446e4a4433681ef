import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPaymentGateway } from "../../api/providers/payment-gateway";
import type { ServiceContext } from "../../api/services/context";
import { webhookSecretHash } from "../../api/services/funding";
import { SYSTEM_ACCOUNTS } from "../../api/services/ledger";
import { creditWallet } from "../../api/services/wallet";
import { makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { makeVtu, sandboxRegistry, seedCatalogue } from "../../test/helpers/vtu";
import { handleChatInput } from "./engine";
import type { ChatOutput, EngineDeps } from "./types";

/** Reply languages (issue 16): the Pidgin offer, the choice, and the preference kept in PostgreSQL. */
let tdb: TestDatabase;
let ctx: ServiceContext;
let deps: EngineDeps;
let nextId = 1;

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 5 });
  ctx = makeCtx(tdb.db, { config: testConfig({ VTU_RESPONSE_WAIT_MS: "0" }) });
  const harness = makeVtu(ctx, sandboxRegistry(ctx));
  await seedCatalogue(ctx, harness.vtu.providers);
  deps = {
    ctx: () => ctx,
    vtu: harness.vtu,
    payments: {
      gateway: createPaymentGateway({ config: ctx.config, db: tdb.db }),
      webhookSecretHash: webhookSecretHash(ctx.config),
      dispatch: async () => {},
    },
  };
});
afterAll(() => tdb.destroy());

/** Each message is its own engine call, as from the adapters: nothing is kept in memory between. */
function chat(userRef: string) {
  const send = (input: { text?: string; choice?: string }): Promise<ChatOutput> =>
    handleChatInput(deps, { channel: "console", userRef, messageId: `lang${nextId++}`, ...input });
  return { say: (text: string) => send({ text }), tap: (choice: string) => send({ choice }) };
}

const texts = (out: ChatOutput) => out.replies.map((r) => r.text).join("\n");
const choiceIds = (out: ChatOutput) => out.replies.flatMap((r) => r.choices ?? []).map((c) => c.id);
const labels = (out: ChatOutput) => out.replies.flatMap((r) => r.choices ?? []).map((c) => c.label);

async function userOf(userRef: string) {
  return tdb.db
    .selectFrom("identities as i")
    .innerJoin("users as u", "u.id", "i.user_id")
    .select(["u.id", "u.language", "u.language_offered_at"])
    .where("i.channel", "=", "console")
    .where("i.external_id", "=", userRef)
    .executeTakeFirstOrThrow();
}

/** Someone who already talks to the bot (said hi, skipped the phone) and has ₦1,200. */
async function known(ref: string) {
  const c = chat(ref);
  await c.say("hi");
  await c.tap("skip");
  const user = await userOf(ref);
  await creditWallet({
    ctx,
    input: {
      userId: user.id,
      amountKobo: 120_000,
      counterparty: SYSTEM_ACCOUNTS.paymentClearing,
      description: "test funding",
      idempotencyKey: `fund-${ref}`,
      actor: "system:test",
    },
  });
  return c;
}

describe("reply languages", () => {
  it("Pidgin gets its answer plus one offer; tapping Pidgin makes the next replies Pidgin, kept in PostgreSQL", async () => {
    const c = await known("l-pidgin");
    const first = await c.say("abeg wetin be my balance");
    expect(texts(first)).toMatch(/Your balance is ₦1,200\./);
    expect(texts(first)).toMatch(/You fit talk Pidgin with me\. Make I dey reply you for Pidgin\?/);
    // The offer's choices come after the answer's own (a typed "1" still means Menu).
    expect(choiceIds(first)).toEqual(["nav:menu", "lang:pcm", "lang:en"]);
    expect((await userOf("l-pidgin")).language_offered_at).not.toBeNull();

    const chose = await c.tap("lang:pcm");
    expect(texts(chose)).toMatch(/From now I go dey reply you for Pidgin/);
    expect((await userOf("l-pidgin")).language).toBe("pcm");

    expect(texts(await c.say("balance"))).toBe("Your balance na ₦1,200.");
    const menu = await c.say("menu");
    expect(texts(menu)).toBe("Wetin you wan do?");
    expect(labels(menu)).toContain("Put money for my wallet");
    expect(labels(menu)).toContain("Buy airtime"); // names of things stay
    expect(texts(await c.say("help"))).toMatch(/^I dey buy airtime, data/);
    expect(texts(await c.say("blablabla"))).toMatch(/I no understand that one/);
    // Not offered again: the person chose.
    expect(choiceIds(await c.say("abeg wetin be my balance"))).not.toContain("lang:pcm");
  });

  it("English can be chosen back at any time, and counts as chosen (no second offer)", async () => {
    const c = await known("l-back");
    await c.say("wetin be my balance");
    await c.tap("lang:pcm");
    const back = await c.tap("lang:en");
    expect(texts(back)).toMatch(/OK, I will reply in English from now on\./);
    expect((await userOf("l-back")).language).toBe("en");
    expect(texts(await c.say("balance"))).toBe("Your balance is ₦1,200.");
    expect(choiceIds(await c.say("abeg wetin be my balance"))).not.toContain("lang:pcm");
  });

  it('"speak pidgin" and "speak English" switch at any time, without an offer first', async () => {
    const c = await known("l-say");
    const pidgin = await c.say("speak pidgin");
    expect(texts(pidgin)).toMatch(/^Oya! From now I go dey reply you for Pidgin\./);
    expect(choiceIds(pidgin)).not.toContain("lang:pcm");
    expect(texts(await c.say("what is my balance"))).toBe("Your balance na ₦1,200.");
    expect(texts(await c.say("thank you"))).toMatch(/^No wahala!/);
    // In the middle of a question: the question stays, answered in the new language.
    await c.tap("nav:airtime");
    expect(texts(await c.say("speak English"))).toMatch(/OK, I will reply in English from now on\. Carry on/);
    expect(texts(await c.tap("cancel"))).toBe("Cancelled. Nothing was done and no money moved.");
    expect((await userOf("l-say")).language).toBe("en");
    expect(texts(await c.say("thanks"))).toMatch(/^You're welcome!/);
  });

  it("declining the offer keeps English and never offers again", async () => {
    const c = await known("l-no");
    await c.say("abeg show me my balance");
    await c.tap("lang:en");
    const again = await c.say("wetin be my balance");
    expect(texts(again)).toBe("Your balance is ₦1,200.");
    expect(choiceIds(again)).not.toContain("lang:pcm");
  });

  it("an ignored offer is not repeated", async () => {
    const c = await known("l-ignored");
    expect(choiceIds(await c.say("abeg wetin be my balance"))).toContain("lang:pcm");
    const second = await c.say("abeg wetin be my balance");
    expect(choiceIds(second)).not.toContain("lang:pcm");
    expect((await userOf("l-ignored")).language).toBeNull();
  });

  it("English speakers are never offered Pidgin", async () => {
    const c = await known("l-english");
    for (const text of [
      "what is my balance",
      "show my recent orders",
      "help",
      "menu",
      "I want to buy data",
    ]) {
      const out = await c.say(text);
      expect(choiceIds(out)).not.toContain("lang:pcm");
      expect(texts(out)).not.toMatch(/Pidgin/);
    }
    const user = await userOf("l-english");
    expect(user.language_offered_at).toBeNull();
    expect(user.language).toBeNull();
  });

  it("choosing mid-question keeps the question open, and it goes on in the new language", async () => {
    const c = await known("l-mid");
    const asked = await c.tap("nav:airtime");
    const ids = choiceIds(asked);
    const chose = await c.tap("lang:pcm");
    expect(texts(chose)).toMatch(/answer the question wey dey up/);
    // The question's choices are still the offered ones: a tap on one of them still answers it.
    expect(ids.length).toBeGreaterThan(0);
    const cancelled = await c.tap("cancel");
    expect(texts(cancelled)).toBe("I don cancel am. Nothing happen and no money move.");
  });

  it("service errors are in Pidgin, by their code", async () => {
    const c = await known("l-pin");
    await c.tap("lang:pcm");
    await c.tap("nav:pin");
    await c.say("2580");
    const asked = await c.tap("nav:pin");
    expect(texts(asked)).toMatch(/Send your current PIN and your new PIN for one message/);
    const wrong = await c.say("1111 7391");
    expect(texts(wrong)).toMatch(/That PIN no correct\. You get \d more chance/);
    expect(labels(wrong)).toContain("I don forget my PIN");
  });
});
