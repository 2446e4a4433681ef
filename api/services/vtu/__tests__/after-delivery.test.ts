import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type InlomaxEmulator, startInlomaxEmulator } from "../../../../test/emulators/inlomax-emulator";
import { type SmePlugEmulator, startSmePlugEmulator } from "../../../../test/emulators/smeplug-emulator";
import { makeCtx, testConfig } from "../../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../../test/helpers/db";
import { expectLedgerConsistent } from "../../../../test/helpers/ledger";
import {
  createBuyer,
  makeVtu,
  placeOrder,
  registryOf,
  sandboxPhone,
  sandboxRegistry,
  seedCatalogue,
  TEST_PIN,
} from "../../../../test/helpers/vtu";
import { createInlomaxProvider } from "../../../providers/inlomax/client";
import { createSmePlugProvider } from "../../../providers/smeplug/client";
import type { ServiceContext } from "../../context";
import { claimGift, createGiftRoom } from "../../gift-rooms";
import { checkLedger } from "../../ledger";
import { getWalletBalance } from "../../wallet";
import { getOrder, handleProviderWebhook, requeryOrder, sweepDueOrders } from "..";
import type { VtuProvider } from "../provider";

/**
 * Truth after delivery (issue 13, items 1–3 and 6): a provider that delivered an order can take it
 * back later, say "accepted" where we heard "delivered", or answer with bytes PostgreSQL refuses.
 * Driven through the real Inlomax and SME Plug clients against emulators speaking their shapes, and
 * the sandbox provider with its own books, on a test clock so the post-delivery schedule is walked.
 */
let tdb: TestDatabase;
let ctx: ServiceContext;
let clock: Date;
let inlomax: InlomaxEmulator;
let smeplug: SmePlugEmulator;
let inlomaxClient: VtuProvider;
let smeplugClient: VtuProvider;

const OFFSETS = "2m,30m,6h,24h";

beforeAll(async () => {
  tdb = await createTestDatabase();
  clock = new Date();
  ctx = makeCtx(tdb.db, {
    now: () => clock,
    config: testConfig({ VTU_VERIFY_AFTER_DELIVERY: OFFSETS, VTU_WEBHOOK_REQUERY_INTERVAL_SECONDS: "30" }),
  });
  inlomax = await startInlomaxEmulator();
  smeplug = await startSmePlugEmulator();
  const timeouts = { purchaseTimeoutMs: 500, readTimeoutMs: 500 };
  inlomaxClient = createInlomaxProvider({ baseUrl: inlomax.url, apiKey: inlomax.apiKey, ...timeouts });
  smeplugClient = createSmePlugProvider({ baseUrl: smeplug.url, secretKey: smeplug.secretKey, ...timeouts });
  await seedCatalogue(ctx, registryOf({ provider: inlomaxClient }, { provider: smeplugClient }));
});
afterAll(async () => {
  await inlomax?.close();
  await smeplug?.close();
  await tdb?.destroy();
});
beforeEach(() => {
  inlomax.resetModes();
  smeplug.resetModes();
});

function advance(seconds: number) {
  clock = new Date(clock.getTime() + seconds * 1000);
}

const both = () => registryOf({ provider: inlomaxClient }, { provider: smeplugClient });
const smeplugOnly = () => registryOf({ provider: smeplugClient });

async function buyAirtime(h: ReturnType<typeof makeVtu>, phone: string, amountKobo = 50_000) {
  const user = await createBuyer(ctx, 100_000);
  const order = await placeOrder(
    ctx,
    h.vtu,
    user.id,
    { service: "airtime", input: { network: "mtn", phone, amountKobo, pin: TEST_PIN } },
    `ad-${phone}-${amountKobo}`,
  );
  await h.drain();
  return { user, order };
}

async function orderRow(orderId: string) {
  return tdb.db.selectFrom("vtu_orders").selectAll().where("id", "=", orderId).executeTakeFirstOrThrow();
}

async function reversalEntries(orderId: string) {
  return tdb.db
    .selectFrom("journal_entries")
    .select("id")
    .where("type", "=", "vtu_reversal")
    .where(sql<boolean>`metadata->>'orderId' = ${orderId}`)
    .execute();
}

/** Sweep and run what the sweep queued, as the worker would. */
async function sweepAndRun(h: ReturnType<typeof makeVtu>) {
  await sweepDueOrders({ ctx, vtu: h.vtu });
  await h.drain();
}

describe("1. a definite failure after delivery is a reversal", () => {
  it("Inlomax delivers, a later requery says failed: refunded once, reversed, alert, message to the chat", async () => {
    const h = makeVtu(ctx, both());
    const phone = sandboxPhone();
    inlomax.setModeFor(phone, "success_then_failed");
    const { user, order } = await buyAirtime(h, phone);
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("delivered");
    expect((await getWalletBalance({ ctx, userId: user.id })).balanceKobo).toBe(100_000 - order.priceKobo);

    // The post-delivery check is due two minutes after delivery; the requery there says failed.
    const delivered = await orderRow(order.id);
    expect(delivered.verify_due_at?.getTime()).toBe((delivered.delivered_at?.getTime() ?? 0) + 120_000);
    advance(121);
    await sweepAndRun(h);

    const after = await getOrder({ ctx, userId: user.id, orderId: order.id });
    expect(after.state).toBe("reversed");
    expect((await getWalletBalance({ ctx, userId: user.id })).balanceKobo).toBe(100_000);
    expect(await reversalEntries(order.id)).toHaveLength(1);
    const alert = await tdb.db
      .selectFrom("admin_alerts")
      .select(["kind", "title", "body"])
      .where("key", "=", "order_reversed:inlomax")
      .where("resolved_at", "is", null)
      .executeTakeFirst();
    expect(alert?.body).toContain(order.id);
    const note = await tdb.db
      .selectFrom("notifications")
      .select("body")
      .where("user_id", "=", user.id)
      .where("kind", "=", "order.reversed")
      .execute();
    expect(note).toHaveLength(1);
    expect(note[0]?.body).toMatch(/reversed.*back in your wallet/);

    // Exactly once: every later check, webhook and requery changes nothing.
    for (let i = 0; i < 3; i++) {
      advance(3600 * 7);
      await sweepAndRun(h);
      await requeryOrder({ ctx, vtu: h.vtu, orderId: order.id, includeDelivered: true });
    }
    expect(await reversalEntries(order.id)).toHaveLength(1);
    expect((await getWalletBalance({ ctx, userId: user.id })).balanceKobo).toBe(100_000);
    expect((await orderRow(order.id)).verify_due_at).toBeNull();
    await expectLedgerConsistent(tdb.db);
  });

  it("a webhook body saying failed changes nothing while the provider says delivered", async () => {
    const h = makeVtu(ctx, both());
    const phone = sandboxPhone();
    const { user, order } = await buyAirtime(h, phone);
    const attempt = await tdb.db
      .selectFrom("vtu_attempts")
      .select(["provider_reference"])
      .where("order_id", "=", order.id)
      .executeTakeFirstOrThrow();
    await handleProviderWebhook({
      ctx,
      vtu: h.vtu,
      provider: "inlomax",
      payload: { status: "failed", reference: attempt.provider_reference },
    });
    await h.drain();
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("delivered");
    expect(await reversalEntries(order.id)).toHaveLength(0);
    await expectLedgerConsistent(tdb.db);
  });

  it("'not found' from the provider that delivered is not a reversal: the order stays delivered and is asked again", async () => {
    const h = makeVtu(ctx, both());
    const phone = sandboxPhone();
    const { user, order } = await buyAirtime(h, phone);
    inlomax.setPathMode("/transaction", "failed");
    advance(121);
    await sweepAndRun(h);
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("delivered");
    const row = await orderRow(order.id);
    // Unclear answers are asked again after VTU_REQUERY_MAX_SECONDS (sooner than the next offset).
    expect(row.verify_due_at?.getTime()).toBe(clock.getTime() + ctx.config.VTU_REQUERY_MAX_SECONDS * 1000);
    await expectLedgerConsistent(tdb.db);
  });

  it("a reversed gift goes back to the room's creator, once; the room's books still balance", async () => {
    const registry = sandboxRegistry(ctx, { pendingSeconds: 30 });
    await seedCatalogue(ctx, registry);
    const h = makeVtu(ctx, registry);
    const creator = await createBuyer(ctx, 100_000);
    const { room } = await createGiftRoom({
      ctx,
      userId: creator.id,
      idempotencyKey: `rev-room-${Date.now()}`,
      input: { kind: "airtime", amountKobo: 10_000, capacity: 2, pin: TEST_PIN },
    });
    const afterFunding = (await getWalletBalance({ ctx, userId: creator.id })).balanceKobo;
    const claimed = await claimGift({
      ctx,
      vtu: h.vtu,
      input: { token: room.token, phone: sandboxPhone("0008"), network: "mtn" },
      claimant: { deviceHash: `rev-dev-${Date.now()}`, ip: "10.9.9.9" },
    });
    await h.drain();
    const orderId = claimed.orderId as string;
    expect((await orderRow(orderId)).state).toBe("delivered");
    advance(31); // the sandbox reverses it after its pending time; nobody is told
    advance(120);
    await sweepAndRun(h);
    const row = await orderRow(orderId);
    expect(row.state).toBe("reversed");
    expect((await getWalletBalance({ ctx, userId: creator.id })).balanceKobo).toBe(
      afterFunding + row.price_kobo,
    );
    await sweepAndRun(h);
    expect(await reversalEntries(orderId)).toHaveLength(1);
    await expectLedgerConsistent(tdb.db);
  });
});

describe("check-ledger V3", () => {
  it("catches a reversal entry for an order that is not reversed (a refund the order does not show)", async () => {
    const h = makeVtu(ctx, both());
    const { order } = await buyAirtime(h, sandboxPhone());
    const v3 = async (db: typeof tdb.db) => (await checkLedger(db)).find((c) => c.id === "V3");
    expect((await v3(tdb.db))?.ok).toBe(true);
    await tdb.db
      .transaction()
      .execute(async (trx) => {
        // (The table itself refuses state 'reversed' without a reversal entry.)
        await trx
          .insertInto("journal_entries")
          .values({
            type: "vtu_reversal",
            description: "a stray refund",
            actor: "test",
            metadata: JSON.stringify({ orderId: order.id }),
          } as never)
          .execute();
        expect(await v3(trx)).toMatchObject({ ok: false, violations: 1 });
        throw new Error("rollback");
      })
      .catch((error: Error) => expect(error.message).toBe("rollback"));
    expect((await v3(tdb.db))?.ok).toBe(true);
  });
});

describe("2. accepted is not delivered", () => {
  it("SME Plug 'Transaction is processing' with status true is pending; a later failure refunds", async () => {
    const h = makeVtu(ctx, smeplugOnly());
    const phone = sandboxPhone();
    smeplug.setModeFor(phone, "accepted_then_failed");
    const { user, order } = await buyAirtime(h, phone);
    const placed = await getOrder({ ctx, userId: user.id, orderId: order.id });
    expect(placed.state).toBe("pending");
    expect((await getWalletBalance({ ctx, userId: user.id })).heldKobo).toBe(order.priceKobo);
    advance(60);
    await sweepAndRun(h); // requery: still pending
    advance(60);
    await sweepAndRun(h); // requery: failed
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("failed");
    expect((await getWalletBalance({ ctx, userId: user.id })).balanceKobo).toBe(100_000);
    expect(smeplug.vends.find((v) => v.phone === phone)?.status).toBe("failed");
    await expectLedgerConsistent(tdb.db);
  });

  it("SME Plug accepted then delivered: pending, then delivered by the requery", async () => {
    const h = makeVtu(ctx, smeplugOnly());
    const phone = sandboxPhone();
    smeplug.setModeFor(phone, "accepted_then_success");
    const { user, order } = await buyAirtime(h, phone);
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("pending");
    for (let i = 0; i < 3; i++) {
      advance(60);
      await sweepAndRun(h);
    }
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("delivered");
    await expectLedgerConsistent(tdb.db);
  });

  it('SME Plug status "true" (a string) keeps the reference: unknown, then delivered by requery', async () => {
    const h = makeVtu(ctx, smeplugOnly());
    const phone = sandboxPhone();
    smeplug.setModeFor(phone, "status_string_true");
    const { user, order } = await buyAirtime(h, phone);
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("unknown");
    const attempt = await tdb.db
      .selectFrom("vtu_attempts")
      .select("provider_reference")
      .where("order_id", "=", order.id)
      .executeTakeFirstOrThrow();
    expect(attempt.provider_reference).toBe(smeplug.vends.find((v) => v.phone === phone)?.reference);
    advance(60);
    await sweepAndRun(h);
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("delivered");
    await expectLedgerConsistent(tdb.db);
  });

  it("the SME Plug client maps each wording explicitly; unmapped wording is unknown with the reference", async () => {
    const cases: [string, string][] = [
      ["success", "delivered"],
      ["accepted_then_success", "pending"],
      ["status_string_true", "unknown"],
    ];
    for (const [mode, outcome] of cases) {
      const phone = sandboxPhone();
      smeplug.setModeFor(phone, mode as never);
      const result = await smeplugClient.buyAirtime({
        requestId: `w-${mode}`,
        network: "mtn",
        phone,
        amountKobo: 10_000,
      });
      expect([mode, result.outcome]).toEqual([mode, outcome]);
      expect(result.providerReference).toBe(smeplug.vends.find((v) => v.phone === phone)?.reference);
    }
  });
});

describe("3. delivered orders are checked again on a persisted schedule", () => {
  it("SME Plug delivers, later reports failed; its webhook is lost: the scheduled check reverses it", async () => {
    const h = makeVtu(ctx, smeplugOnly());
    const phone = sandboxPhone();
    smeplug.setModeFor(phone, "success_then_failed");
    // The emulator flips it on its second requery: the first check (+2 min) still sees success.
    const { user, order } = await buyAirtime(h, phone);
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("delivered");
    advance(121);
    await sweepAndRun(h);
    const first = await orderRow(order.id);
    expect(first.state).toBe("delivered");
    expect(first.verify_count).toBe(1);
    expect(first.verify_due_at?.getTime()).toBe((first.delivered_at?.getTime() ?? 0) + 30 * 60_000);
    advance(30 * 60);
    await sweepAndRun(h);
    expect((await orderRow(order.id)).state).toBe("reversed");
    expect((await getWalletBalance({ ctx, userId: user.id })).balanceKobo).toBe(100_000);
    await expectLedgerConsistent(tdb.db);
  });

  it("the sandbox keeps its reversal in its own table: found by the schedule with no webhook and a fresh registry", async () => {
    // A registry built like after a restart: no onWebhook timer is running for this order.
    const registry = sandboxRegistry(ctx, { pendingSeconds: 10 });
    await seedCatalogue(ctx, registry);
    const h = makeVtu(ctx, registry);
    const { user, order } = await buyAirtime(h, sandboxPhone("0008"));
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("delivered");
    const restarted = makeVtu(ctx, sandboxRegistry(ctx, { pendingSeconds: 10 }));
    advance(121);
    await sweepAndRun(restarted);
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("reversed");
    expect((await getWalletBalance({ ctx, userId: user.id })).balanceKobo).toBe(100_000);
    await expectLedgerConsistent(tdb.db);
  });

  it("a confirmed delivery walks the offsets (2m, 30m, 6h, 24h) and then stops; a provider's own list wins", async () => {
    const h = makeVtu(ctx, both());
    const { order } = await buyAirtime(h, sandboxPhone());
    const deliveredAt = (await orderRow(order.id)).delivered_at?.getTime() ?? 0;
    const seen: (number | null)[] = [];
    for (const seconds of [121, 30 * 60, 6 * 3600, 24 * 3600]) {
      clock = new Date(deliveredAt + seconds * 1000 + 1000);
      await sweepAndRun(h);
      const due = (await orderRow(order.id)).verify_due_at;
      seen.push(due ? (due.getTime() - deliveredAt) / 1000 : null);
    }
    expect(seen).toEqual([30 * 60, 6 * 3600, 24 * 3600, null]);
    expect((await orderRow(order.id)).verify_count).toBe(4);

    await tdb.db
      .updateTable("vtu_providers")
      .set({ verify_offsets_seconds: [60, 600] })
      .where("code", "=", "inlomax")
      .execute();
    try {
      const { order: second } = await buyAirtime(h, sandboxPhone());
      const row = await orderRow(second.id);
      expect((row.verify_due_at?.getTime() ?? 0) - (row.delivered_at?.getTime() ?? 0)).toBe(60_000);
    } finally {
      await tdb.db
        .updateTable("vtu_providers")
        .set({ verify_offsets_seconds: null })
        .where("code", "=", "inlomax")
        .execute();
    }
    await expectLedgerConsistent(tdb.db);
  });
});

describe("6. a provider answer is never lost", () => {
  it("an answer with U+0000 in it is stored losslessly and the delivery is booked", async () => {
    const h = makeVtu(ctx, both());
    const phone = sandboxPhone();
    inlomax.setModeFor(phone, "nul_in_answer");
    const { user, order } = await buyAirtime(h, phone);
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("delivered");
    const exchange = await tdb.db
      .selectFrom("vtu_provider_exchanges as x")
      .innerJoin("vtu_attempts as a", "a.id", "x.attempt_id")
      .select(["x.raw", "x.message", "a.message as attemptMessage"])
      .where("a.order_id", "=", order.id)
      .executeTakeFirstOrThrow();
    const raw = JSON.parse(exchange.raw) as { body: { message: string; data: { customerName: string } } };
    expect(raw.body.message).toBe("Transaction\u0000 successful");
    expect(raw.body.data.customerName).toBe("ADA\u0000 OBI");
    expect(exchange.message).toBe("Transaction\ufffd successful");
    expect(exchange.attemptMessage).toBe("Transaction\ufffd successful");
    await expectLedgerConsistent(tdb.db);
  });

  it("an answer that cannot be applied escalates the order to manual review with its money held", async () => {
    const h = makeVtu(ctx, both());
    const phone = sandboxPhone();
    inlomax.setModeFor(phone, "processing_then_success");
    const { user, order } = await buyAirtime(h, phone);
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("pending");
    // A fault we did not foresee: the database refuses to book this delivery.
    await sql
      .raw(`
      CREATE OR REPLACE FUNCTION refuse_delivery() RETURNS trigger AS $$
      BEGIN
        IF NEW.state = 'delivered' AND NEW.id = '${order.id}' THEN RAISE EXCEPTION 'disk full'; END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql;
      CREATE TRIGGER refuse_delivery BEFORE UPDATE ON vtu_orders FOR EACH ROW EXECUTE FUNCTION refuse_delivery();`)
      .execute(tdb.db);
    try {
      advance(60);
      await sweepAndRun(h);
    } finally {
      await sql
        .raw("DROP TRIGGER refuse_delivery ON vtu_orders; DROP FUNCTION refuse_delivery();")
        .execute(tdb.db);
    }
    const row = await orderRow(order.id);
    expect(row.state).toBe("manual_review");
    expect(row.next_check_at).not.toBeNull(); // requeries continue at the slow rate
    expect((await getWalletBalance({ ctx, userId: user.id })).heldKobo).toBe(order.priceKobo);
    const exchanges = await tdb.db
      .selectFrom("vtu_provider_exchanges as x")
      .innerJoin("vtu_attempts as a", "a.id", "x.attempt_id")
      .select(["x.outcome", "x.message"])
      .where("a.order_id", "=", order.id)
      .orderBy("x.id")
      .execute();
    expect(exchanges.at(-1)?.message).toMatch(/could not be recorded: disk full/);
    // The next requery, with the fault gone, settles it.
    advance(ctx.config.VTU_REQUERY_MAX_SECONDS + 1);
    await sweepAndRun(h);
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("delivered");
    await expectLedgerConsistent(tdb.db);
  });
});

describe("8. webhook replays coalesce", () => {
  it("40 replays of one webhook cause at most one requery per interval, and the last one is not lost", async () => {
    const h = makeVtu(ctx, both());
    const phone = sandboxPhone();
    inlomax.setModeFor(phone, "processing_then_success");
    inlomax.setRequeriesToResolve(50);
    const { order } = await buyAirtime(h, phone);
    const reference = (
      await tdb.db
        .selectFrom("vtu_attempts")
        .select("provider_reference")
        .where("order_id", "=", order.id)
        .executeTakeFirstOrThrow()
    ).provider_reference;
    const requeries = () =>
      inlomax.countRequests(
        (r) => r.path === "/transaction" && (r.body as { reference?: string })?.reference === reference,
      );
    await Promise.all(
      Array.from({ length: 40 }, () =>
        handleProviderWebhook({ ctx, vtu: h.vtu, provider: "inlomax", payload: { reference } }),
      ),
    );
    await h.drain();
    expect(requeries()).toBe(1);
    // The interval ends: one more ask, from the sweeper, sees whatever changed meanwhile.
    advance(31);
    await sweepAndRun(h);
    expect(requeries()).toBe(2);
    await expectLedgerConsistent(tdb.db);
  });
});
