import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import pg from "pg";
import { inject } from "vitest";
import { createDb } from "../../db/client";
import type { Database } from "../../db/database";

export type TestDatabase = { db: Kysely<Database>; url: string; destroy(): Promise<void> };

/** A fresh, migrated database for one test file (cloned from the template in milliseconds). */
export async function createTestDatabase(options: { poolSize?: number } = {}): Promise<TestDatabase> {
  const adminUrl = inject("adminDatabaseUrl");
  const name = `t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE tada_template`);
  } finally {
    await admin.end();
  }
  const url = adminUrl.replace(/\/postgres$/, `/${name}`);
  const db = createDb(url, { poolSize: options.poolSize ?? 20 });
  return {
    db,
    url,
    async destroy() {
      await db.destroy();
    },
  };
}
