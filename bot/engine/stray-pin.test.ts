import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceContext } from "../../api/services/context";
import { chatHarness, choiceIds, confirmOf, texts } from "../../test/helpers/chat-engine";
import { makeCtx } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import { handleChatInput } from "./engine";

/**
 * DECISIONS §82: a message that is only a PIN ("2580", "2580 9876") that no step takes is deleted
 * and answered with what it is; where digits are an answer (an amount, a number, a menu) they stay
 * one, and an answer that says what is wrong never quotes a PIN-shaped message back.
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

const STRAY = "That looked like a PIN, so I deleted it. Never send your PIN unless I ask for it.";

describe("a PIN sent when none was asked for", () => {
  it("outside any step, a PIN or a current and new PIN is deleted and answered with what it was", async () => {
    const c = await h.customer("sp-outside");
    for (const pin of ["2580", "2580 9876", " 123456 "]) {
      const out = await c.say(pin);
      expect(out.deleteInput, pin).toBe(true);
      expect(texts(out), pin).toBe(STRAY);
    }
    // The choices shown before stay: "1" is still the Menu the PIN set-up ended with.
    const menu = await c.say("1");
    expect(menu.deleteInput).toBe(false);
    expect(choiceIds(menu)).toContain("nav:balance");
    // Other digits are not PIN-shaped: "123" is not understood (and stays), "5" picks from the menu.
    expect((await c.say("123")).deleteInput).toBe(false);
    expect(texts(await c.say("5"))).toMatch(/Your balance is/);
  });

  it("with no conversation at all, the answer ends with the Menu choice", async () => {
    const c = h.chat("sp-fresh");
    await c.say("hi");
    await c.say("menu");
    await c.say("balance");
    await tdb.db.deleteFrom("chat_sessions").where("external_id", "=", "sp-fresh").execute();
    const out = await c.say("2580");
    expect(out.deleteInput).toBe(true);
    expect(texts(out)).toBe(STRAY);
    expect(choiceIds(out)).toEqual(["nav:menu"]);
  });

  it("after a step ended (the purchase left), the PIN it was waiting for is deleted, not 'not understood'", async () => {
    const c = await h.customer("sp-after");
    await c.say("airtime 100 08031245555");
    await c.tap(confirmOf(await c.tap("net:mtn")));
    await c.say("balance");
    const late = await c.say("2580");
    expect(late.deleteInput).toBe(true);
    expect(texts(late)).toBe(STRAY);
    expect(texts(late)).not.toMatch(/did not get that/);
  });

  it("an offer that stays open (save this number?) stays open after a stray PIN", async () => {
    const c = await h.customer("sp-offer");
    await c.say("airtime 100 08031246666");
    await c.tap(confirmOf(await c.tap("net:mtn")));
    const paid = await c.say("2580");
    expect(choiceIds(paid)).toContain("save:yes");
    const again = await c.say("2580");
    expect(again.deleteInput).toBe(true);
    expect(texts(again)).toBe(STRAY);
    expect(texts(await c.say("1"))).toMatch(/Saved/);
    await h.harness.drain();
    await expectLedgerConsistent(tdb.db);
  });

  it("at a summary (before Confirm) the PIN is deleted and the summary stays; Confirm then asks for it", async () => {
    const c = await h.customer("sp-summary");
    await c.say("airtime 100 08031247777");
    const summary = await c.tap("net:mtn");
    const confirm = confirmOf(summary);
    const early = await c.say("2580");
    expect(early.deleteInput).toBe(true);
    expect(texts(early)).toBe(`${STRAY} Tap Confirm first; then I will ask for your PIN.`);
    expect(choiceIds(early)).toEqual([confirm, `cancel:${confirm.slice("confirm:".length)}`]);
    expect(texts(await c.tap(confirm))).toMatch(/Send your transaction PIN to pay/);
    const paid = await c.say("2580");
    expect(texts(paid)).toMatch(/Order placed|Delivered/);
    await h.harness.drain();
    await expectLedgerConsistent(tdb.db);
  });

  it("is never handed to the language model", async () => {
    await h.customer("sp-llm");
    const asked: string[] = [];
    const deps = {
      ...h.deps,
      understand: async (text: string) => {
        asked.push(text);
        return undefined;
      },
    };
    const out = await handleChatInput(deps, {
      channel: "console",
      userRef: "sp-llm",
      messageId: "sp-llm-1",
      text: "2580",
    });
    expect(out.deleteInput).toBe(true);
    expect(asked).toEqual([]);
  });

  it("in Pidgin, and on WhatsApp (which cannot delete) the person is asked to delete it", async () => {
    const p = await h.customer("sp-pidgin");
    await p.say("speak pidgin");
    const pcm = await p.say("2580");
    expect(pcm.deleteInput).toBe(true);
    expect(texts(pcm)).toBe(
      "That one resemble PIN, so I don delete am. No ever send your PIN unless I ask you for am.",
    );

    const w = h.chat("2348037771601", "whatsapp");
    await w.say("hi");
    const wa = await w.say("2580 9876");
    expect(texts(wa)).toBe(
      "That looked like a PIN. WhatsApp messages cannot be deleted: please delete it yourself, and change your PIN if it was your real one. Never send your PIN in this chat.",
    );
  });
});

describe("digits a step takes stay its answer", () => {
  it("an amount of 2580 is an amount; a menu number is a choice", async () => {
    const c = await h.customer("sp-amount");
    await c.say("airtime for 08031248888");
    await c.tap("net:mtn");
    const summary = await c.say("2580");
    expect(summary.deleteInput).toBe(false);
    expect(texts(summary)).toMatch(/MTN airtime ₦2,580 for 08031248888/);
    await c.tap("cancel");
    const light = await c.say("light 5000");
    expect(light.deleteInput).toBe(false);
  });

  it("the phone and meter steps say what is wrong without quoting a PIN-shaped answer back", async () => {
    const c = await h.customer("sp-phone");
    await c.tap("nav:airtime");
    for (const pin of ["2580", "2580 9876"]) {
      const out = await c.say(pin);
      expect(out.deleteInput, pin).toBe(false);
      expect(texts(out), pin).toBe("That is not a Nigerian mobile number: type 11 digits, like 08031234567.");
      expect(texts(out)).not.toContain("2580");
    }
    // Anything else is still quoted, to show what was read.
    expect(texts(await c.say("0803 12"))).toMatch(/^"0803 12" is not a whole phone number/);
    await c.tap("cancel");
    await c.say("light 5000 ikeja");
    await c.tap("mt:prepaid");
    const meter = await c.say("2580");
    expect(texts(meter)).toMatch(/^That is not a meter number\. Type the meter number/);
    expect(texts(meter)).not.toContain("2580");
  });
});
