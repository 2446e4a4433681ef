import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type {
  Contact,
  ForceReply,
  InlineKeyboardMarkup,
  ReplyKeyboardMarkup,
  ReplyKeyboardRemove,
  Update,
  User,
  UserFromGetMe,
} from "grammy/types";
import { BOT_INFO } from "../../bot/telegram/offline";

/**
 * A local Telegram Bot API on 127.0.0.1 for tests and the bench, speaking the real protocol
 * (`POST {apiRoot}/bot{token}/{method}`, JSON in, `{ ok, result }` or `{ ok: false, error_code,
 * description, parameters? }` out with the matching HTTP status), so grammY runs against it unchanged
 * (`client: { apiRoot: emulator.apiRoot }`).
 *
 * - Real long polling: one update queue, `offset` confirms, `timeout` waits, a second poller ends the
 *   first with 409, a webhook blocks getUpdates.
 * - Users: `userSends`, `userPresses`, `userSharesContact` make the updates a person would; user and
 *   bot messages share each chat's message_id counter, as on Telegram.
 * - What the user sees: `chat`, `botMessages`, `deleted`, `duplicateBotTexts`.
 * - Faults, switchable at any time: `failNext` (429 with retry_after, 5xx, even after delivery),
 *   `block`, flood limits (`setLimits`), `outage`/`setDown` (connections destroyed, no answer),
 *   `cutPolls`, `slow`.
 * Per-chat arrays and counters keep it cheap enough for thousands of messages a second.
 */

export const TELEGRAM_EMULATOR_TOKEN = "424242:emulator-token";

/** The bot the emulator is: the same identity the offline Bot API of the tests uses. */
export const TELEGRAM_EMULATOR_BOT: UserFromGetMe = BOT_INFO;

/** How long the 409 for a replaced poll waits for that poll's own close (see getUpdates). */
const ABORTED_POLL_GRACE_MS = 100;

export const CONFLICT_OTHER_POLLER =
  "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";
export const CONFLICT_WEBHOOK =
  "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
export const BLOCKED_BY_USER = "Forbidden: bot was blocked by the user";
export const MESSAGE_NOT_MODIFIED =
  "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";

export type FloodLimits = {
  /** Accepted sendMessage/edit calls per sliding second, all chats together; undefined = no limit. */
  overallPerSecond?: number;
  /** Accepted sendMessage/edit calls per sliding second in one chat; undefined = no limit. */
  perChatPerSecond?: number;
};

export type TelegramEmulatorOptions = {
  /** The bot's token (default TELEGRAM_EMULATOR_TOKEN); any other token is answered 401. */
  token?: string;
  /** Cap on how long a getUpdates waits, whatever its `timeout` (default 30000). */
  maxPollMs?: number;
  /** Flood limits from the start (default none). */
  limits?: FloodLimits;
  /** Every answer delayed by this much (default 0). */
  slowMs?: number;
  /** The first update_id handed out (default 1). */
  firstUpdateId?: number;
  /** sendMessage to a chat whose user never wrote → 400 "Bad Request: chat not found" (default false). */
  requireStart?: boolean;
  /** Keep every call in `calls` (default true); a long bench may turn it off and read `stats`. */
  recordCalls?: boolean;
};

export type FailSpec = {
  /** 429, 500, 502, 503, 400, 403 (any HTTP error status works). */
  status: number;
  /** For 429: `parameters.retry_after` in seconds (default 1). */
  retryAfter?: number;
  /** Do the call (a sendMessage is delivered, visible in the chat) and THEN answer the error. */
  afterDelivery?: boolean;
  /** Overrides the usual description for the status. */
  description?: string;
};

/** One Bot API request as the emulator saw it. */
export type TelegramApiCall = {
  method: string;
  payload: Record<string, unknown>;
  /** Arrival (ms since epoch). */
  at: number;
  /** HTTP status answered; 0 while pending or when the connection was destroyed instead. */
  status: number;
  answeredAt?: number;
  /** The connection was destroyed without an answer (outage, cutPolls). */
  dropped: boolean;
  /** The client went away before the answer (e.g. grammY's stop aborting its poll). */
  aborted?: boolean;
};

export type ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply;

/** A message as the user sees it in the chat. */
export type ChatMessage = {
  message_id: number;
  from: "user" | "bot";
  /** Unix seconds, as on Telegram. */
  date: number;
  /** ms since epoch. */
  sentAt: number;
  text?: string;
  /** Current state (after edits). */
  reply_markup?: ReplyMarkup;
  contact?: Contact;
  editedAt?: number;
  deletedAt?: number;
};

export type DuplicateText = {
  chatId: number;
  text: string;
  /** How many bot messages in the chat carry this text. */
  count: number;
  /** Longest run of consecutive chat messages (no user message between) with this text. */
  inARow: number;
};

export type OutageRecord = {
  startedAt: number;
  endedAt?: number;
  /** Arrival of the first getUpdates accepted after the outage ended (not cut, not failed). */
  firstPollAt?: number;
  /** When the first getUpdates answer carrying updates was written after the outage ended. */
  firstUpdatesAt?: number;
};

export type TelegramEmulatorStats = {
  /** Requests per method (arrivals, whatever the answer). */
  calls: Record<string, number>;
  /** Answers with status 429 (failNext and flood limits). */
  status429: number;
  /** Answers with status ≥ 500. */
  status5xx: number;
  /** 409 answers to getUpdates (two pollers, webhook set). */
  conflicts: number;
  /** Bot messages delivered into chats. */
  delivered: number;
  edits: number;
  deletes: number;
  /** Requests whose connection was destroyed without an answer. */
  dropped: number;
  /** Connections and requests destroyed on arrival while down. */
  refused: number;
  outages: OutageRecord[];
  /** The latest outage's start/end and resume times (see OutageRecord). */
  outageStartedAt?: number;
  outageEndedAt?: number;
  firstPollAfterOutageAt?: number;
  firstUpdatesAfterOutageAt?: number;
};

export type UserProfile = Omit<User, "id" | "is_bot">;

export type TelegramEmulator = {
  /** `http://127.0.0.1:PORT`: grammY's `client.apiRoot` (it appends /bot<token>/<method>). */
  readonly url: string;
  readonly apiRoot: string;
  readonly token: string;
  readonly botInfo: UserFromGetMe;
  readonly calls: readonly TelegramApiCall[];
  readonly stats: TelegramEmulatorStats;
  /** Updates queued and not yet confirmed by an offset. */
  readonly pendingUpdates: number;
  readonly webhookUrl: string | undefined;
  readonly isDown: boolean;

  callsOf(method: string): TelegramApiCall[];
  /** Name, username etc. used in `from` of the user's updates (default first_name `User <id>`). */
  setUser(userId: number, profile: Partial<UserProfile>): void;
  /** A private text message from the user; `extra` adds Message fields (entities, reply_to_message…). */
  userSends(
    userId: number,
    text: string,
    extra?: Record<string, unknown>,
  ): { update_id: number; message_id: number };
  /** The user taps an inline button; throws unless a visible bot message has it (or `force`). */
  userPresses(
    userId: number,
    messageId: number,
    data: string,
    options?: { force?: boolean },
  ): { update_id: number; callback_query_id: string };
  /** Taps the button labelled `label` on the newest visible bot message that has one. */
  userPressesButton(
    userId: number,
    label: string | RegExp,
  ): { update_id: number; callback_query_id: string; message_id: number };
  /** The user shares their own contact card (`contact` overrides fields, e.g. another user_id). */
  userSharesContact(
    userId: number,
    phone: string,
    contact?: Partial<Contact>,
  ): { update_id: number; message_id: number };
  /** Any update, queued as is (its update_id is replaced). */
  pushUpdate(update: Omit<Update, "update_id">): number;

  /** The chat's visible messages in order, both sides, current state. */
  chat(userId: number): ChatMessage[];
  botMessages(userId: number): ChatMessage[];
  lastBotMessage(userId: number): ChatMessage | undefined;
  /** Ids of the chat's deleted messages, in the order they were deleted. */
  deleted(userId: number): number[];
  /** Chat ids with any message. */
  chatIds(): number[];
  /** Bot texts sent more than once in a chat (deleted messages count unless `visibleOnly`). */
  duplicateBotTexts(options?: { visibleOnly?: boolean }): DuplicateText[];
  /** Resolves with the probe's first truthy value (checked every 10 ms), rejects after timeoutMs. */
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;

  failNext(method: string, count: number, spec: FailSpec): void;
  block(userId: number): void;
  unblock(userId: number): void;
  /** Replaces the flood limits; `{}` removes them. */
  setLimits(limits: FloodLimits): void;
  /** Down for `ms`, resolves when back up. */
  outage(ms: number): Promise<void>;
  setDown(down: boolean): void;
  /** The next n getUpdates have their connection destroyed after `afterMs` (default 100) mid-wait. */
  cutPolls(n: number, afterMs?: number): void;
  /** Every answer delayed by ms (0 = off). */
  slow(ms: number): void;
  /** No failNext, cuts, blocks, limits, slowness; back up. */
  clearFaults(): void;
  close(): Promise<void>;
};

type Payload = Record<string, unknown>;
type Reply = { status: number; body: unknown };
type Exchange = {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  call: TelegramApiCall;
  done: boolean;
  /** afterDelivery: the answer to send whatever the handler decided. */
  override?: Reply;
};
/** A Reply, or undefined when the handler answers later itself (getUpdates). */
type Handler = (p: Payload, ex: Exchange) => Reply | undefined;

type ChatState = {
  id: number;
  profile: UserProfile;
  nextMessageId: number;
  /** Visible messages by id; insertion order is chat order. */
  visible: Map<number, ChatMessage>;
  /** Every message ever, deleted ones too, in order. */
  all: ChatMessage[];
  deletedIds: number[];
  blocked: boolean;
  window: SlidingWindow;
};

type WaitingPoll = { ex: Exchange; limit: number; timer: NodeJS.Timeout };

/** Timestamps in the last second, oldest first; amortised O(1). */
class SlidingWindow {
  private times: number[] = [];
  private head = 0;

  count(now: number): number {
    while (this.head < this.times.length && (this.times[this.head] ?? 0) <= now - 1000) {
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }

  /** ms until the oldest entry leaves the window (1000 when empty). */
  msUntilFree(now: number): number {
    const oldest = this.times[this.head];
    return oldest === undefined ? 1000 : oldest + 1000 - now;
  }

  add(now: number): void {
    this.times.push(now);
  }
}

/** Pending updates, oldest first; confirming drops a prefix. */
class UpdateQueue {
  private items: Update[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(update: Update): void {
    this.items.push(update);
  }

  /** Telegram's `offset`: forget every update with a lower id; negative keeps the last -offset. */
  confirm(offset: number): void {
    if (offset < 0) {
      this.head = Math.max(this.head, this.items.length + offset);
    } else if (offset > 0) {
      while (this.head < this.items.length && (this.items[this.head]?.update_id ?? 0) < offset) {
        this.head++;
      }
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  take(limit: number): Update[] {
    return this.items.slice(this.head, this.head + limit);
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

/** Types delivered when allowed_updates is not given or empty (Telegram's default). */
const NOT_BY_DEFAULT = new Set(["chat_member", "message_reaction", "message_reaction_count"]);

const DEFAULT_DESCRIPTIONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: BLOCKED_BY_USER,
  404: "Not Found",
  409: "Conflict",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

function ok(result: unknown): Reply {
  return { status: 200, body: { ok: true, result } };
}

function fail(status: number, description: string, parameters?: Record<string, unknown>): Reply {
  return {
    status,
    body: { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) },
  };
}

function tooManyRequests(retryAfter: number): Reply {
  return fail(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
}

function num(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) {
    return value;
  }
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) {
    return Number(value);
  }
  return undefined;
}

/** Objects arrive as JSON; form-encoded and query values as JSON strings. */
function structured(value: unknown): unknown {
  if (typeof value === "string") {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

function isInlineKeyboard(markup: unknown): markup is InlineKeyboardMarkup {
  return typeof markup === "object" && markup !== null && "inline_keyboard" in markup;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function updateType(update: Omit<Update, "update_id">): string | undefined {
  return Object.keys(update).find((key) => key !== "update_id");
}

export async function startTelegramEmulator(
  options: TelegramEmulatorOptions = {},
): Promise<TelegramEmulator> {
  const token = options.token ?? TELEGRAM_EMULATOR_TOKEN;
  const maxPollMs = options.maxPollMs ?? 30_000;
  const recordCalls = options.recordCalls ?? true;
  const botInfo = TELEGRAM_EMULATOR_BOT;
  const botUser = {
    id: botInfo.id,
    is_bot: true,
    first_name: botInfo.first_name,
    username: botInfo.username,
  };

  const calls: TelegramApiCall[] = [];
  const stats: TelegramEmulatorStats = {
    calls: {},
    status429: 0,
    status5xx: 0,
    conflicts: 0,
    delivered: 0,
    edits: 0,
    deletes: 0,
    dropped: 0,
    refused: 0,
    outages: [],
  };
  const chats = new Map<number, ChatState>();
  const profiles = new Map<number, UserProfile>();
  const queue = new UpdateQueue();
  const overallWindow = new SlidingWindow();
  const faults = new Map<string, { remaining: number; spec: FailSpec }[]>();
  const callbackQueries = new Set<string>();
  const open = new Set<Exchange>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  let nextUpdateId = options.firstUpdateId ?? 1;
  let callbackSeq = 0;
  let limits: FloodLimits = { ...options.limits };
  let slowMs = options.slowMs ?? 0;
  let down = false;
  let cutsLeft = 0;
  let cutAfterMs = 100;
  let webhookUrl: string | undefined;
  let allowedUpdates: Set<string> | undefined;
  let commands: unknown[] = [];
  let poll: WaitingPoll | undefined;
  let flushScheduled = false;
  let closed = false;

  function later(action: () => void, ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, ms);
    timers.add(timer);
    return timer;
  }

  function cancel(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    timers.delete(timer);
  }

  // ---- chats and users ----

  function profileOf(userId: number): UserProfile {
    let profile = profiles.get(userId);
    if (!profile) {
      profile = { first_name: `User ${userId}`, language_code: "en" };
      profiles.set(userId, profile);
    }
    return profile;
  }

  function chatState(chatId: number): ChatState {
    let chat = chats.get(chatId);
    if (!chat) {
      chat = {
        id: chatId,
        profile: profileOf(chatId),
        nextMessageId: 1,
        visible: new Map(),
        all: [],
        deletedIds: [],
        blocked: false,
        window: new SlidingWindow(),
      };
      chats.set(chatId, chat);
    }
    return chat;
  }

  function userJson(userId: number): User {
    return { id: userId, is_bot: false, ...profileOf(userId) };
  }

  function chatJson(chat: ChatState): Record<string, unknown> {
    const { first_name, last_name, username } = chat.profile;
    return {
      id: chat.id,
      type: "private",
      first_name,
      ...(last_name ? { last_name } : {}),
      ...(username ? { username } : {}),
    };
  }

  function addMessage(chat: ChatState, from: "user" | "bot", fields: Partial<ChatMessage>): ChatMessage {
    const now = Date.now();
    const message: ChatMessage = {
      message_id: chat.nextMessageId++,
      from,
      date: Math.floor(now / 1000),
      sentAt: now,
      ...fields,
    };
    chat.visible.set(message.message_id, message);
    chat.all.push(message);
    return message;
  }

  /** A bot message as the Bot API returns it (only inline keyboards are echoed, as on Telegram). */
  function botMessageJson(chat: ChatState, message: ChatMessage): Record<string, unknown> {
    return {
      message_id: message.message_id,
      from: botUser,
      chat: chatJson(chat),
      date: message.date,
      ...(message.editedAt !== undefined ? { edit_date: Math.floor(message.editedAt / 1000) } : {}),
      ...(message.text !== undefined ? { text: message.text } : {}),
      ...(isInlineKeyboard(message.reply_markup) ? { reply_markup: message.reply_markup } : {}),
    };
  }

  // ---- updates ----

  function enqueue(update: Omit<Update, "update_id">): number {
    const update_id = nextUpdateId++;
    const type = updateType(update);
    const allowed = allowedUpdates
      ? type !== undefined && allowedUpdates.has(type)
      : !NOT_BY_DEFAULT.has(type ?? "");
    if (allowed) {
      queue.push({ ...update, update_id } as Update);
      scheduleFlush();
    }
    return update_id;
  }

  /** Answers a waiting poll once the current burst of pushes is queued. */
  function scheduleFlush(): void {
    if (flushScheduled || !poll) {
      return;
    }
    flushScheduled = true;
    setImmediate(() => {
      flushScheduled = false;
      const waiting = poll;
      if (waiting && queue.size > 0) {
        poll = undefined;
        cancel(waiting.timer);
        answer(waiting.ex, ok(queue.take(waiting.limit)));
      }
    });
  }

  function latestOutage(): OutageRecord | undefined {
    return stats.outages[stats.outages.length - 1];
  }

  // ---- HTTP plumbing ----

  function drop(ex: Exchange): void {
    if (ex.done) {
      return;
    }
    ex.done = true;
    open.delete(ex);
    ex.call.dropped = true;
    stats.dropped++;
    ex.req.socket.destroy();
  }

  function answer(ex: Exchange, reply: Reply): void {
    const write = () => {
      if (ex.done) {
        return;
      }
      if (down) {
        drop(ex);
        return;
      }
      if (ex.res.destroyed || ex.req.socket.destroyed) {
        ex.done = true;
        open.delete(ex);
        ex.call.aborted = true;
        return;
      }
      const final = ex.override ?? reply;
      ex.done = true;
      open.delete(ex);
      ex.call.status = final.status;
      ex.call.answeredAt = Date.now();
      if (final.status === 429) {
        stats.status429++;
      } else if (final.status >= 500) {
        stats.status5xx++;
      } else if (final.status === 409 && ex.call.method === "getUpdates") {
        stats.conflicts++;
      }
      if (ex.call.method === "getUpdates" && final.status === 200) {
        const outage = latestOutage();
        const result = (final.body as { result?: unknown[] }).result;
        if (outage?.endedAt !== undefined && outage.firstUpdatesAt === undefined && result?.length) {
          outage.firstUpdatesAt = ex.call.answeredAt;
          stats.firstUpdatesAfterOutageAt = ex.call.answeredAt;
        }
      }
      ex.res.writeHead(final.status, { "content-type": "application/json" });
      ex.res.end(JSON.stringify(final.body));
    };
    if (slowMs > 0) {
      later(write, slowMs);
    } else {
      write();
    }
  }

  function parsePayload(req: http.IncomingMessage, url: URL, raw: string): Payload | undefined {
    const payload: Payload = Object.fromEntries(url.searchParams);
    if (raw.trim() === "") {
      return payload;
    }
    const type = req.headers["content-type"] ?? "";
    if (type.includes("application/x-www-form-urlencoded")) {
      return { ...payload, ...Object.fromEntries(new URLSearchParams(raw)) };
    }
    try {
      const body = JSON.parse(raw) as unknown;
      return typeof body === "object" && body !== null ? { ...payload, ...(body as Payload) } : undefined;
    } catch {
      return undefined;
    }
  }

  function handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string): void {
    const url = new URL(req.url ?? "/", "http://emulator");
    const match = /^\/bot([^/]+)\/([^/]+)$/.exec(url.pathname);
    const method = match?.[2] ?? url.pathname;
    const payload = parsePayload(req, url, raw);
    const call: TelegramApiCall = {
      method,
      payload: payload ?? {},
      at: Date.now(),
      status: 0,
      dropped: false,
    };
    const ex: Exchange = { req, res, call, done: false };
    open.add(ex);
    const handler = match ? handlers.get(method.toLowerCase()) : undefined;
    if (handler) {
      call.method = handler.name;
    }
    if (recordCalls) {
      calls.push(call);
    }
    stats.calls[call.method] = (stats.calls[call.method] ?? 0) + 1;

    if (!match) {
      answer(ex, fail(404, "Not Found"));
      return;
    }
    if (decodeURIComponent(match[1] ?? "") !== token) {
      answer(ex, fail(401, "Unauthorized"));
      return;
    }
    if (!handler) {
      answer(ex, fail(404, "Not Found"));
      return;
    }
    if (payload === undefined) {
      answer(ex, fail(400, "Bad Request: can't parse request body as JSON"));
      return;
    }
    const fault = takeFault(handler.name);
    if (fault && !fault.afterDelivery) {
      answer(ex, faultReply(fault));
      return;
    }
    if (fault) {
      ex.override = faultReply(fault);
    }
    const reply = handler.fn(payload, ex);
    if (reply) {
      answer(ex, reply);
    }
  }

  function takeFault(method: string): FailSpec | undefined {
    const list = faults.get(method);
    const head = list?.[0];
    if (!list || !head) {
      return undefined;
    }
    head.remaining--;
    if (head.remaining <= 0) {
      list.shift();
    }
    return head.spec;
  }

  function faultReply(spec: FailSpec): Reply {
    if (spec.status === 429) {
      const retryAfter = spec.retryAfter ?? 1;
      return fail(429, spec.description ?? `Too Many Requests: retry after ${retryAfter}`, {
        retry_after: retryAfter,
      });
    }
    return fail(spec.status, spec.description ?? DEFAULT_DESCRIPTIONS[spec.status] ?? `Error ${spec.status}`);
  }

  // ---- Bot API methods ----

  /** The chat a method addresses, or the 400 Telegram gives. */
  function targetChat(p: Payload, create: boolean): ChatState | Reply {
    const chatId = num(p.chat_id);
    if (chatId === undefined || !Number.isInteger(chatId)) {
      return fail(
        400,
        p.chat_id === undefined ? "Bad Request: chat_id is empty" : "Bad Request: chat not found",
      );
    }
    const chat = chats.get(chatId);
    if (chat) {
      return chat;
    }
    if (!create || options.requireStart) {
      return fail(400, "Bad Request: chat not found");
    }
    return chatState(chatId);
  }

  function isReply(value: ChatState | Reply): value is Reply {
    return "status" in value;
  }

  /** A 429 when a flood limit is reached; otherwise counts the call in the windows. */
  function floodCheck(chat: ChatState): Reply | undefined {
    const { overallPerSecond, perChatPerSecond } = limits;
    if (overallPerSecond === undefined && perChatPerSecond === undefined) {
      return undefined;
    }
    const now = Date.now();
    let waitMs = 0;
    if (overallPerSecond !== undefined && overallWindow.count(now) >= overallPerSecond) {
      waitMs = Math.max(waitMs, overallWindow.msUntilFree(now));
    }
    if (perChatPerSecond !== undefined && chat.window.count(now) >= perChatPerSecond) {
      waitMs = Math.max(waitMs, chat.window.msUntilFree(now));
    }
    if (waitMs > 0) {
      return tooManyRequests(Math.max(1, Math.ceil(waitMs / 1000)));
    }
    if (overallPerSecond !== undefined) {
      overallWindow.add(now);
    }
    if (perChatPerSecond !== undefined) {
      chat.window.add(now);
    }
    return undefined;
  }

  function textProblem(text: unknown): Reply | undefined {
    if (typeof text !== "string" || text.trim() === "") {
      return fail(400, "Bad Request: message text is empty");
    }
    if (text.length > 4096) {
      return fail(400, "Bad Request: message is too long");
    }
    return undefined;
  }

  function getUpdates(p: Payload, ex: Exchange): Reply | undefined {
    if (webhookUrl !== undefined) {
      return fail(409, CONFLICT_WEBHOOK);
    }
    const limit = Math.min(100, Math.max(1, Math.trunc(num(p.limit) ?? 100)));
    const waitMs = Math.min(Math.max(0, (num(p.timeout) ?? 0) * 1000), maxPollMs);
    const allowed = structured(p.allowed_updates);
    if (Array.isArray(allowed)) {
      allowedUpdates = allowed.length > 0 ? new Set(allowed.map(String)) : undefined;
    }
    if (poll) {
      const earlier = poll;
      poll = undefined;
      cancel(earlier.timer);
      // After the close event of a poll its client just aborted (grammY's stop, then its confirming
      // getUpdates): that poll is not answered, as nobody would read the 409. On a busy machine the
      // close can come an event-loop turn or more after the new request (one setImmediate was not
      // always enough in CI), so the 409 waits a moment; a real second poller still gets it.
      later(() => answer(earlier.ex, fail(409, CONFLICT_OTHER_POLLER)), ABORTED_POLL_GRACE_MS);
    }
    queue.confirm(Math.trunc(num(p.offset) ?? 0));
    if (cutsLeft > 0) {
      cutsLeft--;
      later(() => drop(ex), cutAfterMs);
      return undefined;
    }
    const outage = latestOutage();
    if (outage?.endedAt !== undefined && outage.firstPollAt === undefined && !ex.override) {
      outage.firstPollAt = ex.call.at;
      stats.firstPollAfterOutageAt = ex.call.at;
    }
    if (queue.size > 0 || waitMs === 0) {
      return ok(queue.take(limit));
    }
    const waiting: WaitingPoll = {
      ex,
      limit,
      timer: later(() => {
        if (poll === waiting) {
          poll = undefined;
          answer(ex, ok(queue.take(limit)));
        }
      }, waitMs),
    };
    poll = waiting;
    ex.res.on("close", () => {
      if (poll === waiting) {
        // The client gave up (grammY's stop aborts its poll).
        poll = undefined;
        cancel(waiting.timer);
        if (!ex.done) {
          ex.done = true;
          open.delete(ex);
          ex.call.aborted = true;
        }
      }
    });
    return undefined;
  }

  function setWebhook(p: Payload): Reply {
    const url = typeof p.url === "string" ? p.url : "";
    if (p.drop_pending_updates === true || p.drop_pending_updates === "true") {
      queue.clear();
    }
    if (url === "") {
      webhookUrl = undefined;
      return ok(true);
    }
    if (!/^https?:\/\//.test(url)) {
      return fail(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook");
    }
    webhookUrl = url;
    const allowed = structured(p.allowed_updates);
    if (Array.isArray(allowed)) {
      allowedUpdates = allowed.length > 0 ? new Set(allowed.map(String)) : undefined;
    }
    if (poll) {
      const waiting = poll;
      poll = undefined;
      cancel(waiting.timer);
      answer(waiting.ex, fail(409, CONFLICT_WEBHOOK));
    }
    return ok(true);
  }

  function deleteWebhook(p: Payload): Reply {
    if (p.drop_pending_updates === true || p.drop_pending_updates === "true") {
      queue.clear();
    }
    webhookUrl = undefined;
    return ok(true);
  }

  function sendMessage(p: Payload): Reply {
    const chat = targetChat(p, true);
    if (isReply(chat)) {
      return chat;
    }
    const problem = textProblem(p.text);
    if (problem) {
      return problem;
    }
    if (chat.blocked) {
      return fail(403, BLOCKED_BY_USER);
    }
    const flood = floodCheck(chat);
    if (flood) {
      return flood;
    }
    const markup = structured(p.reply_markup) as ReplyMarkup | undefined;
    const message = addMessage(chat, "bot", {
      text: p.text as string,
      ...(markup !== undefined ? { reply_markup: markup } : {}),
    });
    stats.delivered++;
    return ok(botMessageJson(chat, message));
  }

  /** editMessageText (text given) and editMessageReplyMarkup (text undefined). */
  function edit(p: Payload, withText: boolean): Reply {
    if (p.inline_message_id !== undefined) {
      return fail(400, "Bad Request: inline messages are not supported by the emulator");
    }
    const chat = targetChat(p, false);
    if (isReply(chat)) {
      return chat;
    }
    const messageId = num(p.message_id);
    if (messageId === undefined) {
      return fail(400, "Bad Request: message identifier is not specified");
    }
    if (withText) {
      const problem = textProblem(p.text);
      if (problem) {
        return problem;
      }
    }
    if (chat.blocked) {
      return fail(403, BLOCKED_BY_USER);
    }
    const message = chat.visible.get(messageId);
    if (!message) {
      return fail(400, "Bad Request: message to edit not found");
    }
    if (message.from !== "bot") {
      return fail(400, "Bad Request: message can't be edited");
    }
    const markup = structured(p.reply_markup) as ReplyMarkup | undefined;
    if (markup !== undefined && !isInlineKeyboard(markup)) {
      return fail(400, "Bad Request: inline keyboard expected");
    }
    const text = withText ? (p.text as string) : message.text;
    const currentInline = isInlineKeyboard(message.reply_markup) ? message.reply_markup : undefined;
    if (text === message.text && sameJson(currentInline, markup)) {
      return fail(400, MESSAGE_NOT_MODIFIED);
    }
    const flood = floodCheck(chat);
    if (flood) {
      return flood;
    }
    message.text = text;
    // An edit without reply_markup removes the inline keyboard; a reply keyboard stays.
    if (markup !== undefined) {
      message.reply_markup = markup;
    } else if (currentInline) {
      delete message.reply_markup;
    }
    message.editedAt = Date.now();
    stats.edits++;
    return ok(botMessageJson(chat, message));
  }

  function deleteMessage(p: Payload): Reply {
    const chat = targetChat(p, false);
    if (isReply(chat)) {
      return chat;
    }
    const messageId = num(p.message_id);
    const message = messageId === undefined ? undefined : chat.visible.get(messageId);
    if (!message) {
      return fail(400, "Bad Request: message to delete not found");
    }
    chat.visible.delete(message.message_id);
    message.deletedAt = Date.now();
    chat.deletedIds.push(message.message_id);
    stats.deletes++;
    return ok(true);
  }

  function answerCallbackQuery(p: Payload): Reply {
    const id = p.callback_query_id === undefined ? "" : String(p.callback_query_id);
    if (!callbackQueries.delete(id)) {
      return fail(400, "Bad Request: query is too old and response timeout expired or query ID is invalid");
    }
    return ok(true);
  }

  function setMyCommands(p: Payload): Reply {
    const list = structured(p.commands);
    if (!Array.isArray(list)) {
      return fail(400, "Bad Request: can't parse commands JSON object");
    }
    commands = list;
    return ok(true);
  }

  function sendChatAction(p: Payload): Reply {
    const chat = targetChat(p, true);
    if (isReply(chat)) {
      return chat;
    }
    return chat.blocked ? fail(403, BLOCKED_BY_USER) : ok(true);
  }

  const methodList: { name: string; fn: Handler }[] = [
    { name: "getUpdates", fn: getUpdates },
    { name: "setWebhook", fn: setWebhook },
    { name: "deleteWebhook", fn: deleteWebhook },
    {
      name: "getWebhookInfo",
      fn: () =>
        ok({ url: webhookUrl ?? "", has_custom_certificate: false, pending_update_count: queue.size }),
    },
    { name: "getMe", fn: () => ok(botInfo) },
    { name: "sendMessage", fn: sendMessage },
    { name: "editMessageText", fn: (p) => edit(p, true) },
    { name: "editMessageReplyMarkup", fn: (p) => edit(p, false) },
    { name: "deleteMessage", fn: deleteMessage },
    { name: "answerCallbackQuery", fn: answerCallbackQuery },
    { name: "setMyCommands", fn: setMyCommands },
    { name: "getMyCommands", fn: () => ok(commands) },
    {
      name: "deleteMyCommands",
      fn: () => {
        commands = [];
        return ok(true);
      },
    },
    { name: "sendChatAction", fn: sendChatAction },
    { name: "logOut", fn: () => ok(true) },
    { name: "close", fn: () => ok(true) },
  ];
  const handlers = new Map(methodList.map((m) => [m.name.toLowerCase(), m]));

  // ---- the server ----

  const server = http.createServer((req, res) => {
    res.on("error", () => {
      // The client went away; nothing to answer.
    });
    if (down) {
      stats.refused++;
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (down) {
        req.socket.destroy();
        return;
      }
      handle(req, res, Buffer.concat(chunks).toString("utf8"));
    });
  });
  server.on("connection", (socket: Socket) => {
    if (down || closed) {
      stats.refused++;
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("clientError", (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  function setDown(value: boolean): void {
    if (value === down) {
      return;
    }
    down = value;
    const now = Date.now();
    if (value) {
      stats.outages.push({ startedAt: now });
      stats.outageStartedAt = now;
      stats.outageEndedAt = undefined;
      stats.firstPollAfterOutageAt = undefined;
      stats.firstUpdatesAfterOutageAt = undefined;
      if (poll) {
        cancel(poll.timer);
        poll = undefined;
      }
      for (const ex of [...open]) {
        drop(ex);
      }
      for (const socket of sockets) {
        socket.destroy();
      }
    } else {
      const outage = latestOutage();
      if (outage) {
        outage.endedAt = now;
      }
      stats.outageEndedAt = now;
    }
  }

  function visibleBotMessages(userId: number): ChatMessage[] {
    const chat = chats.get(userId);
    return chat ? [...chat.visible.values()].filter((m) => m.from === "bot").map((m) => ({ ...m })) : [];
  }

  function press(userId: number, chat: ChatState, message: ChatMessage, data: string) {
    const callback_query_id = String(BigInt(userId) * 1_000_000n + BigInt(++callbackSeq));
    callbackQueries.add(callback_query_id);
    const update_id = enqueue({
      callback_query: {
        id: callback_query_id,
        from: userJson(userId),
        message: botMessageJson(chat, message),
        chat_instance: `${chat.id}042`,
        data,
      },
    } as unknown as Omit<Update, "update_id">);
    return { update_id, callback_query_id };
  }

  function userMessage(
    userId: number,
    fields: Partial<ChatMessage>,
    extra: Record<string, unknown>,
  ): { update_id: number; message_id: number } {
    const chat = chatState(userId);
    const message = addMessage(chat, "user", fields);
    const update_id = enqueue({
      message: {
        message_id: message.message_id,
        from: userJson(userId),
        chat: chatJson(chat),
        date: message.date,
        ...extra,
      },
    } as unknown as Omit<Update, "update_id">);
    return { update_id, message_id: message.message_id };
  }

  return {
    url,
    apiRoot: url,
    token,
    botInfo,
    calls,
    stats,
    get pendingUpdates() {
      return queue.size;
    },
    get webhookUrl() {
      return webhookUrl;
    },
    get isDown() {
      return down;
    },

    callsOf: (method) => calls.filter((c) => c.method === method),

    setUser(userId, profile) {
      Object.assign(profileOf(userId), profile);
    },

    userSends(userId, text, extra = {}) {
      const { from, ...rest } = extra as { from?: Partial<UserProfile> } & Record<string, unknown>;
      if (from) {
        const { id: _id, is_bot: _bot, ...profile } = from as Partial<User>;
        Object.assign(profileOf(userId), profile);
      }
      const command = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
      const entities = command ? [{ type: "bot_command", offset: 0, length: command[0].length }] : undefined;
      return userMessage(userId, { text }, { text, ...(entities ? { entities } : {}), ...rest });
    },

    userPresses(userId, messageId, data, pressOptions = {}) {
      const chat = chats.get(userId);
      const message = chat?.visible.get(messageId);
      if (!chat || !message || message.from !== "bot") {
        throw new Error(`telegram emulator: no visible bot message ${messageId} in chat ${userId}`);
      }
      if (!pressOptions.force) {
        const markup = message.reply_markup;
        const buttons = isInlineKeyboard(markup) ? markup.inline_keyboard.flat() : [];
        if (!buttons.some((b) => "callback_data" in b && b.callback_data === data)) {
          throw new Error(
            `telegram emulator: message ${messageId} in chat ${userId} has no button "${data}"`,
          );
        }
      }
      return press(userId, chat, message, data);
    },

    userPressesButton(userId, label) {
      const chat = chats.get(userId);
      const messages = chat ? [...chat.visible.values()] : [];
      for (let i = messages.length - 1; i >= 0; i--) {
        const message = messages[i];
        if (!chat || !message || message.from !== "bot" || !isInlineKeyboard(message.reply_markup)) {
          continue;
        }
        for (const button of message.reply_markup.inline_keyboard.flat()) {
          const matches = typeof label === "string" ? button.text === label : label.test(button.text);
          if (matches && "callback_data" in button && button.callback_data !== undefined) {
            return { ...press(userId, chat, message, button.callback_data), message_id: message.message_id };
          }
        }
      }
      throw new Error(`telegram emulator: no button ${String(label)} in chat ${userId}`);
    },

    userSharesContact(userId, phone, contact = {}) {
      const profile = profileOf(userId);
      const card: Contact = {
        phone_number: phone,
        first_name: profile.first_name,
        ...(profile.last_name ? { last_name: profile.last_name } : {}),
        user_id: userId,
        ...contact,
      };
      return userMessage(userId, { contact: card }, { contact: card });
    },

    pushUpdate(update) {
      const query = (update as Partial<Update>).callback_query;
      if (query) {
        callbackQueries.add(query.id);
      }
      return enqueue(update);
    },

    chat(userId) {
      const chat = chats.get(userId);
      return chat ? [...chat.visible.values()].map((m) => ({ ...m })) : [];
    },
    botMessages: visibleBotMessages,
    lastBotMessage(userId) {
      const messages = visibleBotMessages(userId);
      return messages[messages.length - 1];
    },
    deleted(userId) {
      return [...(chats.get(userId)?.deletedIds ?? [])];
    },
    chatIds: () => [...chats.keys()],

    duplicateBotTexts({ visibleOnly = false } = {}) {
      const duplicates: DuplicateText[] = [];
      for (const chat of chats.values()) {
        const counts = new Map<string, { count: number; inARow: number }>();
        let previous: string | undefined;
        let run = 0;
        for (const message of visibleOnly ? chat.visible.values() : chat.all) {
          if (message.from !== "bot" || message.text === undefined) {
            previous = undefined;
            run = 0;
            continue;
          }
          run = message.text === previous ? run + 1 : 1;
          previous = message.text;
          const entry = counts.get(message.text) ?? { count: 0, inARow: 0 };
          entry.count++;
          entry.inARow = Math.max(entry.inARow, run);
          counts.set(message.text, entry);
        }
        for (const [text, entry] of counts) {
          if (entry.count > 1) {
            duplicates.push({ chatId: chat.id, text, ...entry });
          }
        }
      }
      return duplicates;
    },

    async waitFor(probe, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = probe();
        if (value !== undefined && value !== null && value !== false) {
          return value;
        }
        if (Date.now() > deadline) {
          throw new Error(`telegram emulator: waitFor timed out after ${timeoutMs} ms`);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    },

    failNext(method, count, spec) {
      const canonical = handlers.get(method.toLowerCase())?.name ?? method;
      const list = faults.get(canonical) ?? [];
      if (count > 0) {
        list.push({ remaining: count, spec });
      }
      faults.set(canonical, list);
    },
    block(userId) {
      chatState(userId).blocked = true;
    },
    unblock(userId) {
      const chat = chats.get(userId);
      if (chat) {
        chat.blocked = false;
      }
    },
    setLimits(next) {
      limits = { ...next };
    },
    outage(ms) {
      setDown(true);
      return new Promise<void>((resolve) =>
        later(() => {
          setDown(false);
          resolve();
        }, ms),
      );
    },
    setDown,
    cutPolls(n, afterMs = 100) {
      cutsLeft = n;
      cutAfterMs = afterMs;
    },
    slow(ms) {
      slowMs = ms;
    },
    clearFaults() {
      faults.clear();
      cutsLeft = 0;
      slowMs = 0;
      limits = {};
      for (const chat of chats.values()) {
        chat.blocked = false;
      }
      setDown(false);
    },

    async close() {
      if (closed) {
        return;
      }
      closed = true;
      for (const timer of timers) {
        clearTimeout(timer);
      }
      timers.clear();
      poll = undefined;
      for (const ex of [...open]) {
        drop(ex);
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
