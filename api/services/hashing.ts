import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** Lookup hash for high-entropy secrets (bearer tokens, API keys): fast, and a DB leak reveals nothing usable. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Keyed hash for low-entropy secrets (PINs, one-time codes) so a database leak alone cannot brute-force them. */
export function hmacSha256(key: string, text: string): string {
  return createHmac("sha256", key).update(text).digest("hex");
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
