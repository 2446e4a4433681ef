import { z } from "zod";
import { hasRole, type SignedInAdmin } from "../admins/sessions";
import { recordAudit } from "../audit";
import { type ServiceContext, withTransaction } from "../context";
import { ForbiddenError, NotFoundError, ValidationError } from "../errors";
import { type CableCard, findOwnCard } from "./cards";

export const AdminCardRemindersInput = z.strictObject({
  on: z.boolean().meta({ description: "true turns the card's renewal reminders on, false off." }),
  reason: z
    .string()
    .trim()
    .min(3, "give a reason of at least 3 characters")
    .max(500, "keep the reason to 500 characters or fewer")
    .meta({ description: "Why, for the audit log (3–500 characters).", example: "customer asked by phone" }),
});
export type AdminCardRemindersInput = z.input<typeof AdminCardRemindersInput>;

/** What an admin's change answers: the card as it is now, and whether anything changed. */
export type AdminCardRemindersResult = { card: CableCard; changed: boolean };

/**
 * An admin turns a customer's cable renewal reminders on or off (DECISIONS §79): support staff take
 * the "stop sending me reminders" calls, and an admin acts on them. Only `admin` and `super_admin`
 * may (S7). The card row is locked, changed and audited (target: the customer, so their audit filter
 * finds it; the card id, before and after in the row) in one transaction. Setting the state it
 * already has changes nothing and writes no audit row, and still answers the card. The customer's
 * own toggle in chat (setCardReminders) is unchanged; either undoes the other.
 */
export async function adminSetCardReminders(args: {
  ctx: ServiceContext;
  admin: Pick<SignedInAdmin, "id" | "role">;
  userId: string;
  cardId: number;
  input: AdminCardRemindersInput;
}): Promise<AdminCardRemindersResult> {
  const { ctx, admin, userId, cardId } = args;
  if (!hasRole(admin, "admin")) {
    throw new ForbiddenError(
      "Support can look, not change: ask an admin to turn the reminders on or off.",
      "ROLE_REQUIRED",
    );
  }
  const parsed = AdminCardRemindersInput.safeParse(args.input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") || "body";
    throw new ValidationError(`${field}: ${issue?.message ?? "is invalid"}.`, { field });
  }
  const { on, reason } = parsed.data;
  const remindersOff = !on;
  return withTransaction(ctx, async (trx) => {
    const user = await trx.selectFrom("users").select("id").where("id", "=", userId).executeTakeFirst();
    if (!user) {
      throw new NotFoundError("That customer", "USER_NOT_FOUND");
    }
    const card = Number.isSafeInteger(cardId)
      ? await trx
          .selectFrom("cable_cards")
          .select(["id", "reminders_off"])
          .where("id", "=", cardId)
          .where("user_id", "=", userId)
          .forUpdate()
          .executeTakeFirst()
      : undefined;
    if (!card) {
      throw new NotFoundError("That card", "CARD_NOT_FOUND");
    }
    const changed = card.reminders_off !== remindersOff;
    if (changed) {
      await trx
        .updateTable("cable_cards")
        .set({ reminders_off: remindersOff, updated_at: new Date() })
        .where("id", "=", card.id)
        .execute();
      await recordAudit(trx, {
        actorType: "admin",
        actorId: admin.id,
        action: on ? "cable_card.reminders_on" : "cable_card.reminders_off",
        targetType: "user",
        targetId: userId,
        before: { cardId: card.id, remindersOff: card.reminders_off },
        after: { cardId: card.id, remindersOff },
        reason,
        requestId: ctx.requestId,
      });
    }
    const now = await findOwnCard({ ...ctx, db: trx }, { userId, cardId: card.id });
    if (!now) {
      throw new NotFoundError("That card", "CARD_NOT_FOUND");
    }
    return { card: now, changed };
  });
}
