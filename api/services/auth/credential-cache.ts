import { NotifiedCache } from "../notified-cache";
import type { PgListener } from "../pg-listener";
import type { ApiKeyScope } from "./scopes";

/** The channel the credential triggers notify (db migration 2026_12_06_2100): a user id, or "*". */
export const AUTH_CHANGED_CHANNEL = "auth_changed";

/** Credentials kept at most: one per active client; the oldest make room. */
const MAX_CREDENTIALS = 20_000;

/** A bearer credential's row as `authenticate` judges it (sessions.ts). */
export type CredentialRow = {
  kind: "session" | "api_key";
  id: string;
  userId: string;
  userStatus: string;
  revokedAt: Date | null;
  /** Sessions only. */
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  /** API keys only: what the key may do, from where, how often, and whether it is a sandbox key. */
  key?: {
    scopes: ApiKeyScope[];
    ipAllowList: string[];
    rateLimitPerMinute: number | null;
    sandbox: boolean;
  };
};

/**
 * The bearer credentials this API process has looked up, by the token's SHA-256, so a request does
 * not read its key or session (and its user's status) again: issue 15, DECISIONS §50. Every check
 * (revoked, expired, suspended, a key's sandbox flag, allow-list and scopes) still runs on each
 * request, on the row as kept; the row is forgotten when PostgreSQL says the user's credentials
 * (a key's hash, scopes, allow-list, rate limit) or status changed (notified-cache.ts has the rules:
 * trusted only while notifications arrive). Tokens that match nothing are not kept.
 */
export class CredentialCache {
  private readonly rows: NotifiedCache<string, CredentialRow | undefined>;

  constructor(listener: PgListener) {
    this.rows = new NotifiedCache(listener, MAX_CREDENTIALS);
    listener.on(AUTH_CHANGED_CHANNEL, (userId) => {
      if (userId === "*") {
        this.rows.clear();
      } else {
        this.rows.drop((row) => row?.userId === userId);
      }
    });
  }

  read(
    tokenHash: string,
    load: () => Promise<CredentialRow | undefined>,
  ): Promise<CredentialRow | undefined> {
    return this.rows.read(tokenHash, load);
  }

  /**
   * Forget a user's credentials now, in this process (a key rotated or changed here): the trigger's
   * notification does the same in every process, this closes the moment before it arrives.
   */
  forgetUser(userId: string): void {
    this.rows.drop((row) => row?.userId === userId);
  }

  get size(): number {
    return this.rows.size;
  }
}
