import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type InlomaxEmulator,
  type InlomaxMode,
  startInlomaxEmulator,
} from "../../../../test/emulators/inlomax-emulator";
import { type SmePlugEmulator, startSmePlugEmulator } from "../../../../test/emulators/smeplug-emulator";
import { makeCtx } from "../../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../../test/helpers/db";
import { expectLedgerConsistent } from "../../../../test/helpers/ledger";
import {
  createBuyer,
  expectNoStrandedOrders,
  makeVtu,
  placeOrder,
  registryOf,
  sandboxPhone,
  seedCatalogue,
  TEST_PIN,
} from "../../../../test/helpers/vtu";
import { createInlomaxProvider } from "../../../providers/inlomax/client";
import { createSmePlugProvider } from "../../../providers/smeplug/client";
import type { ServiceContext } from "../../context";
import { getWalletBalance } from "../../wallet";
import { getOrder, requeryOrder, sweepDueOrders } from "..";
import type { VtuProvider } from "../provider";

/**
 * The order state machine against local servers speaking the Inlomax and SME Plug formats, through
 * the real HTTP clients. The emulators count every request and know what they really vended, so
 * "never failed over after unknown" and "never refunded what was vended" are counted, not assumed.
 */
let tdb: TestDatabase;
let ctx: ServiceContext;
let clock: Date;
let inlomax: InlomaxEmulator;
let smeplug: SmePlugEmulator;
let inlomaxClient: VtuProvider;
let smeplugClient: VtuProvider;

beforeAll(async () => {
  tdb = await createTestDatabase();
  clock = new Date();
  ctx = makeCtx(tdb.db, { now: () => clock });
  inlomax = await startInlomaxEmulator();
  smeplug = await startSmePlugEmulator();
  inlomax.setHangMs(600);
  smeplug.setHangMs(600);
  const timeouts = { purchaseTimeoutMs: 250, readTimeoutMs: 250 };
  inlomaxClient = createInlomaxProvider({ baseUrl: inlomax.url, apiKey: inlomax.apiKey, ...timeouts });
  smeplugClient = createSmePlugProvider({ baseUrl: smeplug.url, secretKey: smeplug.secretKey, ...timeouts });
  await seedCatalogue(ctx, registry());
});
afterAll(async () => {
  await inlomax?.close();
  await smeplug?.close();
  await tdb?.destroy();
});
beforeEach(() => {
  inlomax.resetModes();
  smeplug.resetModes();
  inlomax.setHangMs(600);
  smeplug.setHangMs(600);
});

function registry(overrides: { inlomax?: VtuProvider } = {}) {
  return registryOf({ provider: overrides.inlomax ?? inlomaxClient }, { provider: smeplugClient });
}

function advance(seconds: number) {
  clock = new Date(clock.getTime() + seconds * 1000);
}

async function buy(h: ReturnType<typeof makeVtu>, phone: string, balanceKobo = 100_000) {
  const user = await createBuyer(ctx, balanceKobo);
  const order = await placeOrder(
    ctx,
    h.vtu,
    user.id,
    { service: "airtime", input: { network: "mtn", phone, amountKobo: 50_000, pin: TEST_PIN } },
    `k-${phone}`,
  );
  return { user, order };
}

const purchasesAt = (
  emulator: { countRequests(f: { path: string; phone?: string; recipient?: string }): number },
  path: string,
  phone: string,
) => emulator.countRequests({ path, phone, recipient: phone } as never);

async function holdStatus(orderId: string) {
  const row = await tdb.db
    .selectFrom("vtu_orders as o")
    .innerJoin("holds as h", "h.id", "o.hold_id")
    .select(["h.status", "o.state"])
    .where("o.id", "=", orderId)
    .executeTakeFirstOrThrow();
  return row.status;
}

async function attemptsOf(orderId: string) {
  return tdb.db
    .selectFrom("vtu_attempts")
    .selectAll()
    .where("order_id", "=", orderId)
    .orderBy("attempt_no")
    .execute();
}

describe("Inlomax primary, SME Plug fallback", () => {
  it("delivers through Inlomax; SME Plug never hears of it", async () => {
    const h = makeVtu(ctx, registry());
    const phone = sandboxPhone();
    const { user, order } = await buy(h, phone);
    await h.drain();
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("delivered");
    expect(inlomax.vends.filter((v) => v.recipient === phone)).toHaveLength(1);
    expect(smeplug.countRequests({ phone })).toBe(0);
    await expectLedgerConsistent(tdb.db);
  });

  // P5 + P4: every way of not knowing becomes "unknown": never failed, never refunded, never sent on.
  const unknownModes: InlomaxMode[] = [
    "timeout_after_success",
    "timeout_before_processing",
    "http_500",
    "html_503",
    "garbage_json",
    "unknown_status",
    "empty_body",
  ];
  for (const mode of unknownModes) {
    it(`${mode}: funds stay held, no failover, no refund; without a reference it goes to manual review`, async () => {
      const h = makeVtu(ctx, registry());
      const phone = sandboxPhone();
      inlomax.setModeFor(phone, mode);
      const { user, order } = await buy(h, phone);
      await h.drain();
      advance(3600);
      await sweepDueOrders({ ctx, vtu: h.vtu });
      await h.drain();
      const after = await getOrder({ ctx, userId: user.id, orderId: order.id });
      // Inlomax returns no reference with these answers and has no client idempotency key: nobody can
      // ask about it automatically, so people reconcile it with the money still held.
      expect(after.state).toBe("manual_review");
      expect(await holdStatus(order.id)).toBe("pending");
      expect((await getWalletBalance({ ctx, userId: user.id })).heldKobo).toBe(order.priceKobo);
      expect(smeplug.countRequests({ phone })).toBe(0);
      expect(purchasesAt(inlomax, "/airtime", phone)).toBe(1);
      await expectLedgerConsistent(tdb.db);
    });
  }

  it("out of float at Inlomax: exactly one request to SME Plug, with a new request id as customer_reference", async () => {
    const h = makeVtu(ctx, registry());
    const phone = sandboxPhone();
    inlomax.setModeFor(phone, "out_of_float");
    const { user, order } = await buy(h, phone);
    await h.drain();
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("delivered");
    const attempts = await attemptsOf(order.id);
    expect(attempts.map((a) => [a.provider, a.state])).toEqual([
      ["inlomax", "failed"],
      ["smeplug", "delivered"],
    ]);
    const sent = smeplug.requests.filter((r) => (r.body as { phone?: string })?.phone === phone);
    expect(sent).toHaveLength(1);
    expect((sent[0]?.body as { customer_reference?: string } | undefined)?.customer_reference).toBe(
      attempts[1]?.request_id,
    );
    expect(attempts[1]?.request_id).not.toBe(attempts[0]?.request_id);
    await expectLedgerConsistent(tdb.db);
  });

  it("a definite failure that is not Inlomax's fault is refunded without failover", async () => {
    const h = makeVtu(ctx, registry());
    const phone = sandboxPhone();
    inlomax.setModeFor(phone, "failed");
    const { user, order } = await buy(h, phone);
    await h.drain();
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("failed");
    expect((await getWalletBalance({ ctx, userId: user.id })).balanceKobo).toBe(100_000);
    expect(smeplug.countRequests({ phone })).toBe(0);
    await expectLedgerConsistent(tdb.db);
  });

  it("P4: processing at Inlomax → SME Plug gets nothing until the requery says failed, then exactly one request", async () => {
    const h = makeVtu(ctx, registry());
    const phone = sandboxPhone();
    inlomax.setModeFor(phone, "processing_then_failed");
    inlomax.setRequeriesToResolve(2);
    const { user, order } = await buy(h, phone);
    await h.drain();
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("pending");
    await requeryOrder({ ctx, vtu: h.vtu, orderId: order.id });
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("pending");
    expect(smeplug.countRequests({ phone })).toBe(0);
    await requeryOrder({ ctx, vtu: h.vtu, orderId: order.id });
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("delivered");
    expect(smeplug.countRequests({ phone })).toBe(1);
    await expectLedgerConsistent(tdb.db);
  });

  it("P6: requerying a delivered order again and again writes nothing", async () => {
    const h = makeVtu(ctx, registry());
    const phone = sandboxPhone();
    inlomax.setModeFor(phone, "processing_then_success");
    const { user, order } = await buy(h, phone);
    await h.drain();
    await requeryOrder({ ctx, vtu: h.vtu, orderId: order.id });
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("delivered");
    const count = async () =>
      Number(
        (
          await tdb.db
            .selectFrom("postings")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    for (let i = 0; i < 3; i++) {
      await requeryOrder({ ctx, vtu: h.vtu, orderId: order.id });
      await requeryOrder({ ctx, vtu: h.vtu, orderId: order.id, includeDelivered: true });
    }
    expect(await count()).toBe(before);
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("delivered");
    await expectLedgerConsistent(tdb.db);
  });

  it("P7: processing then reversed → refunded once; a later requery changes nothing", async () => {
    const h = makeVtu(ctx, registry());
    const phone = sandboxPhone();
    inlomax.setModeFor(phone, "processing_then_reversed");
    const { user, order } = await buy(h, phone);
    await h.drain();
    await requeryOrder({ ctx, vtu: h.vtu, orderId: order.id });
    await requeryOrder({ ctx, vtu: h.vtu, orderId: order.id });
    const after = await getOrder({ ctx, userId: user.id, orderId: order.id });
    expect(after.state).toBe("failed");
    expect((await getWalletBalance({ ctx, userId: user.id })).balanceKobo).toBe(100_000);
    expect(smeplug.countRequests({ phone })).toBe(0);
    await expectLedgerConsistent(tdb.db);
  });

  it("P1: a worker that dies after committing the attempt never re-sends to a provider without idempotent request ids", async () => {
    // The first run "crashes" after the attempt row is committed, before any byte leaves.
    const crashing: VtuProvider = {
      ...inlomaxClient,
      buyAirtime: async () => {
        throw new Error("worker killed");
      },
    };
    const phone = sandboxPhone();
    const dying = makeVtu(ctx, registry({ inlomax: crashing }));
    const { user, order } = await buy(dying, phone);
    await expect(dying.drain()).rejects.toThrow("worker killed");
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("submitting");
    const [attempt] = await attemptsOf(order.id);
    expect(attempt?.state).toBe("submitting");

    // A healthy worker finds it once the lease is over.
    const h = makeVtu(ctx, registry());
    await sweepDueOrders({ ctx, vtu: h.vtu });
    await h.drain();
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("submitting"); // lease still held
    advance(ctx.config.VTU_SUBMIT_LEASE_SECONDS + 1);
    await sweepDueOrders({ ctx, vtu: h.vtu });
    await h.drain();
    const after = await getOrder({ ctx, userId: user.id, orderId: order.id });
    expect(after.state).toBe("manual_review");
    expect(purchasesAt(inlomax, "/airtime", phone)).toBe(0);
    expect(smeplug.countRequests({ phone })).toBe(0);
    expect(await holdStatus(order.id)).toBe("pending");
    await expectLedgerConsistent(tdb.db);
  });

  it("P2: an order can never have two attempts in flight", async () => {
    const h = makeVtu(ctx, registry());
    const phone = sandboxPhone();
    inlomax.setModeFor(phone, "processing_then_success");
    const { order } = await buy(h, phone);
    await h.drain();
    const [attempt] = await attemptsOf(order.id);
    await expect(
      tdb.db
        .insertInto("vtu_attempts")
        .values({
          order_id: order.id,
          attempt_no: 2,
          provider: "smeplug",
          provider_product_id: "1",
          request_id: `${attempt?.request_id}-dup`,
          state: "submitting",
        })
        .execute(),
    ).rejects.toThrow(/vtu_attempts_one_live/);
  });

  it("concurrent submit jobs for one order vend once", async () => {
    const h = makeVtu(ctx, registry());
    const phone = sandboxPhone();
    const { user, order } = await buy(h, phone);
    const job = h.queued[0];
    expect(job?.name).toBe("submit-order");
    await Promise.all(Array.from({ length: 8 }, () => h.runJob({ name: "submit-order", orderId: order.id })));
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("delivered");
    expect(purchasesAt(inlomax, "/airtime", phone)).toBe(1);
    await expectLedgerConsistent(tdb.db);
  });

  it("the sweeper leaves nothing stranded", async () => {
    await expectNoStrandedOrders(ctx);
  });
});
