import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/helpers/db";
import { createDb, createPool } from "./client";
import type { Database } from "./database";
import { statementName } from "./prepared-statements";

let tdb: TestDatabase;
let unnamed: Kysely<Database>;
beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 2 });
  unnamed = createDb(tdb.url, { poolSize: 1, prepareStatements: false });
  await sql`CREATE TABLE prep_t (a int)`.execute(tdb.db);
  await sql`INSERT INTO prep_t VALUES (1), (2)`.execute(tdb.db);
});
afterAll(async () => {
  await unnamed.destroy();
  await tdb.destroy();
});

/** The statements prepared on the connection `db` runs on (one pinned connection). */
async function preparedOn(conn: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements`.execute(
    conn,
  );
  return rows.map((r) => r.statement);
}

describe("prepared statements", () => {
  it("names a text from its second use, never a one-off, never a very long text", () => {
    const text = `SELECT ${Math.random()} WHERE $1`;
    expect(statementName(text)).toBeUndefined();
    const name = statementName(text);
    expect(name).toMatch(/^tada_\d+$/);
    expect(statementName(text)).toBe(name);
    const long = `SELECT $1 /* ${"x".repeat(20_000)} */`;
    expect(statementName(long)).toBeUndefined();
    expect(statementName(long)).toBeUndefined();
  });

  it("prepares a repeated statement once per connection and runs it with new values", async () => {
    const found = await tdb.db.connection().execute(async (conn) => {
      const marker = `prep${String(Math.random()).slice(2)}`;
      const values: number[] = [];
      for (const n of [1, 2, 1]) {
        const { rows } = await sql<{
          a: number;
        }>`SELECT a FROM prep_t WHERE a = ${n} ${sql.raw(`/* ${marker} */`)}`.execute(conn);
        values.push(rows[0]?.a ?? -1);
      }
      return { values, prepared: (await preparedOn(conn)).filter((s) => s.includes(marker)) };
    });
    expect(found.values).toEqual([1, 2, 1]);
    // One prepared statement for the text, whatever its values: planned once, run three times.
    expect(found.prepared).toHaveLength(1);
  });

  it("names pg-pool's pool.query(text, values) too (it calls the client with a callback)", async () => {
    const pool = createPool(tdb.url, { poolSize: 1 });
    try {
      const marker = `poolq${String(Math.random()).slice(2)}`;
      const text = `SELECT a FROM prep_t WHERE a = $1 /* ${marker} */`;
      const values: number[] = [];
      for (const n of [2, 1, 2]) {
        const { rows } = await pool.query<{ a: number }>(text, [n]);
        values.push(rows[0]?.a ?? -1);
      }
      const { rows } = await pool.query<{ statement: string }>(
        "SELECT statement FROM pg_prepared_statements",
      );
      // An error still reaches the caller through the callback (pg-pool then drops that connection).
      const failed = await pool.query("SELECT a FROM prep_t WHERE a = $1::int", ["not a number"]).then(
        () => "ran",
        (error: Error) => error.message,
      );
      const failedAgain = await pool.query("SELECT a FROM prep_t WHERE a = $1::int", ["nope"]).then(
        () => "ran",
        (error: Error) => error.message,
      );
      expect(values).toEqual([2, 1, 2]);
      expect(failed).toMatch(/invalid input syntax/);
      expect(failedAgain).toMatch(/invalid input syntax/);
      expect(rows.filter((r) => r.statement.includes(marker))).toHaveLength(1);
    } finally {
      await pool.end();
    }
  });

  it("can be turned off (DATABASE_PREPARED_STATEMENTS=off)", async () => {
    const prepared = await unnamed.connection().execute(async (conn) => {
      for (let i = 0; i < 3; i++) {
        await sql`SELECT a FROM prep_t WHERE a = ${i} AND 'unnamed' <> ''`.execute(conn);
      }
      return preparedOn(conn);
    });
    expect(prepared).toEqual([]);
  });

  it("survives DDL that changes a prepared statement's result (a rolling deploy's migration)", async () => {
    await sql`CREATE TABLE prep_ddl (a int)`.execute(tdb.db);
    await sql`INSERT INTO prep_ddl VALUES (7)`.execute(tdb.db);
    const outcome = await tdb.db.connection().execute(async (conn) => {
      const select = () => sql<Record<string, unknown>>`SELECT * FROM prep_ddl WHERE a = ${7}`.execute(conn);
      await select();
      await select(); // now prepared, returning (a)
      // Another connection adds a column: the prepared plan's result type no longer holds.
      await sql`ALTER TABLE prep_ddl ADD COLUMN b int DEFAULT 9`.execute(unnamed);
      // Inside a transaction the refusal goes up (the transaction is rolled back like any error)…
      await sql`BEGIN`.execute(conn);
      const inTransaction = await select().then(
        () => "ran",
        (error: Error) => error.message,
      );
      await sql`ROLLBACK`.execute(conn);
      // …outside one the statement runs again, unnamed, and returns the new shape.
      const after = await select();
      return { inTransaction, after: after.rows[0] };
    });
    expect(outcome.inTransaction).toMatch(/cached plan must not change result type/);
    expect(outcome.after).toEqual({ a: 7, b: 9 });
  });

  it("runs a stale statement again outside a transaction without an error reaching the caller", async () => {
    await sql`CREATE TABLE prep_ddl2 (a int)`.execute(tdb.db);
    await sql`INSERT INTO prep_ddl2 VALUES (3)`.execute(tdb.db);
    // A pool of its own: a connection that met a stale plan before stops naming.
    const fresh = createDb(tdb.url, { poolSize: 1 });
    try {
      const outcome = await fresh.connection().execute(async (conn) => {
        const select = () =>
          sql<Record<string, unknown>>`SELECT * FROM prep_ddl2 WHERE a = ${3}`.execute(conn);
        await select();
        await select();
        const prepared = (await preparedOn(conn)).filter((s) => s.includes("prep_ddl2"));
        await sql`ALTER TABLE prep_ddl2 ADD COLUMN c text DEFAULT 'x'`.execute(unnamed);
        return { prepared, after: (await select()).rows[0] };
      });
      expect(outcome.prepared).toHaveLength(1);
      expect(outcome.after).toEqual({ a: 3, c: "x" });
    } finally {
      await fresh.destroy();
    }
  });
});
