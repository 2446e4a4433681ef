import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import type { Config } from "../../config";

/**
 * Electricity tokens are money in another form (P11): stored AES-256-GCM encrypted, decrypted only
 * to show or resend them to their owner. The key is TOKEN_ENCRYPTION_KEY, or one derived from the
 * PIN pepper (a separate HKDF label, so the two uses never share key material).
 */
function keyFor(config: Config): Buffer {
  const secret = config.TOKEN_ENCRYPTION_KEY ?? config.pinPepper;
  return Buffer.from(hkdfSync("sha256", secret, "tada-vtu", "token-encryption-v1", 32));
}

export function encryptToken(config: Config, token: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFor(config), iv);
  const body = Buffer.concat([cipher.update(token, "utf8"), cipher.final()]);
  return [
    "v1",
    iv.toString("base64url"),
    cipher.getAuthTag().toString("base64url"),
    body.toString("base64url"),
  ].join(".");
}

export function decryptToken(config: Config, sealed: string): string {
  const [version, iv, tag, body] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || !body) {
    throw new Error("token: unknown format");
  }
  const decipher = createDecipheriv("aes-256-gcm", keyFor(config), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
}

/** 20 digits → "1234 5678 9012 3456 7890", how people key it into the meter. */
export function formatToken(token: string): string {
  const digits = token.replace(/\D/g, "");
  return digits.length === 20 ? (digits.match(/.{4}/g) ?? []).join(" ") : token;
}
