import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/** Four whole kobo amounts for verification levels 0,1,2,3, comma-separated. */
function perLevelKobo(defaults: string) {
  return z
    .string()
    .default(defaults)
    .transform((v, ctx) => {
      const parts = v.split(",").map((p) => Number(p.trim()));
      if (parts.length !== 4 || parts.some((n) => !Number.isSafeInteger(n) || n < 0)) {
        ctx.addIssue({
          code: "custom",
          message: `must be four whole kobo amounts for levels 0,1,2,3, e.g. ${defaults}`,
        });
        return z.NEVER;
      }
      return parts as [number, number, number, number];
    });
}

/** The repository root (this file lives in `<root>/api/config.ts`). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
const positiveInt = (fallback: number, max = 1_000_000_000) =>
  z.coerce.number().int().min(1).max(max).default(fallback);
/**
 * A comma list of durations ("2m,30m,6h,24h"; units s, m, h, d) → seconds, ascending. Used for the
 * post-delivery requery schedule; an empty string means "no checks".
 */
export function parseDurationList(text: string): number[] {
  return [...new Set(parseDurations(text))].sort((a, b) => a - b);
}

/** The same list → seconds as typed: in its order, repeats kept (for a form that refuses them). */
export function parseDurations(text: string): number[] {
  const seconds = text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map((part) => {
      const match = /^(\d{1,7})\s*([smhd])$/i.exec(part);
      if (!match?.[1] || !match[2]) {
        throw new Error(`"${part}" is not a duration like 90s, 2m, 6h or 1d`);
      }
      const unit = { s: 1, m: 60, h: 3_600, d: 86_400 }[match[2].toLowerCase() as "s" | "m" | "h" | "d"];
      return Number(match[1]) * unit;
    });
  if (seconds.some((value) => value <= 0)) {
    throw new Error("every duration must be more than zero");
  }
  return seconds;
}

const durationList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      try {
        return parseDurationList(text);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    });

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

/**
 * Every environment variable the service reads. Parsed once per process (see `loadConfig`);
 * nothing else reads `process.env`. `.env.example` lists the same variables.
 */
export const ConfigSchema = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    ROLE: z.enum(["all", "api", "worker"]).default("all"),
    HOST: z.string().min(1).default("0.0.0.0"),
    PORT: port(3000),
    PUBLIC_BASE_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    /** auto: sandbox unless NODE_ENV=production. Sandbox shows "SANDBOX" everywhere and logs one-time codes. */
    SANDBOX_MODE: z.enum(["auto", "on", "off"]).default("auto"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    /** Unset: pretty text at a terminal in development, JSON otherwise (api/logger.ts resolveLogFormat). */
    LOG_FORMAT: optionalString.pipe(z.enum(["json", "pretty"]).optional()),

    DATABASE_URL: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
    DATABASE_POOL_SIZE: positiveInt(10, 200),
    /** off: run every statement unnamed (for a pooler in transaction mode that cannot keep prepared statements). */
    DATABASE_PREPARED_STATEMENTS: z.enum(["on", "off"]).default("on"),
    REDIS_URL: optionalString.pipe(z.url({ protocol: /^rediss?$/ }).optional()),
    DATA_DIR: z.string().min(1).default(path.join(PROJECT_ROOT, ".data")),
    EMBEDDED_PG_PORT: port(54329),

    PIN_PEPPER: optionalString.pipe(
      z.string().min(32, "must be at least 32 characters of random text").optional(),
    ),
    PIN_BCRYPT_COST: z.coerce.number().int().min(12).max(15).default(12),
    PASSWORD_BCRYPT_COST: z.coerce.number().int().min(10).max(15).default(12),
    PIN_MAX_ATTEMPTS: positiveInt(5, 20),
    /** How long a correct PIN skips bcrypt on its next checks in this process (0 = always bcrypt). */
    PIN_VERIFY_CACHE_SECONDS: z.coerce.number().int().min(0).max(3_600).default(600),
    PIN_LOCK_MINUTES: positiveInt(30, 24 * 60),
    PIN_RESET_CODE_TTL_MINUTES: positiveInt(15, 24 * 60),
    LINK_CODE_TTL_MINUTES: positiveInt(10, 24 * 60),

    API_TOKEN_TTL_HOURS: positiveInt(24 * 30, 24 * 365),
    API_BODY_LIMIT_BYTES: positiveInt(64 * 1024, 10 * 1024 * 1024),
    AUTH_RATE_LIMIT_PER_MINUTE: positiveInt(20, 10_000),
    /** Requests a minute per reseller API key unless the key sets its own; shared by every API process. */
    API_KEY_RATE_LIMIT_PER_MINUTE: positiveInt(120, 100_000),
    /**
     * Reverse proxies in front of the app whose X-Forwarded-For entries are believed (per-IP limits
     * key on the client address): 0 or false = none, the header is ignored; true = 1.
     */
    TRUST_PROXY: z
      .string()
      .trim()
      .toLowerCase()
      .default("0")
      .transform((value, ctx) => {
        if (value === "" || value === "false") {
          return 0;
        }
        if (value === "true") {
          return 1;
        }
        if (/^\d{1,2}$/.test(value) && Number(value) <= 10) {
          return Number(value);
        }
        ctx.addIssue({
          code: "custom",
          message:
            "must be 0 or false (ignore X-Forwarded-For), true (= 1), or how many reverse proxies stand in front of the app (1-10)",
        });
        return z.NEVER;
      }),

    // VTU providers. A key switches to the real client; with no key at all the sandbox providers run.
    INLOMAX_BASE_URL: z.url({ protocol: /^https?$/ }).default("https://inlomax.com/api"),
    INLOMAX_API_KEY: optionalString,
    INLOMAX_TIMEOUT_MS: positiveInt(55_000, 300_000),
    INLOMAX_READ_TIMEOUT_MS: positiveInt(7_000, 120_000),
    SMEPLUG_BASE_URL: z.url({ protocol: /^https?$/ }).default("https://smeplug.ng/api/v1"),
    SMEPLUG_SECRET_KEY: optionalString,
    SMEPLUG_TIMEOUT_MS: positiveInt(55_000, 300_000),
    SMEPLUG_READ_TIMEOUT_MS: positiveInt(7_000, 120_000),
    /** Secret path segment of the provider webhooks (/api/webhooks/<provider>/<token>); unset = webhooks off. */
    PROVIDER_WEBHOOK_TOKEN: optionalString.pipe(
      z.string().min(24, "must be at least 24 characters").optional(),
    ),
    /** Encrypts electricity tokens at rest. Defaults to a key derived from PIN_PEPPER. */
    TOKEN_ENCRYPTION_KEY: optionalString.pipe(
      z.string().min(32, "must be at least 32 characters").optional(),
    ),

    // Wallet funding and withdrawals (Flutterwave). A secret key switches the real gateway on; with
    // none, the sandbox gateway serves a local checkout page.
    FLUTTERWAVE_BASE_URL: z.url({ protocol: /^https?$/ }).default("https://api.flutterwave.com/v3"),
    FLUTTERWAVE_SECRET_KEY: optionalString,
    /** The "secret hash" set in the Flutterwave dashboard: webhooks must carry it (verif-hash) or sign with it. */
    FLUTTERWAVE_SECRET_HASH: optionalString.pipe(
      z.string().min(16, "must be at least 16 characters").optional(),
    ),
    FLUTTERWAVE_TIMEOUT_MS: positiveInt(35_000, 120_000),
    /** Where "Back to the chat" goes on pages opened from a chat. Default: the bot's own link (web/chat-links.ts). */
    CHAT_RETURN_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    FUNDING_MIN_KOBO: positiveInt(10_000),
    FUNDING_MAX_KOBO: positiveInt(50_000_000),
    /** Funding fee: basis points of the amount plus a flat part, capped (0 = no fee). */
    FUNDING_FEE_BPS: z.coerce.number().int().min(0).max(1_000).default(0),
    FUNDING_FEE_FLAT_KOBO: z.coerce.number().int().min(0).max(1_000_000).default(0),
    FUNDING_FEE_CAP_KOBO: z.coerce.number().int().min(0).max(10_000_000).default(0),
    FUNDING_INTENT_TTL_MINUTES: positiveInt(60, 7 * 24 * 60),
    FUNDING_RECONCILE_INTERVAL_MINUTES: positiveInt(10, 24 * 60),
    /** How long after its checkout expires an uncredited intent (pending or failed) is still reconciled. */
    FUNDING_RECONCILE_WINDOW_HOURS: positiveInt(48, 30 * 24),
    WITHDRAWAL_FEE_KOBO: z.coerce.number().int().min(0).max(1_000_000).default(5_000),
    WITHDRAWAL_MIN_KOBO: positiveInt(10_000),
    /**
     * A transfer the gateway still does not know this long after our last send was never received
     * (the process died mid-send, the call was lost): it is sent again with the same reference.
     */
    WITHDRAWAL_NOT_FOUND_GRACE_SECONDS: positiveInt(60, 86_400),
    /** Daily withdrawal limit per verification level 0,1,2,3 (kobo, comma-separated). */
    WITHDRAWAL_DAILY_LIMITS_KOBO: perLevelKobo("2000000,10000000,50000000,500000000"),

    // Funding by bank transfer (virtual accounts; README "Fund by bank transfer").
    /** How much may reach a wallet by bank transfer per Lagos day, per verification level 0,1,2,3 (kobo). */
    FUNDING_DAILY_LIMITS_KOBO: perLevelKobo("20000000,100000000,500000000,5000000000"),
    /** The lowest verification level that gets a permanent account number (giving a BVN reaches 1). */
    VIRTUAL_ACCOUNT_MIN_LEVEL: z.coerce.number().int().min(0).max(3).default(1),
    /** Fee taken from each bank transfer before it reaches the wallet: basis points plus flat, capped. */
    TRANSFER_FEE_BPS: z.coerce.number().int().min(0).max(1_000).default(0),
    TRANSFER_FEE_FLAT_KOBO: z.coerce.number().int().min(0).max(1_000_000).default(0),
    TRANSFER_FEE_CAP_KOBO: z.coerce.number().int().min(0).max(10_000_000).default(0),
    /** How long a one-payment (dynamic) account takes transfers. */
    DYNAMIC_ACCOUNT_TTL_MINUTES: positiveInt(60, 24 * 60),
    /** How far back the transfer reconciliation lists each account's transfers (hours). */
    TRANSFER_RECONCILE_WINDOW_HOURS: positiveInt(48, 30 * 24),
    /** How long a one-time KYC page link stays valid. */
    KYC_LINK_TTL_MINUTES: positiveInt(30, 24 * 60),
    /** Encrypts BVNs at rest. Defaults to a key derived from PIN_PEPPER. */
    KYC_ENCRYPTION_KEY: optionalString.pipe(z.string().min(32, "must be at least 32 characters").optional()),

    // Referrals (README "Referrals"): what the referrer earns when a referee's first purchase of at
    // least REFERRAL_MIN_PURCHASE_KOBO is delivered, the referee's welcome bonus (0 = none), the most
    // paid rewards per referrer per Lagos month, and how many days after joining a code may be entered.
    REFERRAL_REWARD_KOBO: z.coerce.number().int().min(0).max(10_000_000).default(10_000),
    REFERRAL_WELCOME_KOBO: z.coerce.number().int().min(0).max(10_000_000).default(5_000),
    REFERRAL_MIN_PURCHASE_KOBO: positiveInt(100_000, 100_000_000),
    REFERRAL_MONTHLY_CAP: z.coerce.number().int().min(0).max(100_000).default(20),
    REFERRAL_CODE_DAYS: positiveInt(7, 365),
    // Loyalty points (README "Points"): earned per ₦100 paid for a delivered purchase, per service;
    // for each paid referral; worth POINT_VALUE_KOBO each when redeemed; expire after POINTS_EXPIRY_DAYS.
    POINTS_PER_100_NAIRA_AIRTIME: z.coerce.number().int().min(0).max(1_000).default(1),
    POINTS_PER_100_NAIRA_DATA: z.coerce.number().int().min(0).max(1_000).default(1),
    POINTS_PER_100_NAIRA_CABLE: z.coerce.number().int().min(0).max(1_000).default(1),
    POINTS_PER_100_NAIRA_ELECTRICITY: z.coerce.number().int().min(0).max(1_000).default(1),
    POINTS_PER_REFERRAL: z.coerce.number().int().min(0).max(1_000_000).default(100),
    POINT_VALUE_KOBO: positiveInt(50, 10_000),
    POINTS_MIN_REDEEM: positiveInt(100, 1_000_000),
    POINTS_EXPIRY_DAYS: positiveInt(365, 3_650),
    // Customer tiers (README "Tiers"): the rolling window of delivered volume that sets a customer's
    // automatic tier, and how often the worker recomputes the tiers. The tiers themselves (names,
    // volumes, margins) are a table a super admin edits, seeded with Regular, Smart Buyer, Reseller.
    TIER_WINDOW_DAYS: positiveInt(30, 365),
    TIER_SWEEP_SECONDS: positiveInt(60, 24 * 3600),
    // Cable renewal reminders and purchase nudges (README "Cable renewal reminders"): the days before
    // a smartcard's due date a reminder is sent (comma-separated, each at most once per due date);
    // electricity "buy again?" this many days after the last token (0 = off); a data plan of at least
    // DATA_NUDGE_MIN_VALIDITY_DAYS is offered again this many days before it ends (0 = off); how often
    // the worker looks (sweep-cable-reminders).
    CABLE_REMINDER_DAYS: z
      .string()
      .trim()
      .default("3,1")
      .pipe(z.string().regex(/^(\d{1,2})(\s*,\s*\d{1,2})*$/, "must be days before the due date, e.g. 3,1"))
      .transform((v) => [...new Set(v.split(",").map((d) => Number(d.trim())))].sort((a, b) => a - b)),
    ELECTRICITY_NUDGE_DAYS: z.coerce.number().int().min(0).max(365).default(14),
    DATA_NUDGE_DAYS_BEFORE: z.coerce.number().int().min(0).max(30).default(2),
    DATA_NUDGE_MIN_VALIDITY_DAYS: positiveInt(30, 365),
    CABLE_REMINDER_SWEEP_MINUTES: positiveInt(10, 24 * 60),
    // Cable auto-renew (README "Cable renewal reminders", DECISIONS §67): an auto-renew schedule buys
    // this many days before the card's due date unless the customer chose another number (0–14).
    CABLE_AUTORENEW_DAYS_BEFORE: z.coerce.number().int().min(0).max(14).default(2),
    // Schedules (README "Schedules"): a run is due at SCHEDULE_RUN_HOUR (Lagos) on its date; a run
    // short of funds waits SCHEDULE_FUNDS_WAIT_HOURS for a top-up (one reminder) and is then skipped;
    // a run found more than SCHEDULE_GRACE_HOURS late (the service was down) is skipped and told;
    // the worker sweeps the due list every SCHEDULE_SWEEP_SECONDS.
    SCHEDULE_RUN_HOUR: z.coerce.number().int().min(0).max(23).default(8),
    SCHEDULE_FUNDS_WAIT_HOURS: positiveInt(12, 24 * 7),
    SCHEDULE_GRACE_HOURS: positiveInt(6, 24 * 7),
    SCHEDULE_SWEEP_SECONDS: positiveInt(30, 3600),
    SCHEDULE_SKIPS_TO_PAUSE: positiveInt(3, 100),
    /** How long a customer's "My schedules" page link works (many times, until a newer one). */
    SCHEDULE_LINK_TTL_MINUTES: positiveInt(30, 24 * 60),
    /** The Telegram bot's username (without @), for t.me links on pages (referral, gift, back to the chat). */
    TELEGRAM_BOT_USERNAME: optionalString.pipe(
      z
        .string()
        .regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/, "must be a Telegram username without @")
        .optional(),
    ),
    /** The WhatsApp number customers write to (international digits, e.g. 2348031234567), for wa.me links. */
    WHATSAPP_NUMBER: optionalString.pipe(
      z
        .string()
        .regex(/^\d{10,15}$/, "must be 10-15 digits, e.g. 2348031234567")
        .optional(),
    ),

    // Free-text understanding in chat, after the built-in grammar (optional: without a key, the menu).
    GROQ_API_KEY: optionalString,
    GROQ_BASE_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    GROQ_MODEL: z.string().min(1).default("llama-3.3-70b-versatile"),
    GROQ_TIMEOUT_MS: positiveInt(4_000, 60_000),

    // Telegram (grammY): long polling by default; webhook mode when TELEGRAM_WEBHOOK_URL is set.
    TELEGRAM_BOT_TOKEN: optionalString,
    TELEGRAM_API_ROOT: z.url({ protocol: /^https?$/ }).default("https://api.telegram.org"),
    TELEGRAM_WEBHOOK_URL: optionalString.pipe(z.url({ protocol: /^https$/ }).optional()),
    TELEGRAM_WEBHOOK_SECRET: optionalString.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{16,256}$/, "must be 16-256 characters of A-Z, a-z, 0-9, _ and -")
        .optional(),
    ),

    // The chat outbox (every bot message; DECISIONS §40): how often a sender looks for due messages
    // nobody woke it for (notifications, retries), the longest wait between two tries of a message
    // the channel refused (5xx, network; doubling from 1 s), and when an unsent message expires.
    NOTIFY_INTERVAL_MS: positiveInt(1_000, 60_000),
    CHAT_RETRY_MAX_SECONDS: positiveInt(30, 3_600),
    CHAT_OUTBOX_MAX_AGE_HOURS: positiveInt(24, 24 * 30),
    // Flood pacing per sending process (Telegram: ~30 messages/s per bot, ~1/s per chat).
    TELEGRAM_SENDS_PER_SECOND: positiveInt(30, 10_000),
    TELEGRAM_CHAT_SENDS_PER_SECOND: positiveInt(1, 1_000),
    WHATSAPP_SENDS_PER_SECOND: positiveInt(5, 1_000),
    WHATSAPP_CHAT_SENDS_PER_SECOND: positiveInt(1, 1_000),
    // Shutdown (SIGTERM/SIGINT): how long in-flight chat updates may finish, then how long the outbox
    // may flush what is due, before the process stops anyway.
    CHAT_DRAIN_SECONDS: positiveInt(10, 300),
    CHAT_FLUSH_SECONDS: positiveInt(5, 300),

    // WhatsApp (whatsapp-web.js driving a headless Chromium; README "WhatsApp"). Off by default.
    WHATSAPP_ENABLED: z
      .enum(["true", "false", "1", "0", ""])
      .default("false")
      .transform((v) => v === "true" || v === "1"),
    CHROMIUM_PATH: z.string().min(1).default("/usr/bin/chromium"),
    /** How long a one-time PIN page link stays valid (S4: the WhatsApp PIN step). */
    PIN_LINK_TTL_SECONDS: positiveInt(300, 3_600),

    // Gift rooms: the most gifts one room may hold, rooms one person may open per hour, the longest
    // a room may stay open (hours), and claims per minute from one IP address or one device.
    GIFT_ROOM_MAX_CAPACITY: positiveInt(500, 100_000),
    GIFT_ROOMS_PER_HOUR: positiveInt(10, 10_000),
    GIFT_ROOM_MAX_HOURS: positiveInt(168, 24 * 90),
    GIFT_CLAIMS_PER_MINUTE_PER_IP: positiveInt(30, 1_000_000),
    GIFT_CLAIMS_PER_MINUTE_PER_DEVICE: positiveInt(5, 1_000_000),
    /** The least a cash gift may be worth, each (DECISIONS §80). */
    GIFT_CASH_MIN_KOBO: positiveInt(5_000),

    // The admin panel: how long a session lasts (hours), and the lockout after failed logins.
    ADMIN_SESSION_HOURS: positiveInt(12, 24 * 30),
    ADMIN_LOGIN_MAX_FAILURES: positiveInt(5, 100),
    ADMIN_LOCKOUT_MINUTES: positiveInt(15, 24 * 60),
    /** A balance adjustment larger than this (kobo, either way) waits for a second admin's approval. */
    ADMIN_ADJUSTMENT_APPROVAL_KOBO: positiveInt(5_000_000, Number.MAX_SAFE_INTEGER),

    // GET /metrics (Prometheus): with a token, scrapers send it as a bearer; without one the endpoint
    // is open outside production and off in production.
    METRICS_TOKEN: optionalString,

    // Alerts to the admins' chats: how often conditions are checked, the window they look back over
    // (minutes), and when a provider counts as failing (share of failed answers, over at least
    // ALERT_PROVIDER_MIN_CALLS answers in the window).
    ALERT_CHECK_SECONDS: positiveInt(60, 3_600),
    ALERT_WINDOW_MINUTES: positiveInt(15, 24 * 60),
    ALERT_PROVIDER_FAILURE_PERCENT: positiveInt(30, 100),
    ALERT_PROVIDER_MIN_CALLS: positiveInt(5, 100_000),

    // The sandbox providers (see README "Sandbox outcomes").
    SANDBOX_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(600),
    SANDBOX_TIMEOUT_MS: z.coerce.number().int().min(0).max(120_000).default(3_000),
    SANDBOX_PENDING_SECONDS: z.coerce.number().int().min(0).max(3_600).default(8),

    // Orders.
    VTU_RESPONSE_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
    VTU_SUBMIT_LEASE_SECONDS: positiveInt(120, 3_600),
    VTU_REQUERY_BASE_SECONDS: positiveInt(10, 3_600),
    VTU_REQUERY_MAX_SECONDS: positiveInt(600, 86_400),
    VTU_NOT_FOUND_GRACE_SECONDS: positiveInt(60, 86_400),
    VTU_MANUAL_REVIEW_AFTER_MINUTES: positiveInt(180, 7 * 24 * 60),
    /** How often each worker's sweeper looks for due, stuck or orphaned order work (two indexed queries). */
    VTU_SWEEP_INTERVAL_SECONDS: positiveInt(5, 3_600),
    /**
     * Truth after delivery: when to ask the provider that delivered an order again (a late failure or
     * reversal refunds it). A provider's own list on the Providers page overrides it.
     */
    VTU_VERIFY_AFTER_DELIVERY: durationList("2m,30m,6h,24h"),
    /** Provider webhooks about one order trigger at most one requery per this many seconds. */
    VTU_WEBHOOK_REQUERY_INTERVAL_SECONDS: positiveInt(30, 3_600),
    /**
     * Crash recovery: every process records its boot and beats every PROCESS_HEARTBEAT_SECONDS; a
     * lease held by a boot silent for PROCESS_DEAD_AFTER_SECONDS (or replaced by a later boot of the
     * same INSTANCE_ID) is taken over. INSTANCE_ID must be unique per running process when set.
     */
    PROCESS_HEARTBEAT_SECONDS: positiveInt(3, 300),
    PROCESS_DEAD_AFTER_SECONDS: positiveInt(12, 3_600),
    INSTANCE_ID: optionalString,
    VTU_WORKER_CONCURRENCY: positiveInt(16, 256),
    /**
     * Where a process that also runs the worker (ROLE=all) sends the order jobs it dispatches:
     * `auto` runs them in process (no queue round trips; a lost one is the sweeper's), `queue`
     * always through the job queue. Other processes always use the queue. DECISIONS §3.
     */
    VTU_DISPATCH: z.enum(["auto", "queue"]).default("auto"),
    /**
     * Busy system accounts (clearing, provider float, fees revenue…) are split into this many shard
     * accounts; an entry uses the shard of the wallet on its other side (DECISIONS §1). 1 = no split.
     */
    SYSTEM_ACCOUNT_SHARDS: positiveInt(16, 256),
    /** Money actions (purchases, funding, withdrawals) one user may start per minute (S5). */
    MONEY_ACTIONS_PER_MINUTE: positiveInt(20, 10_000),
    /** PIN checks one user may start per minute from a chat, before the lockout counts them (S5). */
    PIN_ATTEMPTS_PER_MINUTE: positiveInt(5, 1_000),
    /** Orders one user may have unresolved at once (S14). */
    VTU_MAX_OPEN_ORDERS_PER_USER: positiveInt(10, 1_000),
    VTU_AIRTIME_MIN_KOBO: positiveInt(5_000),
    VTU_AIRTIME_MAX_KOBO: positiveInt(5_000_000),
    VTU_DATA_MAX_KOBO: positiveInt(10_000_000),
    VTU_CABLE_MAX_KOBO: positiveInt(20_000_000),
    VTU_ELECTRICITY_MIN_KOBO: positiveInt(100_000),
    VTU_ELECTRICITY_MAX_KOBO: positiveInt(50_000_000),
    CATALOGUE_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
    CATALOGUE_SYNC_INTERVAL_MINUTES: positiveInt(360, 7 * 24 * 60),
    /** How often each provider's float (our balance with them) is read for the low-float alert. */
    PROVIDER_FLOAT_CHECK_MINUTES: positiveInt(10, 24 * 60),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.TELEGRAM_WEBHOOK_URL && !cfg.TELEGRAM_WEBHOOK_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["TELEGRAM_WEBHOOK_SECRET"],
        message:
          "is required with TELEGRAM_WEBHOOK_URL: Telegram sends it with every update so forged ones get 403, e.g. `openssl rand -hex 32`",
      });
    }
    if (!cfg.PIN_PEPPER) {
      ctx.addIssue({
        code: "custom",
        path: ["PIN_PEPPER"],
        message: "is required: a random secret of at least 32 characters, e.g. `openssl rand -hex 32`",
      });
    }
    const sandbox =
      cfg.SANDBOX_MODE === "on" || (cfg.SANDBOX_MODE === "auto" && cfg.NODE_ENV !== "production");
    if (!sandbox && !cfg.FLUTTERWAVE_SECRET_KEY) {
      ctx.addIssue({
        code: "custom",
        path: ["FLUTTERWAVE_SECRET_KEY"],
        message: "is required outside sandbox mode: without it only the sandbox payment gateway exists",
      });
    }
    if (cfg.FLUTTERWAVE_SECRET_KEY && !cfg.FLUTTERWAVE_SECRET_HASH) {
      ctx.addIssue({
        code: "custom",
        path: ["FLUTTERWAVE_SECRET_HASH"],
        message:
          "is required with FLUTTERWAVE_SECRET_KEY: the secret hash set in the Flutterwave dashboard, so webhooks can be checked",
      });
    }
    if (!sandbox && !cfg.INLOMAX_API_KEY && !cfg.SMEPLUG_SECRET_KEY) {
      ctx.addIssue({
        code: "custom",
        path: ["INLOMAX_API_KEY"],
        message:
          "is required outside sandbox mode (or SMEPLUG_SECRET_KEY): without a provider key only the sandbox providers exist",
      });
    }
    for (const [min, max] of [
      ["VTU_AIRTIME_MIN_KOBO", "VTU_AIRTIME_MAX_KOBO"],
      ["VTU_ELECTRICITY_MIN_KOBO", "VTU_ELECTRICITY_MAX_KOBO"],
    ] as const) {
      if (cfg[min] > cfg[max]) {
        ctx.addIssue({ code: "custom", path: [min], message: `must not be larger than ${max}` });
      }
    }
  });

export type RawConfig = z.infer<typeof ConfigSchema>;

export type Config = Readonly<
  RawConfig & {
    /** True when no DATABASE_URL is set: we run our own PostgreSQL under DATA_DIR. */
    embeddedDatabase: boolean;
    publicBaseUrl: string;
    pinPepper: string;
    sandbox: boolean;
  }
>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parse the environment once. Throws ConfigError naming each bad variable and what it expects. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    throw configErrorOf(parsed.error, env);
  }
  const raw = parsed.data;
  return Object.freeze({
    ...raw,
    embeddedDatabase: raw.DATABASE_URL === undefined,
    publicBaseUrl: raw.PUBLIC_BASE_URL ?? `http://localhost:${raw.PORT}`,
    pinPepper: raw.PIN_PEPPER ?? "",
    sandbox: raw.SANDBOX_MODE === "on" || (raw.SANDBOX_MODE === "auto" && raw.NODE_ENV !== "production"),
  });
}

/** Each problem names the variable, says what it expects, and shows the value unless it is a secret. */
function configErrorOf(error: z.ZodError, env: NodeJS.ProcessEnv): ConfigError {
  return new ConfigError(
    error.issues.map((issue) => {
      const name = issue.path.join(".") || "(environment)";
      const got = typeof issue.path[0] === "string" ? env[issue.path[0]] : undefined;
      const shown =
        got === undefined ? "" : ` (got ${JSON.stringify(isSecretName(name) ? "<hidden>" : got)})`;
      return `${name}: ${issue.message}${shown}`;
    }),
  );
}

/**
 * What reaching the database needs, and nothing more: `npm run migrate` runs with DATABASE_URL
 * alone (before any key or secret exists, e.g. NODE_ENV=production without provider keys). The
 * fields are the ones of ConfigSchema, so each variable keeps one definition.
 */
const DatabaseConfigSchema = z.object({
  NODE_ENV: ConfigSchema.shape.NODE_ENV,
  LOG_LEVEL: ConfigSchema.shape.LOG_LEVEL,
  LOG_FORMAT: ConfigSchema.shape.LOG_FORMAT,
  DATABASE_URL: ConfigSchema.shape.DATABASE_URL,
  DATABASE_POOL_SIZE: ConfigSchema.shape.DATABASE_POOL_SIZE,
  DATABASE_PREPARED_STATEMENTS: ConfigSchema.shape.DATABASE_PREPARED_STATEMENTS,
  DATA_DIR: ConfigSchema.shape.DATA_DIR,
  EMBEDDED_PG_PORT: ConfigSchema.shape.EMBEDDED_PG_PORT,
});

export type DatabaseConfig = Readonly<z.infer<typeof DatabaseConfigSchema> & { embeddedDatabase: boolean }>;

/** Parse only the database variables (see DatabaseConfigSchema). Throws ConfigError like loadConfig. */
export function loadDatabaseConfig(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const parsed = DatabaseConfigSchema.safeParse(env);
  if (!parsed.success) {
    throw configErrorOf(parsed.error, env);
  }
  return Object.freeze({ ...parsed.data, embeddedDatabase: parsed.data.DATABASE_URL === undefined });
}

function isSecretName(name: string): boolean {
  return /PEPPER|SECRET|KEY|TOKEN|PASSWORD|URL/.test(name);
}
