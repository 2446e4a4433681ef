import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import type { Config } from "../../config";

/** The prefix of a callback signing secret, so one pasted in the wrong place is recognisable. */
export const CALLBACK_SECRET_PREFIX = "tcs";

/** A new signing secret: 32 random bytes, shown to the reseller once. */
export function newCallbackSecret(): string {
  return `${CALLBACK_SECRET_PREFIX}_${randomBytes(32).toString("base64url")}`;
}

/**
 * Signing needs the secret itself (a hash cannot sign), so it is stored AES-256-GCM sealed under a
 * key derived from TOKEN_ENCRYPTION_KEY (or the PIN pepper) with its own HKDF label, and bound to its
 * API key (the key id is the additional data: a sealed secret copied to another key's row does not
 * open). It is opened only to sign a delivery, never returned after it is first shown.
 */
function keyFor(config: Config): Buffer {
  const secret = config.TOKEN_ENCRYPTION_KEY ?? config.pinPepper;
  return Buffer.from(hkdfSync("sha256", secret, "tada-vtu", "callback-secret-v1", 32));
}

export function sealCallbackSecret(config: Config, apiKeyId: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFor(config), iv);
  cipher.setAAD(Buffer.from(apiKeyId, "utf8"));
  const body = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return ["v1", iv, cipher.getAuthTag(), body]
    .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
    .join(".");
}

export function openCallbackSecret(config: Config, apiKeyId: string, sealed: string): string {
  const [version, iv, tag, body] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || !body) {
    throw new Error("callback secret: unknown format");
  }
  const decipher = createDecipheriv("aes-256-gcm", keyFor(config), Buffer.from(iv, "base64url"));
  decipher.setAAD(Buffer.from(apiKeyId, "utf8"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
}
