import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Kysely } from "kysely";
import {
  type Config,
  ConfigError,
  type DatabaseConfig,
  loadConfig,
  loadDatabaseConfig,
  PROJECT_ROOT,
} from "../../api/config";
import { createLogger, type Logger, resolveLogFormat } from "../../api/logger";
import type { ServiceContext } from "../../api/services/context";
import { logBackgroundError } from "../../api/shutdown";
import { createDb } from "../../db/client";
import type { Database } from "../../db/database";
import { type EmbeddedMode, startEmbeddedPostgres } from "../../db/embedded";
import { migrateToLatest } from "../../db/migrate";

export type Runtime = {
  config: Config;
  logger: Logger;
  db: Kysely<Database>;
  databaseUrl: string;
  /** A service context for scripts and jobs (system actor, real clock). */
  ctx(): ServiceContext;
  close(): Promise<void>;
};

/**
 * Config → database (external, or our embedded PostgreSQL) → migrations. Shared by every entry point
 * so `npm start`, `npm run migrate`, `check-ledger` and `create-admin` boot the same way.
 */
export async function openRuntime(options: {
  mode: EmbeddedMode;
  migrate?: boolean;
  logLevel?: string;
}): Promise<Runtime> {
  const config = loadConfigOrExit();
  const database = await openDatabase({ ...options, config });
  return {
    ...database,
    config,
    ctx: () => ({ db: database.db, config, logger: database.logger, now: () => new Date() }),
  };
}

export type OpenDatabase = Pick<Runtime, "logger" | "db" | "databaseUrl" | "close">;

/**
 * The database alone, from the database variables alone (DATABASE_URL or the embedded server):
 * what `npm run migrate` needs, so it runs before any key or secret is configured.
 */
export async function openDatabase(options: {
  config: DatabaseConfig;
  mode: EmbeddedMode;
  migrate?: boolean;
  logLevel?: string;
}): Promise<OpenDatabase> {
  const { config } = options;
  const logger = createLogger({
    level: options.logLevel ?? config.LOG_LEVEL,
    format: resolveLogFormat(config),
  });
  let stopEmbedded: () => Promise<void> = async () => {};
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres({
      dataDir: config.DATA_DIR,
      port: config.EMBEDDED_PG_PORT,
      mode: options.mode,
      log: (m) => logger.info(m),
    });
    databaseUrl = pg.url;
    stopEmbedded = () => pg.stop();
  }
  const db = createDb(databaseUrl, {
    poolSize: config.DATABASE_POOL_SIZE,
    prepareStatements: config.DATABASE_PREPARED_STATEMENTS === "on",
    onIdleError: (error) =>
      logBackgroundError(logger, "warn", error, {}, "an idle database connection was lost"),
  });
  try {
    if (options.migrate !== false) {
      const { applied } = await migrateToLatest(db);
      if (applied.length > 0) {
        logger.info({ applied }, "database migrated");
      }
    }
  } catch (error) {
    await db.destroy();
    await stopEmbedded();
    throw error;
  }
  return {
    logger,
    db,
    databaseUrl,
    async close() {
      await db.destroy();
      await stopEmbedded();
    },
  };
}

/** Parse the environment; on a bad value print which variable and what it expects, then exit 1. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  return orExit(() => loadConfig(withDevPepper(env)));
}

/** The database variables only (see loadDatabaseConfig), with the same clear exit on a bad value. */
export function loadDatabaseConfigOrExit(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  return orExit(() => loadDatabaseConfig(env));
}

function orExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee .env.example for every variable and its meaning.\n`);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * Outside production a missing PIN_PEPPER is generated once and kept in DATA_DIR (0600), so the
 * embedded default needs no keys yet PINs survive restarts. Production must set PIN_PEPPER.
 */
function withDevPepper(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.PIN_PEPPER || env.NODE_ENV === "production") {
    return env;
  }
  const dataDir = env.DATA_DIR || path.join(PROJECT_ROOT, ".data");
  const file = path.join(dataDir, "dev-pin-pepper");
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString("hex")}\n`, { mode: 0o600 });
  }
  return { ...env, PIN_PEPPER: readFileSync(file, "utf8").trim() };
}

/** Run a script's main, printing a readable error (not a stack dump) for expected failures. */
export function runMain(main: () => Promise<number | undefined>): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (error: unknown) => {
      process.stderr.write(`\n${error instanceof Error ? error.message : String(error)}\n`);
      if (process.env.DEBUG && error instanceof Error) {
        process.stderr.write(`${error.stack}\n`);
      }
      process.exit(1);
    },
  );
}
