import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordUpdates } from "../../api/services/chat-inbox";
import { claimChatRows, enqueueChatMessages } from "../../api/services/chat-outbox";
import type { ServiceContext } from "../../api/services/context";
import { SYSTEM_ACCOUNTS } from "../../api/services/ledger";
import { endBoot, registerBoot, startHeartbeat } from "../../api/services/processes";
import { creditWallet } from "../../api/services/wallet";
import { captureLogger, makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { makeTestApp } from "../../test/helpers/http";
import { expectNoPin } from "../../test/helpers/sentinel";
import {
  FakeWhatsAppClient,
  outboxSettled,
  pinPath,
  startWhatsAppStack,
  textMessage,
  whatsAppEngine,
} from "../../test/helpers/whatsapp";
import type { EngineDeps } from "../engine/types";
import { ChatSenders } from "../outbound";
import { startChatOutbox } from "../outbox/run";
import { SEND_AGAIN_REPLY, toInboundUpdate } from "./adapter";
import { type ManagedWhatsAppClient, startWhatsApp } from "./client";

/**
 * WhatsApp through the durable chat inbox and outbox (DECISIONS §40): every message answered once
 * and in order per chat, under WhatsApp's pace, refused sends, an outage and restarts. A fake
 * whatsapp-web.js client; the engine, the services and PostgreSQL are real.
 */
let tdb: TestDatabase;
let ctx: ServiceContext;
let engine: EngineDeps;
let vtu: Awaited<ReturnType<typeof whatsAppEngine>>["vtu"];
let payments: Awaited<ReturnType<typeof whatsAppEngine>>["payments"];
let logs: () => string;
let lines: string[];
let numbers = 0;
const newNumber = () => `23480520${String(++numbers).padStart(5, "0")}`;

/** WhatsApp's pace as this test configures it (a real account: 5/s, 1 per chat). */
const PACE = { perSecond: 100, perChatPerSecond: 5 };

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 20 });
  const captured = captureLogger();
  logs = captured.text;
  lines = captured.lines;
  const config = testConfig({
    WHATSAPP_SENDS_PER_SECOND: String(PACE.perSecond),
    WHATSAPP_CHAT_SENDS_PER_SECOND: String(PACE.perChatPerSecond),
    CHAT_RETRY_MAX_SECONDS: "1",
    NOTIFY_INTERVAL_MS: "100",
    VTU_RESPONSE_WAIT_MS: "300",
  });
  ctx = makeCtx(tdb.db, { config, logger: captured.logger });
  ({ engine, vtu, payments } = await whatsAppEngine(ctx));
});
afterAll(() => tdb.destroy());

function pacedClient(): FakeWhatsAppClient {
  const client = new FakeWhatsAppClient();
  client.pace = PACE;
  return client;
}

/** A conversation whose every answer names the message it answers: "airtime … <phone>", "cancel", … */
function script(chat: number, count: number): { text: string; answer: RegExp }[] {
  return Array.from({ length: count }, (_, k) => {
    if (k % 2 === 1) {
      return { text: "cancel", answer: /^Cancelled\. Nothing was done and no money moved\./ };
    }
    const phone = `0803${String(chat * 100 + k).padStart(7, "0")}`;
    return { text: `airtime 100 ${phone}`, answer: new RegExp(`^${phone} looks like MTN`) };
  });
}

function expectAnsweredInOrder(sent: string[], expected: { answer: RegExp }[], who: string): void {
  expect(sent, `${who}: ${JSON.stringify(sent, null, 1)}`).toHaveLength(expected.length);
  expected.forEach((e, i) => {
    expect(sent[i], `${who}, answer ${i}`).toMatch(e.answer);
  });
}

async function unhandledUpdates(): Promise<number> {
  const row = await tdb.db
    .selectFrom("chat_updates")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("channel", "=", "whatsapp")
    .where("handled_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Everything recorded is handled and everything queued is sent (or given up for good). */
async function allAnswered(timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await unhandledUpdates()) > 0) {
    if (Date.now() > deadline) {
      throw new Error(`${await unhandledUpdates()} WhatsApp messages never handled`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await outboxSettled(ctx, undefined, Math.max(1_000, deadline - Date.now()));
}

async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error("timed out waiting");
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("WhatsApp answers through the chat inbox and outbox", () => {
  it("500 messages from 50 numbers: each answered once, in order per chat, within the pace, despite refused sends", async () => {
    const client = pacedClient();
    let refusals = 0;
    // Every 7th call is refused before anything is sent (WhatsApp Web busy): the outbox retries.
    client.refuse = ({ n }) => {
      if (n % 7 !== 0) {
        return undefined;
      }
      refusals++;
      return new Error("Evaluation failed: TimeoutError");
    };
    const stack = await startWhatsAppStack(ctx, engine, { client });
    try {
      const chats = Array.from({ length: 50 }, (_, i) => ({ number: newNumber(), script: script(i, 10) }));
      const started = Date.now();
      for (let k = 0; k < 10; k++) {
        for (const chat of chats) {
          client.emit("message", textMessage(chat.number, chat.script[k]?.text ?? ""));
        }
      }
      await stack.adapter.idle();
      const handledMs = Date.now() - started;
      await allAnswered();
      const answeredMs = Date.now() - started;
      for (const chat of chats) {
        expectAnsweredInOrder(client.to(chat.number), chat.script, chat.number);
      }
      expect(client.paceViolations).toEqual([]);
      expect(refusals).toBeGreaterThan(50);
      const sent = await tdb.db
        .selectFrom("chat_outbox")
        .select(["status"])
        .where(
          "external_id",
          "in",
          chats.map((c) => c.number),
        )
        .execute();
      expect(sent).toHaveLength(500);
      expect(sent.every((r) => r.status === "sent")).toBe(true);
      // 500 answers at 100/s overall and 5/s per chat cannot take less than 5 s.
      expect(answeredMs).toBeGreaterThanOrEqual(4_500);
      console.info(
        `whatsapp burst: 500 messages from 50 numbers handled in ${handledMs} ms, all answered in ${answeredMs} ms; ` +
          `${client.calls.length} send calls, ${refusals} refused and retried`,
      );
    } finally {
      await stack.shutdown({ drainMs: 5_000, flushMs: 0 });
    }
  }, 90_000);

  it("a number that is not on WhatsApp is refused for good, not retried", async () => {
    const client = pacedClient();
    const stack = await startWhatsAppStack(ctx, engine, { client });
    try {
      const ghost = newNumber();
      client.notOnWhatsApp.add(ghost);
      const ids = await enqueueChatMessages(ctx.db, [
        { channel: "whatsapp", externalId: ghost, kind: "test", reply: { text: "hello?" } },
      ]);
      await stack.senders.sendNow("whatsapp", { outboxIds: ids, leased: false });
      const row = () =>
        tdb.db
          .selectFrom("chat_outbox")
          .select(["status", "last_error"])
          .where("id", "=", ids[0] ?? 0)
          .executeTakeFirstOrThrow();
      // The sender's loop may have taken it first: wait for the outcome, whoever sent it.
      await until(async () => (await row()).status !== "sending" && (await row()).status !== "pending");
      expect((await row()).status).toBe("failed");
      expect((await row()).last_error).toMatch(/not on WhatsApp/);
      await new Promise((r) => setTimeout(r, 1_200));
      expect(client.calls.filter((c) => c.chatId === `${ghost}@c.us`)).toHaveLength(1);
    } finally {
      await stack.shutdown({ drainMs: 1_000, flushMs: 0 });
    }
  });

  it("a restart mid-burst (shutdown order, then a new process): every recorded message answered once, in order", async () => {
    const client1 = pacedClient();
    const stack1 = await startWhatsAppStack(ctx, engine, { client: client1 });
    const chats = Array.from({ length: 30 }, (_, i) => ({
      number: newNumber(),
      script: script(100 + i, 10),
    }));
    for (let k = 0; k < 5; k++) {
      for (const chat of chats) {
        client1.emit("message", textMessage(chat.number, chat.script[k]?.text ?? ""));
      }
    }
    await until(() => client1.sent.length >= 40);
    const stopping = stack1.shutdown({ drainMs: 10_000, flushMs: 0 });
    // Messages that arrive while the process stops are recorded, not handled: the next one answers them.
    for (let k = 5; k < 10; k++) {
      for (const chat of chats) {
        client1.emit("message", textMessage(chat.number, chat.script[k]?.text ?? ""));
      }
    }
    const left = await stopping;
    expect(left.unfinished).toBe(0);
    const sentBefore = client1.sent.length;
    // Left for the next process: the 150 that arrived while stopping, and the answers not sent yet
    // (how many depends on the machine's speed; a stop with nothing unsent is checked below).
    expect(await unhandledUpdates()).toBe(150);
    const unsentAtStop = await tdb.db
      .selectFrom("chat_outbox")
      .select("id")
      .where("channel", "=", "whatsapp")
      .where("status", "in", ["pending", "sending"])
      .execute();

    const client2 = pacedClient();
    const stack2 = await startWhatsAppStack(ctx, engine, { client: client2 });
    try {
      await allAnswered();
      await stack2.adapter.idle();
      expect(client1.sent.length).toBe(sentBefore); // the stopped process sent nothing more
      for (const chat of chats) {
        expectAnsweredInOrder(
          [...client1.to(chat.number), ...client2.to(chat.number)],
          chat.script,
          chat.number,
        );
      }
      expect(client1.paceViolations).toEqual([]);
      expect(client2.paceViolations).toEqual([]);
      const takenOver = await tdb.db
        .selectFrom("chat_updates")
        .select("update_key")
        .where("received_by", "=", stack2.bootId)
        .execute();
      expect(takenOver).toHaveLength(150);
      expect(client2.sent.length).toBe(300 - sentBefore);
      console.info(
        `whatsapp restart: ${sentBefore} answers before the stop (${unsentAtStop.length} queued and unsent at the stop), ` +
          `${client2.sent.length} after; ${takenOver.length} messages taken over`,
      );
    } finally {
      await stack2.shutdown({ drainMs: 5_000, flushMs: 0 });
    }
  }, 90_000);

  it("messages a dead process recorded but never handled are answered after the restart; a redacted PIN is asked again", async () => {
    const dead = await registerBoot(ctx, { role: "api" });
    const a = newNumber();
    const b = newNumber();
    const messages = [textMessage(a, "balance"), textMessage(a, "9137"), textMessage(b, "hi")];
    const updates = messages.map((m) => toInboundUpdate(m)?.update).filter((u) => u !== undefined);
    expect(updates).toHaveLength(3);
    expect(await recordUpdates(ctx, { channel: "whatsapp", owner: dead.bootId, updates })).toHaveProperty(
      "size",
      3,
    );
    // It had also queued answers it never sent: one pending, one leased to it mid-send.
    const c = newNumber();
    const left = await enqueueChatMessages(ctx.db, [
      { channel: "whatsapp", externalId: c, kind: "reply", reply: { text: "first, left pending" } },
      { channel: "whatsapp", externalId: c, kind: "reply", reply: { text: "second, after the first" } },
    ]);
    const leased = await claimChatRows(ctx, { ids: left.slice(0, 1), owner: dead.bootId, leaseSeconds: 600 });
    expect(leased).toHaveLength(1);
    await endBoot(ctx.db, dead.bootId); // it stopped (or was replaced) before handling them

    const client = pacedClient();
    const stack = await startWhatsAppStack(ctx, engine, { client });
    try {
      await allAnswered();
      const toA = client.to(a);
      expect(toA).toHaveLength(2);
      expect(toA[0]).toMatch(/Your balance is ₦0/);
      expect(toA[1]).toBe(SEND_AGAIN_REPLY);
      expect(client.to(b).join("\n")).toMatch(/Hello/);
      expect(client.to(c)).toEqual(["first, left pending", "second, after the first"]);
      const inbox = await tdb.db
        .selectFrom("chat_updates")
        .selectAll()
        .where("external_id", "in", [a, b])
        .execute();
      expect(inbox.every((u) => u.handled_at !== null && u.received_by === stack.bootId)).toBe(true);
      expectNoPin(JSON.stringify(inbox), "9137");
      expectNoPin(JSON.stringify(client.sent), "9137");
      expectNoPin(logs(), "9137");
    } finally {
      await stack.shutdown({ drainMs: 1_000, flushMs: 0 });
    }
  });
});

/** A whatsapp-web.js client the supervisor starts; the test decides when it is ready. */
class ManagedFake extends FakeWhatsAppClient implements ManagedWhatsAppClient {
  destroyed = false;
  async initialize() {}
  async destroy() {
    this.destroyed = true;
  }
}

describe("the supervised client going away and coming back", () => {
  it("an order delivered while WhatsApp is down: 'Delivered' arrives once, through the new client; the outage is logged once", async () => {
    const boot = await registerBoot(ctx, { role: "api" });
    const heartbeat = startHeartbeat(ctx, boot);
    const senders = new ChatSenders();
    const clients: ManagedFake[] = [];
    const deps: EngineDeps = { ...engine, vtu: { ...engine.vtu, owner: boot.bootId } };
    const wa = startWhatsApp({
      config: ctx.config,
      logger: ctx.logger,
      engine: deps,
      senders,
      owner: boot.bootId,
      backoff: { initialMs: 1, maxMs: 1 },
      printQr: () => {},
      createClient: async () => {
        const client = new ManagedFake();
        client.pace = PACE;
        clients.push(client);
        return client;
      },
    });
    const outbox = startChatOutbox({ ctx: () => ctx, senders, logger: ctx.logger, owner: boot.bootId });
    const { app } = makeTestApp(ctx.db, {
      config: ctx.config,
      logger: ctx.logger,
      vtu: vtu.vtu,
      payments,
      chatSenders: senders,
    });
    const n = newNumber();
    const all = () => clients.flatMap((c) => c.to(n));
    const say = async (text: string) => {
      const before = all().length;
      clients.at(-1)?.emit("message", textMessage(n, text));
      await wa.adapter.idle();
      await outboxSettled(ctx, n);
      return all().slice(before);
    };
    const submitPin = (path: string, pin: string) =>
      app.request(path, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ pin }).toString(),
      });
    try {
      await until(() => clients.length === 1);
      clients[0]?.emit("ready");
      await say("hi");
      const [setPin] = await say("set pin");
      expect(await (await submitPin(pinPath(setPin), "2580")).text()).toMatch(/Your PIN is set/);
      const userId = (
        await tdb.db
          .selectFrom("identities")
          .select("user_id")
          .where("channel", "=", "whatsapp")
          .where("external_id", "=", n)
          .executeTakeFirstOrThrow()
      ).user_id;
      await creditWallet({
        ctx,
        input: {
          userId,
          amountKobo: 100_000,
          counterparty: SYSTEM_ACCOUNTS.paymentClearing,
          description: "test funding",
          idempotencyKey: `wa-durable-${n}`,
          actor: "system:test",
        },
      });
      await say("airtime 100 08031234567");
      await say("1");
      const [ask] = await say("1");
      const page = await (await submitPin(pinPath(ask), "2580")).text();
      expect(page).toMatch(/Order placed/); // the provider job has not run yet
      await outboxSettled(ctx, n);

      // WhatsApp Web drops: sends throw "not connected", then the client reports the disconnect.
      const first = clients[0] as ManagedFake;
      first.failSends = true;
      const warningsBefore = lines.filter((l) => l.includes("whatsapp cannot be reached")).length;
      await vtu.drain(); // the order is delivered while nothing can be sent
      await until(() => first.calls.length > first.sent.length); // the outbox tried, and was refused
      first.emit("disconnected", "NAVIGATION");
      await until(() => clients.length === 2);
      await new Promise((r) => setTimeout(r, 2_500)); // several retries, all "not connected"
      expect(all().join("\n")).not.toMatch(/Delivered/);
      const warnings = lines.filter((l) => l.includes("whatsapp cannot be reached")).length - warningsBefore;
      // Once from the outbox (its sends) and once from the client's state: not per message or retry.
      expect(warnings).toBeGreaterThanOrEqual(1);
      expect(warnings).toBeLessThanOrEqual(2);

      clients[1]?.emit("ready");
      await outboxSettled(ctx, n);
      const delivered = all().filter((t) => /Delivered/.test(t));
      expect(delivered).toHaveLength(1);
      expect(clients[1]?.to(n).join("\n")).toMatch(/Delivered/);
      expect(first.to(n).join("\n")).not.toMatch(/Delivered/);
      expect(first.destroyed).toBe(true);
      expect(logs()).toContain("whatsapp is reachable again");
    } finally {
      await wa.stopReceiving();
      await wa.drain(1_000);
      await outbox.flush(0);
      await outbox.stop();
      await wa.stop();
      await heartbeat.stop();
    }
  }, 60_000);
});
