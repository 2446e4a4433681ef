import { Kysely, PostgresDialect } from "kysely";
import { createPool } from "../../db/client";
import type { Database } from "../../db/database";

/** The test database through a Kysely of its own that counts the statements it sends. */
export function countingDb(url: string): { db: Kysely<Database>; statements(): number } {
  let count = 0;
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: createPool(url, { poolSize: 2 }) }),
    log: (event) => {
      if (event.level === "query") {
        count++;
      }
    },
  });
  return { db, statements: () => count };
}
