import type { ServiceContext } from "../context";
import { isUniqueViolation } from "../db-errors";
import { ConflictError } from "../errors";
import { normalizePhone } from "../phone";
import { getUser } from "./identities";

/**
 * Record the user's own phone number (onboarding: a shared Telegram contact or a typed number). One
 * number belongs to one account: a number already on another account is a clear conflict, never a
 * silent move, because that account may hold money (linking is the way to join two chats).
 */
export async function setUserPhone(args: {
  ctx: ServiceContext;
  userId: string;
  phone: string;
}): Promise<{ phone: string; changed: boolean }> {
  const { ctx, userId } = args;
  const phone = normalizePhone(args.phone);
  const user = await getUser(ctx, userId);
  if (user.phone === phone) {
    return { phone, changed: false };
  }
  try {
    await ctx.db
      .updateTable("users")
      .set({ phone, updated_at: ctx.now() })
      .where("id", "=", userId)
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ConflictError(
        `${phone} is already on another TADA account. If that account is yours, open "Link another channel" there and send the code here.`,
        "PHONE_TAKEN",
      );
    }
    throw error;
  }
  return { phone, changed: true };
}
