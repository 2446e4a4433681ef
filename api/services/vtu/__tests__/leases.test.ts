import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCtx } from "../../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../../test/helpers/db";
import { expectLedgerConsistent } from "../../../../test/helpers/ledger";
import {
  createBuyer,
  makeVtu,
  placeOrder,
  sandboxPhone,
  sandboxRegistry,
  seedCatalogue,
  TEST_PIN,
} from "../../../../test/helpers/vtu";
import type { ServiceContext } from "../../context";
import { endBoot, registerBoot } from "../../processes";
import { getOrder, sweepDueOrders } from "..";
import type { ProviderRegistry } from "../registry";

/**
 * Leases and heartbeats (issue 13, item 7): an order inside a provider call is leased to the boot of
 * the process making the call. The sweeper leaves a live boot's lease alone however often it runs,
 * and takes it over at once when that boot ended, was replaced by a restart of its instance, or
 * stopped beating. The sandbox honours request ids, so the takeover re-sends the same one.
 */
let tdb: TestDatabase;
let ctx: ServiceContext;
let registry: ProviderRegistry;

beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db);
  registry = sandboxRegistry(ctx);
  await seedCatalogue(ctx, registry);
});
afterAll(() => tdb?.destroy());

/** An order left `submitting` by `owner`, as a process killed inside the provider call leaves it. */
async function leftInFlightBy(owner: string) {
  const crashing = {
    all: () => registry.all(),
    get: (code: string) => {
      const provider = registry.get(code);
      return provider
        ? {
            ...provider,
            buyAirtime: async () => {
              throw new Error("killed inside the provider call");
            },
          }
        : undefined;
    },
  } as ProviderRegistry;
  const dying = makeVtu(ctx, crashing);
  dying.vtu.owner = owner;
  const user = await createBuyer(ctx, 100_000);
  const order = await placeOrder(ctx, dying.vtu, user.id, {
    service: "airtime",
    input: { network: "mtn", phone: sandboxPhone(), amountKobo: 10_000, pin: TEST_PIN },
  });
  await expect(dying.drain()).rejects.toThrow("killed");
  const row = await tdb.db
    .selectFrom("vtu_orders")
    .select(["state", "lease_owner", "next_check_at"])
    .where("id", "=", order.id)
    .executeTakeFirstOrThrow();
  expect(row).toMatchObject({ state: "submitting", lease_owner: owner });
  expect(row.next_check_at?.getTime()).toBeGreaterThan(Date.now() + 60_000); // the 120 s lease
  return { user, order };
}

function survivor() {
  const h = makeVtu(ctx, registry);
  h.vtu.owner = "boot_survivor";
  return h;
}

describe("leases follow the process that holds them", () => {
  it("a live boot's lease is left alone; once it ends, the next sweep takes the order over", async () => {
    const boot = await registerBoot(ctx, { role: "worker" });
    const { user, order } = await leftInFlightBy(boot.bootId);
    const h = survivor();
    for (let i = 0; i < 3; i++) {
      await sweepDueOrders({ ctx, vtu: h.vtu });
    }
    expect(h.dispatched).toEqual([]);

    await endBoot(tdb.db, boot.bootId);
    await sweepDueOrders({ ctx, vtu: h.vtu });
    expect(h.dispatched).toEqual([expect.objectContaining({ name: "submit-order", orderId: order.id })]);
    await h.drain();
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("delivered");
    await expectLedgerConsistent(tdb.db);
  });

  it("a restart of the same instance ends the earlier boot: its leases are taken over at once", async () => {
    const before = await registerBoot(ctx, { role: "all", instanceId: "embedded:/srv/tada/.data" });
    const { user, order } = await leftInFlightBy(before.bootId);
    await registerBoot(ctx, { role: "all", instanceId: "embedded:/srv/tada/.data" });
    const h = survivor();
    await sweepDueOrders({ ctx, vtu: h.vtu });
    await h.drain();
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("delivered");
    // Another instance's boot is untouched.
    const other = await registerBoot(ctx, { role: "worker", instanceId: "worker-2" });
    await registerBoot(ctx, { role: "all", instanceId: "embedded:/srv/tada/.data" });
    const row = await tdb.db
      .selectFrom("process_boots")
      .select("ended_at")
      .where("boot_id", "=", other.bootId)
      .executeTakeFirstOrThrow();
    expect(row.ended_at).toBeNull();
  });

  it("a boot that stopped beating for PROCESS_DEAD_AFTER_SECONDS loses its leases", async () => {
    const boot = await registerBoot(ctx, { role: "worker" });
    const { user, order } = await leftInFlightBy(boot.bootId);
    const h = survivor();
    await sweepDueOrders({ ctx, vtu: h.vtu });
    expect(h.dispatched).toEqual([]);
    await tdb.db
      .updateTable("process_boots")
      .set({
        beat_at: sql`now() - make_interval(secs => ${ctx.config.PROCESS_DEAD_AFTER_SECONDS + 1})`,
      })
      .where("boot_id", "=", boot.bootId)
      .execute();
    await sweepDueOrders({ ctx, vtu: h.vtu });
    await h.drain();
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("delivered");
    const vends = await tdb.db
      .selectFrom("sandbox_vtu_transactions as t")
      .innerJoin("vtu_attempts as a", "a.request_id", "t.request_id")
      .select("t.request_id")
      .where("a.order_id", "=", order.id)
      .execute();
    expect(vends).toHaveLength(1);
    await expectLedgerConsistent(tdb.db);
  });

  it("a held order whose submit job died with the process that was to dispatch it is sent at once", async () => {
    const boot = await registerBoot(ctx, { role: "all" });
    const lost = makeVtu(ctx, registry); // its queue dies with it: the job never runs
    lost.vtu.owner = boot.bootId;
    const user = await createBuyer(ctx, 100_000);
    const order = await placeOrder(ctx, lost.vtu, user.id, {
      service: "airtime",
      input: { network: "mtn", phone: sandboxPhone(), amountKobo: 10_000, pin: TEST_PIN },
    });
    expect(order.state).toBe("held");
    const h = survivor();
    await sweepDueOrders({ ctx, vtu: h.vtu });
    expect(h.dispatched).toEqual([]); // its dispatcher is alive: its job is coming
    await endBoot(tdb.db, boot.bootId);
    await sweepDueOrders({ ctx, vtu: h.vtu });
    await h.drain();
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("delivered");
    await expectLedgerConsistent(tdb.db);
  });

  it("when the queue refuses jobs, the sweeper runs the order work itself", async () => {
    const boot = await registerBoot(ctx, { role: "worker" });
    const { user, order } = await leftInFlightBy(boot.bootId);
    await endBoot(tdb.db, boot.bootId);
    const h = survivor();
    h.vtu.dispatch = async () => {
      throw new Error("the job queue did not accept the job within 2000 ms");
    };
    const inline: string[] = [];
    await sweepDueOrders({
      ctx,
      vtu: h.vtu,
      runInline: async (job) => {
        inline.push(job.orderId);
        await h.runJob(job);
      },
    });
    expect(inline).toContain(order.id);
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("delivered");
    await expectLedgerConsistent(tdb.db);
  });
});
