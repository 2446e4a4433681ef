import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Check a TADA callback's `TADA-Signature: t=<unix seconds>,v1=<hex>` header: an HMAC-SHA256 of
 * "<t>.<raw body>" keyed with the callback secret, compared in constant time, with the timestamp
 * within `toleranceSeconds` of now so a captured request cannot be replayed later. Verify the raw
 * bytes as received; parse the JSON only afterwards. (The README's receiver snippet is the same.)
 */
export function verifyCallbackSignature(args: {
  secret: string;
  header: string | undefined;
  rawBody: Buffer | string;
  now?: Date;
  toleranceSeconds?: number;
}): { ok: true; timestamp: number } | { ok: false; reason: "malformed" | "too_old" | "mismatch" } {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of (args.header ?? "").split(",")) {
    const [name, value] = part.trim().split("=", 2);
    if (name === "t" && value && /^\d{1,12}$/.test(value)) {
      timestamp = Number(value);
    } else if (name === "v1" && value && /^[0-9a-f]{64}$/.test(value)) {
      signatures.push(value);
    }
  }
  if (timestamp === undefined || signatures.length === 0) {
    return { ok: false, reason: "malformed" };
  }
  const nowSeconds = Math.floor((args.now ?? new Date()).getTime() / 1000);
  if (Math.abs(nowSeconds - timestamp) > (args.toleranceSeconds ?? 300)) {
    return { ok: false, reason: "too_old" };
  }
  const body = typeof args.rawBody === "string" ? Buffer.from(args.rawBody, "utf8") : args.rawBody;
  const expected = createHmac("sha256", args.secret).update(`${timestamp}.`).update(body).digest();
  const matches = signatures.some((hex) => timingSafeEqual(Buffer.from(hex, "hex"), expected));
  return matches ? { ok: true, timestamp } : { ok: false, reason: "mismatch" };
}
