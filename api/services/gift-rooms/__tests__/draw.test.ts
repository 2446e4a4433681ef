import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCtx } from "../../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../../test/helpers/db";
import { expectLedgerConsistent } from "../../../../test/helpers/ledger";
import { createBuyer, makeVtu, sandboxRegistry, seedCatalogue, TEST_PIN } from "../../../../test/helpers/vtu";
import type { ServiceContext } from "../../context";
import { getWalletBalance } from "../../wallet";
import { createGiftRoom, drawDueRooms, drawOrder, type GiftRoomDto, joinDraw, runDraw } from "..";

/** Random draws: entries until the draw time, a CSPRNG draw that can be audited, winners paid once. */
let tdb: TestDatabase;
let ctx: ServiceContext;
let harness: ReturnType<typeof makeVtu>;
beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 20 });
  ctx = makeCtx(tdb.db);
  harness = makeVtu(ctx, sandboxRegistry(ctx));
  await seedCatalogue(ctx, harness.vtu.providers);
});
afterAll(() => tdb.destroy());

const later = (minutes: number): ServiceContext => ({
  ...ctx,
  now: () => new Date(Date.now() + minutes * 60_000),
});
let keys = 0;
let devices = 0;
async function drawRoom(capacity: number) {
  const creator = await createBuyer(ctx, 10_000_000);
  const { room } = await createGiftRoom({
    ctx,
    userId: creator.id,
    idempotencyKey: `draw-${++keys}`,
    input: {
      kind: "airtime",
      amountKobo: 10_000,
      capacity,
      mode: "random_draw",
      drawAt: new Date(Date.now() + 60_000).toISOString(),
      pin: TEST_PIN,
    },
  });
  return { creator, room };
}
const join = (r: GiftRoomDto, i: number, c = ctx) =>
  joinDraw({
    ctx: c,
    vtu: harness.vtu,
    input: { token: r.token, phone: `0803${String(5_001_000 + i).padStart(7, "0")}`, network: "mtn" },
    claimant: { deviceHash: `draw-dev-${++devices}`, ip: "10.1.1.1" },
  });

describe("random draw", () => {
  it("draws exactly capacity winners with a recorded seed anyone can re-check, pays them once, refunds the rest", async () => {
    const { creator, room: r } = await drawRoom(5);
    for (let i = 0; i < 12; i++) {
      await join(r, i);
    }
    await expect(join(r, 3)).rejects.toMatchObject({ code: "ALREADY_JOINED" });
    expect((await runDraw({ ctx, vtu: harness.vtu, roomId: r.id })).drawn).toBe(false); // not time yet
    const result = await runDraw({ ctx: later(2), vtu: harness.vtu, roomId: r.id });
    expect(result).toEqual({ drawn: true, winners: 5, participants: 12 });
    expect((await runDraw({ ctx: later(3), vtu: harness.vtu, roomId: r.id })).drawn).toBe(false); // once
    const record = await tdb.db
      .selectFrom("gift_draws")
      .selectAll()
      .where("room_id", "=", r.id)
      .executeTakeFirstOrThrow();
    const participants = record.participants as { entryId: number }[];
    expect(
      drawOrder(
        record.seed_hex,
        participants.map((p) => p.entryId),
      ).slice(0, 5),
    ).toEqual(record.winners);
    const entries = await tdb.db
      .selectFrom("gift_draw_entries")
      .select("outcome")
      .where("room_id", "=", r.id)
      .execute();
    expect(entries.filter((e) => e.outcome === "won")).toHaveLength(5);
    expect(entries.filter((e) => e.outcome === "lost")).toHaveLength(7);
    await expect(join(r, 99, later(4))).rejects.toMatchObject({ code: "DRAW_CLOSED" });
    await harness.drain();
    const claims = await tdb.db
      .selectFrom("gift_claims")
      .select("order_id")
      .where("room_id", "=", r.id)
      .execute();
    expect(claims).toHaveLength(5);
    const notes = await tdb.db
      .selectFrom("notifications")
      .select("kind")
      .where("user_id", "=", creator.id)
      .execute();
    expect(notes.map((n) => n.kind)).toContain("gift.drawn");
    await expectLedgerConsistent(tdb.db);
  });

  it("fewer participants than gifts: all win, the unused gifts go back to the creator", async () => {
    const { creator, room: r } = await drawRoom(4);
    await join(r, 100);
    const before = (await getWalletBalance({ ctx, userId: creator.id })).balanceKobo;
    expect(await drawDueRooms(later(2), harness.vtu)).toBeGreaterThanOrEqual(1);
    const [claim] = await tdb.db
      .selectFrom("gift_claims as c")
      .innerJoin("vtu_orders as o", "o.id", "c.order_id")
      .select("o.price_kobo")
      .where("c.room_id", "=", r.id)
      .execute();
    // Everything but the one winner's order comes back (its airtime discount included).
    expect((await getWalletBalance({ ctx, userId: creator.id })).balanceKobo).toBe(
      before + 40_000 - (claim?.price_kobo ?? 0),
    );
    await harness.drain();
    await expectLedgerConsistent(tdb.db);
  });

  it("fairness sanity: over many draws of 1 gift among 3, every participant wins sometimes", async () => {
    const order = [1, 2, 3];
    const wins = new Map<number, number>();
    for (let i = 0; i < 90; i++) {
      const seed = (await import("node:crypto")).randomBytes(32).toString("hex");
      const first = drawOrder(seed, order)[0] ?? 0;
      wins.set(first, (wins.get(first) ?? 0) + 1);
    }
    expect([...wins.keys()].sort()).toEqual([1, 2, 3]);
    for (const count of wins.values()) {
      expect(count).toBeGreaterThan(10); // expected 30 each; below 10 is vanishingly unlikely if fair
    }
  });
});
