import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { ValidationError } from "../errors";

/** A DNS answer: every address a name resolves to (injectable, so tests need no network). */
export type ResolvedAddress = { address: string; family: number };
export type LookupAll = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

const MAX_URL_LENGTH = 2048;

/**
 * Where a callback may go (SSRF, DECISIONS §71). Outside sandbox mode: https only, no credentials
 * in the URL, and every address the host resolves to must be public — not private, loopback,
 * link-local, CGNAT, multicast, reserved or unspecified, IPv4 or IPv6, nor an IPv6 form that
 * carries such an IPv4 address (mapped, NAT64, 6to4). The check runs at registration and again
 * before every send (a name can be re-pointed), and the send connects to the address checked, not
 * to a second lookup's. Sandbox mode allows http and local addresses, so a test or an example can
 * run its receiver on localhost.
 */
export async function checkCallbackUrl(args: {
  url: string;
  sandbox: boolean;
  lookup?: LookupAll;
}): Promise<{ url: URL; addresses: ResolvedAddress[] }> {
  const url = parseCallbackUrl(args.url, args.sandbox);
  if (args.sandbox) {
    return { url, addresses: [] };
  }
  const host = bareHost(url.hostname);
  if (host === "localhost" || host.endsWith(".localhost")) {
    throw privateUrl(url, "localhost");
  }
  let addresses: ResolvedAddress[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await (args.lookup ?? systemLookup)(host);
    } catch {
      addresses = [];
    }
    if (addresses.length === 0) {
      throw new ValidationError(
        `The callback URL's host "${host}" could not be resolved. Check the name, or try again once its DNS is live.`,
        { field: "url" },
        "CALLBACK_URL_UNRESOLVED",
      );
    }
  }
  const refused = addresses.find((a) => !isPublicAddress(a.address));
  if (refused) {
    throw privateUrl(url, refused.address);
  }
  return { url, addresses };
}

/** The URL's shape alone (no DNS): the rules both modes share, and https outside sandbox. */
export function parseCallbackUrl(text: string, sandbox: boolean): URL {
  const invalid = (why: string) =>
    new ValidationError(`The callback URL ${why}.`, { field: "url" }, "CALLBACK_URL_INVALID");
  if (text.length > MAX_URL_LENGTH) {
    throw invalid(`is longer than ${MAX_URL_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid('is not a URL. Send an absolute URL such as "https://shop.example.com/tada/callbacks"');
  }
  const allowed = sandbox ? ["https:", "http:"] : ["https:"];
  if (!allowed.includes(url.protocol)) {
    throw invalid(
      sandbox
        ? `must start with https:// or http:// (got ${url.protocol})`
        : `must use https:// (got ${url.protocol}//): callbacks carry your orders, and only TLS keeps them private`,
    );
  }
  if (url.username || url.password) {
    throw invalid("must not contain a user name or password: authenticate callbacks by their signature");
  }
  if (url.hash) {
    throw invalid("must not have a #fragment (it is never sent to a server)");
  }
  if (!url.hostname) {
    throw invalid("has no host");
  }
  // Percent-encoding and punycode can lengthen it: what is stored and called is the normalised form.
  if (url.href.length > MAX_URL_LENGTH) {
    throw invalid(`is longer than ${MAX_URL_LENGTH} characters once encoded`);
  }
  return url;
}

function privateUrl(url: URL, address: string): ValidationError {
  return new ValidationError(
    `The callback URL's host ${url.hostname} is ${address === "localhost" ? "localhost" : `at ${address}`}, a private, local or reserved address. Callbacks go only to public addresses: use your server's public https URL.`,
    { field: "url" },
    "CALLBACK_URL_PRIVATE",
  );
}

/** "[::1]" → "::1": URL hostnames keep IPv6 literals in brackets. */
function bareHost(hostname: string): string {
  return hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname.toLowerCase();
}

/** IPv4 ranges no callback may reach: [first octets, prefix length]. */
const IPV4_REFUSED: [number[], number][] = [
  [[0], 8], // "this network", 0.0.0.0 unspecified
  [[10], 8], // private
  [[100, 64], 10], // CGNAT (shared address space)
  [[127], 8], // loopback
  [[169, 254], 16], // link-local (cloud metadata lives here)
  [[172, 16], 12], // private
  [[192, 0, 0], 24], // IETF protocol assignments
  [[192, 0, 2], 24], // documentation
  [[192, 88, 99], 24], // 6to4 relay anycast
  [[192, 168], 16], // private
  [[198, 18], 15], // benchmarking
  [[198, 51, 100], 24], // documentation
  [[203, 0, 113], 24], // documentation
  [[224], 4], // multicast
  [[240], 4], // reserved, and 255.255.255.255 broadcast
];

/** IPv6 ranges refused outright: [first bytes, prefix length]. */
const IPV6_REFUSED: [number[], number][] = [
  [[0x01, 0x00, 0, 0, 0, 0, 0, 0], 64], // discard-only
  [[0x20, 0x01, 0x00, 0x00], 32], // Teredo (a tunnel that can reach anything)
  [[0x20, 0x01, 0x0d, 0xb8], 32], // documentation
  [[0xfc], 7], // unique local (private)
  [[0xfe, 0x80], 10], // link-local
  [[0xfe, 0xc0], 10], // site-local (deprecated)
  [[0xff], 8], // multicast
];

/** True when `address` (an IPv4 or IPv6 literal) is a public unicast address. */
export function isPublicAddress(address: string): boolean {
  const bare = address.split("%")[0] ?? address; // a zone id (fe80::1%eth0) is not part of the address
  if (isIP(bare) === 4) {
    return !inAny(ipv4Bytes(bare), IPV4_REFUSED);
  }
  if (isIP(bare) !== 6) {
    return false;
  }
  const bytes = ipv6Bytes(bare);
  if (!bytes) {
    return false;
  }
  const embedded = embeddedIpv4(bytes);
  if (embedded) {
    return !inAny(embedded, IPV4_REFUSED);
  }
  // :: (unspecified) and ::1 (loopback): all zero but the last byte, which is 0 or 1.
  if (bytes.slice(0, 15).every((b) => b === 0) && (bytes[15] ?? 0) <= 1) {
    return false;
  }
  return !inAny(bytes, IPV6_REFUSED);
}

/**
 * The IPv4 address an IPv6 address stands for, where it carries one: IPv4-mapped (::ffff:a.b.c.d),
 * IPv4-compatible (::a.b.c.d, deprecated), NAT64 (64:ff9b::/96) and 6to4 (2002:AABB:CCDD::/16).
 */
function embeddedIpv4(b: number[]): number[] | undefined {
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) {
    return b.slice(12);
  }
  if (zeros(0, 12) && !(zeros(12, 15) && (b[15] ?? 0) <= 1)) {
    return b.slice(12);
  }
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) {
    return b.slice(12);
  }
  if (b[0] === 0x20 && b[1] === 0x02) {
    return b.slice(2, 6);
  }
  return undefined;
}

function inAny(bytes: number[], ranges: [number[], number][]): boolean {
  return ranges.some(([prefix, bits]) => matches(bytes, prefix, bits));
}

function matches(bytes: number[], prefix: number[], bits: number): boolean {
  for (let bit = 0; bit < bits; bit++) {
    const i = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((bytes[i] ?? 0) & mask) !== ((prefix[i] ?? 0) & mask)) {
      return false;
    }
  }
  return true;
}

function ipv4Bytes(address: string): number[] {
  return address.split(".").map(Number);
}

/** An IPv6 literal as 16 bytes ("::" expanded, a dotted IPv4 tail included); undefined if malformed. */
function ipv6Bytes(address: string): number[] | undefined {
  let text = address;
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    tail.push(...ipv4Bytes(dotted[1]));
    text = `${text.slice(0, -dotted[1].length)}0:0`;
  }
  const halves = text.split("::");
  if (halves.length > 2) {
    return undefined;
  }
  const groups = (part: string | undefined) => (part ? part.split(":") : []);
  const head = groups(halves[0]);
  const rest = groups(halves[1]);
  const missing = 8 - head.length - rest.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) {
    return undefined;
  }
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  const bytes = all.flatMap((g) => {
    const n = Number.parseInt(g, 16);
    return [(n >> 8) & 0xff, n & 0xff];
  });
  if (tail.length === 4) {
    bytes.splice(12, 4, ...tail);
  }
  return bytes.length === 16 ? bytes : undefined;
}
