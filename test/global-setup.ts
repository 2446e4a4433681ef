import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { createDb } from "../db/client";
import { startEmbeddedPostgres } from "../db/embedded";
import { migrateToLatest } from "../db/migrate";
import { freePort } from "../scripts/lib/free-port";

export const TEMPLATE_DB = "tada_template";

declare module "vitest" {
  export interface ProvidedContext {
    /** Superuser URL of the test server's `postgres` database (used to create per-file databases). */
    adminDatabaseUrl: string;
  }
}

/**
 * One embedded PostgreSQL for the whole run, in a throw-away directory (not mkdtemp: those are 0700
 * and the `postgres` OS user could not enter them), with a migrated template database.
 */
export default async function setup(project: TestProject) {
  const dataDir = path.join(os.tmpdir(), `tada-test-${process.pid}-${Date.now()}`);
  const server = await startEmbeddedPostgres({
    dataDir,
    port: await freePort(),
    mode: "own",
    ephemeral: true,
  });
  const adminUrl = server.url.replace(/\/tada$/, "/postgres");

  try {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
    await admin.end();
    const template = createDb(adminUrl.replace(/\/postgres$/, `/${TEMPLATE_DB}`), { poolSize: 1 });
    await migrateToLatest(template);
    await template.destroy();
  } catch (error) {
    await server.stop();
    throw error;
  }

  project.provide("adminDatabaseUrl", adminUrl);
  return async () => {
    await server.stop();
  };
}
