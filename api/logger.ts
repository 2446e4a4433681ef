import { type DestinationStream, type Logger, pino } from "pino";

export type { Logger } from "pino";

/**
 * Keys whose values never reach a log line, at any depth (S11). Matched case-insensitively
 * against the whole key, after removing `-` and `_` (so `verif-hash`, `api_key`, `newPin` match).
 */
const SECRET_KEY =
  /^(pin|newpin|currentpin|oldpin|password|currentpassword|newpassword|passwordhash|pinhash|token|accesstoken|refreshtoken|apikey|secret|secrethash|verifhash|authorization|cookie|setcookie|card|cvv|resetcode|linkcode|pepper|pinpepper|databaseurl|redisurl|bvn|bvnciphertext)$/i;

/** Nigerian phone numbers in the forms people type them; the middle digits are masked. */
const PHONE = /(?<!\d)(\+?234|0)([789][01]\d)(\d{3})(\d{4})(?!\d)/g;

export const REDACTED = "[REDACTED]";

/**
 * A BVN is 11 digits and (so far) starts with 22: one inside a string keeps its last 3 digits only.
 * The KYC code never logs one; this is the net under it (an error echoing a request, a stray print).
 */
const BVN = /(?<!\d)22\d{6}(\d{3})(?!\d)/g;

/** Mask every phone number (08031234567 → 0803***4567) and BVN (→ ********567) inside a string. */
export function maskPhones(text: string): string {
  return text
    .replace(BVN, (_m, last: string) => `********${last}`)
    .replace(
      PHONE,
      (_m, prefix: string, net: string, _mid: string, last: string) => `${prefix}${net}***${last}`,
    );
}

/** Deep copy of a log payload with secrets removed and phone numbers masked. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) {
    return "[…]";
  }
  if (typeof value === "string") {
    return maskPhones(value);
  }
  if (Array.isArray(value)) {
    return value.map((v) => redact(v, depth + 1));
  }
  if (value instanceof Error) {
    return { type: value.name, message: maskPhones(value.message), stack: value.stack };
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEY.test(k.replace(/[-_]/g, "")) ? REDACTED : redact(v, depth + 1);
    }
    return out;
  }
  return value;
}

export type LoggerOptions = { level?: string; destination?: DestinationStream };

/** JSON logger whose every line passes through `redact` — one place for the rule. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { service: "tada-vtu" },
      formatters: {
        level: (label) => ({ level: label }),
        log: (obj) => redact(obj) as Record<string, unknown>,
      },
      hooks: {
        // Message strings are masked too: a phone number interpolated into a message is still a phone number.
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === "string" ? maskPhones(a) : a));
          method.apply(this, masked as Parameters<typeof method>);
        },
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
