import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { Database } from "./database";
import { prepareRepeatedStatements } from "./prepared-statements";

const INT8_OID = 20;

/**
 * int8 (bigint) columns hold kobo, ids and counts. `pg` returns them as strings; we return safe
 * integers and refuse anything past 2^53 rather than silently lose precision (DESIGN §5).
 */
export function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`int8 value ${text} is outside the safe integer range`);
  }
  return value;
}

const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export type DbOptions = {
  poolSize?: number;
  applicationName?: string;
  onIdleError?: (error: Error) => void;
  /** Name repeated statements (prepared once per connection); off for poolers that cannot keep them. */
  prepareStatements?: boolean;
};

export function createPool(url: string, options: DbOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    types,
    application_name: options.applicationName ?? "tada-vtu",
    // Fail fast when the database is unreachable instead of hanging a request.
    connectionTimeoutMillis: 10_000,
  });
  // An idle client can lose its connection (server restart or shutdown). pg emits that on the pool;
  // unhandled it would crash the process. The pool drops the client and makes a new one on demand.
  pool.on("error", (error) => options.onIdleError?.(error));
  if (options.prepareStatements !== false) {
    pool.on("connect", (client) => prepareRepeatedStatements(client));
  }
  return pool;
}

export function createDb(url: string, options: DbOptions = {}): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: createPool(url, options) }) });
}
