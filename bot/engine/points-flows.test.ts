import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceContext } from "../../api/services/context";
import { grantBonusPoints, sweepReferralRewards, sweepRewardEvents } from "../../api/services/rewards";
import { getWalletBalance } from "../../api/services/wallet";
import { chatHarness, choiceIds, confirmOf, texts } from "../../test/helpers/chat-engine";
import { makeCtx } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { expectLedgerConsistent } from "../../test/helpers/ledger";

/**
 * Points in the chat (issue 18 §2, §4), on the real engine and the embedded PostgreSQL: a referral
 * and a purchase through the chat earn points that "my points" shows on Telegram and WhatsApp;
 * "redeem points" to the wallet once however often Confirm is tapped; for airtime (the airtime
 * flow with the amount the points made); Pidgin; the ledger checks after.
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

const codeOf = async (userId: string) =>
  (
    await tdb.db
      .selectFrom("users")
      .select("referral_code")
      .where("id", "=", userId)
      .executeTakeFirstOrThrow()
  ).referral_code;

describe("my points", () => {
  it("a referral and a purchase through the chat earn points that both chats show", async () => {
    const ada = await h.customer("pts-ada");
    const adaId = await ada.userId();
    const wa = h.chat("2348031112233", "whatsapp");
    await wa.say(`ref ${await codeOf(adaId)}`);
    const bolaId = await wa.userId();
    await tdb.db.updateTable("users").set({ display_name: "Bola" }).where("id", "=", bolaId).execute();
    const bola = await h.customer("pts-bola", 500_000);
    const bolaTgId = await bola.userId();
    // Bola's Telegram account is the one that buys (the harness funds it); its code is Ada's too.
    await bola.say(`ref ${await codeOf(adaId)}`);

    const w = h.chatWithWorker("pts-bola");
    await w.say("airtime 1000 08031234567");
    const summary = await w.tap("net:mtn");
    await w.tap(confirmOf(summary));
    await w.say("2580");
    await h.harness.drain();
    await sweepRewardEvents({ ctx });
    await sweepReferralRewards({ ctx });

    const adaSays = texts(await ada.say("my points"));
    expect(adaSays).toMatch(/^You have 100 points, worth ₦50\./);
    expect(adaSays).toMatch(/\+100 · For a friend you referred/);
    expect(adaSays).toMatch(/Redeem from 100 points \(100 points = ₦50\)\./);
    const bolaSays = texts(await bola.say("how many points I get"));
    expect(bolaSays).toMatch(/^You have 9 points, worth ₦4\.50\./);
    expect(bolaSays).toMatch(/\+9 · Earned on MTN airtime \(₦979\.70\)/);
    // Pidgin, on the WhatsApp account of someone with no points yet.
    await wa.say("pidgin");
    expect(texts(await wa.say("wetin be my points"))).toMatch(/^You get 0 points, e worth ₦0\./);
    expect(bolaId).not.toBe(bolaTgId);
    await expectLedgerConsistent(tdb.db);
  });

  it("redeem points: to the wallet once, however often the choice is tapped", async () => {
    const c = await h.customer("pts-redeem");
    const userId = await c.userId();
    await grantBonusPoints({ ctx, adminId: "adm_test", userId, points: 240, reason: "sorry for the delay" });
    const before = (await getWalletBalance({ ctx, userId })).balanceKobo;
    const offer = await c.say("redeem my points");
    expect(texts(offer)).toBe("Redeem your 240 points for ₦120?");
    expect(choiceIds(offer)).toEqual(["wallet", "airtime", "cancel"]);
    const done = await c.tap("wallet");
    expect(texts(done)).toMatch(/^Done: 240 points became ₦120 in your wallet\./);
    await c.tap("wallet");
    expect((await getWalletBalance({ ctx, userId })).balanceKobo).toBe(before + 12_000);
    expect(texts(await c.say("redeem points"))).toMatch(/You have 0 points; you can redeem from 100/);
    await expectLedgerConsistent(tdb.db);
  });

  it("redeem points for airtime: the points become wallet money, then the airtime flow asks the rest", async () => {
    const c = await h.customer("pts-airtime");
    const userId = await c.userId();
    await grantBonusPoints({ ctx, adminId: "adm_test", userId, points: 400, reason: "loyal customer" });
    const before = (await getWalletBalance({ ctx, userId })).balanceKobo;
    await c.say("redeem points");
    const next = texts(await c.tap("airtime"));
    expect(next).toMatch(/^400 points became ₦200 in your wallet\. Now the airtime:/);
    expect((await getWalletBalance({ ctx, userId })).balanceKobo).toBe(before + 20_000);
    await expectLedgerConsistent(tdb.db);
  });
});
