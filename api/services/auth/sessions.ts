import { z } from "zod";
import type { ServiceContext } from "../context";
import { AuthenticationError, ForbiddenError, ServiceError } from "../errors";
import { sha256 } from "../hashing";
import { secretToken } from "../ids";
import { normalizePhone } from "../phone";
import type { CredentialCache, CredentialRow } from "./credential-cache";
import { ipAllowed } from "./ip-allow-list";
import { passwordMatches } from "./passwords";
import { API_KEY_SCOPES, type ApiKeyScope } from "./scopes";

export const LoginInput = z.strictObject({
  phone: z.string().min(1).max(30),
  password: z.string().min(1).max(200),
});
export type LoginInput = z.input<typeof LoginInput>;

export const SESSION_PREFIX = "tvs";
export const API_KEY_PREFIX = "tvk";

/** Exchange phone + password for a bearer token. Only its SHA-256 is stored. */
export async function login(args: {
  ctx: ServiceContext;
  input: LoginInput;
}): Promise<{ token: string; tokenType: "Bearer"; expiresAt: string; userId: string }> {
  const input = LoginInput.parse(args.input);
  const { ctx } = args;
  let phone: string | undefined;
  try {
    phone = normalizePhone(input.phone);
  } catch {
    phone = undefined;
  }
  const user = phone
    ? await ctx.db
        .selectFrom("users")
        .select(["id", "password_hash", "status"])
        .where("phone", "=", phone)
        .executeTakeFirst()
    : undefined;
  const ok = await passwordMatches(input.password, user?.password_hash);
  if (!user || !ok) {
    throw new AuthenticationError("Wrong phone number or password.", "INVALID_CREDENTIALS");
  }
  if (user.status !== "active") {
    throw new ForbiddenError("This account is suspended. Contact support.", "ACCOUNT_SUSPENDED");
  }
  const token = secretToken(SESSION_PREFIX);
  const expiresAt = new Date(ctx.now().getTime() + ctx.config.API_TOKEN_TTL_HOURS * 3_600_000);
  await ctx.db
    .insertInto("api_sessions")
    .values({ user_id: user.id, token_hash: sha256(token), expires_at: expiresAt })
    .execute();
  return { token, tokenType: "Bearer", expiresAt: expiresAt.toISOString(), userId: user.id };
}

/** Revoke the session token (an API key is revoked through the API-keys routes instead). */
export async function logout(args: { ctx: ServiceContext; token: string }): Promise<void> {
  await args.ctx.db
    .updateTable("api_sessions")
    .set({ revoked_at: args.ctx.now() })
    .where("token_hash", "=", sha256(args.token))
    .where("revoked_at", "is", null)
    .execute();
}

export type Principal = {
  userId: string;
  /** How they authenticated: a login session, or a reseller API key. */
  via: "session" | "api_key";
  credentialId: string;
  /** What the credential may do: every scope for a login session, the key's own for an API key. */
  scopes: readonly ApiKeyScope[];
  /** API keys: requests a minute (the key's own limit, else API_KEY_RATE_LIMIT_PER_MINUTE). */
  rateLimitPerMinute?: number;
};

/**
 * Resolve a bearer credential (session token or API key) to its user, or throw 401/403. With
 * `cache` (an API process that hears PostgreSQL's notifications) the credential's row is read once
 * and kept until it changes; the checks below run on every request either way. `clientIp` is the
 * request's address (TRUST_PROXY rules, api/http/middleware.ts clientIp): a key with an allow-list
 * is refused from anywhere else, and when no address is given.
 */
export async function authenticate(args: {
  ctx: ServiceContext;
  bearer: string;
  cache?: CredentialCache;
  clientIp?: string;
}): Promise<Principal> {
  const { ctx, bearer, cache } = args;
  const now = ctx.now();
  const hash = sha256(bearer);
  const isKey = bearer.startsWith(`${API_KEY_PREFIX}_`);
  const load = () => (isKey ? findApiKey(ctx, hash) : findSession(ctx, hash));
  const row = cache ? await cache.read(hash, load) : await load();
  if (isKey) {
    if (!row?.key || row.revokedAt) {
      throw new AuthenticationError("This API key is not valid or was revoked.", "INVALID_API_KEY");
    }
    if (row.key.sandbox && !ctx.config.sandbox) {
      throw new AuthenticationError(
        "This is a sandbox API key (made while the service ran in sandbox mode); the live service does not take it. Sign in to the live service and create a live key with POST /api/api-keys.",
        "API_KEY_SANDBOX_ONLY",
      );
    }
  } else if (!row || row.revokedAt || !row.expiresAt || row.expiresAt <= now) {
    throw new AuthenticationError("Your session is not valid or has expired. Log in again.", "INVALID_TOKEN");
  }
  assertActive(row.userStatus);
  if (row.key && row.key.ipAllowList.length > 0 && !ipAllowed(args.clientIp ?? "", row.key.ipAllowList)) {
    const seen = args.clientIp ?? "unknown";
    throw new ServiceError(
      "forbidden",
      "API_KEY_IP_NOT_ALLOWED",
      `This API key may not be used from ${seen}. If that address is yours, add it to the key's ipAllowList with PATCH /api/api-keys/${row.id} (signed in with a login session).`,
      { ip: seen },
    );
  }
  if (isStale(row.lastUsedAt, now)) {
    // On the kept row too, so the next write is a minute away in this process; the condition skips
    // the row write when another process wrote it within the minute.
    row.lastUsedAt = now;
    const staleBefore = new Date(now.getTime() - LAST_USED_EVERY_MS);
    if (row.kind === "api_key") {
      await ctx.db
        .updateTable("api_keys")
        .set({ last_used_at: now })
        .where("id", "=", row.id)
        .where((eb) => eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<", staleBefore)]))
        .execute();
    } else {
      await ctx.db
        .updateTable("api_sessions")
        .set({ last_used_at: now })
        .where("id", "=", Number(row.id))
        .execute();
    }
  }
  if (!row.key) {
    return { userId: row.userId, via: "session", credentialId: row.id, scopes: API_KEY_SCOPES };
  }
  return {
    userId: row.userId,
    via: "api_key",
    credentialId: row.id,
    scopes: row.key.scopes,
    rateLimitPerMinute: row.key.rateLimitPerMinute ?? ctx.config.API_KEY_RATE_LIMIT_PER_MINUTE,
  };
}

async function findApiKey(ctx: ServiceContext, hash: string): Promise<CredentialRow | undefined> {
  const key = await ctx.db
    .selectFrom("api_keys as k")
    .innerJoin("users as u", "u.id", "k.user_id")
    .select([
      "k.id",
      "k.user_id",
      "k.revoked_at",
      "k.last_used_at",
      "k.scopes",
      "k.ip_allow_list",
      "k.rate_limit_per_minute",
      "k.sandbox",
      "u.status",
    ])
    .where("k.key_hash", "=", hash)
    .executeTakeFirst();
  return (
    key && {
      kind: "api_key",
      id: key.id,
      userId: key.user_id,
      userStatus: key.status,
      revokedAt: key.revoked_at,
      expiresAt: null,
      lastUsedAt: key.last_used_at,
      key: {
        scopes: key.scopes,
        ipAllowList: key.ip_allow_list,
        rateLimitPerMinute: key.rate_limit_per_minute,
        sandbox: key.sandbox,
      },
    }
  );
}

async function findSession(ctx: ServiceContext, hash: string): Promise<CredentialRow | undefined> {
  const session = await ctx.db
    .selectFrom("api_sessions as s")
    .innerJoin("users as u", "u.id", "s.user_id")
    .select(["s.id", "s.user_id", "s.expires_at", "s.revoked_at", "s.last_used_at", "u.status"])
    .where("s.token_hash", "=", hash)
    .executeTakeFirst();
  return (
    session && {
      kind: "session",
      id: String(session.id),
      userId: session.user_id,
      userStatus: session.status,
      revokedAt: session.revoked_at,
      expiresAt: session.expires_at,
      lastUsedAt: session.last_used_at,
    }
  );
}

function assertActive(status: string): void {
  if (status !== "active") {
    throw new ForbiddenError("This account is suspended. Contact support.", "ACCOUNT_SUSPENDED");
  }
}

/** Write last-used at most once a minute: a write per request would make every read a write. */
const LAST_USED_EVERY_MS = 60_000;

function isStale(lastUsed: Date | null, now: Date): boolean {
  return !lastUsed || now.getTime() - lastUsed.getTime() > LAST_USED_EVERY_MS;
}
