import type { Config } from "../../config";
import { ValidationError } from "../errors";
import { hmacSha256, sha256 } from "../hashing";
import { bcryptCompare, bcryptHash } from "./bcrypt-pool";

/**
 * S1: bcrypt(HMAC-SHA256(pepper, pin)). A 4-digit PIN has 10⁴ values; bcrypt alone only slows a
 * brute force of a leaked table, the pepper (kept outside the database) stops it.
 */
export function hashPin(config: Config, pin: string): Promise<string> {
  return bcryptHash(hmacSha256(config.pinPepper, `pin:${pin}`), config.PIN_BCRYPT_COST);
}

/**
 * bcrypt at cost 12 is ~250 ms of CPU in pure JS: fine once, a ceiling for a reseller buying all day.
 * After a successful check we remember a digest of (stored hash, HMAC of the PIN) in this process for
 * PIN_VERIFY_CACHE_SECONDS, so the same correct PIN skips bcrypt. Wrong PINs never match a digest
 * and always pay full bcrypt (and count towards the lockout, which the caller keeps in PostgreSQL);
 * a changed PIN has a new hash, so old digests are dead. Set 0 to turn the cache off.
 */
const verified = new Map<string, number>();
const MAX_CACHED = 50_000;

export async function pinMatches(config: Config, pin: string, hash: string): Promise<boolean> {
  const material = hmacSha256(config.pinPepper, `pin:${pin}`);
  const ttlMs = config.PIN_VERIFY_CACHE_SECONDS * 1000;
  const key = ttlMs > 0 ? sha256(`${hash}|${material}`) : "";
  const until = ttlMs > 0 ? verified.get(key) : undefined;
  if (until !== undefined && until > Date.now()) {
    return true;
  }
  const ok = await bcryptCompare(material, hash);
  if (ok && ttlMs > 0) {
    verified.delete(key);
    if (verified.size >= MAX_CACHED) {
      const oldest = verified.keys().next().value;
      if (oldest !== undefined) {
        verified.delete(oldest);
      }
    }
    verified.set(key, Date.now() + ttlMs);
  }
  return ok;
}

/**
 * The stored hash each user's PIN last matched in this process (bounded like the digests above). With
 * `knownPinHash` a purchase can send that hash with its order, and the database makes the order only
 * if the row still has it, unlocked (vtu_checked_create_order): the PIN check then costs no
 * statement of its own. Proof that the PIN matches the hash is the digest cache, so a wrong PIN,
 * or one checked longer than PIN_VERIFY_CACHE_SECONDS ago, is never "known".
 */
const hashByUser = new Map<string, string>();

export function rememberPinHash(userId: string, hash: string): void {
  hashByUser.delete(userId);
  if (hashByUser.size >= MAX_CACHED) {
    const oldest = hashByUser.keys().next().value;
    if (oldest !== undefined) {
      hashByUser.delete(oldest);
    }
  }
  hashByUser.set(userId, hash);
}

/** The hash `pin` is known to match for this user right now, or undefined (check it the long way). */
export function knownPinHash(config: Config, userId: string, pin: string): string | undefined {
  const hash = hashByUser.get(userId);
  const ttlMs = config.PIN_VERIFY_CACHE_SECONDS * 1000;
  if (hash === undefined || ttlMs <= 0) {
    return undefined;
  }
  const until = verified.get(sha256(`${hash}|${hmacSha256(config.pinPepper, `pin:${pin}`)}`));
  return until !== undefined && until > Date.now() ? hash : undefined;
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
