import { isIP } from "node:net";

/** Entries an API key's allow-list may hold: enough for a reseller's servers and office ranges. */
export const MAX_IP_ALLOW_LIST = 20;

type Network = { bytes: Uint8Array; prefix: number };

/**
 * An allow-list entry ("203.0.113.7", "203.0.113.0/24", "2001:db8::/32") in canonical text, or why
 * it is not one. IPv4-mapped IPv6 ("::ffff:203.0.113.7") is written as the IPv4 it is, so it matches
 * the addresses a dual-stack socket reports either way. Bits right of the mask are refused rather
 * than cleared: "10.1.2.3/8" is more likely a typo than a wish for all of 10.0.0.0/8.
 */
export function canonicalAllowListEntry(entry: string): { entry: string } | { problem: string } {
  const [address = "", prefixText, ...rest] = entry.trim().split("/");
  const bytes = addressBytes(address);
  if (!bytes || rest.length > 0) {
    return {
      problem: `"${entry}" is not an IP address or CIDR (e.g. 203.0.113.7, 203.0.113.0/24, 2001:db8::/48)`,
    };
  }
  const bits = bytes.length * 8;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) {
    return { problem: `"${entry}": the prefix length after / must be a number from 0 to ${bits}` };
  }
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) {
    return { problem: `"${entry}": the prefix length after / must be a number from 0 to ${bits}` };
  }
  const network = unmapped({ bytes, prefix });
  const masked = maskTo(network);
  if (!masked.bytes.every((byte, i) => byte === network.bytes[i])) {
    return {
      problem: `"${entry}" has bits set right of its /${prefix} mask: did you mean ${formatNetwork(masked)}?`,
    };
  }
  return { entry: formatNetwork(network) };
}

/** Whether `ip` (as the request's client address) falls in one of `entries` (canonical entries). */
export function ipAllowed(ip: string, entries: readonly string[]): boolean {
  const bytes = addressBytes(ip.replace(/%.*$/, ""));
  if (!bytes) {
    return false; // "unknown" (no socket) or anything unparseable never matches
  }
  const client = unmapped({ bytes, prefix: bytes.length * 8 }).bytes;
  return entries.some((entry) => {
    const [address = "", prefix] = entry.split("/");
    const network = addressBytes(address);
    return (
      network !== undefined &&
      network.length === client.length &&
      samePrefix(network, client, prefix === undefined ? network.length * 8 : Number(prefix))
    );
  });
}

/** The 4 or 16 bytes of a literal IPv4 or IPv6 address (no zone, no brackets), or undefined. */
function addressBytes(address: string): Uint8Array | undefined {
  const family = address.includes("%") ? 0 : isIP(address);
  if (family === 4) {
    return Uint8Array.from(address.split(".").map(Number));
  }
  if (family !== 6) {
    return undefined;
  }
  // isIP has already checked the syntax: at most one "::", and an IPv4 tail only at the end.
  const [head = "", tail] = address.split("::");
  const groups = (part: string | undefined): number[] => {
    if (!part) {
      return [];
    }
    return part.split(":").flatMap((group) => {
      if (group.includes(".")) {
        const [a = 0, b = 0, c = 0, d = 0] = group.split(".").map(Number);
        return [(a << 8) | b, (c << 8) | d];
      }
      return [Number.parseInt(group, 16)];
    });
  };
  const left = groups(head);
  const right = groups(tail);
  const all =
    tail === undefined ? left : [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
  const bytes = new Uint8Array(16);
  all.forEach((group, i) => {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  });
  return bytes;
}

/** ::ffff:a.b.c.d/(96+n) → a.b.c.d/n; anything else as it is. */
function unmapped(network: Network): Network {
  const { bytes, prefix } = network;
  const mapped =
    bytes.length === 16 &&
    prefix >= 96 &&
    bytes.subarray(0, 10).every((b) => b === 0) &&
    bytes[10] === 0xff &&
    bytes[11] === 0xff;
  return mapped ? { bytes: bytes.slice(12), prefix: prefix - 96 } : network;
}

function maskTo(network: Network): Network {
  const bytes = network.bytes.map((byte, i) => {
    const keep = Math.max(0, Math.min(8, network.prefix - i * 8));
    return byte & (0xff << (8 - keep)) & 0xff;
  });
  return { bytes, prefix: network.prefix };
}

function samePrefix(a: Uint8Array, b: Uint8Array, prefix: number): boolean {
  const masked = (bytes: Uint8Array) => maskTo({ bytes, prefix }).bytes;
  const ma = masked(a);
  const mb = masked(b);
  return ma.every((byte, i) => byte === mb[i]);
}

/** Canonical text: dotted IPv4, RFC 5952 IPv6 (lower case, longest zero run as "::"); "/n" unless a single address. */
function formatNetwork(network: Network): string {
  const { bytes, prefix } = network;
  const bits = bytes.length * 8;
  const address = bytes.length === 4 ? [...bytes].join(".") : formatIpv6(bytes);
  return prefix === bits ? address : `${address}/${prefix}`;
}

function formatIpv6(bytes: Uint8Array): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[i * 2] ?? 0) << 8) | (bytes[i * 2 + 1] ?? 0));
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) {
      j++;
    }
    if (j - i > best.length) {
      best = { start: i, length: j - i };
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.length < 2) {
    return hex.join(":");
  }
  return `${hex.slice(0, best.start).join(":")}::${hex.slice(best.start + best.length).join(":")}`;
}
