import { randomInt } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCtx } from "../../../../test/helpers/context";
import { countingDb } from "../../../../test/helpers/counting-db";
import { createTestDatabase, type TestDatabase } from "../../../../test/helpers/db";
import { createTestUser } from "../../../../test/helpers/fixtures";
import { expectLedgerConsistent } from "../../../../test/helpers/ledger";
import {
  createBuyer,
  makeVtu,
  sandboxPhone,
  sandboxRegistry,
  seedCatalogue,
  TEST_PIN,
} from "../../../../test/helpers/vtu";
import type { ServiceContext } from "../../context";
import { ServiceError } from "../../errors";
import { getWalletBalance } from "../../wallet";
import { claimGift, closeExpiredRooms, closeRoom, createGiftRoom, type GiftRoomDto } from "..";
import { ClaimGate } from "../claim-gate";

/**
 * Gift rooms on a real PostgreSQL with real concurrent connections: R1 (never past capacity), R2 (one
 * claim per number/device/account), R3 (escrow + claims = funded), R8 (expiry racing claims), R9 (a
 * naive select-then-update claim fails the same check).
 */
let tdb: TestDatabase;
let ctx: ServiceContext;
let harness: ReturnType<typeof makeVtu>;

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 40 });
  ctx = makeCtx(tdb.db);
  harness = makeVtu(ctx, sandboxRegistry(ctx));
  await seedCatalogue(ctx, harness.vtu.providers);
});
afterAll(() => tdb.destroy());

let keys = 0;
async function room(
  input: Partial<Parameters<typeof createGiftRoom>[0]["input"]> & { capacity: number },
  fundKobo = 10_000_000,
) {
  const creator = await createBuyer(ctx, fundKobo);
  const { room } = await createGiftRoom({
    ctx,
    userId: creator.id,
    idempotencyKey: `room-${++keys}`,
    input: { kind: "airtime", amountKobo: 10_000, pin: TEST_PIN, ...input },
  });
  return { creator, room };
}

let devices = 0;
const claimant = () => ({ deviceHash: `dev-${++devices}`, ip: `10.0.${devices % 250}.${devices % 200}` });
/**
 * Each claim through a gate of its own, as if every claimant reached a different API process: the
 * database alone decides (R1, R2), as it must. The storm test below uses one shared gate.
 */
const claim = (
  r: GiftRoomDto,
  phone: string,
  extra: { answer?: string; deviceHash?: string; gate?: ClaimGate; ctx?: ServiceContext } = {},
) =>
  claimGift({
    ctx: extra.ctx ?? ctx,
    vtu: harness.vtu,
    input: { token: r.token, phone, network: "mtn", answer: extra.answer },
    claimant: { ...claimant(), ...(extra.deviceHash ? { deviceHash: extra.deviceHash } : {}) },
    gate: extra.gate ?? new ClaimGate(),
  });
const codeOf = (r: PromiseSettledResult<unknown>) =>
  r.status === "rejected" ? (r.reason instanceof ServiceError ? r.reason.code : String(r.reason)) : "ok";

async function escrow(r: GiftRoomDto) {
  const row = await tdb.db
    .selectFrom("gift_rooms as g")
    .innerJoin("accounts as a", "a.id", "g.escrow_account_id")
    .select(["a.balance", "a.held", "g.claimed"])
    .where("g.id", "=", r.id)
    .executeTakeFirstOrThrow();
  return row;
}

async function claimsOf(r: GiftRoomDto) {
  return tdb.db.selectFrom("gift_claims").selectAll().where("room_id", "=", r.id).execute();
}

describe("gift rooms: create", () => {
  it("moves capacity × price into the room's escrow in one entry, once per idempotency key", async () => {
    const creator = await createBuyer(ctx, 1_000_000);
    const input = {
      kind: "airtime" as const,
      amountKobo: 20_000,
      capacity: 5,
      pin: TEST_PIN,
      message: "Happy new month!",
    };
    const first = await createGiftRoom({ ctx, userId: creator.id, idempotencyKey: "room-x", input });
    const again = await createGiftRoom({ ctx, userId: creator.id, idempotencyKey: "room-x", input });
    expect(again.replayed).toBe(true);
    expect(again.room.id).toBe(first.room.id);
    expect(first.room.escrowKobo).toBe(100_000);
    expect(first.room.token).toMatch(/^[A-Za-z0-9_-]{32}$/); // 24 random bytes = 192 bits
    expect((await getWalletBalance({ ctx, userId: creator.id })).balanceKobo).toBe(900_000);
    await expectLedgerConsistent(tdb.db);
  });

  it("refuses what it cannot honour with a clear reason", async () => {
    const creator = await createBuyer(ctx, 100_000);
    const make = (input: object) =>
      createGiftRoom({
        ctx,
        userId: creator.id,
        idempotencyKey: `bad-${++keys}`,
        input: { pin: TEST_PIN, ...input } as never,
      });
    await expect(make({ kind: "airtime", amountKobo: 10_000, capacity: 50 })).rejects.toMatchObject({
      code: "INSUFFICIENT_FUNDS",
    });
    await expect(make({ kind: "airtime", capacity: 2 })).rejects.toThrow(/amountKobo/);
    await expect(make({ kind: "airtime", amountKobo: 10_000, capacity: 2, mode: "quiz" })).rejects.toThrow(
      /quiz/,
    );
    await expect(make({ kind: "airtime", amountKobo: 10_000, capacity: 100_000 })).rejects.toThrow(
      /capacity/,
    );
    await expect(make({ kind: "airtime", amountKobo: 10_050, capacity: 2 })).rejects.toMatchObject({
      code: "AMOUNT_NOT_WHOLE_NAIRA",
    });
    expect((await getWalletBalance({ ctx, userId: creator.id })).balanceKobo).toBe(100_000);
  });
});

describe("gift rooms: claims under concurrency", () => {
  it("R1 + R3: 500 concurrent claims from distinct numbers on a room of 20 → exactly 20, exact escrow", async () => {
    const { room: r } = await room({ capacity: 20 });
    const results = await Promise.allSettled(
      Array.from({ length: 500 }, (_, i) => claim(r, `0803${String(2_001_000 + i).padStart(7, "0")}`)),
    );
    expect(results.filter((x) => x.status === "fulfilled")).toHaveLength(20);
    expect(new Set(results.filter((x) => x.status === "rejected").map(codeOf))).toEqual(
      new Set(["ROOM_FULL"]),
    );
    const claims = await claimsOf(r);
    expect(claims).toHaveLength(20);
    const e = await escrow(r);
    expect(e.claimed).toBe(20);
    // Held for the twenty orders, nothing spent yet: escrow balance is still the funded amount.
    expect(e.balance).toBe(200_000);
    const orders = await tdb.db
      .selectFrom("vtu_orders")
      .select("price_kobo")
      .where(
        "id",
        "in",
        claims.map((c) => c.order_id ?? ""),
      )
      .execute();
    expect(e.held).toBe(orders.reduce((n, o) => n + o.price_kobo, 0));
    await harness.drain();
    const after = await escrow(r);
    const delivered = await tdb.db
      .selectFrom("vtu_orders")
      .select(["price_kobo", "state"])
      .where(
        "id",
        "in",
        claims.map((c) => c.order_id ?? ""),
      )
      .execute();
    expect(delivered.every((o) => o.state === "delivered")).toBe(true);
    expect(after.balance + delivered.reduce((n, o) => n + o.price_kobo, 0)).toBe(200_000);
    await expectLedgerConsistent(tdb.db);
  });

  it("a storm through one process's gate asks the database only as fast as the room has slots", async () => {
    const { room: r } = await room({ capacity: 10 });
    const counting = countingDb(tdb.url, { poolSize: 20 });
    const gate = new ClaimGate();
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 300 }, (_, i) =>
          claim(r, `0803${String(2_101_000 + i).padStart(7, "0")}`, {
            gate,
            ctx: { ...ctx, db: counting.db },
          }),
        ),
      );
      expect(results.filter((x) => x.status === "fulfilled")).toHaveLength(10);
      expect(new Set(results.filter((x) => x.status === "rejected").map(codeOf))).toEqual(
        new Set(["ROOM_FULL"]),
      );
      // One shared read of the room, ten slots taken (one call each); nobody else reached the database.
      const roomReads = counting.sent.filter((q) => /from "gift_rooms"/.test(q) && /"token" =/.test(q));
      const slotUpdates = counting.sent.filter((q) => /gift_claim_order\(/.test(q));
      expect(roomReads).toHaveLength(1);
      expect(slotUpdates.length).toBeGreaterThanOrEqual(10);
      expect(slotUpdates.length).toBeLessThanOrEqual(11);
      expect(gate.size).toBe(0);
      expect((await escrow(r)).claimed).toBe(10);
    } finally {
      await counting.db.destroy();
    }
    await expectLedgerConsistent(tdb.db);
  });

  it("R1 across processes: 300 claims through three gates on a room of 15 → exactly 15", async () => {
    const { room: r } = await room({ capacity: 15 });
    const gates = [new ClaimGate(), new ClaimGate(), new ClaimGate()];
    const results = await Promise.allSettled(
      Array.from({ length: 300 }, (_, i) =>
        claim(r, `0803${String(2_201_000 + i).padStart(7, "0")}`, { gate: gates[i % 3] }),
      ),
    );
    expect(results.filter((x) => x.status === "fulfilled")).toHaveLength(15);
    expect(new Set(results.filter((x) => x.status === "rejected").map(codeOf))).toEqual(
      new Set(["ROOM_FULL"]),
    );
    expect(await claimsOf(r)).toHaveLength(15);
    await expectLedgerConsistent(tdb.db);
  });

  it("R2: one number 50× concurrently (from 50 devices) → one claim", async () => {
    const { room: r } = await room({ capacity: 20 });
    const phone = sandboxPhone();
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => claim(r, phone)));
    expect(results.filter((x) => x.status === "fulfilled")).toHaveLength(1);
    expect(new Set(results.filter((x) => x.status === "rejected").map(codeOf))).toEqual(
      new Set(["ALREADY_CLAIMED"]),
    );
    expect((await escrow(r)).claimed).toBe(1);
    // One device cannot claim for a second number either.
    await claim(r, sandboxPhone(), { deviceHash: "shared-device" });
    await expect(claim(r, sandboxPhone(), { deviceHash: "shared-device" })).rejects.toMatchObject({
      code: "ALREADY_CLAIMED",
    });
    await harness.drain();
    await expectLedgerConsistent(tdb.db);
  });

  it("R9: a naive select-then-update claim over-allocates under the same load (the check can fail)", async () => {
    const { room: r } = await room({ capacity: 5 });
    const naiveClaim = async (phone: string) =>
      tdb.db.transaction().execute(async (trx) => {
        const current = await trx
          .selectFrom("gift_rooms")
          .select(["claimed", "capacity"])
          .where("id", "=", r.id)
          .executeTakeFirstOrThrow();
        if (current.claimed >= current.capacity) {
          throw new Error("full");
        }
        await new Promise((resolve) => setTimeout(resolve, randomInt(5)));
        await trx
          .updateTable("gift_rooms")
          .set({ claimed: current.claimed + 1 })
          .where("id", "=", r.id)
          .execute();
        await trx
          .insertInto("gift_claims")
          .values({ room_id: r.id, recipient_msisdn: phone, device_hash: phone, state: "ordered" })
          .execute();
      });
    await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) => naiveClaim(`0806${String(3_001_000 + i).padStart(7, "0")}`)),
    );
    // The invariant the real claim keeps (claims ≤ capacity) is broken by the naive one.
    expect((await claimsOf(r)).length).toBeGreaterThan(5);
    // Clean up the deliberately broken room so later ledger checks see only real money paths.
    await tdb.db.deleteFrom("gift_claims").where("room_id", "=", r.id).execute();
    await tdb.db.updateTable("gift_rooms").set({ claimed: 0 }).where("id", "=", r.id).execute();
  });

  it("R8: expiry racing claims: nothing claimed after the close, the remainder returns exactly once", async () => {
    const { creator, room: r } = await room({ capacity: 30 });
    const before = (await getWalletBalance({ ctx, userId: creator.id })).balanceKobo;
    const claims = Array.from({ length: 40 }, (_, i) =>
      claim(r, `0813${String(4_001_000 + i).padStart(7, "0")}`),
    );
    const closes = [closeRoom(ctx, r.id, "expired"), closeRoom(ctx, r.id, "expired")];
    const [claimResults, closeResults] = await Promise.all([Promise.allSettled(claims), Promise.all(closes)]);
    expect(closeResults.filter((c) => c.closed)).toHaveLength(1);
    const won = claimResults.filter((x) => x.status === "fulfilled").length;
    expect(new Set(claimResults.filter((x) => x.status === "rejected").map(codeOf))).toEqual(
      new Set(["ROOM_CLOSED"]),
    );
    const rows = await claimsOf(r);
    expect(rows).toHaveLength(won);
    const closedAt = (
      await tdb.db
        .selectFrom("gift_rooms")
        .select("closed_at")
        .where("id", "=", r.id)
        .executeTakeFirstOrThrow()
    ).closed_at;
    expect(rows.every((c) => closedAt && c.created_at <= closedAt)).toBe(true);
    const refunded = closeResults.reduce((n, c) => n + c.refundedKobo, 0);
    const e = await escrow(r);
    // What came back + what is held for the claims that won = what was funded.
    expect(refunded + e.held).toBe(300_000);
    expect((await getWalletBalance({ ctx, userId: creator.id })).balanceKobo).toBe(before + refunded);
    await harness.drain();
    expect((await closeRoom(ctx, r.id, "expired")).closed).toBe(false);
    await expectLedgerConsistent(tdb.db);
  });
});

describe("gift rooms: modes and kinds", () => {
  it("quiz: a wrong answer takes no slot; the right one (any case and spacing) claims", async () => {
    const { room: r } = await room({
      capacity: 2,
      mode: "quiz",
      quiz: { question: "Capital of Nigeria?", answers: ["Abuja"] },
    });
    await expect(claim(r, sandboxPhone(), { answer: "Lagos" })).rejects.toMatchObject({
      code: "WRONG_ANSWER",
    });
    expect((await escrow(r)).claimed).toBe(0);
    await expect(claim(r, sandboxPhone(), { answer: "  aBUJA " })).resolves.toMatchObject({
      state: "ordered",
    });
    await harness.drain();
    await expectLedgerConsistent(tdb.db);
  });

  it("cash: credits a registered number's wallet; an unregistered one is invited to sign up first", async () => {
    const { room: r } = await room({ capacity: 3, kind: "cash", amountKobo: 50_000 });
    const friend = await createTestUser(tdb.db);
    const result = await claim(r, friend.phone ?? "");
    expect(result).toMatchObject({ state: "credited", amountKobo: 50_000 });
    expect((await getWalletBalance({ ctx, userId: friend.id })).balanceKobo).toBe(50_000);
    await expect(claim(r, "08129999999")).rejects.toMatchObject({ code: "SIGNUP_REQUIRED" });
    expect((await escrow(r)).claimed).toBe(1);
    await expectLedgerConsistent(tdb.db);
  });

  it("a gift whose vend fails for good frees its slot, and the money stays in the room", async () => {
    const { room: r } = await room({ capacity: 1 });
    await claim(r, sandboxPhone("0001")); // the sandbox's "fails" scenario
    await harness.drain();
    const e = await escrow(r);
    expect(e).toMatchObject({ claimed: 0, held: 0, balance: 10_000 });
    await expect(claim(r, sandboxPhone())).resolves.toMatchObject({ state: "ordered" });
    await harness.drain();
    await expectLedgerConsistent(tdb.db);
  });

  it("the expiry job closes rooms past their time and refunds what is left", async () => {
    const { creator, room: r } = await room({ capacity: 4 });
    await claim(r, sandboxPhone());
    await harness.drain();
    const later = { ...ctx, now: () => new Date(Date.now() + 25 * 3_600_000) };
    expect(await closeExpiredRooms(later)).toBeGreaterThanOrEqual(1);
    const e = await escrow(r);
    expect(e.balance).toBe(0);
    const notes = await tdb.db
      .selectFrom("notifications")
      .select("kind")
      .where("user_id", "=", creator.id)
      .execute();
    expect(notes.map((n) => n.kind)).toEqual(expect.arrayContaining(["gift.claimed", "gift.room_closed"]));
    await expect(
      claimGift({
        ctx: later,
        vtu: harness.vtu,
        input: { token: r.token, phone: sandboxPhone(), network: "mtn" },
        claimant: claimant(),
      }),
    ).rejects.toMatchObject({ code: "ROOM_CLOSED" });
    await expectLedgerConsistent(tdb.db);
  });
});
