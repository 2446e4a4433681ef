import { Kysely, PostgresDialect } from "kysely";
import { createPool } from "../../db/client";
import type { Database } from "../../db/database";

/**
 * The test database through a Kysely of its own that counts the statements it sends, and keeps
 * their SQL in `sent` (a test may clear it with `sent.length = 0`; the count goes on).
 */
export function countingDb(
  url: string,
  options: { poolSize?: number } = {},
): { db: Kysely<Database>; statements(): number; sent: string[] } {
  let count = 0;
  const sent: string[] = [];
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: createPool(url, { poolSize: options.poolSize ?? 2 }) }),
    log: (event) => {
      if (event.level === "query") {
        count++;
        sent.push(event.query.sql);
      }
    },
  });
  return { db, sent, statements: () => count };
}
