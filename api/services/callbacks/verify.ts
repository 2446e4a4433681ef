import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * How a receiver checks a TADA callback (DECISIONS §71, README "Order callbacks"). Self-contained (only
 * node:crypto) so a reseller can copy it as it is; the README's snippet is this function.
 *
 * `TADA-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" under the secret>`.
 * The signature is checked over the raw bytes as received (parse the JSON only afterwards), in
 * constant time; a timestamp more than `toleranceSeconds` (default 300) from `now` is refused, so a
 * captured request cannot be replayed later. Receivers also dedupe on `TADA-Delivery-Id`: a delivery
 * can arrive more than once (a retry after a timeout that the receiver did process, a resend).
 */
export type CallbackSignatureCheck =
  | { ok: true; timestamp: number }
  | { ok: false; reason: "malformed" | "too_old" | "mismatch" };

export function verifyCallbackSignature(args: {
  secret: string;
  header: string | null | undefined;
  rawBody: string | Uint8Array;
  now?: Date;
  toleranceSeconds?: number;
}): CallbackSignatureCheck {
  const tolerance = args.toleranceSeconds ?? 300;
  const nowSeconds = Math.floor((args.now ?? new Date()).getTime() / 1000);
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
  if (Math.abs(nowSeconds - timestamp) > tolerance) {
    return { ok: false, reason: "too_old" };
  }
  const body = typeof args.rawBody === "string" ? Buffer.from(args.rawBody, "utf8") : args.rawBody;
  const expected = createHmac("sha256", args.secret).update(`${timestamp}.`).update(body).digest();
  const matches = signatures.some((hex) => timingSafeEqual(Buffer.from(hex, "hex"), expected));
  return matches ? { ok: true, timestamp } : { ok: false, reason: "mismatch" };
}
