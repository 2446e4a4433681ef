import type { ServiceContext } from "./context";
import { purgeRateLimitCounters } from "./rate-limits";

const DAY_MS = 86_400_000;

/**
 * Delete credentials nobody can use any more: expired or revoked sessions (after 7 days, kept that
 * long for support questions), and used or expired one-time codes and PIN page links (after 1 day).
 */
export async function purgeExpiredCredentials(args: {
  ctx: ServiceContext;
}): Promise<Record<string, number>> {
  const { db } = args.ctx;
  const now = args.ctx.now().getTime();
  const weekAgo = new Date(now - 7 * DAY_MS);
  const dayAgo = new Date(now - DAY_MS);
  const sessions = await db
    .deleteFrom("api_sessions")
    .where((eb) => eb.or([eb("expires_at", "<", weekAgo), eb("revoked_at", "<", weekAgo)]))
    .executeTakeFirst();
  const linkCodes = await db.deleteFrom("link_codes").where("expires_at", "<", dayAgo).executeTakeFirst();
  const resetCodes = await db
    .deleteFrom("pin_reset_codes")
    .where("expires_at", "<", dayAgo)
    .executeTakeFirst();
  // PIN page links live minutes; a day later they only answer "was that link used?" questions.
  const pinLinks = await db.deleteFrom("pin_links").where("expires_at", "<", dayAgo).executeTakeFirst();
  // "My schedules" page links (DECISIONS §69): a day after they expired, likewise.
  const scheduleLinks = await db
    .deleteFrom("schedule_links")
    .where("expires_at", "<", dayAgo)
    .executeTakeFirst();
  const rateLimitWindows = await purgeRateLimitCounters(args.ctx);
  // Process boots that stopped (or went silent) a week ago hold no lease any lease could still need.
  const boots = await db
    .deleteFrom("process_boots")
    .where((eb) => eb.or([eb("ended_at", "<", weekAgo), eb("beat_at", "<", weekAgo)]))
    .executeTakeFirst();
  return {
    processBoots: Number(boots.numDeletedRows),
    rateLimitWindows,
    sessions: Number(sessions.numDeletedRows),
    linkCodes: Number(linkCodes.numDeletedRows),
    resetCodes: Number(resetCodes.numDeletedRows),
    pinLinks: Number(pinLinks.numDeletedRows),
    scheduleLinks: Number(scheduleLinks.numDeletedRows),
  };
}
