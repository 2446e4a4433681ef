import { z } from "zod";
import { type ServiceContext, withTransaction } from "../context";
import { isUniqueViolation } from "../db-errors";
import { ConflictError, ServiceError } from "../errors";
import { normalizePhone } from "../phone";
import { findReferrer } from "../rewards/referrals";
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
  // A mistyped code is refused, not dropped: silently ignored, the friend who shared it would never
  // be credited and nobody would know why. Checked before the password is hashed (bcrypt is slow).
  const referrer = input.referralCode ? await findReferrer(args.ctx, input.referralCode) : undefined;
  if (input.referralCode && !referrer) {
    throw new ServiceError(
      "unprocessable",
      "REFERRAL_CODE_UNKNOWN",
      "That referral code does not exist. Check it with the person who sent it (letters and digits), or leave referralCode out.",
    );
  }
  const passwordHash = await hashPassword(args.ctx.config, input.password);
  try {
    const user = await withTransaction(args.ctx, async (trx) => {
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
