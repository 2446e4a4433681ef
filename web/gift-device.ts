import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { Config } from "../api/config";

/** The claim page's device cookie: a random id, nothing else in it. */
export const DEVICE_COOKIE = "tada_device";
const DEVICE_ID = /^[A-Za-z0-9_-]{32}$/;

/** The device id from the cookie, if it is one we could have set. */
export function readDeviceId(c: Context): string | undefined {
  const value = getCookie(c, DEVICE_COOKIE);
  return value && DEVICE_ID.test(value) ? value : undefined;
}

/**
 * The device id, set when absent. HttpOnly (no script reads it), SameSite=Lax (a top-level link
 * from a chat still sends it, a cross-site POST does not), Secure behind TLS. A year, so one phone
 * stays one device for every room it opens.
 */
export function ensureDeviceId(c: Context, config: Config): string {
  const existing = readDeviceId(c);
  if (existing) {
    return existing;
  }
  const id = randomBytes(24).toString("base64url");
  setCookie(c, DEVICE_COOKIE, id, {
    path: "/gift",
    httpOnly: true,
    sameSite: "Lax",
    secure: config.NODE_ENV === "production" || config.publicBaseUrl.startsWith("https:"),
    maxAge: 365 * 24 * 3600,
  });
  return id;
}

/**
 * What the services count as one device: the cookie and the browser together, hashed, so clearing
 * one of the two is not enough and the database never holds the raw cookie (a stolen table cannot
 * be replayed as cookies).
 */
export function deviceHash(deviceId: string, userAgent: string | undefined): string {
  return createHash("sha256")
    .update(`${deviceId}\n${userAgent ?? ""}`)
    .digest("hex");
}

/**
 * The claim form's CSRF token: HMAC(device id, room token) under a key derived from the server's
 * PIN pepper (as the sandbox webhook secret is). Another site can neither read our cookie nor
 * compute this, so a POST without it did not come from our page. Stateless: nothing to store.
 */
export function csrfToken(config: Config, deviceId: string, roomToken: string): string {
  return createHmac("sha256", csrfKey(config)).update(`${deviceId}:${roomToken}`).digest("base64url");
}

export function csrfValid(config: Config, deviceId: string | undefined, roomToken: string, sent: unknown) {
  if (!deviceId || typeof sent !== "string") {
    return false;
  }
  const expected = Buffer.from(csrfToken(config, deviceId, roomToken));
  const given = Buffer.from(sent);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function csrfKey(config: Config): Buffer {
  return Buffer.from(hkdfSync("sha256", config.pinPepper, "tada-vtu", "gift-claim-csrf", 32));
}
