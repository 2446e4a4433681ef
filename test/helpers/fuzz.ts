import type { TestApp } from "./http";

/**
 * The pieces of the HTTP fuzz test (api/http/__tests__/fuzz.test.ts): a seeded random source, the
 * app's own route list, and the hostile values it sends. Every value is written as it travels on the
 * wire (percent-encoded for URLs, raw JSON text for bodies) so a NUL or a lone surrogate reaches the
 * app exactly as a client could send it.
 */

/** mulberry32: small, fast and reproducible from one 32-bit seed. */
export function seededRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    pick<T>(items: readonly T[]): T {
      return items[Math.floor(next() * items.length)] as T;
    },
    /** `count` distinct items (all of them when there are fewer). */
    sample<T>(items: readonly T[], count: number): T[] {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
      }
      return copy.slice(0, count);
    },
    hex(length: number): string {
      let out = "";
      while (out.length < length) {
        out += Math.floor(next() * 16).toString(16);
      }
      return out;
    },
  };
}
export type Random = ReturnType<typeof seededRandom>;

export type Route = { method: string; path: string };

/** Every handler route the app registered (middleware-only entries left out), each once. */
export function routesOf(app: TestApp): Route[] {
  const seen = new Map<string, Route>();
  for (const route of app.routes) {
    if (route.method === "ALL" || route.path.endsWith("*")) {
      continue;
    }
    seen.set(`${route.method} ${route.path}`, { method: route.method, path: route.path });
  }
  return [...seen.values()];
}

const PARAM = /:(\w+)(\{[^}]*\})?/g;

export function paramNames(path: string): string[] {
  return [...path.matchAll(PARAM)].map((m) => m[1] as string);
}

/** The route's path with each parameter replaced: values are encoded unless listed in `raw`. */
export function fillPath(path: string, values: Record<string, string>, raw: Record<string, string> = {}) {
  return path.replace(PARAM, (_m, name: string) =>
    name in raw ? (raw[name] as string) : encodeURIComponent(values[name] ?? "x"),
  );
}

const LONG = "x".repeat(10_000);

/** Printable text that does not compress (a repeated letter would slip under an index's size limit). */
function incompressible(length: number): string {
  const random = seededRandom(length);
  let out = "";
  while (out.length < length) {
    out += String.fromCharCode(0x21 + Math.floor(random.next() * 94));
  }
  return out;
}

/** Path segments as sent (already percent-encoded). */
export const PATH_POISONS: readonly string[] = [
  "%00",
  "a%00b",
  "%ED%A0%80", // a lone surrogate in CESU-8 bytes: not valid UTF-8
  "%FF%FE",
  "%",
  "%E2%82",
  LONG,
  "..%2F..%2Fetc",
  "1e308",
  "-0",
  "99999999999999999999",
];

/** Query values as sent (already percent-encoded). */
export const QUERY_POISONS: readonly string[] = [
  "%00",
  "a%00b",
  "%ED%A0%80",
  "%FF",
  "%",
  LONG,
  "1e99",
  "-1",
  "NaN",
  "9223372036854775808",
  "0x10",
  "%5B%5D",
];

/** Query parameter names used anywhere in the app, plus one nobody reads. */
export const QUERY_NAMES: readonly string[] = [
  "q",
  "limit",
  "cursor",
  "from",
  "to",
  "state",
  "service",
  "provider",
  "userId",
  "status",
  "kind",
  "tx_ref",
  "transaction_id",
  "phone",
  "preset",
  // The audit log's filters and its page cursor.
  "actor",
  "action",
  "target",
  "before",
  "network",
  "notice",
  "error",
  "zz_unknown",
];

/** One JSON value, as raw JSON text, put in place of a field of a valid body. */
export const JSON_VALUE_POISONS: readonly string[] = [
  '"\\u0000"',
  '"ab\\u0000cd"',
  '"\\ud800"',
  '"x\\udfff"',
  '"\\ud83d\\ude00 ok"', // a valid surrogate pair: must not be refused
  '""',
  '"   "',
  '"12"',
  '"NaN"',
  "1e308",
  "-1e308",
  "1e999",
  "-0",
  "9223372036854775808",
  "0.1",
  "-1",
  "null",
  "true",
  "[]",
  "{}",
  '["\\u0000"]',
  '{"\\u0000":1}',
  `"${"a".repeat(1_000_000)}"`,
];

/** Whole bodies sent to every route that takes a body, as raw bytes or text. */
export const RAW_BODY_POISONS: readonly { label: string; body: string | Uint8Array; type?: string }[] = [
  { label: "empty", body: "" },
  { label: "null", body: "null" },
  { label: "array", body: "[]" },
  { label: "NUL string", body: '"\\u0000"' },
  { label: "NUL key and value", body: '{"\\u0000":"\\u0000"}' },
  { label: "lone surrogate key", body: '{"\\udc00":1}' },
  { label: "not JSON", body: "garbage{" },
  {
    label: "invalid UTF-8",
    body: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
  },
  {
    label: "CESU-8 surrogate bytes",
    body: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]),
  },
  { label: "raw NUL byte", body: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0x00, 0x22, 0x7d]) },
  { label: "deep arrays", body: `${"[".repeat(20_000)}${"]".repeat(20_000)}` },
  { label: "deep objects", body: `${'{"a":'.repeat(5_000)}1${"}".repeat(5_000)}` },
  { label: "BOM", body: '\ufeff{"a":1}' },
  { label: "1 MB string", body: `{"a":"${"b".repeat(1_000_000)}"}` },
  { label: "form as JSON", body: "a=%00&b=1", type: "application/json" },
  { label: "JSON as text/plain", body: '{"a":"\\u0000"}', type: "text/plain" },
  { label: "multipart without boundary", body: "--x\r\n\r\n", type: "multipart/form-data" },
  {
    label: "multipart with NUL",
    body: '--zz\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\u0000y\r\n--zz--\r\n',
    type: "multipart/form-data; boundary=zz",
  },
  { label: "broken multipart", body: "--zz\r\ngarbage", type: "multipart/form-data; boundary=zz" },
  { label: "urlencoded NUL", body: "a=%00&%00=b", type: "application/x-www-form-urlencoded" },
];

/** Form field values as sent in an urlencoded body (already percent-encoded). */
export const FORM_POISONS: readonly string[] = [
  "%00",
  "a%00b",
  "%ED%A0%80",
  "%FF",
  "%",
  "x".repeat(20_000),
  "1e308",
  "-1",
  "NaN",
];

/**
 * Odd headers. Header values cannot carry NUL, CR or LF (Node's parser and fetch's Headers refuse
 * them before any app code runs), but they can carry Latin-1 bytes, control characters and size.
 */
export const HEADER_POISONS: readonly [string, string][] = [
  ["idempotency-key", incompressible(10_000)],
  ["idempotency-key", "\u00ff\u00fe"],
  ["idempotency-key", "a\u0001b"],
  ["idempotency-key", "k".repeat(256)],
  ["idempotency-key", " "],
  ["authorization", `Bearer ${incompressible(10_000).replace(/\s/g, "")}`],
  ["authorization", "Bearer \u00ff\u00fe"],
  ["authorization", "Bearer tvs_\u0001"],
  ["authorization", "Bearer tadm_%00"],
  ["authorization", "Basic Zm9vOmJhcg=="],
  ["authorization", "Bearer"],
  ["x-request-id", "\u00ff".repeat(20)],
  ["x-request-id", "r".repeat(10_000)],
  ["cookie", "tada_admin=%00"],
  ["cookie", "tada_admin=%ED%A0%80; tada_admin_login=%00"],
  ["cookie", `tada_admin=${"a".repeat(10_000)}`],
  ["cookie", "tada_gift_device=%00"],
  ["cookie", "tada_gift_device=\u00ff\u00fe"],
  ["cookie", "=;;;=%;"],
  ["x-device-id", "\u00ff".repeat(10)],
  ["x-device-id", "d".repeat(10_000)],
  ["user-agent", "\u00ff".repeat(10_000)],
  ["x-forwarded-for", "\u00ff, %00, 1.2.3.4"],
  ["content-type", "application/json; charset=utf-16"],
  ["accept", "\u00ff"],
  ["verif-hash", "\u00ff"],
  ["flutterwave-signature", "s".repeat(10_000)],
  ["x-telegram-bot-api-secret-token", "\u00ff"],
];

/** Paths from the root to each leaf of a JSON value (object keys and array indexes). */
export function leafPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) {
    return value.length === 0 ? [prefix] : value.flatMap((v, i) => leafPaths(v, [...prefix, i]));
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    return entries.length === 0 ? [prefix] : entries.flatMap(([k, v]) => leafPaths(v, [...prefix, k]));
  }
  return [prefix];
}

const MARKER = "__fuzz_marker__";

/** `body` as JSON text with the leaf at `path` replaced by the raw JSON text `raw`. */
export function withRawAt(body: unknown, path: (string | number)[], raw: string): string {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  if (path.length === 0) {
    return raw;
  }
  let node = copy;
  for (const key of path.slice(0, -1)) {
    node = node[key] as Record<string | number, unknown>;
  }
  node[path[path.length - 1] as string | number] = MARKER;
  return JSON.stringify(copy).replace(JSON.stringify(MARKER), () => raw);
}

/** A readable, short form of a payload for the failure list. */
export function show(value: string | Uint8Array): string {
  const text = typeof value === "string" ? value : `bytes:${Buffer.from(value).toString("hex")}`;
  const json = JSON.stringify(text);
  return json.length > 80 ? `${json.slice(0, 60)}…(${text.length} chars)` : json;
}

/** Run `tasks` with at most `concurrency` in flight. */
export async function runPool<T>(tasks: (() => Promise<T>)[], concurrency: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < tasks.length; i = next++) {
      results[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
  return results;
}
