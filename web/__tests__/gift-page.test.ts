import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listDataPlans } from "../../api/services/catalogue/listings";
import type { ServiceContext } from "../../api/services/context";
import { runDraw } from "../../api/services/gift-rooms";
import { maskPhone } from "../../api/services/phone";
import { makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { giftVisitor, openGiftRoom } from "../../test/helpers/gift-page";
import { makeTestApp, type TestApp } from "../../test/helpers/http";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import { makeVtu, sandboxPhone, sandboxRegistry, seedCatalogue } from "../../test/helpers/vtu";

/**
 * The claim page `/gift/:token` through the whole app (app.request), on a real PostgreSQL with the
 * real gift-room services and the sandbox VTU providers: every page a recipient can end up on.
 */
let tdb: TestDatabase;
let ctx: ServiceContext;
let app: TestApp;
let logs: () => string;
let harness: ReturnType<typeof makeVtu>;

beforeAll(async () => {
  tdb = await createTestDatabase();
  // app.request has no socket, so every visitor shares the IP "unknown": the per-IP limit is lifted.
  const config = testConfig({ GIFT_CLAIMS_PER_MINUTE_PER_IP: "100000" });
  ctx = makeCtx(tdb.db, { config });
  harness = makeVtu(ctx, sandboxRegistry(ctx));
  await seedCatalogue(ctx, harness.vtu.providers);
  ({ app, logs } = makeTestApp(tdb.db, { config, vtu: harness.vtu }));
});
afterAll(() => tdb.destroy());

/** The clock moved past the room's expiry (the service compares with now()). */
async function expire(roomId: string) {
  await tdb.db
    .updateTable("gift_rooms")
    .set({ expires_at: new Date(Date.now() - 60_000) })
    .where("id", "=", roomId)
    .execute();
}

describe("gift claim page: the room", () => {
  it("shows the sender, message, gift, rules and one form; sets the device cookie; no cache", async () => {
    const { room } = await openGiftRoom(ctx, { capacity: 3 });
    const { res, html, csrf } = await giftVisitor(app).get(`/gift/${room.token}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^tada_device=[A-Za-z0-9_-]{32};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/); // plain http in tests; production sets it
    expect(html).toContain("Ada sent you a gift");
    expect(html).toContain("Happy new month!");
    expect(html).toContain("₦100 airtime");
    expect(html).toContain("First come, first served");
    expect(html).toContain('name="phone"');
    expect(html).toMatch(/<option value="" selected="">Guess from my number/);
    expect(html).toContain("Claim my gift");
    expect(csrf).toBeTruthy();
    // S12: nothing about slots or other people.
    expect(html).not.toMatch(/\b3\b.*(left|remaining)|capacity/i);
  });

  it("marks the device cookie Secure when the site is served over TLS", async () => {
    const { room } = await openGiftRoom(ctx, { capacity: 1 });
    const tls = makeTestApp(tdb.db, {
      config: testConfig({ PUBLIC_BASE_URL: "https://gifts.example.ng" }),
      vtu: harness.vtu,
    }).app;
    const { res } = await giftVisitor(tls).get(`/gift/${room.token}`);
    expect(res.headers.get("set-cookie")).toMatch(/; Secure/);
  });

  it("answers an unknown token with a 404 page", async () => {
    for (const token of ["nope", "A".repeat(32)]) {
      const { res, html } = await giftVisitor(app).get(`/gift/${token}`);
      expect(res.status).toBe(404);
      expect(html).toContain("This gift link is not valid");
    }
  });
});

describe("gift claim page: claiming", () => {
  it("claims, guesses the network, and the status link follows the order to delivered", async () => {
    const { room } = await openGiftRoom(ctx, { capacity: 2 });
    const phone = sandboxPhone();
    const visitor = giftVisitor(app);
    const { res, html } = await visitor.claim(room.token, { phone, network: "" });
    expect(res.status, html).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(html).toContain("Claimed!");
    expect(html).toContain("On its way");
    expect(html).toContain(maskPhone(phone));
    expect(html).toContain("We took the network from your number: MTN");
    const statusPath = /href="(\/gift\/[^"]+\/status\/[^"]+)"/.exec(html)?.[1] ?? "";
    expect(statusPath).not.toBe("");

    await harness.drain();
    const later = await visitor.get(statusPath);
    expect(later.res.status).toBe(200);
    expect(later.html).toContain("Delivered");
    expect(later.html).toContain(`₦100 airtime was delivered to ${maskPhone(phone)}`);
    // Another device cannot follow someone else's order.
    expect((await giftVisitor(app).get(statusPath)).res.status).toBe(404);
    // The link token is the room's key: the access log never has it.
    expect(logs()).toContain("/gift/[REDACTED]");
    expect(logs()).not.toContain(room.token);
    await expectLedgerConsistent(tdb.db);
  });

  it("refuses a second claim by the same number, and by the same device", async () => {
    const { room } = await openGiftRoom(ctx, { capacity: 5 });
    const phone = sandboxPhone();
    const first = giftVisitor(app);
    expect((await first.claim(room.token, { phone })).res.status).toBe(200);

    const sameNumber = await giftVisitor(app, "another phone").claim(room.token, { phone });
    expect(sameNumber.res.status).toBe(409);
    expect(sameNumber.html).toContain("You have already claimed this gift");

    const sameDevice = await first.claim(room.token, { phone: sandboxPhone() });
    expect(sameDevice.res.status).toBe(409);
    expect(sameDevice.html).toContain("You have already claimed this gift");
    await harness.drain();
    await expectLedgerConsistent(tdb.db);
  });

  it("a full room shows that state, and a claim racing the last slot is told", async () => {
    const { room } = await openGiftRoom(ctx, { capacity: 1 });
    const late = giftVisitor(app, "late phone");
    const opened = await late.get(`/gift/${room.token}`);
    const winner = sandboxPhone();
    expect((await giftVisitor(app).claim(room.token, { phone: winner })).res.status).toBe(200);

    const raced = await late.post(room.token, {
      csrf: opened.csrf ?? "",
      action: "claim",
      phone: sandboxPhone(),
    });
    expect(raced.res.status).toBe(409);
    expect(raced.html).toContain("All the gifts have been claimed");
    const page = await late.get(`/gift/${room.token}`);
    expect(page.html).toContain("All the gifts have been claimed");
    expect(page.html).not.toContain('name="phone"');
    // S12: the late visitor never sees who got it, not even masked.
    for (const html of [raced.html, page.html]) {
      expect(html).not.toContain(winner);
      expect(html).not.toContain(maskPhone(winner));
    }
    await harness.drain();
    await expectLedgerConsistent(tdb.db);
  });

  it("an expired room shows that state and refuses a form opened before expiry", async () => {
    const { room } = await openGiftRoom(ctx, { capacity: 2 });
    const visitor = giftVisitor(app);
    const opened = await visitor.get(`/gift/${room.token}`);
    await expire(room.id);
    const page = await visitor.get(`/gift/${room.token}`);
    expect(page.html).toContain("This gift room has expired");
    expect(page.html).not.toContain("Claim my gift");
    const late = await visitor.post(room.token, {
      csrf: opened.csrf ?? "",
      action: "claim",
      phone: sandboxPhone(),
    });
    expect(late.res.status).toBe(410);
    expect(late.html).toContain("This gift room has closed");
  });

  it("quiz: a wrong answer shows the form again with the message; the right one claims", async () => {
    const { room } = await openGiftRoom(ctx, {
      capacity: 2,
      mode: "quiz",
      quiz: { question: "What is the capital of Nigeria?", answers: ["Abuja"] },
    });
    const visitor = giftVisitor(app);
    const phone = sandboxPhone();
    const page = await visitor.get(`/gift/${room.token}`);
    expect(page.html).toContain("What is the capital of Nigeria?");
    expect(page.html).toContain('name="answer"');
    expect(page.html).not.toContain("Abuja");

    const wrong = await visitor.claim(room.token, { phone, answer: "Lagos" });
    expect(wrong.res.status).toBe(422);
    expect(wrong.html).toContain("That is not the answer");
    expect(wrong.html).toContain('name="answer"');
    expect(wrong.html).toContain(`value="${phone}"`);
    expect(wrong.html).toMatch(/<option value="mtn" selected="">MTN/); // guessed from 0803, to confirm
    expect(wrong.html).not.toContain("Abuja");

    const right = await visitor.claim(room.token, { phone, answer: "  abuja " });
    expect(right.res.status).toBe(200);
    expect(right.html).toContain("Claimed!");
    await harness.drain();
    await expectLedgerConsistent(tdb.db);
  });

  it("a failed delivery says so on the status page, and the number may claim again", async () => {
    const { room } = await openGiftRoom(ctx, { capacity: 1 });
    const phone = sandboxPhone("0001"); // the sandbox provider refuses it outright
    const visitor = giftVisitor(app);
    const { html } = await visitor.claim(room.token, { phone, network: "mtn" });
    const statusPath = /href="(\/gift\/[^"]+\/status\/[^"]+)"/.exec(html)?.[1] ?? "";
    await harness.drain();
    const status = await visitor.get(statusPath);
    expect(status.html).toContain("The gift did not go through");
    expect(status.html).toContain("The money went back to the gift room, so you can claim again");
    expect((await visitor.get(`/gift/${room.token}`)).html).toContain("Claim my gift");
    await expectLedgerConsistent(tdb.db);
  });

  it("a data gift names its plan and asks no network", async () => {
    const [plan] = await listDataPlans({ ctx, network: "mtn" });
    const { room } = await openGiftRoom(ctx, {
      capacity: 1,
      kind: "data",
      planId: plan?.id,
      amountKobo: undefined,
    });
    const visitor = giftVisitor(app);
    const page = await visitor.get(`/gift/${room.token}`);
    expect(page.html).toContain(`${plan?.name} data`);
    expect(page.html).not.toContain('name="network"');
    const claimed = await visitor.claim(room.token, { phone: sandboxPhone() });
    expect(claimed.res.status).toBe(200);
    expect(claimed.html).toContain(`${plan?.name} data is on its way`);
    await harness.drain();
    await expectLedgerConsistent(tdb.db);
  });

  it("a data gift to a number that looks like another network: asked in plain words, every field kept", async () => {
    const [plan] = await listDataPlans({ ctx, network: "mtn" });
    const { room } = await openGiftRoom(ctx, {
      capacity: 1,
      kind: "data",
      planId: plan?.id,
      amountKobo: undefined,
      mode: "quiz",
      quiz: { question: "Which city is the capital of Nigeria?", answers: ["Abuja"] },
    });
    const visitor = giftVisitor(app);
    const phone = sandboxPhone(undefined, "0805"); // a Glo prefix
    const asked = await visitor.claim(room.token, { phone, answer: "Abuja" });
    expect(asked.res.status).toBe(422);
    expect(asked.html).toContain("Your number looks like Glo. This gift is MTN data");
    expect(asked.html).not.toMatch(/send &quot;network&quot;|before you pay/);
    expect(asked.html).toContain(`value="${phone}"`);
    expect(asked.html).toContain('value="Abuja"');
    expect(asked.html).toMatch(/<input type="checkbox" name="network" value="mtn"[^>]*aria-invalid="true"/);

    // Choosing another network for an MTN plan cannot work, and says why.
    const wrong = await visitor.claim(room.token, { phone, answer: "Abuja", network: "glo" });
    expect(wrong.res.status).toBe(422);
    expect(wrong.html).toContain("only works on MTN lines, not on Glo");

    const confirmed = await visitor.claim(room.token, { phone, answer: "Abuja", network: "mtn" });
    expect(confirmed.res.status, confirmed.html).toBe(200);
    expect(confirmed.html).toContain(`${plan?.name} data is on its way to ${maskPhone(phone)}`);
    await harness.drain();
    const order = await tdb.db
      .selectFrom("vtu_orders")
      .select(["network", "recipient", "state"])
      .where("recipient", "=", phone)
      .executeTakeFirstOrThrow();
    expect(order).toMatchObject({ network: "mtn", state: "delivered" });
    await expectLedgerConsistent(tdb.db);
  });

  it("a number that is not one gets a clear message and the form again", async () => {
    const { room } = await openGiftRoom(ctx, { capacity: 2 });
    const bad = await giftVisitor(app).claim(room.token, { phone: "12345" });
    expect(bad.res.status).toBe(422);
    expect(bad.html).toContain("That is not a Nigerian mobile number");
    expect(bad.html).toContain("Claim my gift");
    const empty = await giftVisitor(app).claim(room.token, { phone: "  " });
    expect(empty.res.status).toBe(422);
    expect(empty.html).toContain("Enter your phone number");
    const huge = await giftVisitor(app).claim(room.token, { phone: "0".repeat(20_000) });
    expect(huge.res.status).toBe(413);
  });

  it("a cash gift to a number without an account says how to sign up", async () => {
    const { room } = await openGiftRoom(ctx, { capacity: 2, kind: "cash", amountKobo: 50_000 });
    const page = await giftVisitor(app).get(`/gift/${room.token}`);
    expect(page.html).toContain("₦500 wallet cash");
    expect(page.html).not.toContain('name="network"');
    const res = await giftVisitor(app).claim(room.token, { phone: sandboxPhone() });
    expect(res.res.status).toBe(409);
    expect(res.html).toContain("Cash gifts go to a TADA VTU wallet");
  });
});

describe("gift claim page: CSRF", () => {
  it("refuses a POST without the page's token, with another device's token, or without the cookie", async () => {
    const { room } = await openGiftRoom(ctx, { capacity: 2 });
    const phone = sandboxPhone();
    const mine = giftVisitor(app);
    await mine.get(`/gift/${room.token}`);
    const other = await giftVisitor(app).get(`/gift/${room.token}`);

    const missing = await mine.post(room.token, { action: "claim", phone });
    const foreign = await mine.post(room.token, { csrf: other.csrf ?? "", action: "claim", phone });
    const noCookie = await giftVisitor(app).post(room.token, {
      csrf: other.csrf ?? "",
      action: "claim",
      phone,
    });
    for (const r of [missing, foreign, noCookie]) {
      expect(r.res.status).toBe(403);
      expect(r.html).toContain("Open the gift link first");
    }
    // Nothing was claimed: the number can still claim from the page.
    expect((await mine.claim(room.token, { phone })).res.status).toBe(200);
    await harness.drain();
  });
});

describe("gift claim page: random draw", () => {
  it("joins once, tells the draw time in Lagos time, and looks up a result by number", async () => {
    const drawAt = new Date(Date.now() + 3_600_000);
    const { room } = await openGiftRoom(ctx, {
      capacity: 2,
      mode: "random_draw",
      drawAt: drawAt.toISOString(),
    });
    const visitor = giftVisitor(app);
    const page = await visitor.get(`/gift/${room.token}`);
    expect(page.html).toContain("Random draw");
    expect(page.html).toContain("(Lagos time)");
    expect(page.html).toContain("Join the draw");
    expect(page.html).toContain("Check my draw result");

    const phone = sandboxPhone();
    const joined = await visitor.claim(room.token, { phone });
    expect(joined.res.status).toBe(200);
    expect(joined.html).toContain("You are in the draw");
    expect(joined.html).toContain("(Lagos time)");

    const again = await giftVisitor(app, "second phone").claim(room.token, { phone });
    expect(again.res.status).toBe(409);
    expect(again.html).toContain("You are already in this draw");

    const waiting = await visitor.claim(room.token, { action: "draw-status", phone });
    expect(waiting.res.status).toBe(200);
    expect(waiting.html).toContain("The draw has not happened yet");
    const stranger = await visitor.claim(room.token, { action: "draw-status", phone: sandboxPhone() });
    expect(stranger.html).toContain("That number is not in this draw");
  });

  it("after the draw, each number reads its own result; the room shows the draw is over", async () => {
    const drawAt = new Date(Date.now() + 3_600_000);
    const { room } = await openGiftRoom(ctx, {
      capacity: 1,
      mode: "random_draw",
      drawAt: drawAt.toISOString(),
    });
    const phones = [sandboxPhone(), sandboxPhone()];
    for (const [i, phone] of phones.entries()) {
      expect((await giftVisitor(app, `phone ${i}`).claim(room.token, { phone })).res.status).toBe(200);
    }
    const later = makeCtx(tdb.db, { config: ctx.config, now: () => new Date(drawAt.getTime() + 60_000) });
    expect((await runDraw({ ctx: later, vtu: harness.vtu, roomId: room.id })).winners).toBe(1);
    await harness.drain();

    const visitor = giftVisitor(app, "checker");
    const results = [];
    for (const phone of phones) {
      results.push((await visitor.claim(room.token, { action: "draw-status", phone })).html);
    }
    expect(results.filter((html) => html.includes("You won!"))).toHaveLength(1);
    expect(results.filter((html) => html.includes("You were not picked"))).toHaveLength(1);
    const page = await visitor.get(`/gift/${room.token}`);
    expect(page.html).not.toContain("Join the draw");
    expect(page.html).toContain("Check my draw result");
    await expectLedgerConsistent(tdb.db);
  });

  it("a winner whose gift failed is told so, where the money went, and gets the status link", async () => {
    const drawAt = new Date(Date.now() + 3_600_000);
    const { room, creator } = await openGiftRoom(ctx, {
      capacity: 1,
      mode: "random_draw",
      drawAt: drawAt.toISOString(),
    });
    const phone = sandboxPhone("0001"); // the sandbox provider refuses it outright
    const visitor = giftVisitor(app, "winner");
    expect((await visitor.claim(room.token, { phone })).res.status).toBe(200);
    const later = makeCtx(tdb.db, { config: ctx.config, now: () => new Date(drawAt.getTime() + 60_000) });
    expect((await runDraw({ ctx: later, vtu: harness.vtu, roomId: room.id })).winners).toBe(1);
    await harness.drain();

    const result = await visitor.claim(room.token, { action: "draw-status", phone });
    expect(result.html).toContain("You won, but the gift did not go through");
    expect(result.html).toContain("The money went back to the person who sent the gift");
    expect(result.html).not.toMatch(/has been sent|was delivered/);
    const statusPath = /href="(\/gift\/[^"]+\/status\/[^"]+)"/.exec(result.html)?.[1] ?? "";
    expect((await visitor.get(statusPath)).html).toContain("The gift did not go through");
    // Another device learns the result by number, but not the claim's status page.
    const other = await giftVisitor(app, "someone else").claim(room.token, { action: "draw-status", phone });
    expect(other.html).toContain("You won, but the gift did not go through");
    expect(other.html).not.toContain("/status/");
    // The money really is back with the creator: the room's escrow is empty, the wallet whole again.
    const { escrow_account_id } = await tdb.db
      .selectFrom("gift_rooms")
      .select("escrow_account_id")
      .where("id", "=", room.id)
      .executeTakeFirstOrThrow();
    const accounts = await tdb.db
      .selectFrom("accounts")
      .select(["id", "user_id", "balance", "held"])
      .where((eb) => eb.or([eb("id", "=", escrow_account_id), eb("user_id", "=", creator.id)]))
      .execute();
    expect(accounts.find((a) => a.id === escrow_account_id)).toMatchObject({ balance: 0, held: 0 });
    expect(accounts.find((a) => a.user_id === creator.id)).toMatchObject({ balance: 10_000_000, held: 0 });
    await expectLedgerConsistent(tdb.db);
  });

  it("draw-result lookups count against the device's limit, so numbers cannot be swept", async () => {
    const drawAt = new Date(Date.now() + 3_600_000);
    const { room } = await openGiftRoom(ctx, {
      capacity: 1,
      mode: "random_draw",
      drawAt: drawAt.toISOString(),
    });
    const sweeper = giftVisitor(app, "sweeper");
    const statuses: number[] = [];
    for (let i = 0; i < ctx.config.GIFT_CLAIMS_PER_MINUTE_PER_DEVICE + 1; i++) {
      statuses.push(
        (await sweeper.claim(room.token, { action: "draw-status", phone: sandboxPhone() })).res.status,
      );
    }
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.slice(0, -1).every((s) => s === 200)).toBe(true);
    const last = await sweeper.claim(room.token, { action: "draw-status", phone: sandboxPhone() });
    expect(last.html).toContain("Too many tries");
  });
});
