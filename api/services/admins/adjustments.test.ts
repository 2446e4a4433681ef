import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCtx, testConfig } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { createFundedUser } from "../../../test/helpers/fixtures";
import { expectLedgerConsistent } from "../../../test/helpers/ledger";
import type { ServiceContext } from "../context";
import { getWalletBalance } from "../wallet";
import { decideAdjustment, listPendingApprovals, requestBalanceAdjustment } from "./adjustments";
import { createAdmin } from "./admins";

/** Balance adjustments from the panel: small ones at once, large ones only after a second admin. */
let tdb: TestDatabase;
let ctx: ServiceContext;
beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db, { config: testConfig({ ADMIN_ADJUSTMENT_APPROVAL_KOBO: "100000" }) });
});
afterAll(() => tdb.destroy());

const PASSWORD = "correct-horse-battery-9";
let n = 0;
const admin = async (role: "admin" | "super_admin" | "support") =>
  createAdmin({ ctx, input: { email: `a${++n}@tada.test`, name: `A${n}`, password: PASSWORD, role } });

describe("balance adjustments (maker-checker)", () => {
  it("books a small adjustment at once, with its audit row", async () => {
    const maker = await admin("admin");
    const user = await createFundedUser(ctx, 50_000);
    const result = await requestBalanceAdjustment({
      ctx,
      admin: maker,
      userId: user.id,
      amountKobo: 20_000,
      reason: "goodwill credit",
      idempotencyKey: "adj-1",
    });
    expect(result.executed).toBe(true);
    expect((await getWalletBalance({ ctx, userId: user.id })).balanceKobo).toBe(70_000);
    await expectLedgerConsistent(tdb.db);
  });

  it("holds a large one for a second admin; the maker cannot approve it; approval books it exactly once", async () => {
    const maker = await admin("admin");
    const checker = await admin("super_admin");
    const user = await createFundedUser(ctx, 50_000);
    const big = await requestBalanceAdjustment({
      ctx,
      admin: maker,
      userId: user.id,
      amountKobo: 150_000,
      reason: "refund of a failed transfer",
      idempotencyKey: "adj-3",
    });
    expect(big.executed).toBe(false);
    expect((await getWalletBalance({ ctx, userId: user.id })).balanceKobo).toBe(50_000);
    expect((await listPendingApprovals(ctx)).map((p) => p.amount)).toContain("+₦1,500");
    if (big.executed) {
      throw new Error("unreachable");
    }
    await expect(
      decideAdjustment({ ctx, admin: maker, approvalId: big.approvalId, approve: true }),
    ).rejects.toMatchObject({ code: "SAME_ADMIN" });
    const support = await admin("support");
    await expect(
      decideAdjustment({ ctx, admin: support, approvalId: big.approvalId, approve: true }),
    ).rejects.toMatchObject({ code: "ROLE_FORBIDDEN" });
    const decisions = await Promise.allSettled([
      decideAdjustment({ ctx, admin: checker, approvalId: big.approvalId, approve: true }),
      decideAdjustment({ ctx, admin: checker, approvalId: big.approvalId, approve: true }),
    ]);
    expect(decisions.filter((d) => d.status === "fulfilled")).toHaveLength(1);
    expect((await getWalletBalance({ ctx, userId: user.id })).balanceKobo).toBe(200_000);
    const audit = await tdb.db
      .selectFrom("audit_log")
      .select("action")
      .where("target_id", "=", user.id)
      .orderBy("id")
      .execute();
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(["wallet.adjust_requested", "wallet.adjust"]),
    );
    await expectLedgerConsistent(tdb.db);
  });

  it("support cannot adjust at all (S7); a rejected request moves nothing", async () => {
    const support = await admin("support");
    const user = await createFundedUser(ctx, 10_000);
    await expect(
      requestBalanceAdjustment({
        ctx,
        admin: support,
        userId: user.id,
        amountKobo: 1_000,
        reason: "just because",
        idempotencyKey: "adj-4",
      }),
    ).rejects.toMatchObject({ code: "ROLE_FORBIDDEN" });
    const maker = await admin("admin");
    const checker = await admin("admin");
    const big = await requestBalanceAdjustment({
      ctx,
      admin: maker,
      userId: user.id,
      amountKobo: 500_000,
      reason: "suspicious credit",
      idempotencyKey: "adj-5",
    });
    if (big.executed) {
      throw new Error("expected a pending request");
    }
    expect(
      await decideAdjustment({ ctx, admin: checker, approvalId: big.approvalId, approve: false }),
    ).toEqual({ status: "rejected" });
    await expect(
      decideAdjustment({ ctx, admin: checker, approvalId: big.approvalId, approve: true }),
    ).rejects.toMatchObject({ code: "ALREADY_DECIDED" });
    expect((await getWalletBalance({ ctx, userId: user.id })).balanceKobo).toBe(10_000);
    await expectLedgerConsistent(tdb.db);
  });

  it("refuses a debit above the customer's available balance at once, in words for the admin; approval checks again", async () => {
    const maker = await admin("admin");
    const checker = await admin("admin");
    const user = await createFundedUser(ctx, 300_000);
    // Small (booked at once) and large (would wait for approval): both refused now, nothing queued.
    for (const [amountKobo, key] of [
      [-300_001, "adj-6"],
      [-99_999_900, "adj-7"],
    ] as const) {
      await expect(
        requestBalanceAdjustment({
          ctx,
          admin: maker,
          userId: user.id,
          amountKobo,
          reason: "clawback",
          idempotencyKey: key,
        }),
      ).rejects.toMatchObject({
        code: "INSUFFICIENT_FUNDS",
        message: "This customer has ₦3,000 available; a debit can be at most that.",
      });
    }
    expect((await listPendingApprovals(ctx)).filter((p) => p.userId === user.id)).toEqual([]);

    // Within the balance it queues; the balance then falls below it; approval refuses, naming what is there now.
    const big = await requestBalanceAdjustment({
      ctx,
      admin: maker,
      userId: user.id,
      amountKobo: -250_000,
      reason: "duplicate credit",
      idempotencyKey: "adj-8",
    });
    if (big.executed) {
      throw new Error("expected a pending request");
    }
    await requestBalanceAdjustment({
      ctx,
      admin: maker,
      userId: user.id,
      amountKobo: -99_999,
      reason: "small clawback",
      idempotencyKey: "adj-9",
    });
    await expect(
      decideAdjustment({ ctx, admin: checker, approvalId: big.approvalId, approve: true }),
    ).rejects.toMatchObject({
      code: "INSUFFICIENT_FUNDS",
      message:
        "This customer has ₦2,000.01 available now, less than this debit of ₦2,500; reject the request, or approve it once the balance covers it.",
    });
    expect((await listPendingApprovals(ctx)).map((p) => p.id)).toContain(big.approvalId);
    expect((await getWalletBalance({ ctx, userId: user.id })).balanceKobo).toBe(200_001);
    await expectLedgerConsistent(tdb.db);
  });
});
