import { createRequire } from "node:module";
import { type DestinationStream, type Logger, pino } from "pino";
import type PinoPretty from "pino-pretty";

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
  // A Date has no own enumerable fields: copied field by field it would log as {}.
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
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

/** `json`: one JSON object a line (production, pipes, tests, CI); `pretty`: pino-pretty, for a terminal. */
export type LogFormat = "json" | "pretty";

/**
 * LOG_FORMAT when set; otherwise pretty for a person at a terminal in development, and JSON
 * everywhere else (production, and whenever stdout is a pipe or file: log shippers and tests read it).
 */
export function resolveLogFormat(
  config: { LOG_FORMAT?: LogFormat; NODE_ENV: string },
  stdoutIsTty = process.stdout.isTTY === true,
): LogFormat {
  return config.LOG_FORMAT ?? (config.NODE_ENV === "development" && stdoutIsTty ? "pretty" : "json");
}

export type LoggerOptions = { level?: string; destination?: DestinationStream; format?: LogFormat };

/** When the last line was written (performance.now()); 0 before any. See logsQuiet. */
let lastLineAt = 0;

/**
 * Resolves once no line has been written for `quietMs` (or after `maxMs` in all): what is printed
 * next for a person to read (the start banner) then follows the start-up burst of lines instead of
 * being pushed away by it.
 */
export async function logsQuiet(options: { quietMs: number; maxMs: number }): Promise<void> {
  const deadline = performance.now() + options.maxMs;
  for (;;) {
    const now = performance.now();
    const quietFor = now - lastLineAt;
    if (quietFor >= options.quietMs || now >= deadline) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(options.quietMs - quietFor, deadline - now)));
  }
}

/** Write out what the logger still holds (its destination writes asynchronously), then resolve. */
export function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => logger.flush(() => resolve()));
}

/** Logger whose every line passes through `redact` — one place for the rule — as JSON or pretty text. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination =
    options.format === "pretty"
      ? // Loaded only for a terminal: production and scripts writing JSON never pay for it.
        (createRequire(import.meta.url)("pino-pretty") as typeof PinoPretty)({
          sync: true,
          ignore: "pid,hostname,service",
          translateTime: "SYS:HH:MM:ss.l",
          destination: options.destination ?? 1,
        })
      : options.destination;
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
        streamWrite(line) {
          lastLineAt = performance.now();
          return line;
        },
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
