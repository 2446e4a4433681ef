import { sql } from "kysely";
import type { Db, Trx } from "../context";
import { ConflictError, ValidationError } from "../errors";
import { sha256 } from "../hashing";

export type IdempotencyRequest = {
  /** Whose key space: `user:usr_…`, `api_key:key_…`, `admin:adm_…`. Keys of different scopes never collide. */
  scope: string;
  key: string;
  /** The verb, part of the fingerprint: the same key used for another operation is a conflict. */
  operation: string;
  /** The request parameters that must match on replay. */
  params: Record<string, unknown>;
};

export type IdempotentResult<T> = { result: T; replayed: boolean };

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Run `work` at most once per (scope, key) — L7.
 *
 * The key row is inserted inside the caller's transaction, before the work. A concurrent request
 * with the same key blocks on the unique index until this transaction ends; if it commits, the
 * waiter reads the stored response (identical bytes), if it rolls back, the waiter does the work
 * itself. A key reused with different parameters is a 409 and writes nothing.
 */
export async function runIdempotent<T>(
  trx: Trx,
  request: IdempotencyRequest,
  work: (idempotencyKeyId: number) => Promise<T>,
): Promise<IdempotentResult<T>> {
  assertIdempotencyKey(request.key);
  const fingerprint = fingerprintOf(request.operation, request.params);
  const inserted = await trx
    .insertInto("idempotency_keys")
    .values({
      scope: request.scope,
      key: request.key,
      operation: request.operation,
      fingerprint,
      response: "null",
    })
    .onConflict((oc) => oc.columns(["scope", "key"]).doNothing())
    .returning("id")
    .executeTakeFirst();

  if (!inserted) {
    const existing = await trx
      .selectFrom("idempotency_keys")
      .select(["fingerprint", "response", "operation"])
      .where("scope", "=", request.scope)
      .where("key", "=", request.key)
      .executeTakeFirstOrThrow();
    assertSameRequest(existing, fingerprint);
    return { result: existing.response as T, replayed: true };
  }

  // Return what was stored (jsonb normalises key order), so the first response is byte-identical
  // to every replay.
  const stored = await trx
    .updateTable("idempotency_keys")
    .set({ response: sql`${JSON.stringify(await work(inserted.id))}::jsonb` })
    .where("id", "=", inserted.id)
    .returning("response")
    .executeTakeFirstOrThrow();
  return { result: stored.response as T, replayed: false };
}

/** L7's key format: 1–255 printable characters without spaces. */
export function assertIdempotencyKey(key: string): void {
  if (!KEY_PATTERN.test(key)) {
    throw new ValidationError("The idempotency key must be 1–255 printable characters without spaces.", {
      field: "idempotencyKey",
    });
  }
}

/**
 * The stored result of an earlier request with this key, or undefined when the key is new. Money
 * verbs call this first, so a replay returns before the PIN, the provider or the limits are asked
 * again (a replay moves nothing); runIdempotent still decides under the unique index. The same key
 * with other parameters is the same 409 as in runIdempotent.
 */
export async function findIdempotentReplay<T>(
  db: Db | Trx,
  request: IdempotencyRequest,
): Promise<T | undefined> {
  const existing = await db
    .selectFrom("idempotency_keys")
    .select(["fingerprint", "response", "operation"])
    .where("scope", "=", request.scope)
    .where("key", "=", request.key)
    .executeTakeFirst();
  if (!existing) {
    return undefined;
  }
  assertSameRequest(existing, fingerprintOf(request.operation, request.params));
  return existing.response as T;
}

/** L7: one key, one request. Anything else that arrives with the key is refused, never replayed. */
function assertSameRequest(existing: { fingerprint: string; operation: string }, fingerprint: string): void {
  if (existing.fingerprint !== fingerprint) {
    throw keyReusedError(existing.operation);
  }
}

/** The 409 of a key sent again with another request (also raised by ledger_move_wallet as TD409). */
export function keyReusedError(operation: string): ConflictError {
  return new ConflictError(
    "This Idempotency-Key was already used for a different request. Use a new key for a new request.",
    "IDEMPOTENCY_KEY_REUSED",
    { operation },
  );
}

export function fingerprintOf(operation: string, params: Record<string, unknown>): string {
  return sha256(`${operation}\n${canonicalJson(params)}`);
}

/** JSON with object keys sorted, so the fingerprint does not depend on key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(",")}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}
