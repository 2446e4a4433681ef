import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/database";
import type { Config } from "../config";
import type { Logger } from "../logger";

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;

/** Everything a service verb depends on, the clock included, passed in explicitly (STYLE rule 3). */
export type ServiceContext = {
  db: Db;
  config: Config;
  logger: Logger;
  now: () => Date;
  requestId?: string;
};

/**
 * Run `fn` in a transaction, reusing the caller's one when `ctx.db` already is a transaction
 * (Kysely cannot nest `transaction()`).
 */
export function withTransaction<T>(
  ctx: Pick<ServiceContext, "db">,
  fn: (trx: Trx) => Promise<T>,
): Promise<T> {
  return ctx.db.isTransaction ? fn(ctx.db as Trx) : ctx.db.transaction().execute(fn);
}
