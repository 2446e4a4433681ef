import { randomBytes, randomInt } from "node:crypto";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

function encodeTime(ms: number, length: number): string {
  let out = "";
  let rest = ms;
  for (let i = 0; i < length; i++) {
    out = CROCKFORD[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/**
 * Prefixed, time-ordered, unguessable ids (`usr_01JH…`): the prefix says what it is in logs and
 * support tickets, the time part keeps btree inserts local, 80 random bits make them unguessable.
 */
export function newId(prefix: string, now = Date.now()): string {
  const random = randomBytes(10);
  let tail = "";
  for (const byte of random) {
    tail += CROCKFORD[byte % 32];
  }
  return `${prefix}_${encodeTime(now, 10)}${tail}`.toLowerCase();
}

/** Short human code from an alphabet without look-alikes (no 0/O, 1/I/L). */
export function humanCode(length: number): string {
  const alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
  let out = "";
  for (let i = 0; i < length; i++) {
    out += alphabet[randomInt(alphabet.length)];
  }
  return out;
}

/** Numeric one-time code (e.g. PIN reset), uniformly random. */
export function numericCode(digits: number): string {
  return String(randomInt(10 ** digits)).padStart(digits, "0");
}

/** URL-safe secret with `bytes` of entropy, e.g. bearer tokens and API keys. */
export function secretToken(prefix: string, bytes = 32): string {
  return `${prefix}_${randomBytes(bytes).toString("base64url")}`;
}
