import { z } from "zod";
import { type ServiceContext, withTransaction } from "../context";
import { isUniqueViolation } from "../db-errors";
import { ConflictError } from "../errors";
import { normalizePhone } from "../phone";
import { insertUser, toUserDto, type UserDto } from "../users";
import { assertAcceptablePassword, hashPassword } from "./passwords";

export const RegisterInput = z.strictObject({
  phone: z.string().min(1).max(30),
  password: z.string().min(1).max(200),
  email: z.email().max(254).optional(),
  name: z.string().trim().min(1).max(80).optional(),
  referralCode: z.string().trim().toUpperCase().max(20).optional(),
});
export type RegisterInput = z.input<typeof RegisterInput>;

/** API sign-up with phone + password. The phone is the login; a user gets a wallet at once. */
export async function registerUser(args: { ctx: ServiceContext; input: RegisterInput }): Promise<UserDto> {
  const input = RegisterInput.parse(args.input);
  const phone = normalizePhone(input.phone);
  assertAcceptablePassword(input.password);
  const email = input.email?.toLowerCase();
  const passwordHash = await hashPassword(args.ctx.config, input.password);
  try {
    const user = await withTransaction(args.ctx, async (trx) => {
      const referrer = input.referralCode
        ? await trx
            .selectFrom("users")
            .select("id")
            .where("referral_code", "=", input.referralCode)
            .executeTakeFirst()
        : undefined;
      return insertUser(trx, {
        phone,
        email: email ?? null,
        displayName: input.name ?? null,
        passwordHash,
        referredByUserId: referrer?.id ?? null,
        identity: { channel: "api", externalId: phone },
      });
    });
    return toUserDto(user);
  } catch (error) {
    if (isUniqueViolation(error)) {
      const field = String((error as { constraint?: string }).constraint ?? "").includes("email")
        ? "email"
        : "phone";
      throw new ConflictError(
        field === "email"
          ? "That email is already registered. Log in, or use another email."
          : "That phone number is already registered. Log in instead.",
        field === "email" ? "EMAIL_TAKEN" : "PHONE_TAKEN",
      );
    }
    throw error;
  }
}
