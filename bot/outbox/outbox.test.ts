import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { claimChatHeads, claimChatRows, enqueueChatMessages, toInsert } from "../../api/services/chat-outbox";
import type { ServiceContext } from "../../api/services/context";
import { queueNotification, replyDedupeKey } from "../../api/services/notifications";
import { setOrChangePin } from "../../api/services/pins";
import { endBoot, registerBoot } from "../../api/services/processes";
import { findOrCreateUserByIdentity } from "../../api/services/users";
import { getOrder } from "../../api/services/vtu";
import { createDb } from "../../db/client";
import { type ChatHarness, makeChatHarness } from "../../test/helpers/chat";
import { captureLogger, makeCtx, testConfig } from "../../test/helpers/context";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import { placeOrder, sandboxNumber, TEST_PIN } from "../../test/helpers/vtu";
import type { ChatChannel, Reply } from "../engine/types";
import { type ChatSender, ChatSenders, PermanentSendError, RateLimitedError } from "../outbound";
import { startChatOutbox } from "./run";
import { OutboxSender, type OutboxSenderOptions } from "./sender";

/**
 * The chat outbox's senders (DECISIONS §40) on a real database, with fake channel transports: each
 * chat in order, marked sent only once the channel took it, retried until accepted, paced, and sent
 * once however many senders run.
 */
let h: ChatHarness;
let ctx: ServiceContext;
beforeAll(async () => {
  h = await makeChatHarness();
  ctx = h.ctx;
});
afterAll(() => h.destroy());

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
  await h.tdb.db.deleteFrom("chat_outbox").execute();
});

type Delivery = { chat: string; text: string; at: number };

/**
 * A channel that records what it took. `refuse` may throw (the channel did not take the message)
 * or return a promise to wait on (a slow channel); the message counts as taken once it returns.
 */
function fakeChannel(
  channel: ChatChannel,
  refuse: (chat: string, text: string, call: number) => undefined | Promise<unknown> = () => undefined,
) {
  const delivered: Delivery[] = [];
  const calls: Delivery[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const inFlightPerChat = new Map<string, number>();
  let maxInFlightPerChat = 0;
  const transport: ChatSender = {
    channel,
    async send(chat: string, replies: Reply[]) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      inFlightPerChat.set(chat, (inFlightPerChat.get(chat) ?? 0) + 1);
      maxInFlightPerChat = Math.max(maxInFlightPerChat, inFlightPerChat.get(chat) ?? 0);
      try {
        for (const reply of replies) {
          const call = calls.filter((c) => c.chat === chat && c.text === reply.text).length;
          calls.push({ chat, text: reply.text, at: Date.now() });
          await refuse(chat, reply.text, call);
          delivered.push({ chat, text: reply.text, at: Date.now() });
        }
        return { messageIds: [`m${delivered.length}`] };
      } finally {
        inFlight--;
        inFlightPerChat.set(chat, (inFlightPerChat.get(chat) ?? 1) - 1);
      }
    },
  };
  return {
    transport,
    delivered,
    calls,
    textsTo: (chat: string) => delivered.filter((d) => d.chat === chat).map((d) => d.text),
    concurrency: () => ({ overall: maxInFlight, perChat: maxInFlightPerChat }),
  };
}

function startSender(
  transport: ChatSender,
  options: Partial<Omit<OutboxSenderOptions, "transport">> = {},
): OutboxSender {
  const sender = new OutboxSender({
    ctx: () => ctx,
    transport,
    owner: `test:${randomUUID()}`,
    logger: captureLogger().logger,
    pollMs: 10,
    limits: {},
    maxBackoffMs: 50,
    ...options,
  }).start();
  running.push(sender);
  return sender;
}

async function queue(channel: ChatChannel, chat: string, texts: string[]): Promise<number[]> {
  return enqueueChatMessages(
    ctx.db,
    texts.map((text) => ({ channel, externalId: chat, kind: "reply", reply: { text } })),
  );
}

async function rowsOf(ids: number[]) {
  return h.tdb.db
    .selectFrom("chat_outbox")
    .select(["id", "status", "attempts", "last_error", "sent_at", "lease_owner", "channel_message_id"])
    .where("id", "in", ids)
    .orderBy("id")
    .execute();
}

/** Wait until every row is sent or failed. */
async function settled(ids: number[], timeoutMs = 15_000) {
  await until(
    async () => (await rowsOf(ids)).every((r) => r.status === "sent" || r.status === "failed"),
    timeoutMs,
  );
  return rowsOf(ids);
}

async function until(done: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) {
      throw new Error("timed out waiting");
    }
    await sleep(10);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** The gaps between consecutive times. */
const gaps = (times: number[]) => times.slice(1).map((t, i) => t - (times[i] ?? t));

describe("order and acceptance", () => {
  it("sends each chat's messages in order, one at a time, while many chats go side by side", async () => {
    const chats = Array.from({ length: 20 }, (_, i) => `70${String(i).padStart(2, "0")}`);
    const ids: number[] = [];
    for (let m = 1; m <= 5; m++) {
      for (const chat of chats) {
        ids.push(...(await queue("telegram", chat, [`${chat} #${m}`])));
      }
    }
    const channel = fakeChannel("telegram", () => sleep(Math.random() * 8));
    startSender(channel.transport);
    const rows = await settled(ids);
    expect(rows.every((r) => r.status === "sent")).toBe(true);
    for (const chat of chats) {
      expect(channel.textsTo(chat)).toEqual([1, 2, 3, 4, 5].map((m) => `${chat} #${m}`));
    }
    expect(channel.delivered).toHaveLength(100);
    expect(channel.concurrency().perChat).toBe(1);
    expect(channel.concurrency().overall).toBeGreaterThan(1);
  });

  it("marks a row sent only after the channel's send resolved, with the channel's message id", async () => {
    const door = gate();
    const channel = fakeChannel("telegram", () => door.opened);
    const sender = startSender(channel.transport);
    const [id = 0] = await queue("telegram", "7101", ["your order is on its way"]);
    await until(() => channel.calls.length === 1);
    await sleep(150); // the channel has not answered: whatever the sender does meanwhile, not "sent"
    const [inFlight] = await rowsOf([id]);
    expect(inFlight).toMatchObject({ status: "sending", sent_at: null, lease_owner: sender.owner });
    expect(channel.delivered).toEqual([]);
    door.open();
    const [done] = await settled([id]);
    expect(done).toMatchObject({ status: "sent", lease_owner: null, channel_message_id: "m1", attempts: 1 });
    expect(done?.sent_at).toBeInstanceOf(Date);
  });
});

describe("one slow chat", () => {
  it("a send the channel has not answered holds only its own chat: others keep going", async () => {
    const door = gate();
    const channel = fakeChannel("telegram", (chat) => (chat === "7111" ? door.opened : undefined));
    startSender(channel.transport);
    const stuck = await queue("telegram", "7111", ["x1", "x2"]);
    await queue("telegram", "7112", ["y1"]);
    await until(() => channel.textsTo("7112").length === 1 && channel.calls.some((c) => c.text === "x1"));
    // Queued while x1 is in flight: a notification to 7112 and a first message to 7113.
    const later = [
      ...(await queue("telegram", "7112", ["y2"])),
      ...(await queue("telegram", "7113", ["z1"])),
    ];
    const rows = await settled(later, 3_000);
    expect(rows.map((r) => r.status)).toEqual(["sent", "sent"]);
    expect(channel.textsTo("7112")).toEqual(["y1", "y2"]);
    expect(channel.textsTo("7113")).toEqual(["z1"]);
    // 7111 itself waits for its answer, in order.
    expect(channel.calls.filter((c) => c.chat === "7111").map((c) => c.text)).toEqual(["x1"]);
    door.open();
    await settled(stuck);
    expect(channel.textsTo("7111")).toEqual(["x1", "x2"]);
  });
});

describe("refusals", () => {
  it("retries a transient refusal with a doubling, capped backoff until accepted: one delivery", async () => {
    const captured = captureLogger();
    // Four 502s, then the channel takes it.
    const channel = fakeChannel("telegram", (_chat, _text, call) => {
      if (call < 4) {
        throw new Error("Bot API 502: Bad Gateway");
      }
      return undefined;
    });
    const [id = 0] = await queue("telegram", "7201", ["retry me"]);
    startSender(channel.transport, { maxBackoffMs: 1_500, logger: captured.logger });
    await until(() => channel.calls.length === 1);
    await sleep(100);
    const [waiting] = await rowsOf([id]);
    expect(waiting).toMatchObject({
      status: "pending",
      last_error: "Bot API 502: Bad Gateway",
      sent_at: null,
    });
    const [row] = await settled([id]);
    expect(row).toMatchObject({ status: "sent", attempts: 5, last_error: null });
    expect(channel.delivered.map((d) => d.text)).toEqual(["retry me"]);
    expect(channel.calls).toHaveLength(5);
    // 1 s, then 2 s capped to 1.5 s (uncapped: 2 s, 4 s, 8 s).
    const [first = 0, ...rest] = gaps(channel.calls.map((c) => c.at));
    expect(first).toBeGreaterThanOrEqual(990);
    expect(first).toBeLessThan(1_400);
    expect(rest).toHaveLength(3);
    for (const gap of rest) {
      expect(gap).toBeGreaterThanOrEqual(1_490);
      expect(gap).toBeLessThan(1_900);
    }
    // One warning when the channel stops answering, one line when it is back — not one per failure.
    const text = captured.text();
    expect(text.match(/telegram cannot be reached/g)).toHaveLength(1);
    expect(text.match(/telegram is reachable again/g)).toHaveLength(1);
  }, 20_000);

  it("at-least-once: a 5xx after the channel took the message sends it again (a repeat beats a lost outcome)", async () => {
    // The channel delivered it, then its answer was lost (a 502 from a proxy, a dropped connection):
    // the sender cannot tell this from "not delivered", so it retries and the chat sees it twice.
    const channel = fakeChannel("telegram");
    let lostAnswers = 1;
    const taken: string[] = [];
    const lossy: ChatSender = {
      channel: "telegram",
      async send(chat, replies) {
        const result = await channel.transport.send(chat, replies);
        taken.push(...replies.map((r) => r.text));
        if (lostAnswers-- > 0) {
          throw new Error("Bot API 502 after delivery");
        }
        return result;
      },
    };
    const [id = 0] = await queue("telegram", "7301", ["Delivered: 1GB MTN to 0803…"]);
    startSender(lossy);
    const [row] = await settled([id]);
    expect(row).toMatchObject({ status: "sent", attempts: 2 });
    expect(taken).toEqual(["Delivered: 1GB MTN to 0803…", "Delivered: 1GB MTN to 0803…"]);
  });

  it("waits a 429's retry_after without counting an attempt, holding only that chat", async () => {
    const captured = captureLogger();
    const channel = fakeChannel("telegram", (_chat, text, call) => {
      if (text === "a1" && call < 3) {
        throw new RateLimitedError("Too Many Requests: retry after 1", call === 2 ? 700 : 100);
      }
      return undefined;
    });
    const first = await queue("telegram", "7401", ["a1", "a2"]);
    const other = await queue("telegram", "7402", ["b1"]);
    startSender(channel.transport, { logger: captured.logger, maxBackoffMs: 60_000 });
    const rows = await settled([...first, ...other]);
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([
      ["sent", 1],
      ["sent", 1],
      ["sent", 1],
    ]);
    expect(channel.textsTo("7401")).toEqual(["a1", "a2"]);
    const a1Calls = channel.calls.filter((c) => c.text === "a1").map((c) => c.at);
    expect(a1Calls).toHaveLength(4);
    const [g1 = 0, g2 = 0, g3 = 0] = gaps(a1Calls);
    expect(g1).toBeGreaterThanOrEqual(95);
    expect(g2).toBeGreaterThanOrEqual(95);
    expect(g3).toBeGreaterThanOrEqual(695);
    // Had the 429s counted as attempts, the backoff would be past a second here.
    expect(g3).toBeLessThan(1_000);
    // The other chat was not held by this chat's flood wait.
    const b1 = channel.delivered.find((d) => d.text === "b1")?.at ?? Number.POSITIVE_INFINITY;
    expect(b1).toBeLessThan(a1Calls[3] ?? 0);
    expect(captured.text().match(/chat flood limit: waiting as asked/g)).toHaveLength(3);
  });

  it("records a permanent refusal as failed, never retries it, and logs it", async () => {
    const captured = captureLogger();
    const channel = fakeChannel("telegram", (chat) => {
      if (chat === "7501") {
        throw new PermanentSendError("Forbidden: bot was blocked by the user");
      }
      return undefined;
    });
    const blocked = await queue("telegram", "7501", ["one", "two"]);
    const fine = await queue("telegram", "7502", ["three"]);
    startSender(channel.transport, { logger: captured.logger });
    const rows = await settled([...blocked, ...fine]);
    expect(rows.map((r) => [r.status, r.attempts, r.last_error])).toEqual([
      ["failed", 1, "Forbidden: bot was blocked by the user"],
      ["failed", 1, "Forbidden: bot was blocked by the user"],
      ["sent", 1, null],
    ]);
    await sleep(200); // several passes later: still one try each
    expect(channel.calls.filter((c) => c.chat === "7501").map((c) => c.text)).toEqual(["one", "two"]);
    expect(channel.textsTo("7502")).toEqual(["three"]);
    const lines = captured.lines.filter((l) => l.includes("refused for good"));
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({
      level: "warn",
      outboxId: blocked[0],
      reason: "Forbidden: bot was blocked by the user",
    });
  });
});

describe("the database failing mid-send", () => {
  it("a refusal that cannot be recorded is logged; no unhandled rejection (it would end the process)", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    const lost = createDb(h.tdb.url, { poolSize: 2 });
    const door = gate();
    try {
      const channel = fakeChannel("telegram", async () => {
        await door.opened;
        throw new Error("Bot API 502");
      });
      const captured = captureLogger();
      const [id = 0] = await queue("telegram", "7191", ["x"]);
      const sender = startSender(channel.transport, {
        ctx: () => makeCtx(lost, { config: ctx.config }),
        logger: captured.logger,
      });
      await until(() => channel.calls.length === 1);
      await lost.destroy(); // the database goes away while the channel answers
      door.open();
      await sleep(200);
      await sender.stop();
      expect(unhandled).toEqual([]);
      expect(captured.text()).toContain("chat outbox pass failed");
      // The row is still leased: it comes back when the lease runs out (or the boot is gone).
      expect((await rowsOf([id]))[0]?.status).toBe("sending");
    } finally {
      door.open();
      process.off("unhandledRejection", onUnhandled);
    }
  });
});

describe("pacing", () => {
  it("holds a burst to the overall and per-chat limits without dropping a message", async () => {
    const perSecond = 10;
    const perChatPerSecond = 2;
    const ids: number[] = [];
    for (let i = 0; i < 20; i++) {
      ids.push(...(await queue("whatsapp", `234803000${String(i).padStart(4, "0")}`, [`one-off ${i}`])));
    }
    const busy = "2348039999999";
    ids.push(...(await queue("whatsapp", busy, ["b1", "b2", "b3", "b4", "b5"])));
    const channel = fakeChannel("whatsapp");
    startSender(channel.transport, { limits: { perSecond, perChatPerSecond } });
    const rows = await settled(ids);
    expect(rows.every((r) => r.status === "sent")).toBe(true);
    expect(channel.delivered).toHaveLength(25);
    expect(new Set(channel.delivered.map((d) => d.text)).size).toBe(25);
    expect(channel.textsTo(busy)).toEqual(["b1", "b2", "b3", "b4", "b5"]);

    // 25 sends at 10/s: the last goes out at least 2 s after the first; 5 to one chat at 2/s: 2 s.
    const times = channel.calls.map((c) => c.at).sort((a, b) => a - b);
    const busyTimes = channel.calls.filter((c) => c.chat === busy).map((c) => c.at);
    const span = (t: number[]) => (t.at(-1) ?? 0) - (t[0] ?? 0);
    expect(span(times)).toBeGreaterThanOrEqual(1_950);
    expect(span(busyTimes)).toBeGreaterThanOrEqual(1_950);
    // No second (less a little timer jitter) holds more than the limit.
    const most = (t: number[]) =>
      Math.max(...t.map((start) => t.filter((x) => x >= start && x < start + 950).length));
    expect(most(times)).toBeLessThanOrEqual(perSecond);
    expect(most(busyTimes)).toBeLessThanOrEqual(perChatPerSecond);
    // First come, first served: no one-off waits a second longer than one queued after it (a send
    // starved of its slot would outlive its lease and go twice).
    const oneOff = (i: number) => channel.calls.find((c) => c.text === `one-off ${i}`)?.at ?? 0;
    for (let i = 0; i < 19; i++) {
      expect(oneOff(i)).toBeLessThanOrEqual(oneOff(i + 1) + 50);
    }
  });
});

describe("several senders", () => {
  it("a row never overtakes an older one of its chat that another sender holds (the reply path's claim)", async () => {
    const [first, second] = await queue("telegram", "7700", ["7700 #1", "7700 #2"]);
    if (first === undefined || second === undefined) {
      throw new Error("two rows expected");
    }
    // Another process's sender holds #1 (sending); this one is asked to send #1 and #2 now.
    const other = await claimChatRows(ctx, { ids: [first], owner: "proc-other", leaseSeconds: 60 });
    expect(other.map((r) => r.id)).toEqual([first]);
    const mine = await claimChatRows(ctx, { ids: [first, second], owner: "proc-mine", leaseSeconds: 60 });
    // #2 must wait for #1: it goes back to pending, for the loop to send after #1.
    expect(mine).toEqual([]);
    const rows = await h.tdb.db
      .selectFrom("chat_outbox")
      .select(["id", "status", "lease_owner", "attempts"])
      .where("id", "in", [first, second])
      .orderBy("id")
      .execute();
    expect(rows.map((r) => [r.status, r.lease_owner, r.attempts])).toEqual([
      ["sending", "proc-other", 1],
      ["pending", null, 0],
    ]);
  });

  it("two processes (two owners, two connection pools) on one database never send a row twice", async () => {
    const otherDb = createDb(h.tdb.url, { poolSize: 5 });
    try {
      const otherCtx = makeCtx(otherDb, { config: ctx.config });
      const chats = Array.from({ length: 30 }, (_, i) => `76${String(i).padStart(2, "0")}`);
      const ids: number[] = [];
      for (let m = 1; m <= 4; m++) {
        for (const chat of chats) {
          ids.push(...(await queue("telegram", chat, [`${chat} #${m}`])));
        }
      }
      const delivered: (Delivery & { by: string })[] = [];
      const viaShared = (by: string, reaches: string[]): ChatSender => ({
        channel: "telegram",
        reaches,
        async send(chat, replies) {
          await sleep(Math.random() * 5);
          delivered.push(...replies.map((r) => ({ chat, text: r.text, at: Date.now(), by })));
        },
      });
      // A reaches chats 0–19 and B chats 10–29: both work, and both race for chats 10–19.
      const a = startSender(viaShared("a", chats.slice(0, 20)), { owner: "proc-a" });
      const b = startSender(viaShared("b", chats.slice(10)), { owner: "proc-b", ctx: () => otherCtx });
      // The synchronous reply path races the loops too.
      await Promise.all([
        a.sendNow({ outboxIds: ids.slice(0, 60), leased: false }),
        b.sendNow({ outboxIds: ids.slice(0, 60), leased: false }),
      ]);
      const rows = await settled(ids);
      expect(rows.every((r) => r.status === "sent")).toBe(true);
      expect(delivered).toHaveLength(ids.length);
      for (const chat of chats) {
        expect(delivered.filter((d) => d.chat === chat).map((d) => d.text)).toEqual(
          [1, 2, 3, 4].map((m) => `${chat} #${m}`),
        );
      }
      expect(new Set(delivered.map((d) => d.by))).toEqual(new Set(["a", "b"]));
      await Promise.all(running.splice(0).map((s) => s.stop()));
    } finally {
      await otherDb.destroy();
    }
  });

  it("a sender whose process ended mid-send: another sends its rows, in order; its late mark changes nothing", async () => {
    const deadBoot = await registerBoot(ctx, { role: "telegram" });
    const liveBoot = await registerBoot(ctx, { role: "telegram" });
    const stuck = gate();
    const dead = fakeChannel("telegram", () => stuck.opened);
    const ids = await queue("telegram", "7701", ["m1", "m2", "m3"]);
    const zombie = startSender(dead.transport, { owner: deadBoot.bootId });
    await until(() => dead.calls.length === 1);
    // The process stops taking work with m1's send hanging, and is gone (its boot ended, or a later
    // boot of its instance replaced it).
    const zombieStopped = zombie.stop();
    await endBoot(ctx.db, deadBoot.bootId);
    try {
      const captured = captureLogger();
      const live = fakeChannel("telegram");
      startSender(live.transport, { owner: liveBoot.bootId, logger: captured.logger });
      const rows = await settled(ids);
      expect(rows.map((r) => r.status)).toEqual(["sent", "sent", "sent"]);
      expect(live.textsTo("7701")).toEqual(["m1", "m2", "m3"]);
      expect(captured.text()).toContain("messages of a stopped sender are sent again");
      // The hung send finally returns: at least once, so m1 went twice; the row stays as it was.
      stuck.open();
      await zombieStopped;
      expect(dead.delivered.map((d) => d.text)).toEqual(["m1"]);
      expect(await rowsOf(ids)).toEqual(rows);
    } finally {
      stuck.open();
    }
  });

  it("a lease that ran out (owner unknown, not known dead) is respected until then, and sent after", async () => {
    const [id = 0] = await queue("telegram", "7801", ["leased by a vanished sender"]);
    // A sender that claimed it and vanished without a trace (no boot row): only the lease tells.
    const claimed = await claimChatHeads(ctx, {
      channel: "telegram",
      owner: "vanished",
      limit: 10,
      leaseSeconds: 1,
    });
    expect(claimed.map((r) => r.id)).toEqual([id]);
    const early = fakeChannel("telegram");
    const earlySender = startSender(early.transport);
    await sleep(400);
    expect(early.calls).toEqual([]);
    await earlySender.stop();
    await sleep(800); // the lease is over
    const late = fakeChannel("telegram");
    startSender(late.transport);
    const [row] = await settled([id]);
    expect(row).toMatchObject({ status: "sent", attempts: 2 });
    expect(late.textsTo("7801")).toEqual(["leased by a vanished sender"]);
  });
});

describe("expiry", () => {
  it("fails rows unsent after CHAT_OUTBOX_MAX_AGE_HOURS as expired, unsent; newer ones behind them go", async () => {
    // Queued 25 hours ago (a channel down for a day), and one queued now behind it.
    const { id: old } = await h.tdb.db
      .insertInto("chat_outbox")
      .values({
        ...toInsert({
          channel: "telegram",
          externalId: "7901",
          kind: "reply",
          reply: { text: "yesterday's news" },
        }),
        created_at: new Date(Date.now() - 25 * 3_600_000),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const [fresh = 0] = await queue("telegram", "7901", ["today"]);
    const captured = captureLogger();
    const channel = fakeChannel("telegram");
    startSender(channel.transport, { maxAgeHours: 24, logger: captured.logger });
    const rows = await settled([old, fresh]);
    expect(rows.map((r) => [r.status, r.last_error])).toEqual([
      ["failed", "expired: not accepted by the channel in time"],
      ["sent", null],
    ]);
    expect(channel.textsTo("7901")).toEqual(["today"]);
    expect(captured.text()).toMatch(/"expired":1/);
  });
});

describe("notifications through the outbox", () => {
  async function person(telegram: string, whatsapp: string): Promise<string> {
    const { user } = await findOrCreateUserByIdentity({
      ctx,
      input: { channel: "telegram", externalId: telegram },
    });
    await h.tdb.db
      .insertInto("identities")
      .values({ user_id: user.id, channel: "whatsapp", external_id: whatsapp })
      .execute();
    return user.id;
  }

  it("one outcome is one message per chat, whoever writes it first: notification twice + the chat reply", async () => {
    const userId = await person("8001", "2348030008001");
    const outcome = { kind: "order.delivered", payload: { orderId: "ord_dedupe_1" } };
    const notify = () =>
      ctx.db
        .transaction()
        .execute((trx) =>
          queueNotification(trx, { userId, ...outcome, body: "Delivered: ₦500 MTN airtime to 08031234567." }),
        );
    // The job's notification (twice: a retried job), then the engine's richer reply to the same chat.
    await notify();
    await notify();
    const reply = await enqueueChatMessages(ctx.db, [
      {
        channel: "telegram",
        externalId: "8001",
        userId,
        kind: outcome.kind,
        payload: outcome.payload,
        reply: { text: "✅ Delivered: ₦500 MTN airtime to 08031234567. Receipt: TADA-1" },
        dedupeKey: replyDedupeKey(outcome.kind, outcome.payload, { channel: "telegram", externalId: "8001" }),
      },
    ]);
    expect(reply).toHaveLength(1); // still unsent: the reply's text replaces the notification's
    // The other order of writers, on another outcome: the reply first, the notification adds nothing.
    const closed = { kind: "gift.room_closed", payload: { giftRoomId: "room_dedupe_1" } };
    await enqueueChatMessages(ctx.db, [
      {
        channel: "telegram",
        externalId: "8001",
        userId,
        kind: closed.kind,
        payload: closed.payload,
        reply: { text: "Your gift room is closed (reply)." },
        dedupeKey: replyDedupeKey(closed.kind, closed.payload, { channel: "telegram", externalId: "8001" }),
      },
    ]);
    for (let i = 0; i < 2; i++) {
      await ctx.db
        .transaction()
        .execute((trx) => queueNotification(trx, { userId, ...closed, body: "Your gift room is closed." }));
    }
    const notifications = await h.tdb.db
      .selectFrom("notifications")
      .select("kind")
      .where("user_id", "=", userId)
      .execute();
    expect(notifications).toHaveLength(4); // every notification is kept as the record

    const tg = fakeChannel("telegram");
    const wa = fakeChannel("whatsapp");
    startSender(tg.transport);
    startSender(wa.transport);
    const ids = (
      await h.tdb.db.selectFrom("chat_outbox").select("id").where("user_id", "=", userId).execute()
    ).map((r) => Number(r.id));
    await settled(ids);
    expect(tg.textsTo("8001")).toEqual([
      "✅ Delivered: ₦500 MTN airtime to 08031234567. Receipt: TADA-1",
      "Your gift room is closed (reply).",
    ]);
    expect(wa.textsTo("2348030008001")).toEqual([
      "Delivered: ₦500 MTN airtime to 08031234567.",
      "Your gift room is closed.",
    ]);
    // Told already: a late notification or reply of the same outcome queues nothing more.
    await notify();
    const again = await enqueueChatMessages(ctx.db, [
      {
        channel: "telegram",
        externalId: "8001",
        userId,
        kind: outcome.kind,
        reply: { text: "again" },
        dedupeKey: replyDedupeKey(outcome.kind, outcome.payload, { channel: "telegram", externalId: "8001" }),
      },
    ]);
    expect(again).toEqual([]);
    await sleep(100);
    expect(tg.delivered).toHaveLength(2);
    expect(wa.delivered).toHaveLength(2);
  });

  it("appends an electricity token from the order at send time; the outbox never holds it (P11)", async () => {
    const { user } = await findOrCreateUserByIdentity({
      ctx,
      input: { channel: "telegram", externalId: "8101" },
    });
    await h.fund(user.id, 1_000_000);
    await setOrChangePin({ ctx, userId: user.id, input: { pin: TEST_PIN } });
    const order = await placeOrder(ctx, h.deps.vtu, user.id, {
      service: "electricity",
      input: {
        disco: "ikeja",
        meterType: "prepaid",
        meterNumber: sandboxNumber(11),
        amountKobo: 500_000,
        pin: TEST_PIN,
      },
    });
    await h.settle();
    const done = await getOrder({ ctx, userId: user.id, orderId: order.id });
    const digits = done.token?.replace(/\D/g, "") ?? "";
    expect(digits).toMatch(/^\d{20}$/);
    const stored = async () =>
      JSON.stringify(
        await h.tdb.db.selectFrom("chat_outbox").selectAll().where("user_id", "=", user.id).execute(),
      );
    const before = await stored();
    expect(before).toContain('"hasToken":true');
    expect(before.replace(/\D/g, "")).not.toContain(digits);

    const tg = fakeChannel("telegram");
    startSender(tg.transport);
    await until(() => tg.delivered.some((d) => d.text.includes("Token:")));
    const message = tg.textsTo("8101").find((t) => t.includes("Token:"));
    expect(message).toMatch(/^Delivered: .*\nToken: /);
    expect(message).toContain(`Token: ${done.token}`);
    expect((await stored()).replace(/\D/g, "")).not.toContain(digits);
    await expectLedgerConsistent(h.tdb.db);
  });
});

describe("notifications in the person's language", () => {
  it("a Pidgin speaker reads an order outcome in Pidgin (token still appended); a reply to the same outcome wins", async () => {
    const { user } = await findOrCreateUserByIdentity({
      ctx,
      input: { channel: "telegram", externalId: "8201" },
    });
    await h.tdb.db.updateTable("users").set({ language: "pcm" }).where("id", "=", user.id).execute();
    await h.fund(user.id, 1_000_000);
    await setOrChangePin({ ctx, userId: user.id, input: { pin: TEST_PIN } });
    const order = await placeOrder(ctx, h.deps.vtu, user.id, {
      service: "electricity",
      input: {
        disco: "ikeja",
        meterType: "prepaid",
        meterNumber: sandboxNumber(12),
        amountKobo: 500_000,
        pin: TEST_PIN,
      },
    });
    await h.settle();
    const done = await getOrder({ ctx, userId: user.id, orderId: order.id });
    // The record stays English.
    const record = await h.tdb.db
      .selectFrom("notifications")
      .select("body")
      .where("user_id", "=", user.id)
      .where("kind", "=", "order.delivered")
      .executeTakeFirstOrThrow();
    expect(record.body).toMatch(/^Delivered: electricity for meter/);

    // A reply to another outcome, written after its notification, replaces it: its text is sent.
    const outcome = { kind: "order.failed", payload: { orderId: "ord_pcm_reply" } };
    await ctx.db.transaction().execute((trx) =>
      queueNotification(trx, {
        userId: user.id,
        ...outcome,
        body: "Your ₦100 airtime for 08031234567 did not go through. ₦100 is back in your wallet.",
        payload: {
          ...outcome.payload,
          notice: { service: "airtime", recipient: "08031234567", faceAmountKobo: 10_000, priceKobo: 10_000 },
        },
      }),
    );
    await enqueueChatMessages(ctx.db, [
      {
        channel: "telegram",
        externalId: "8201",
        userId: user.id,
        kind: outcome.kind,
        payload: outcome.payload,
        reply: { text: "The engine's own reply." },
        dedupeKey: replyDedupeKey(outcome.kind, outcome.payload, { channel: "telegram", externalId: "8201" }),
      },
    ]);
    const funded = { amountKobo: 250_000 };
    await ctx.db.transaction().execute((trx) =>
      queueNotification(trx, {
        userId: user.id,
        kind: "wallet.funded",
        body: "₦2,500 has been added to your wallet.",
        payload: { ...funded, notice: funded },
      }),
    );

    const tg = fakeChannel("telegram");
    startSender(tg.transport);
    await until(() => tg.textsTo("8201").length >= 3);
    const [delivered, reply, credit] = tg.textsTo("8201");
    expect(delivered).toMatch(
      /^E don land: light \(electricity\) for meter \d+\. Your token dey show with the order\.\nToken: /,
    );
    expect(delivered).toContain(`Token: ${done.token}`);
    expect(reply).toBe("The engine's own reply.");
    expect(credit).toBe("₦2,500 don enter your wallet.");
  });
});

describe("startChatOutbox", () => {
  it("runs a sender per registered channel; flush sends what is due and reports what is left", async () => {
    const tg = fakeChannel("telegram");
    const wa = fakeChannel("whatsapp", () => {
      throw new Error("WhatsApp Web is not connected");
    });
    const senders = new ChatSenders();
    senders.register(tg.transport);
    senders.register(wa.transport);
    const sent = await queue("telegram", "8201", ["t1", "t2"]);
    const stuck = await queue("whatsapp", "2348030008201", ["w1"]);
    const runtime = startChatOutbox({
      ctx: () => makeCtx(h.tdb.db, { config: testConfig({ NOTIFY_INTERVAL_MS: "60000" }) }),
      senders,
      logger: captureLogger().logger,
      owner: "flush-test",
    });
    running.push(runtime);
    expect(senders.owner("telegram")).toBe("flush-test");
    const left = await runtime.flush(500);
    expect(tg.textsTo("8201")).toEqual(["t1", "t2"]);
    expect((await rowsOf(sent)).map((r) => r.status)).toEqual(["sent", "sent"]);
    expect((await rowsOf(stuck)).map((r) => r.status)).toEqual(["pending"]);
    expect(left).toBe(1);
    await runtime.stop();
    expect(senders.owner("telegram")).toBeUndefined();
  });
});
