import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureLogger, makeCtx } from "../../../test/helpers/context";
import { countingDb } from "../../../test/helpers/counting-db";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { until } from "../../../test/helpers/until";
import type { ServiceContext } from "../context";
import { PgListener } from "../pg-listener";
import { createApiKey, revokeApiKey, rotateApiKey, updateApiKey } from "./api-keys";
import { AUTH_CHANGED_CHANNEL, CredentialCache } from "./credential-cache";
import { registerUser } from "./register";
import { authenticate, login, logout } from "./sessions";

let tdb: TestDatabase;
let ctx: ServiceContext;
let listener: PgListener;
let cache: CredentialCache;
let counting: ReturnType<typeof countingDb>;
let countingCtx: ServiceContext;
let phoneSeq = 0;

beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db);
  counting = countingDb(tdb.url);
  countingCtx = { ...ctx, db: counting.db };
  listener = await new PgListener(tdb.url, captureLogger().logger, [AUTH_CHANGED_CHANNEL]).start();
  cache = new CredentialCache(listener);
});
afterAll(async () => {
  await listener.close();
  await counting.db.destroy();
  await tdb.destroy();
});

async function customer() {
  const phone = `0803${String(7_000_000 + ++phoneSeq).padStart(7, "0")}`;
  const password = "a long enough password 1";
  const user = await registerUser({ ctx, input: { phone, password } });
  const session = await login({ ctx, input: { phone, password } });
  const { key, id: keyId } = await createApiKey({ ctx, userId: user.id, input: { name: "cache test" } });
  return { user, session: session.token, key, keyId };
}

/** Statements `authenticate` sent through the counting database for one call, and its outcome. */
async function auth(bearer: string) {
  const before = counting.statements();
  const outcome = await authenticate({ ctx: countingCtx, bearer, cache }).then(
    (principal) => ({ principal, code: undefined as string | undefined }),
    (error: { code?: string }) => ({ principal: undefined, code: error.code }),
  );
  return { ...outcome, statements: counting.statements() - before };
}

describe("bearer credentials kept per process", () => {
  it("reads a key and a session once, then answers from memory with the same principal", async () => {
    const { user, session, key } = await customer();
    for (const bearer of [key, session]) {
      const first = await auth(bearer);
      expect(first.principal?.userId).toBe(user.id);
      expect(first.statements).toBeGreaterThanOrEqual(1);
      const again = await auth(bearer);
      expect(again).toEqual({ ...first, statements: 0 });
    }
  });

  it("refuses a revoked key, a logged-out session and a suspended account at once, in every process", async () => {
    const { user, session, key, keyId } = await customer();
    expect((await auth(key)).principal).toBeDefined();
    expect((await auth(session)).principal).toBeDefined();
    await revokeApiKey({ ctx, userId: user.id, keyId });
    await until(async () => (await auth(key)).code === "INVALID_API_KEY", 2_000, "the revoked key refused");
    await logout({ ctx, token: session });
    await until(async () => (await auth(session)).code === "INVALID_TOKEN", 2_000, "the session refused");

    const other = await customer();
    expect((await auth(other.key)).principal).toBeDefined();
    await sql`UPDATE users SET status = 'suspended' WHERE id = ${other.user.id}`.execute(tdb.db);
    await until(async () => (await auth(other.key)).code === "ACCOUNT_SUSPENDED", 2_000, "suspension");
    await sql`UPDATE users SET status = 'active' WHERE id = ${other.user.id}`.execute(tdb.db);
    await until(async () => (await auth(other.key)).principal !== undefined, 2_000, "reinstatement");
  });

  it("forgets a key on rotation and on a change of its scopes or allow-list, in every process", async () => {
    const { user, key, keyId } = await customer();
    expect((await auth(key)).principal?.scopes).toEqual(["read", "purchase"]);
    await updateApiKey({ ctx, userId: user.id, keyId, input: { scopes: ["read", "withdraw"] } });
    await until(
      async () => (await auth(key)).principal?.scopes.includes("withdraw"),
      2_000,
      "the new scopes seen",
    );
    await updateApiKey({ ctx, userId: user.id, keyId, input: { ipAllowList: ["203.0.113.0/24"] } });
    await until(
      async () => (await auth(key)).code === "API_KEY_IP_NOT_ALLOWED",
      2_000,
      "the allow-list seen",
    );
    const rotated = await rotateApiKey({ ctx, userId: user.id, keyId });
    await until(async () => (await auth(key)).code === "INVALID_API_KEY", 2_000, "the old secret refused");
    const fresh = await authenticate({
      ctx: countingCtx,
      bearer: rotated.key,
      cache,
      clientIp: "203.0.113.5",
    });
    expect(fresh).toMatchObject({ userId: user.id, via: "api_key", credentialId: keyId });
  });

  it("still checks a kept session's expiry on every request", async () => {
    const { session } = await customer();
    expect((await auth(session)).statements).toBeGreaterThanOrEqual(1);
    const later = new Date(Date.now() + (ctx.config.API_TOKEN_TTL_HOURS + 1) * 3_600_000);
    await expect(
      authenticate({ ctx: { ...countingCtx, now: () => later }, bearer: session, cache }),
    ).rejects.toMatchObject({ code: "INVALID_TOKEN" });
  });

  it("keeps nothing for tokens that match nothing", async () => {
    const size = cache.size;
    expect((await auth("tvk_not_a_key")).code).toBe("INVALID_API_KEY");
    expect((await auth("tvk_not_a_key")).statements).toBe(1);
    expect(cache.size).toBe(size);
  });

  it("forgets everything when sessions are purged, and reads every time while it cannot hear changes", async () => {
    const { key } = await customer();
    await auth(key);
    expect(cache.size).toBeGreaterThan(0);
    await sql`DELETE FROM api_sessions WHERE expires_at < now() - interval '100 years'`.execute(tdb.db);
    await until(() => cache.size === 0, 2_000, "the cache emptied by the purge");

    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
               WHERE application_name = 'tada-listener' AND pid <> pg_backend_pid()`.execute(tdb.db);
    await until(() => !listener.listening, 5_000, "the listener down");
    expect((await auth(key)).statements).toBeGreaterThanOrEqual(1);
    expect((await auth(key)).statements).toBeGreaterThanOrEqual(1);
    await until(() => listener.listening, 10_000, "the listener back");
    await auth(key);
    expect((await auth(key)).statements).toBe(0);
  });
});
