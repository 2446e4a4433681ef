import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCtx } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { createFundedUser, createTestUser } from "../../../test/helpers/fixtures";
import { expectLedgerConsistent } from "../../../test/helpers/ledger";
import type { ServiceContext } from "../context";
import { ConflictError, InsufficientFundsError, NotFoundError } from "../errors";
import { debitWallet, getWalletBalance, holdWalletFunds, postWalletHold, voidWalletHold } from "../wallet";
import { getSystemAccountId, getWalletAccountId, SYSTEM_ACCOUNTS, systemAccountFor } from "./accounts";
import { postEntry } from "./post-entry";

let tdb: TestDatabase;
let ctx: ServiceContext;

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 60 });
  ctx = makeCtx(tdb.db);
});
afterAll(async () => {
  await expectLedgerConsistent(tdb.db);
  await tdb.destroy();
});

async function count(table: "journal_entries" | "postings" | "holds" | "idempotency_keys"): Promise<number> {
  const row = await tdb.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return row.n;
}

function debit(userId: string, amountKobo: number, key: string) {
  return debitWallet({
    ctx,
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

describe("L1: every entry balances at commit", () => {
  it("rejects an unbalanced entry at COMMIT and writes nothing", async () => {
    const user = await createFundedUser(ctx, 10_000);
    const wallet = await getWalletAccountId(tdb.db, user.id);
    const clearing = await getSystemAccountId(tdb.db, SYSTEM_ACCOUNTS.paymentClearing);
    const before = { entries: await count("journal_entries"), postings: await count("postings") };

    await expect(
      tdb.db.transaction().execute(async (trx) => {
        const entry = await trx
          .insertInto("journal_entries")
          .values({ type: "wallet_credit", description: "bad", actor: "test" })
          .returning("id")
          .executeTakeFirstOrThrow();
        await trx
          .insertInto("postings")
          .values([
            { entry_id: entry.id, account_id: wallet, amount: 500 },
            { entry_id: entry.id, account_id: clearing, amount: -499 },
          ])
          .execute();
      }),
    ).rejects.toThrow(/does not balance/);
    await expect(
      sql`INSERT INTO journal_entries (type, description, actor) VALUES ('x', 'no postings', 'test')`.execute(
        tdb.db,
      ),
    ).rejects.toThrow(/does not balance/);

    expect({ entries: await count("journal_entries"), postings: await count("postings") }).toEqual(before);
    expect((await getWalletBalance({ ctx, userId: user.id })).balanceKobo).toBe(10_000);
    await expectLedgerConsistent(tdb.db);
  });

  it("refuses postings added to an entry another transaction wrote, balanced or not", async () => {
    const user = await createFundedUser(ctx, 10_000);
    const wallet = await getWalletAccountId(tdb.db, user.id);
    const clearing = await getSystemAccountId(tdb.db, SYSTEM_ACCOUNTS.paymentClearing);
    const entry = await tdb.db
      .selectFrom("journal_entries")
      .select("id")
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    const before = { entries: await count("journal_entries"), postings: await count("postings") };
    await expect(
      tdb.db
        .insertInto("postings")
        .values([
          { entry_id: entry.id, account_id: wallet, amount: 700 },
          { entry_id: entry.id, account_id: clearing, amount: -700 },
        ])
        .execute(),
    ).rejects.toThrow(/joins only an entry written in its own transaction/);
    expect({ entries: await count("journal_entries"), postings: await count("postings") }).toEqual(before);
    expect((await getWalletBalance({ ctx, userId: user.id })).balanceKobo).toBe(10_000);
    await expectLedgerConsistent(tdb.db);
  });

  it("refuses an unbalanced entry in the service before touching the database", async () => {
    const user = await createTestUser(tdb.db);
    const wallet = await getWalletAccountId(tdb.db, user.id);
    const clearing = await getSystemAccountId(tdb.db, SYSTEM_ACCOUNTS.paymentClearing);
    await expect(
      tdb.db.transaction().execute((trx) =>
        postEntry(trx, {
          type: "wallet_credit",
          description: "bad",
          actor: "test",
          postings: [
            { accountId: wallet, amount: 100 },
            { accountId: clearing, amount: -99 },
          ],
        }),
      ),
    ).rejects.toThrow(/does not balance/);
  });
});

describe("L3/L4: cached balances and the posting chain", () => {
  it("keeps balance, version and the previous/current chain in step with the postings", async () => {
    const user = await createFundedUser(ctx, 50_000);
    for (let i = 0; i < 5; i++) {
      await debit(user.id, 1_000 + i, `chain-${user.id}-${i}`);
    }
    const wallet = await getWalletAccountId(tdb.db, user.id);
    const postings = await tdb.db
      .selectFrom("postings")
      .select(["amount", "previous_balance", "current_balance", "account_version"])
      .where("account_id", "=", wallet)
      .orderBy("account_version")
      .execute();
    expect(postings.map((p) => p.account_version)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(postings.map((p) => p.current_balance)).toEqual([50_000, 49_000, 47_999, 46_997, 45_994, 44_990]);
    const account = await tdb.db
      .selectFrom("accounts")
      .select(["balance", "version"])
      .where("id", "=", wallet)
      .executeTakeFirstOrThrow();
    expect(account).toEqual({ balance: 44_990, version: 6 });
    await expectLedgerConsistent(tdb.db);
  });

  it("refuses a direct change of a cached balance", async () => {
    const user = await createFundedUser(ctx, 1_000);
    await expect(
      sql`UPDATE accounts SET balance = balance + 1000000 WHERE user_id = ${user.id}`.execute(tdb.db),
    ).rejects.toThrow(/change only through postings/);
    expect((await getWalletBalance({ ctx, userId: user.id })).balanceKobo).toBe(1_000);
  });
});

describe("L5: concurrent debits never overdraw a wallet", () => {
  it("lets exactly ⌊B/c⌋ of N concurrent debits succeed and leaves B − ⌊B/c⌋·c", async () => {
    const B = 10_000;
    const c = 700;
    const N = 40;
    const user = await createFundedUser(ctx, B);
    const results = await Promise.allSettled(
      Array.from({ length: N }, (_, i) => debit(user.id, c, `l5-${user.id}-${i}`)),
    );
    const succeeded = results.filter((r) => r.status === "fulfilled").length;
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(succeeded).toBe(Math.floor(B / c));
    for (const f of failures) {
      expect(f.reason).toBeInstanceOf(InsufficientFundsError);
    }
    const balance = await getWalletBalance({ ctx, userId: user.id });
    expect(balance.balanceKobo).toBe(B - Math.floor(B / c) * c);
    await expectLedgerConsistent(tdb.db);
  });

  it("counts held money as spent: a debit cannot use funds reserved by a hold", async () => {
    const user = await createFundedUser(ctx, 5_000);
    await holdWalletFunds({
      ctx,
      input: {
        userId: user.id,
        amountKobo: 4_000,
        destination: SYSTEM_ACCOUNTS.vtuClearing,
        description: "pending purchase",
        idempotencyKey: `h-${user.id}`,
      },
    });
    const refused = await debit(user.id, 1_001, `l5b-${user.id}`).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InsufficientFundsError);
    // The answer says what is there and what was asked for.
    expect((refused as InsufficientFundsError).details).toEqual({
      availableKobo: 1_000,
      requiredKobo: 1_001,
    });
    // The refused key wrote nothing: it can be used again once money is there.
    const keys = await tdb.db
      .selectFrom("idempotency_keys")
      .select("id")
      .where("key", "=", `l5b-${user.id}`)
      .execute();
    expect(keys).toEqual([]);
    await expect(debit("usr_nobody", 100, "l5b-nobody")).rejects.toBeInstanceOf(NotFoundError);
    const balance = await getWalletBalance({ ctx, userId: user.id });
    expect(balance).toMatchObject({ balanceKobo: 5_000, heldKobo: 4_000, availableKobo: 1_000 });
    await expectLedgerConsistent(tdb.db);
  });
});

describe("L6: the journal is append-only", () => {
  it("rejects UPDATE, DELETE and TRUNCATE of postings and entries", async () => {
    await createFundedUser(ctx, 2_000);
    for (const statement of [
      sql`UPDATE postings SET amount = amount + 1`,
      sql`DELETE FROM postings`,
      sql`TRUNCATE postings CASCADE`,
      sql`UPDATE journal_entries SET description = 'changed'`,
      sql`DELETE FROM journal_entries`,
      sql`TRUNCATE journal_entries CASCADE`,
    ]) {
      await expect(statement.execute(tdb.db)).rejects.toThrow(/append-only|not allowed/);
    }
    await expectLedgerConsistent(tdb.db);
  });

  it("corrects a mistake with one reversing entry, and only one", async () => {
    const user = await createFundedUser(ctx, 3_000);
    const original = await debit(user.id, 1_200, `rev-${user.id}`);
    // A second debit, so a second reversal would find the money in clearing and only the
    // one-reversal rule can refuse it.
    await debit(user.id, 1_200, `rev2-${user.id}`);
    const wallet = await getWalletAccountId(tdb.db, user.id);
    // The debit went to this wallet's shard of VTU clearing; the reversal takes it back from there.
    const clearing = await systemAccountFor(ctx, tdb.db, SYSTEM_ACCOUNTS.vtuClearing, wallet);
    const reverse = () =>
      tdb.db.transaction().execute((trx) =>
        postEntry(trx, {
          type: "reversal",
          description: "Reversal of a wrong debit",
          actor: "system:test",
          reversesEntryId: original.entryId,
          postings: [
            { accountId: clearing, amount: -1_200 },
            { accountId: wallet, amount: 1_200 },
          ],
        }),
      );
    await reverse();
    await expect(reverse()).rejects.toThrow(/duplicate key|unique/i);
    expect((await getWalletBalance({ ctx, userId: user.id })).balanceKobo).toBe(1_800);
    await expectLedgerConsistent(tdb.db);
  });
});

describe("L7: idempotency", () => {
  it("turns the same key sent 50 times concurrently into one entry and identical responses", async () => {
    const user = await createFundedUser(ctx, 100_000);
    const entriesBefore = await count("journal_entries");
    const results = await Promise.all(
      Array.from({ length: 50 }, () => debit(user.id, 2_500, `l7-${user.id}`)),
    );
    expect(await count("journal_entries")).toBe(entriesBefore + 1);
    const bodies = results.map(({ replayed: _replayed, ...body }) => JSON.stringify(body));
    expect(new Set(bodies).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect((await getWalletBalance({ ctx, userId: user.id })).balanceKobo).toBe(97_500);
    await expectLedgerConsistent(tdb.db);
  });

  it("answers a reused key with different parameters with a 409 and writes nothing", async () => {
    const user = await createFundedUser(ctx, 100_000);
    await debit(user.id, 1_000, `l7b-${user.id}`);
    const before = { entries: await count("journal_entries"), keys: await count("idempotency_keys") };
    const error = await debit(user.id, 1_001, `l7b-${user.id}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect({ entries: await count("journal_entries"), keys: await count("idempotency_keys") }).toEqual(
      before,
    );
    expect((await getWalletBalance({ ctx, userId: user.id })).balanceKobo).toBe(99_000);
    await expectLedgerConsistent(tdb.db);
  });

  it("keeps key spaces apart: the same key from two users is two operations", async () => {
    const a = await createFundedUser(ctx, 5_000);
    const b = await createFundedUser(ctx, 5_000);
    await debit(a.id, 1_000, "shared-key");
    await debit(b.id, 1_000, "shared-key");
    expect((await getWalletBalance({ ctx, userId: a.id })).balanceKobo).toBe(4_000);
    expect((await getWalletBalance({ ctx, userId: b.id })).balanceKobo).toBe(4_000);
  });
});

describe("L8/L9: holds resolve exactly once", () => {
  async function newHold(userId: string, amountKobo: number, key: string) {
    const { holdId } = await holdWalletFunds({
      ctx,
      input: {
        userId,
        amountKobo,
        destination: SYSTEM_ACCOUNTS.vtuClearing,
        description: "Airtime 08031234567",
        idempotencyKey: key,
      },
    });
    return holdId;
  }

  it("lets exactly one of a concurrent post and void win, 20 times over", async () => {
    const user = await createFundedUser(ctx, 100_000);
    for (let round = 0; round < 20; round++) {
      const holdId = await newHold(user.id, 1_000, `l8-${user.id}-${round}`);
      const outcomes = await Promise.allSettled([
        postWalletHold({ ctx, input: { holdId, actor: "system:test" } }),
        voidWalletHold({ ctx, input: { holdId } }),
      ]);
      const winners = outcomes.filter((o) => o.status === "fulfilled");
      expect(winners).toHaveLength(1);
      const loser = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
      expect(loser?.reason).toMatchObject({ code: "HOLD_ALREADY_RESOLVED" });
    }
    const balance = await getWalletBalance({ ctx, userId: user.id });
    expect(balance.heldKobo).toBe(0);
    await expectLedgerConsistent(tdb.db);
  });

  it("posts part of a hold and releases the rest in the same transaction", async () => {
    const user = await createFundedUser(ctx, 10_000);
    const holdId = await newHold(user.id, 6_000, `l9-${user.id}`);
    expect(await getWalletBalance({ ctx, userId: user.id })).toMatchObject({
      heldKobo: 6_000,
      availableKobo: 4_000,
    });
    const { postedAmount } = await postWalletHold({
      ctx,
      input: { holdId, amountKobo: 4_500, actor: "system:test" },
    });
    expect(postedAmount).toBe(4_500);
    expect(await getWalletBalance({ ctx, userId: user.id })).toEqual({
      balanceKobo: 5_500,
      heldKobo: 0,
      availableKobo: 5_500,
      currency: "NGN",
    });
    await expect(postWalletHold({ ctx, input: { holdId, actor: "system:test" } })).rejects.toBeInstanceOf(
      ConflictError,
    );
    await expectLedgerConsistent(tdb.db);
  });

  it("never posts more than was held", async () => {
    const user = await createFundedUser(ctx, 10_000);
    const holdId = await newHold(user.id, 1_000, `l9b-${user.id}`);
    await expect(
      postWalletHold({ ctx, input: { holdId, amountKobo: 1_001, actor: "system:test" } }),
    ).rejects.toThrow(/between 1 and 1000/);
    await expect(
      sql`UPDATE holds SET status = 'posted', posted_amount = 2000, resolved_at = now() WHERE id = ${holdId}`.execute(
        tdb.db,
      ),
    ).rejects.toThrow(/check constraint/);
    await expectLedgerConsistent(tdb.db);
  });

  it("refuses a hold larger than the available balance", async () => {
    const user = await createFundedUser(ctx, 1_000);
    await expect(newHold(user.id, 1_001, `l9c-${user.id}`)).rejects.toBeInstanceOf(InsufficientFundsError);
    expect(await count("holds")).toBeGreaterThanOrEqual(0);
    expect((await getWalletBalance({ ctx, userId: user.id })).heldKobo).toBe(0);
  });
});

describe("L12: multi-account writes lock in id order", () => {
  it("runs concurrent ring transfers with no deadlock", async () => {
    const users = await Promise.all(Array.from({ length: 4 }, () => createFundedUser(ctx, 1_000_000)));
    const wallets = await Promise.all(users.map((u) => getWalletAccountId(tdb.db, u.id)));
    const transfer = (from: number, to: number) =>
      tdb.db.transaction().execute((trx) =>
        postEntry(trx, {
          type: "transfer",
          description: "ring",
          actor: "system:test",
          postings: [
            { accountId: from, amount: -10 },
            { accountId: to, amount: 10 },
          ],
        }),
      );
    const jobs: Promise<number>[] = [];
    for (let round = 0; round < 25; round++) {
      wallets.forEach((from, i) => {
        jobs.push(transfer(from, wallets[(i + 1) % wallets.length] as number));
        jobs.push(transfer(wallets[(i + 1) % wallets.length] as number, from));
      });
    }
    const results = await Promise.allSettled(jobs);
    const errors = results
      .filter((r): r is PromiseRejectedResult => r.status === "rejected")
      .map((r) => String(r.reason));
    expect(errors).toEqual([]);
    for (const u of users) {
      expect((await getWalletBalance({ ctx, userId: u.id })).balanceKobo).toBe(1_000_000);
    }
    await expectLedgerConsistent(tdb.db);
  });
});

describe("the invariant checker can fail", () => {
  it("reports a cached balance that drifted from its postings (L3) and a hold mismatch", async () => {
    const broken = await createTestDatabase({ poolSize: 2 });
    try {
      const brokenCtx = makeCtx(broken.db);
      const user = await createFundedUser(brokenCtx, 1_000);
      await sql`ALTER TABLE accounts DISABLE TRIGGER accounts_guard`.execute(broken.db);
      await sql`UPDATE accounts SET balance = balance + 1, held = 5 WHERE user_id = ${user.id}`.execute(
        broken.db,
      );
      const { checkLedger } = await import("./check-ledger");
      const failed = (await checkLedger(broken.db)).filter((r) => !r.ok).map((r) => r.id);
      expect(failed).toEqual(["L3", "HELD"]);
    } finally {
      await broken.destroy();
    }
  });
});
