import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../../db/client";
import { captureLogger, makeCtx, testConfig } from "../../../test/helpers/context";
import { countingDb } from "../../../test/helpers/counting-db";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { createTestUser } from "../../../test/helpers/fixtures";
import type { ServiceContext } from "../context";
import { IncorrectPinError, PinLockedError, ValidationError } from "../errors";
import { hashPin } from "./pin-hash";
import { requestPinReset, resetPin } from "./reset-pin";
import { setOrChangePin } from "./set-pin";
import { verifyPin } from "./verify-pin";

let tdb: TestDatabase;
let ctx: ServiceContext;

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 30 });
  ctx = makeCtx(tdb.db);
});
afterAll(() => tdb.destroy());

async function userWithPin(pin = "2580") {
  const user = await createTestUser(tdb.db);
  await setOrChangePin({ ctx, userId: user.id, input: { pin } });
  return user;
}

describe("S1: PIN storage", () => {
  it("stores bcrypt (cost >= 12) of a peppered HMAC, never the PIN", async () => {
    const user = await userWithPin("2580");
    const row = await tdb.db
      .selectFrom("user_pins")
      .select("pin_hash")
      .where("user_id", "=", user.id)
      .executeTakeFirstOrThrow();
    const cost = Number(/^\$2[aby]\$(\d\d)\$/.exec(row.pin_hash)?.[1]);
    expect(cost).toBeGreaterThanOrEqual(12);
    expect(row.pin_hash).not.toContain("2580");
    // The pepper matters: the same PIN under another pepper does not verify.
    const otherPepper = makeCtx(tdb.db, {
      config: testConfig({ PIN_PEPPER: "another-pepper-abcdefghijklmnopqrstuvwxyz012345" }),
    });
    await expect(verifyPin({ ctx: otherPepper, userId: user.id, pin: "2580" })).rejects.toBeInstanceOf(
      IncorrectPinError,
    );
    await verifyPin({ ctx, userId: user.id, pin: "2580" });
  });

  it("refuses a cost below 12 in configuration", () => {
    expect(() => testConfig({ PIN_BCRYPT_COST: "10" })).toThrow(/PIN_BCRYPT_COST/);
  });

  it("rejects malformed and easily guessed PINs with a clear message", async () => {
    const user = await createTestUser(tdb.db);
    for (const pin of ["12", "abcd", "1234567", "1111", "1234", "9876", "123456"]) {
      await expect(setOrChangePin({ ctx, userId: user.id, input: { pin } })).rejects.toBeInstanceOf(
        ValidationError,
      );
    }
    expect(await hashPin(ctx.config, "2580")).toMatch(/^\$2[aby]\$12\$/);
  });
});

describe("set and change", () => {
  it("sets once, then needs the current PIN to change", async () => {
    const user = await userWithPin("2580");
    await expect(setOrChangePin({ ctx, userId: user.id, input: { pin: "3691" } })).rejects.toMatchObject({
      code: "PIN_ALREADY_SET",
    });
    await expect(
      setOrChangePin({ ctx, userId: user.id, input: { pin: "3691", currentPin: "0000" } }),
    ).rejects.toBeInstanceOf(IncorrectPinError);
    expect(
      await setOrChangePin({ ctx, userId: user.id, input: { pin: "3691", currentPin: "2580" } }),
    ).toEqual({ changed: true });
    await verifyPin({ ctx, userId: user.id, pin: "3691" });
    await expect(verifyPin({ ctx, userId: user.id, pin: "2580" })).rejects.toBeInstanceOf(IncorrectPinError);
  });

  it("says when no PIN is set yet", async () => {
    const user = await createTestUser(tdb.db);
    await expect(verifyPin({ ctx, userId: user.id, pin: "2580" })).rejects.toMatchObject({
      code: "PIN_NOT_SET",
    });
  });
});

describe("S2: lockout", () => {
  it("locks after 5 consecutive failures for 30 minutes, and the lock survives a restart", async () => {
    const user = await userWithPin("2580");
    let now = new Date("2026-11-25T10:00:00Z");
    const clocked = makeCtx(tdb.db, { now: () => now });
    for (let i = 1; i <= 4; i++) {
      const error = await verifyPin({ ctx: clocked, userId: user.id, pin: "0001" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IncorrectPinError);
      expect((error as IncorrectPinError).details).toEqual({ attemptsLeft: 5 - i });
    }
    await expect(verifyPin({ ctx: clocked, userId: user.id, pin: "0001" })).rejects.toBeInstanceOf(
      PinLockedError,
    );
    // Even the right PIN is refused while locked.
    await expect(verifyPin({ ctx: clocked, userId: user.id, pin: "2580" })).rejects.toBeInstanceOf(
      PinLockedError,
    );

    // "Restart": a brand-new connection pool (as a new process would have) sees the same lock.
    const restarted = createDb(tdb.url, { poolSize: 2 });
    try {
      const afterRestart = makeCtx(restarted, { now: () => now });
      await expect(verifyPin({ ctx: afterRestart, userId: user.id, pin: "2580" })).rejects.toBeInstanceOf(
        PinLockedError,
      );
      now = new Date(now.getTime() + 29 * 60_000);
      await expect(verifyPin({ ctx: afterRestart, userId: user.id, pin: "2580" })).rejects.toBeInstanceOf(
        PinLockedError,
      );
      now = new Date(now.getTime() + 2 * 60_000);
      await verifyPin({ ctx: afterRestart, userId: user.id, pin: "2580" });
    } finally {
      await restarted.destroy();
    }
    const row = await tdb.db
      .selectFrom("user_pins")
      .selectAll()
      .where("user_id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ failed_attempts: 0, locked_until: null, lockouts: 1 });
  });

  it("resets the failure count on success (consecutive failures only)", async () => {
    const user = await userWithPin("2580");
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) {
        await expect(verifyPin({ ctx, userId: user.id, pin: "0001" })).rejects.toBeInstanceOf(
          IncorrectPinError,
        );
      }
      await verifyPin({ ctx, userId: user.id, pin: "2580" });
    }
  });

  it("S3: evaluates at most 5 of 20 concurrent wrong PINs before locking", async () => {
    const user = await userWithPin("2580");
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => verifyPin({ ctx, userId: user.id, pin: "0001" })),
    );
    const reasons = results.map((r) =>
      r.status === "rejected" ? (r.reason as { code: string }).code : "ok",
    );
    expect(reasons.filter((c) => c === "INCORRECT_PIN")).toHaveLength(4);
    expect(reasons.filter((c) => c === "PIN_LOCKED")).toHaveLength(16);
    const row = await tdb.db
      .selectFrom("user_pins")
      .select("lockouts")
      .where("user_id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(row.lockouts).toBe(1);
  });
});

describe("reset", () => {
  async function resetCodeFor(userId: string, logCtx: ServiceContext, lines: () => string): Promise<string> {
    await requestPinReset({ ctx: logCtx, userId });
    const note = await tdb.db
      .selectFrom("notifications")
      .select(["body", "kind"])
      .where("user_id", "=", userId)
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    expect(note.kind).toBe("pin_reset_code");
    const code = /\b(\d{6})\b/.exec(note.body)?.[1] ?? "";
    expect(lines()).toContain(code); // sandbox mode also logs it
    return code;
  }

  it("replaces a locked PIN with a code delivered through the chat outbox", async () => {
    const user = await userWithPin("2580");
    const log = captureLogger();
    const logCtx = makeCtx(tdb.db, { logger: log.logger });
    for (let i = 0; i < 5; i++) {
      await verifyPin({ ctx, userId: user.id, pin: "0001" }).catch(() => undefined);
    }
    await expect(verifyPin({ ctx, userId: user.id, pin: "2580" })).rejects.toBeInstanceOf(PinLockedError);
    const code = await resetCodeFor(user.id, logCtx, log.text);
    await expect(
      resetPin({
        ctx,
        userId: user.id,
        input: { resetCode: code === "000000" ? "000001" : "000000", newPin: "4826" },
      }),
    ).rejects.toMatchObject({
      code: "INVALID_RESET_CODE",
    });
    await resetPin({ ctx, userId: user.id, input: { resetCode: code, newPin: "4826" } });
    await verifyPin({ ctx, userId: user.id, pin: "4826" });
    // One-time: the same code cannot be used again.
    await expect(
      resetPin({ ctx, userId: user.id, input: { resetCode: code, newPin: "7391" } }),
    ).rejects.toMatchObject({
      code: "INVALID_RESET_CODE",
    });
  });

  it("burns a code after 5 wrong tries and only the newest code works", async () => {
    const user = await userWithPin("2580");
    const log = captureLogger();
    const logCtx = makeCtx(tdb.db, { logger: log.logger });
    const first = await resetCodeFor(user.id, logCtx, log.text);
    const second = await resetCodeFor(user.id, logCtx, log.text);
    if (first !== second) {
      await expect(
        resetPin({ ctx, userId: user.id, input: { resetCode: first, newPin: "4826" } }),
      ).rejects.toBeInstanceOf(ValidationError);
    }
    const wrong = second === "999999" ? "999998" : "999999";
    for (let i = 0; i < 5; i++) {
      await expect(
        resetPin({ ctx, userId: user.id, input: { resetCode: wrong, newPin: "4826" } }),
      ).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(
      resetPin({ ctx, userId: user.id, input: { resetCode: second, newPin: "4826" } }),
    ).rejects.toBeInstanceOf(ValidationError);
    await verifyPin({ ctx, userId: user.id, pin: "2580" });
  });

  it("caps reset requests per hour", async () => {
    const user = await userWithPin("2580");
    for (let i = 0; i < 5; i++) {
      await requestPinReset({ ctx, userId: user.id });
    }
    await expect(requestPinReset({ ctx, userId: user.id })).rejects.toMatchObject({ code: "RATE_LIMITED" });
  });
});

describe("verified-PIN cache", () => {
  it("a remembered correct PIN never lets a wrong one through, and dies with a PIN change", async () => {
    const user = await userWithPin("2580");
    await verifyPin({ ctx, userId: user.id, pin: "2580" });
    await verifyPin({ ctx, userId: user.id, pin: "2580" }); // served from the cache
    await expect(verifyPin({ ctx, userId: user.id, pin: "2581" })).rejects.toBeInstanceOf(IncorrectPinError);
    const attempts = await tdb.db
      .selectFrom("user_pins")
      .select("failed_attempts")
      .where("user_id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(attempts.failed_attempts).toBe(1);
    await setOrChangePin({ ctx, userId: user.id, input: { pin: "7391", currentPin: "2580" } });
    await expect(verifyPin({ ctx, userId: user.id, pin: "2580" })).rejects.toBeInstanceOf(IncorrectPinError);
    await verifyPin({ ctx, userId: user.id, pin: "7391" });
  });

  it("a locked PIN stays locked even for the remembered correct PIN", async () => {
    const user = await userWithPin("2580");
    await verifyPin({ ctx, userId: user.id, pin: "2580" });
    for (let i = 0; i < ctx.config.PIN_MAX_ATTEMPTS; i++) {
      await verifyPin({ ctx, userId: user.id, pin: "1357" }).catch(() => undefined);
    }
    await expect(verifyPin({ ctx, userId: user.id, pin: "2580" })).rejects.toBeInstanceOf(PinLockedError);
  });

  it("can be turned off", async () => {
    const off = makeCtx(tdb.db, { config: testConfig({ PIN_VERIFY_CACHE_SECONDS: "0" }) });
    const user = await userWithPin("2580");
    await verifyPin({ ctx: off, userId: user.id, pin: "2580" });
    await verifyPin({ ctx: off, userId: user.id, pin: "2580" });
    await expect(verifyPin({ ctx: off, userId: user.id, pin: "2851" })).rejects.toBeInstanceOf(
      IncorrectPinError,
    );
  });
});

describe("the cost of a correct PIN", () => {
  it("is one statement when nothing needs resetting; a correct PIN after a wrong one resets the count", async () => {
    const user = await userWithPin("2580");
    const counting = countingDb(tdb.url);
    try {
      const counted = makeCtx(counting.db);
      await verifyPin({ ctx: counted, userId: user.id, pin: "2580" });
      expect(counting.statements()).toBe(1);

      await expect(verifyPin({ ctx: counted, userId: user.id, pin: "1111" })).rejects.toBeInstanceOf(
        IncorrectPinError,
      );
      await verifyPin({ ctx: counted, userId: user.id, pin: "2580" });
      const row = await tdb.db
        .selectFrom("user_pins")
        .select("failed_attempts")
        .where("user_id", "=", user.id)
        .executeTakeFirstOrThrow();
      expect(row.failed_attempts).toBe(0);
    } finally {
      await counting.db.destroy();
    }
  });
});
