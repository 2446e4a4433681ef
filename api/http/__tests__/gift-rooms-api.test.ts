import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCtx, testConfig } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { uniquePhone } from "../../../test/helpers/fixtures";
import {
  call,
  expectErrorEnvelope,
  makeTestApp,
  registerAndLogin,
  type TestApp,
} from "../../../test/helpers/http";
import { expectLedgerConsistent } from "../../../test/helpers/ledger";
import { makeVtu, sandboxPhone, sandboxRegistry, seedCatalogue, TEST_PIN } from "../../../test/helpers/vtu";

/** /api/gift-rooms through the real app: create (signed in, idempotent), the public side, close. */
const config = testConfig({ AUTH_RATE_LIMIT_PER_MINUTE: "1000", GIFT_CLAIMS_PER_MINUTE_PER_IP: "100000" });
let tdb: TestDatabase;
let app: TestApp;
let harness: ReturnType<typeof makeVtu>;

beforeAll(async () => {
  tdb = await createTestDatabase();
  const ctx = makeCtx(tdb.db, { config });
  const providers = sandboxRegistry(ctx);
  await seedCatalogue(ctx, providers);
  harness = makeVtu(ctx, providers);
  app = makeTestApp(tdb.db, { config, vtu: harness.vtu }).app;
});
afterAll(async () => {
  await harness.drain();
  await expectLedgerConsistent(tdb.db);
  await tdb.destroy();
});

async function creator(fundKobo: number) {
  const token = await registerAndLogin(app, uniquePhone());
  expect((await call(app, "POST", "/api/auth/pin", { token, body: { pin: TEST_PIN } })).status).toBe(200);
  expect(
    (await call(app, "POST", "/api/sandbox/fund", { token, body: { amountKobo: fundKobo } })).status,
  ).toBe(200);
  return token;
}

const roomBody = {
  kind: "airtime",
  amountKobo: 10_000,
  capacity: 3,
  message: "For the family",
  pin: TEST_PIN,
};

describe("/api/gift-rooms", () => {
  it("creates a room once per Idempotency-Key and refuses what it should", async () => {
    const token = await creator(100_000);
    expectErrorEnvelope(
      await call(app, "POST", "/api/gift-rooms/create", { token, body: roomBody }),
      400,
      "IDEMPOTENCY_KEY_REQUIRED",
    );
    expectErrorEnvelope(
      await call(app, "POST", "/api/gift-rooms/create", {
        body: roomBody,
        headers: { "idempotency-key": "k1" },
      }),
      401,
      "UNAUTHENTICATED",
    );
    expectErrorEnvelope(
      await call(app, "POST", "/api/gift-rooms/create", {
        token,
        body: { ...roomBody, claimed: 0 },
        headers: { "idempotency-key": "k0" },
      }),
      400,
      "VALIDATION_ERROR",
    );
    const first = await call(app, "POST", "/api/gift-rooms/create", {
      token,
      body: roomBody,
      headers: { "idempotency-key": "k1" },
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.data.room).toMatchObject({
      capacity: 3,
      claimed: 0,
      escrowKobo: 30_000,
      state: "open",
    });
    expect(first.body.data.room.link).toMatch(/\/gift\/[A-Za-z0-9_-]{32}$/);
    const again = await call(app, "POST", "/api/gift-rooms/create", {
      token,
      body: roomBody,
      headers: { "idempotency-key": "k1" },
    });
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body.data.room.id).toBe(first.body.data.room.id);
    const mine = await call(app, "GET", "/api/gift-rooms/my-rooms", { token });
    expect(mine.body.data.rooms).toHaveLength(1);
  });

  it("a cash gift is at least ₦50, in whole naira (DECISIONS §80)", async () => {
    const token = await creator(100_000);
    const cash = (amountKobo: number, key: string) =>
      call(app, "POST", "/api/gift-rooms/create", {
        token,
        body: { ...roomBody, kind: "cash", amountKobo, capacity: 2 },
        headers: { "idempotency-key": key },
      });
    const tiny = await cash(1, "cash-1");
    expectErrorEnvelope(tiny, 400, "AMOUNT_OUT_OF_RANGE");
    expect(tiny.body.error).toBe(
      "amountKobo: a cash gift is at least ₦50 each (amountKobo 5000); ₦0.01 is less.",
    );
    expect(tiny.body.details).toEqual({ field: "amountKobo", minKobo: 5_000 });
    expectErrorEnvelope(await cash(5_050, "cash-2"), 400, "AMOUNT_NOT_WHOLE_NAIRA");
    const balance = await call(app, "GET", "/api/wallet/balance", { token });
    expect(balance.body.data.balanceKobo).toBe(100_000); // nothing was taken
    const fifty = await cash(5_000, "cash-3");
    expect(fifty.status, JSON.stringify(fifty.body)).toBe(201);
    expect(fifty.body.data.room).toMatchObject({ kind: "cash", amountKobo: 5_000, escrowKobo: 10_000 });
  });

  it("anyone with the link sees the room (never the recipients), claims once, and the creator can close it", async () => {
    const token = await creator(100_000);
    const created = await call(app, "POST", "/api/gift-rooms/create", {
      token,
      body: roomBody,
      headers: { "idempotency-key": "k2" },
    });
    const room = created.body.data.room;
    const phone = sandboxPhone();
    const claim = await call(app, "POST", "/api/gift-rooms/claim", {
      body: { token: room.token, phone, network: "mtn" },
      headers: { "x-device-id": "phone-a" },
    });
    expect(claim.status, JSON.stringify(claim.body)).toBe(201);
    expect(claim.body.data.claim).toMatchObject({ state: "ordered", recipient: phone });
    expectErrorEnvelope(
      await call(app, "POST", "/api/gift-rooms/claim", {
        body: { token: room.token, phone, network: "mtn" },
        headers: { "x-device-id": "phone-b" },
      }),
      409,
      "ALREADY_CLAIMED",
    );
    const publicRoom = await call(app, "GET", `/api/gift-rooms/${room.token}`);
    expect(publicRoom.status).toBe(200);
    expect(publicRoom.body.data.room).toMatchObject({
      kind: "airtime",
      amountKobo: 10_000,
      message: "For the family",
      mode: "first_come",
    });
    expect(JSON.stringify(publicRoom.body)).not.toContain(phone);
    expect(JSON.stringify(publicRoom.body)).not.toMatch(/claimed|capacity|escrow/);
    expectErrorEnvelope(
      await call(app, "GET", "/api/gift-rooms/not-a-real-token-at-all-000000"),
      404,
      "NOT_FOUND",
    );
    expectErrorEnvelope(
      await call(app, "POST", "/api/gift-rooms/join", { body: { token: room.token, phone: sandboxPhone() } }),
      409,
      "NOT_A_DRAW",
    );
    await harness.drain();
    const closed = await call(app, "POST", `/api/gift-rooms/${room.id}/close`, { token });
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body.data).toMatchObject({ closed: true, room: { state: "closed", claimed: 1 } });
    expect(closed.body.data.refundedKobo).toBeGreaterThan(20_000);
    const other = await creator(10_000);
    expectErrorEnvelope(
      await call(app, "POST", `/api/gift-rooms/${room.id}/close`, { token: other }),
      404,
      "NOT_FOUND",
    );
  });

  it("lists your rooms a page at a time, lets anyone join a draw, and ties a signed-in claim to the account", async () => {
    const token = await creator(200_000);
    const ids: string[] = [];
    for (const key of ["m-1", "m-2", "m-3"]) {
      const made = await call(app, "POST", "/api/gift-rooms/create", {
        token,
        body: roomBody,
        headers: { "idempotency-key": key },
      });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      ids.push(made.body.data.room.id);
    }
    const first = await call(app, "GET", "/api/gift-rooms/my-rooms?limit=2", { token });
    expect(first.body.data.items.map((r: { id: string }) => r.id)).toEqual([ids[2], ids[1]]);
    // The array's name before v1 stays, as a duplicate.
    expect(first.body.data.rooms).toEqual(first.body.data.items);
    expect(first.body.data.nextCursor).toBe(ids[1]);
    const second = await call(app, "GET", `/api/gift-rooms/my-rooms?limit=2&cursor=${ids[1]}`, { token });
    expect(second.body.data.items.map((r: { id: string }) => r.id)).toEqual([ids[0]]);
    expect(second.body.data.nextCursor).toBeNull();
    // Another creator's room id as a cursor is no place in this list.
    const stranger = await creator(10_000);
    const theirs = await call(app, "GET", `/api/gift-rooms/my-rooms?cursor=${ids[1]}`, { token: stranger });
    expect(theirs.body.data).toMatchObject({ items: [], nextCursor: null });
    expectErrorEnvelope(
      await call(app, "GET", "/api/gift-rooms/my-rooms?cursor=sch_1", { token }),
      400,
      "VALIDATION_ERROR",
    );

    const draw = await call(app, "POST", "/api/gift-rooms/create", {
      token,
      body: { ...roomBody, mode: "random_draw", drawAt: new Date(Date.now() + 3_600_000).toISOString() },
      headers: { "idempotency-key": "m-draw" },
    });
    expect(draw.status, JSON.stringify(draw.body)).toBe(201);
    const joined = await call(app, "POST", "/api/gift-rooms/join", {
      body: { token: draw.body.data.room.token, phone: sandboxPhone(), network: "mtn" },
      headers: { "x-device-id": "joiner-1" },
    });
    expect(joined.status, JSON.stringify(joined.body)).toBe(201);
    expect(joined.body.data).toMatchObject({
      joined: true,
      participants: 1,
      drawAt: draw.body.data.room.drawAt,
    });

    // Claims: no account needed; a bearer credential, when sent, must be valid and counts as the
    // account, so one account claims once whatever number or device it uses.
    const roomToken = first.body.data.items[0].token as string;
    const claim = (bearer: string | undefined, device: string) =>
      call(app, "POST", "/api/gift-rooms/claim", {
        ...(bearer ? { token: bearer } : {}),
        body: { token: roomToken, phone: sandboxPhone(), network: "mtn" },
        headers: { "x-device-id": device },
      });
    expectErrorEnvelope(await claim("not-a-real-credential", "device-x"), 401, "INVALID_TOKEN");
    const recipient = await registerAndLogin(app, uniquePhone());
    expect((await claim(recipient, "device-a")).status).toBe(201);
    expectErrorEnvelope(await claim(recipient, "device-b"), 409, "ALREADY_CLAIMED");
    expect((await claim(undefined, "device-c")).status).toBe(201);
    await harness.drain();
  });

  it("documents owner writes under the gift scope and the recipients' routes as open to anyone", async () => {
    const document = (await (await app.request("/openapi.json")).json()) as {
      paths: Record<string, Record<string, { "x-scope"?: string; security?: unknown }>>;
    };
    const op = (path: string, method: string) => document.paths[path]?.[method] ?? {};
    expect(op("/api/gift-rooms/create", "post")["x-scope"]).toBe("gift");
    expect(op("/api/gift-rooms/{id}/close", "post")["x-scope"]).toBe("gift");
    expect(op("/api/gift-rooms/my-rooms", "get")["x-scope"]).toBe("read");
    for (const path of ["/api/gift-rooms/claim", "/api/gift-rooms/join"]) {
      expect(op(path, "post").security).toEqual([{}, { bearer: [] }]);
    }
    expect(op("/api/gift-rooms/{token}", "get").security).toEqual([]);
    expect(op("/api/schedules", "post")["x-scope"]).toBe("purchase");
    expect(op("/api/schedules/{id}/pause", "post")["x-scope"]).toBe("purchase");
  });
});
