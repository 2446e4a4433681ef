import type pg from "pg";

/**
 * Repeated statements as named prepared statements: PostgreSQL parses and plans each once per
 * connection instead of on every call. Measured on the Telegram bench (pg_stat_statements): the
 * chat engine's two statements per message spent about as long being planned as being run
 * (0.55 + 0.39 ms of planning per message); naming them took the bench from ~410 to ~630 answers/s.
 * Kysely sends text and parameters; the naming happens under it, for every query of the pool, so no
 * service has to know. DATABASE_PREPARED_STATEMENTS=off turns it off (a pooler in transaction mode
 * that cannot keep prepared statements).
 */

/** A statement is named from its second use: one that runs once is not worth keeping per connection. */
const NAME_FROM_USE = 2;
/** Longer texts run unnamed (a generated IN list of a thousand values is not worth keeping). */
const MAX_TEXT_LENGTH = 16_384;
/** The most distinct statements named per process; past it, new texts run unnamed. */
const MAX_NAMED = 2_000;

const uses = new Map<string, number>();
const names = new Map<string, string>();

/** The name a statement text runs under, or undefined to run it unnamed (first use, too long, cap). */
export function statementName(text: string): string | undefined {
  const known = names.get(text);
  if (known || text.length > MAX_TEXT_LENGTH || names.size >= MAX_NAMED) {
    return known;
  }
  const seen = (uses.get(text) ?? 0) + 1;
  if (seen < NAME_FROM_USE) {
    if (uses.size >= MAX_NAMED * 4) {
      uses.clear(); // texts seen once are mostly one-offs: forget them rather than grow
    }
    uses.set(text, seen);
    return undefined;
  }
  uses.delete(text);
  const name = `tada_${names.size + 1}`;
  names.set(text, name);
  return name;
}

/**
 * After DDL changed what a prepared statement returns (a rolling deploy's migration added a column to
 * a table read with `*`), PostgreSQL refuses to run it: "cached plan must not change result type".
 */
function isStalePlan(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | undefined;
  return e?.code === "0A000" && /cached plan must not change result type/.test(e.message ?? "");
}

type QueryFn = (...args: unknown[]) => Promise<unknown> | undefined;
type Callback = (error: unknown, result?: unknown) => void;

/**
 * Name the repeated statements of one pooled connection. A statement refused as a stale plan is run
 * again unnamed when it was not inside a transaction (nothing ran: the refusal comes before
 * execution); inside one, the error goes up and the transaction is rolled back as for any error.
 * Either way that connection stops naming: it would keep hitting the old plans.
 */
export function prepareRepeatedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  let naming = true;
  let inTransaction = false;
  (client as unknown as { query: QueryFn }).query = (first: unknown, ...rest: unknown[]) => {
    const values = rest[0];
    // pg-pool's `pool.query(text, values)` calls `client.query(text, values, callback)`: named too.
    const callback = rest.length === 2 && typeof rest[1] === "function" ? (rest[1] as Callback) : undefined;
    if (typeof first === "string") {
      inTransaction = tracksTransaction(first, inTransaction);
    }
    const name =
      naming &&
      typeof first === "string" &&
      Array.isArray(values) &&
      values.length > 0 &&
      (rest.length === 1 || callback)
        ? statementName(first)
        : undefined;
    if (!name) {
      return query(first, ...rest);
    }
    const wasInTransaction = inTransaction;
    const named = query({ name, text: first, values }).catch((error: unknown) => {
      if (!isStalePlan(error)) {
        throw error;
      }
      naming = false;
      if (wasInTransaction) {
        throw error;
      }
      return query(first, values);
    });
    if (!callback) {
      return named;
    }
    named.then(
      (result) => callback(undefined, result),
      (error: unknown) => callback(error),
    );
    return undefined;
  };
}

/** Whether a connection is inside a transaction after `text` (Kysely sends begin/commit/rollback as text). */
function tracksTransaction(text: string, inTransaction: boolean): boolean {
  const head = text.trimStart().slice(0, 17).toLowerCase();
  if (head.startsWith("begin") || head.startsWith("start transaction")) {
    return true;
  }
  if (head.startsWith("commit") || head.startsWith("rollback") || head.startsWith("end")) {
    return head.startsWith("rollback to") ? inTransaction : false;
  }
  return inTransaction;
}
