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

/**
 * At least 8 characters and at most 72 bytes of UTF-8: bcrypt ignores bytes past 72, so we refuse
 * them rather than silently truncate. The limit is in bytes, so the message says so: 40 × "é" is
 * 40 characters but 80 bytes.
 */
export function assertAcceptablePassword(password: string): void {
  const bytes = Buffer.byteLength(password, "utf8");
  if (password.length < 8) {
    throw new ValidationError(
      `A password is at least 8 characters; yours has ${[...password].length}.`,
      { field: "password" },
      "INVALID_PASSWORD",
    );
  }
  if (bytes > 72) {
    throw new ValidationError(
      `A password is at most 72 bytes: 72 plain letters, digits or symbols, fewer with accented letters (2 bytes each) or emoji (4 bytes each). Yours is ${bytes} bytes; make it shorter.`,
      { field: "password" },
      "INVALID_PASSWORD",
    );
  }
}
