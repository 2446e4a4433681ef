import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import type { Config } from "../../config";

/**
 * The BVN at rest (issue 17): AES-256-GCM under KYC_ENCRYPTION_KEY (or a key derived from the PIN
 * pepper under its own HKDF label, so no two uses share key material), decrypted only to send it
 * to the gateway. A keyed fingerprint (HMAC) finds one BVN on two customers without decrypting.
 * Only the last 3 digits are ever shown.
 */
function keyFor(config: Config, label: string): Buffer {
  const secret = config.KYC_ENCRYPTION_KEY ?? config.pinPepper;
  return Buffer.from(hkdfSync("sha256", secret, "tada-vtu", label, 32));
}

export function sealBvn(config: Config, bvn: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFor(config, "bvn-encryption-v1"), iv);
  const body = Buffer.concat([cipher.update(bvn, "utf8"), cipher.final()]);
  return ["v1", iv, cipher.getAuthTag(), body]
    .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
    .join(".");
}

export function openBvn(config: Config, sealed: string): string {
  const [version, iv, tag, body] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || !body) {
    throw new Error("bvn: unknown format");
  }
  const decipher = createDecipheriv(
    "aes-256-gcm",
    keyFor(config, "bvn-encryption-v1"),
    Buffer.from(iv, "base64url"),
  );
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
}

export function bvnFingerprint(config: Config, bvn: string): string {
  return createHmac("sha256", keyFor(config, "bvn-fingerprint-v1")).update(bvn).digest("base64url");
}

/** "•••••••• 789": how a BVN is shown anywhere, if at all. */
export function maskedBvn(last3: string): string {
  return `•••••••• ${last3}`;
}
