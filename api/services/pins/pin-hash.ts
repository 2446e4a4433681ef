import bcrypt from "bcryptjs";
import type { Config } from "../../config";
import { ValidationError } from "../errors";
import { hmacSha256 } from "../hashing";

/**
 * S1: bcrypt(HMAC-SHA256(pepper, pin)). A 4-digit PIN has 10⁴ values; bcrypt alone only slows a
 * brute force of a leaked table, the pepper (kept outside the database) stops it.
 */
export function hashPin(config: Config, pin: string): Promise<string> {
  return bcrypt.hash(hmacSha256(config.pinPepper, `pin:${pin}`), config.PIN_BCRYPT_COST);
}

export function pinMatches(config: Config, pin: string, hash: string): Promise<boolean> {
  return bcrypt.compare(hmacSha256(config.pinPepper, `pin:${pin}`), hash);
}

/** 4–6 digits, not all the same digit and not a straight run (1234, 4321): those are guessed first. */
export function assertAcceptablePin(pin: string, field = "pin"): void {
  if (!/^\d{4,6}$/.test(pin)) {
    throw new ValidationError("A PIN is 4 to 6 digits.", { field }, "INVALID_PIN_FORMAT");
  }
  const digits = [...pin].map(Number);
  const allSame = digits.every((d) => d === digits[0]);
  const step = (digits[1] ?? 0) - (digits[0] ?? 0);
  const straight =
    Math.abs(step) === 1 && digits.every((d, i) => i === 0 || d - (digits[i - 1] ?? 0) === step);
  if (allSame || straight) {
    throw new ValidationError(
      "That PIN is too easy to guess. Avoid repeated or consecutive digits.",
      { field },
      "WEAK_PIN",
    );
  }
}
