import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/helpers/db";
import { parseInt8 } from "./client";

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 2 });
});
afterAll(() => tdb.destroy());

describe("int8 parsing", () => {
  it("returns bigint columns as safe integers", async () => {
    const { rows } = await sql<{ v: number }>`SELECT 9007199254740991::bigint AS v`.execute(tdb.db);
    expect(rows[0]?.v).toBe(Number.MAX_SAFE_INTEGER);
    expect(typeof rows[0]?.v).toBe("number");
  });

  it("throws instead of losing precision past 2^53", async () => {
    await expect(sql`SELECT 9007199254740993::bigint AS v`.execute(tdb.db)).rejects.toThrow(
      /outside the safe integer range/,
    );
    expect(() => parseInt8("-9007199254740993")).toThrow(RangeError);
  });
});

describe("L11: time zones", () => {
  it("stores instants, not wall-clock times, whatever the session and process time zones", async () => {
    expect(process.env.TZ).toBe("Africa/Lagos");
    const instant = new Date("2026-01-01T00:30:00Z");
    const result = await tdb.db.connection().execute(async (conn) => {
      await sql`SET TIME ZONE 'America/Los_Angeles'`.execute(conn);
      const { rows } = await sql<{ at: Date; local: string }>`
        SELECT ${instant}::timestamptz AS at, to_char(${instant}::timestamptz, 'YYYY-MM-DD HH24:MI') AS local`.execute(
        conn,
      );
      await sql`RESET TIME ZONE`.execute(conn);
      return rows[0];
    });
    expect(result?.at.toISOString()).toBe("2026-01-01T00:30:00.000Z");
    expect(result?.local).toBe("2025-12-31 16:30");
  });
});
