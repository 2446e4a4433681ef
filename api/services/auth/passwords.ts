import type { Config } from "../../config";
import { ValidationError } from "../errors";
import { bcryptCompare, bcryptHash } from "../pins/bcrypt-pool";

export function hashPassword(config: Config, password: string): Promise<string> {
  return bcryptHash(password, config.PASSWORD_BCRYPT_COST);
}

// Compared against when the account does not exist, so a wrong phone costs the same time as a wrong password.
let dummyHash: string | undefined;

export async function passwordMatches(password: string, hash: string | null | undefined): Promise<boolean> {
  if (!hash) {
    dummyHash ??= await bcryptHash("not-a-real-password", 12);
    await bcryptCompare(password, dummyHash);
    return false;
  }
  return bcryptCompare(password, hash);
}

/** 8–72 bytes (bcrypt ignores bytes past 72, so we refuse them rather than silently truncate). */
export function assertAcceptablePassword(password: string): void {
  const bytes = Buffer.byteLength(password, "utf8");
  if (password.length < 8 || bytes > 72) {
    throw new ValidationError("A password is 8 to 72 characters.", { field: "password" }, "INVALID_PASSWORD");
  }
}
