import { createHmac } from "node:crypto";

/**
 * The `TADA-Signature` header of a callback: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
 * under the key's secret (Stripe's scheme: the timestamp is signed with the body, so neither can be
 * changed, and receivers refuse old ones; verify.ts is the receiving side).
 */
export function callbackSignatureHeader(args: { secret: string; body: string; now: Date }): string {
  const t = Math.floor(args.now.getTime() / 1000);
  const v1 = createHmac("sha256", args.secret).update(`${t}.${args.body}`).digest("hex");
  return `t=${t},v1=${v1}`;
}
