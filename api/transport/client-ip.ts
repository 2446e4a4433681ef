import { isIP } from "node:net";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";

/**
 * The client address for per-IP limits (auth attempts, gift claims, admin sign-in). Each proxy
 * appends the address it was connected from to X-Forwarded-For, so only the entries our own proxies
 * wrote can be believed: with `trustedProxies` = N (config TRUST_PROXY) the client is the Nth entry
 * counted from the right, and anything left of it is whatever the client chose to send. With 0 (the
 * default) the header is ignored. A header with fewer entries, or an entry that is not an IP
 * address, falls back to the socket address.
 */
// Any Hono context: the API and the web pages (the gift claim page, the admin sign-in) limit per IP with the same rule.
export function clientIp(c: Context, trustedProxies: number): string {
  if (trustedProxies > 0) {
    const entries = (c.req.header("x-forwarded-for") ?? "")
      .split(",")
      .map((entry) => entry.trim())
      .filter(Boolean);
    const address = bareAddress(entries[entries.length - trustedProxies]);
    if (address) {
      return address;
    }
  }
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown"; // app.request() in tests has no socket
  }
}

/** "203.0.113.7", "203.0.113.7:51234", "2001:db8::1" or "[2001:db8::1]:443" → the address alone. */
function bareAddress(entry: string | undefined): string | undefined {
  if (!entry) {
    return undefined;
  }
  const candidate = /^\[([^\]]+)\](?::\d+)?$/.exec(entry)?.[1] ?? /^([\d.]+):\d+$/.exec(entry)?.[1] ?? entry;
  return isIP(candidate) ? candidate : undefined;
}
