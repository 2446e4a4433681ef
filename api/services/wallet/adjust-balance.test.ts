import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCtx } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { createFundedUser } from "../../../test/helpers/fixtures";
import { expectLedgerConsistent } from "../../../test/helpers/ledger";
import { createAdmin, ensureFirstAdmin } from "../admins";
import type { ServiceContext } from "../context";
import { ForbiddenError, InsufficientFundsError } from "../errors";
import { adjustWalletBalance } from "./adjust-balance";
import { getWalletBalance } from "./balance";
import { listWalletTransactions } from "./transactions";

let tdb: TestDatabase;
let ctx: ServiceContext;
beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db);
});
afterAll(async () => {
  await expectLedgerConsistent(tdb.db);
  await tdb.destroy();
});

describe("admin balance adjustment", () => {
  it("credits and debits with a reason, an entry of its own type and an audit row", async () => {
    const admin = await createAdmin({
      ctx,
      input: { email: "ops@tada.test", name: "Ops", password: "long-password-1", role: "admin" },
    });
    const user = await createFundedUser(ctx, 1_000);
    const credit = await adjustWalletBalance({
      ctx,
      input: {
        adminId: admin.id,
        userId: user.id,
        amountKobo: 2_500,
        reason: "Goodwill for a failed order",
        idempotencyKey: "adj-1",
      },
    });
    expect(credit).toMatchObject({ balanceKobo: 3_500, replayed: false });
    const replay = await adjustWalletBalance({
      ctx,
      input: {
        adminId: admin.id,
        userId: user.id,
        amountKobo: 2_500,
        reason: "Goodwill for a failed order",
        idempotencyKey: "adj-1",
      },
    });
    expect(replay).toMatchObject({ balanceKobo: 3_500, replayed: true, entryId: credit.entryId });

    await adjustWalletBalance({
      ctx,
      input: {
        adminId: admin.id,
        userId: user.id,
        amountKobo: -500,
        reason: "Duplicate manual credit",
        idempotencyKey: "adj-2",
      },
    });
    await expect(
      adjustWalletBalance({
        ctx,
        input: {
          adminId: admin.id,
          userId: user.id,
          amountKobo: -10_000,
          reason: "Too much",
          idempotencyKey: "adj-3",
        },
      }),
    ).rejects.toBeInstanceOf(InsufficientFundsError);
    expect((await getWalletBalance({ ctx, userId: user.id })).balanceKobo).toBe(3_000);

    const statement = await listWalletTransactions({ ctx, userId: user.id, input: {} });
    expect(statement.items.map((t) => t.type)).toEqual([
      "admin_adjustment",
      "admin_adjustment",
      "wallet_credit",
    ]);
    const entry = await tdb.db
      .selectFrom("journal_entries")
      .select(["reason", "actor"])
      .where("id", "=", credit.entryId)
      .executeTakeFirstOrThrow();
    expect(entry).toEqual({ reason: "Goodwill for a failed order", actor: `admin:${admin.id}` });
    const audits = await tdb.db
      .selectFrom("audit_log")
      .select(["action", "reason", "before", "after"])
      .where("target_id", "=", user.id)
      .orderBy("id")
      .execute();
    expect(audits).toHaveLength(2);
    expect(audits[0]).toMatchObject({
      action: "wallet.adjust",
      before: { balanceKobo: 1_000 },
      after: { balanceKobo: 3_500 },
    });
    await expectLedgerConsistent(tdb.db);
  });

  it("refuses support staff and a missing reason (S7)", async () => {
    const support = await createAdmin({
      ctx,
      input: { email: "help@tada.test", name: "Help", password: "long-password-2", role: "support" },
    });
    const user = await createFundedUser(ctx, 1_000);
    await expect(
      adjustWalletBalance({
        ctx,
        input: {
          adminId: support.id,
          userId: user.id,
          amountKobo: 100,
          reason: "Because",
          idempotencyKey: "s7",
        },
      }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      adjustWalletBalance({
        ctx,
        input: { adminId: support.id, userId: user.id, amountKobo: 100, reason: "", idempotencyKey: "s7b" },
      }),
    ).rejects.toThrow(/say why/);
    expect((await getWalletBalance({ ctx, userId: user.id })).balanceKobo).toBe(1_000);
  });

  it("creates the first super admin once", async () => {
    const db2 = await createTestDatabase({ poolSize: 2 });
    try {
      const ctx2 = makeCtx(db2.db);
      const first = await ensureFirstAdmin({ ctx: ctx2 });
      expect(first).toMatchObject({ email: "admin@tada.local", password: expect.stringMatching(/^.{16}$/) });
      expect(await ensureFirstAdmin({ ctx: ctx2 })).toBeUndefined();
      const row = await db2.db
        .selectFrom("admin_users")
        .select(["role", "password_hash"])
        .executeTakeFirstOrThrow();
      expect(row.role).toBe("super_admin");
      expect(row.password_hash).not.toContain(first?.password ?? "-");
    } finally {
      await db2.destroy();
    }
  });
});
