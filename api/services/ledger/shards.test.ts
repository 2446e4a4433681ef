import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCtx, testConfig } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { createFundedUser } from "../../../test/helpers/fixtures";
import { expectLedgerConsistent } from "../../../test/helpers/ledger";
import type { ServiceContext } from "../context";
import { creditWallet, debitWallet, getWalletBalance } from "../wallet";
import {
  getSystemAccountId,
  getWalletAccountId,
  SYSTEM_ACCOUNTS,
  shardOf,
  systemAccountFor,
  systemAccountTotal,
} from "./accounts";

let tdb: TestDatabase;
let ctx: ServiceContext;

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 40 });
  ctx = makeCtx(tdb.db, { config: testConfig({ SYSTEM_ACCOUNT_SHARDS: "4" }) });
});
afterAll(async () => {
  await expectLedgerConsistent(tdb.db);
  await tdb.destroy();
});

function debit(userId: string, amountKobo: number, key: string, context = ctx) {
  return debitWallet({
    ctx: context,
    input: {
      userId,
      amountKobo,
      counterparty: SYSTEM_ACCOUNTS.vtuClearing,
      description: "Test purchase",
      idempotencyKey: key,
      actor: `user:${userId}`,
    },
  });
}

async function shardRows(code: string) {
  return tdb.db
    .selectFrom("accounts")
    .select(["id", "code", "shard", "balance", "allow_negative"])
    .where("system_code", "=", code)
    .orderBy("shard")
    .execute();
}

describe("sharded system accounts", () => {
  it("puts each wallet's entries on its own shard; the family's total is the sum", async () => {
    const users = await Promise.all(Array.from({ length: 8 }, () => createFundedUser(ctx, 10_000)));
    await Promise.all(users.map((u, i) => debit(u.id, 100 * (i + 1), `shard-${u.id}`)));

    const rows = await shardRows(SYSTEM_ACCOUNTS.vtuClearing);
    expect(rows.map((r) => r.shard)).toEqual([0, 1, 2, 3]);
    // A shard copies its family's rule: VTU clearing may never go negative, on any shard.
    expect(rows.every((r) => r.allow_negative === false)).toBe(true);
    expect(rows.slice(1).map((r) => r.code)).toEqual(
      [1, 2, 3].map((k) => `${SYSTEM_ACCOUNTS.vtuClearing}#${k}`),
    );

    const expected = new Map<number, number>();
    for (const [i, u] of users.entries()) {
      const wallet = await getWalletAccountId(tdb.db, u.id);
      const shard = shardOf(wallet, 4);
      expected.set(shard, (expected.get(shard) ?? 0) + 100 * (i + 1));
    }
    for (const row of rows) {
      expect(row.balance).toBe(expected.get(row.shard) ?? 0);
    }
    const total = await systemAccountTotal(tdb.db, SYSTEM_ACCOUNTS.vtuClearing);
    expect(total).toEqual({ balance: 3_600, held: 0, shards: 4 });
    await expectLedgerConsistent(tdb.db);
  });

  it("creates a shard once when many transactions need it at the same moment", async () => {
    const users = await Promise.all(Array.from({ length: 12 }, () => createFundedUser(ctx, 5_000)));
    // A fresh context: an empty per-process cache, so every debit looks the shard up itself.
    const cold = makeCtx(tdb.db, { config: testConfig({ SYSTEM_ACCOUNT_SHARDS: "7" }) });
    await Promise.all(users.map((u) => debit(u.id, 250, `cold-${u.id}`, cold)));
    const rows = await shardRows(SYSTEM_ACCOUNTS.vtuClearing);
    const shards = rows.map((r) => r.shard);
    expect(new Set(shards).size).toBe(shards.length);
    for (const u of users) {
      expect((await getWalletBalance({ ctx, userId: u.id })).balanceKobo).toBe(4_750);
    }
    await expectLedgerConsistent(tdb.db);
  });

  it("does not remember a shard whose creating transaction rolled back", async () => {
    const user = await createFundedUser(ctx, 5_000);
    const wallet = await getWalletAccountId(tdb.db, user.id);
    // 251 shards: the shard of this wallet does not exist yet (the other tests use 4 and 7).
    const wide = makeCtx(tdb.db, { config: testConfig({ SYSTEM_ACCOUNT_SHARDS: "251" }) });
    const shard = shardOf(wallet, 251);
    expect(shard).toBeGreaterThanOrEqual(7);
    const rolledBack = await tdb.db
      .transaction()
      .execute(async (trx) => {
        const id = await systemAccountFor(wide, trx, SYSTEM_ACCOUNTS.promotions, wallet);
        throw Object.assign(new Error("roll back"), { id });
      })
      .catch((error: { id: number }) => error.id);
    const gone = await tdb.db.selectFrom("accounts").select("id").where("id", "=", rolledBack).execute();
    expect(gone).toEqual([]);

    // The next credit must not post to the account that never committed.
    const credited = await creditWallet({
      ctx: wide,
      input: {
        userId: user.id,
        amountKobo: 700,
        counterparty: SYSTEM_ACCOUNTS.promotions,
        description: "Promo",
        idempotencyKey: `promo-${user.id}`,
        actor: "system:test",
      },
    });
    expect(credited.balanceKobo).toBe(5_700);
    const rows = await shardRows(SYSTEM_ACCOUNTS.promotions);
    expect(rows.find((r) => r.shard === shard)?.balance).toBe(-700);
    await expectLedgerConsistent(tdb.db);
  });

  it("with SYSTEM_ACCOUNT_SHARDS=1 posts to the account the migrations created", async () => {
    const single = makeCtx(tdb.db, { config: testConfig({ SYSTEM_ACCOUNT_SHARDS: "1" }) });
    const user = await createFundedUser(single, 2_000);
    const home = await getSystemAccountId(tdb.db, SYSTEM_ACCOUNTS.feesRevenue);
    const wallet = await getWalletAccountId(tdb.db, user.id);
    expect(await systemAccountFor(single, tdb.db, SYSTEM_ACCOUNTS.feesRevenue, wallet)).toBe(home);
  });
});
