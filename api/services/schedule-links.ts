import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { sql } from "kysely";
import type { Config } from "../config";
import { type ServiceContext, withTransaction } from "./context";
import { sha256 } from "./hashing";
import { newId, secretToken } from "./ids";

/**
 * The customer's "My schedules" page (DECISIONS §69). A link, sent to the chat on "my schedules" or
 * asked for with `POST /api/schedules/link`, opens a management session for one customer: the token
 * (256 random bits) is kept only as a hash, expires after SCHEDULE_LINK_TTL_MINUTES and works as
 * often as needed until then. Only the newest link of a customer works: making one revokes the
 * others (serialised per customer; a partial unique index holds it).
 */
export type ScheduleLink = { id: string; userId: string; expiresAt: Date };

/** The page's path prefix; the logger redacts the token after it (api/http/middleware.ts). */
export const SCHEDULE_PAGE_PREFIX = "/schedules";

export async function createScheduleLink(args: {
  ctx: ServiceContext;
  userId: string;
}): Promise<{ url: string; expiresAt: Date }> {
  const { ctx, userId } = args;
  const now = ctx.now();
  // The prefix keeps the token recognisable in a support ticket; it is never logged.
  const token = secretToken("skl");
  const expiresAt = new Date(now.getTime() + ctx.config.SCHEDULE_LINK_TTL_MINUTES * 60_000);
  await withTransaction(ctx, async (trx) => {
    // Two links asked for at once: one after the other, so the second revokes the first.
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`schedule_link:${userId}`}))`.execute(trx);
    await trx
      .updateTable("schedule_links")
      .set({ revoked_at: now })
      .where("user_id", "=", userId)
      .where("revoked_at", "is", null)
      .execute();
    await trx
      .insertInto("schedule_links")
      .values({
        id: newId("slk", now.getTime()),
        token_hash: sha256(token),
        user_id: userId,
        expires_at: expiresAt,
      })
      .execute();
  });
  return { url: `${ctx.config.publicBaseUrl}${SCHEDULE_PAGE_PREFIX}/${token}`, expiresAt };
}

/**
 * The link behind a token while it works (not revoked, not expired, its customer's account active:
 * a customer suspended after the link was sent cannot use it); otherwise undefined.
 */
export async function findScheduleLink(args: {
  ctx: ServiceContext;
  token: string;
}): Promise<ScheduleLink | undefined> {
  const row = await args.ctx.db
    .selectFrom("schedule_links")
    .innerJoin("users", "users.id", "schedule_links.user_id")
    .select(["schedule_links.id", "schedule_links.user_id", "schedule_links.expires_at"])
    .where("schedule_links.token_hash", "=", sha256(args.token))
    .where("schedule_links.revoked_at", "is", null)
    .where("schedule_links.expires_at", ">", args.ctx.now())
    .where("users.status", "=", "active")
    .executeTakeFirst();
  return row ? { id: row.id, userId: row.user_id, expiresAt: row.expires_at } : undefined;
}

/**
 * The page's CSRF token: HMAC(browser id, link id) under a key derived from the PIN pepper. The
 * browser id is an HttpOnly SameSite=Strict cookie the page sets, so a form posted from another
 * site carries neither the cookie nor a token that matches it, even by someone who knows the link.
 */
export function scheduleCsrfToken(config: Config, browserId: string, linkId: string): string {
  return createHmac("sha256", csrfKey(config)).update(`${browserId}:${linkId}`).digest("base64url");
}

export function scheduleCsrfValid(
  config: Config,
  browserId: string | undefined,
  linkId: string,
  sent: unknown,
): boolean {
  if (!browserId || typeof sent !== "string") {
    return false;
  }
  const expected = Buffer.from(scheduleCsrfToken(config, browserId, linkId));
  const given = Buffer.from(sent);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function csrfKey(config: Config): Buffer {
  return Buffer.from(hkdfSync("sha256", config.pinPepper, "tada-vtu", "schedule-page-csrf", 32));
}
