import type { ServiceContext } from "../context";

/** The languages a person's chat replies can be written in (bot/engine/i18n). */
export type UserLanguage = "en" | "pcm";

/** Record the person's reply language (one small UPDATE; English counts as chosen too). */
export async function setUserLanguage(args: {
  ctx: ServiceContext;
  userId: string;
  language: UserLanguage;
}): Promise<void> {
  const { ctx, userId, language } = args;
  await ctx.db.updateTable("users").set({ language }).where("id", "=", userId).execute();
}

/**
 * Record that Pidgin was offered to this person, once: true only for the call that recorded it (a
 * person who already chose, or was already offered, gets no second offer, even from two messages
 * handled at once).
 */
export async function markLanguageOffered(args: { ctx: ServiceContext; userId: string }): Promise<boolean> {
  const { ctx, userId } = args;
  const result = await ctx.db
    .updateTable("users")
    .set({ language_offered_at: ctx.now() })
    .where("id", "=", userId)
    .where("language", "is", null)
    .where("language_offered_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
