import { EventEmitter } from "node:events";
import type { Logger } from "../../api/logger";
import { createPaymentGateway } from "../../api/providers/payment-gateway";
import type { ServiceContext } from "../../api/services/context";
import { webhookSecretHash } from "../../api/services/funding";
import { SYSTEM_ACCOUNTS } from "../../api/services/ledger";
import { registerBoot, startHeartbeat } from "../../api/services/processes";
import { creditWallet } from "../../api/services/wallet";
import type { EngineDeps } from "../../bot/engine/types";
import { ChatSenders } from "../../bot/outbound";
import { type ChatOutboxRuntime, startChatOutbox } from "../../bot/outbox/run";
import { WhatsAppAdapter, type WhatsAppMessage } from "../../bot/whatsapp/adapter";
import { makeTestApp } from "./http";
import { makeVtu, sandboxRegistry, seedCatalogue } from "./vtu";

/** Counted within a window a little under a second, so the pacer's own timer jitter is no violation. */
const PACE_WINDOW_MS = 900;

/**
 * whatsapp-web.js's Client is an EventEmitter; this one records what the bot sends instead of
 * driving a browser (environment.md §7). Everything behind it is real: engine, services, database.
 * It can refuse sends the ways WhatsApp Web does: not connected, a number not on WhatsApp, too fast.
 */
export class FakeWhatsAppClient extends EventEmitter {
  readonly sent: { chatId: string; text: string; linkPreview?: boolean; id: string }[] = [];
  /** Every call of sendMessage, refused ones too. */
  readonly calls: { chatId: string; at: number }[] = [];
  /** Delay before a send completes, to make concurrency visible. */
  sendDelayMs = 0;
  /** Make every send fail, as when WhatsApp Web is disconnected. */
  failSends = false;
  /** Refuse this call (nothing is sent) when it returns an error. */
  refuse: ((call: { chatId: string; text: string; n: number }) => Error | undefined) | undefined;
  /** Numbers that are not on WhatsApp: sends fail as whatsapp-web.js fails them, getNumberId says null. */
  readonly notOnWhatsApp = new Set<string>();
  /** WhatsApp's pace: a send over it is refused and recorded (a real account risks a ban). */
  pace: { perSecond: number; perChatPerSecond: number } | undefined;
  readonly paceViolations: string[] = [];
  private count = 0;

  async sendMessage(chatId: string, text: string, options?: { linkPreview?: boolean }): Promise<unknown> {
    const at = Date.now();
    this.calls.push({ chatId, at });
    const n = ++this.count;
    if (this.pace) {
      const recent = this.calls.filter((c) => c.at > at - PACE_WINDOW_MS);
      const toChat = recent.filter((c) => c.chatId === chatId).length;
      if (recent.length > this.pace.perSecond || toChat > this.pace.perChatPerSecond) {
        this.paceViolations.push(
          `${chatId}: ${toChat} to the chat, ${recent.length} overall in ${PACE_WINDOW_MS} ms`,
        );
        throw new Error("rate-overlimit");
      }
    }
    if (this.sendDelayMs > 0) {
      await new Promise((r) => setTimeout(r, this.sendDelayMs));
    }
    if (this.failSends) {
      throw new Error("WhatsApp Web is not connected");
    }
    const refused = this.refuse?.({ chatId, text, n });
    if (refused) {
      throw refused;
    }
    if (this.notOnWhatsApp.has(chatId.replace(/@c\.us$/, ""))) {
      throw new Error("Evaluation failed: Error: No LID for user");
    }
    const id = `true_${chatId}_OUT${String(n).padStart(6, "0")}`;
    this.sent.push({ chatId, text, linkPreview: options?.linkPreview, id });
    return { id: { _serialized: id } };
  }

  async getNumberId(number: string): Promise<unknown> {
    return this.notOnWhatsApp.has(number) ? null : { _serialized: `${number}@c.us` };
  }

  /** What was sent to one number. */
  to(number: string): string[] {
    return this.sent.filter((s) => s.chatId === `${number}@c.us`).map((s) => s.text);
  }
}

let nextMessage = 1;

/** A text message as whatsapp-web.js delivers it, from a personal chat. */
export function textMessage(
  number: string,
  body: string,
  extra: Partial<WhatsAppMessage> = {},
): WhatsAppMessage {
  return {
    from: `${number}@c.us`,
    body,
    type: "chat",
    fromMe: false,
    hasMedia: false,
    id: { _serialized: `false_${number}@c.us_WAMSG${String(nextMessage++).padStart(6, "a")}` },
    ...extra,
  };
}

/** The PIN page link in a WhatsApp message, as a path the Hono app can be called with. */
export function pinPath(text: string | undefined): string {
  const url = /Enter your PIN: (\S+)/.exec(text ?? "")?.[1];
  if (!url) {
    throw new Error(`no PIN link in: ${text}`);
  }
  return new URL(url).pathname;
}

/** Wait until nothing is left unsent in the WhatsApp outbox (of one number, when given). */
export async function outboxSettled(ctx: ServiceContext, number?: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let query = ctx.db
      .selectFrom("chat_outbox")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("channel", "=", "whatsapp")
      .where("status", "in", ["pending", "sending"]);
    if (number) {
      query = query.where("external_id", "=", number);
    }
    const { n } = await query.executeTakeFirstOrThrow();
    if (Number(n) === 0) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`${n} WhatsApp messages still unsent after ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

export type WhatsAppStack = {
  client: FakeWhatsAppClient;
  adapter: WhatsAppAdapter;
  senders: ChatSenders;
  outbox: ChatOutboxRuntime;
  bootId: string;
  /** The production shutdown order: stop receiving, drain what is in hand, flush the outbox, stop. */
  shutdown(options?: { drainMs?: number; flushMs?: number }): Promise<{ unfinished: number; unsent: number }>;
};

/**
 * One "process" of the product's WhatsApp side, as `npm start` wires it: its own boot (so the next
 * one takes over what it left), the adapter on a fake client, and the chat outbox sending through it.
 */
export async function startWhatsAppStack(
  ctx: ServiceContext,
  engine: EngineDeps,
  options: { client?: FakeWhatsAppClient; recovery?: { everyMs: number; staleSeconds: number } } = {},
): Promise<WhatsAppStack> {
  const boot = await registerBoot(ctx, { role: "api" });
  // Alive as a process is: a boot that stops beating is dead, and its leases are taken over.
  const heartbeat = startHeartbeat(ctx, boot);
  const client = options.client ?? new FakeWhatsAppClient();
  const senders = new ChatSenders();
  const deps: EngineDeps = { ...engine, vtu: { ...engine.vtu, owner: boot.bootId } };
  const adapter = new WhatsAppAdapter({
    engine: deps,
    senders,
    logger: ctx.logger,
    owner: boot.bootId,
    recovery: options.recovery,
  });
  adapter.listen(client);
  adapter.connect(client);
  const outbox = startChatOutbox({ ctx: engine.ctx, senders, logger: ctx.logger, owner: boot.bootId });
  adapter.start();
  let stopped: Promise<{ unfinished: number; unsent: number }> | undefined;
  return {
    client,
    adapter,
    senders,
    outbox,
    bootId: boot.bootId,
    shutdown(o = {}) {
      stopped ??= (async () => {
        await adapter.stopReceiving();
        const unfinished = await adapter.drain(o.drainMs ?? ctx.config.CHAT_DRAIN_SECONDS * 1000);
        const unsent = await outbox.flush(o.flushMs ?? ctx.config.CHAT_FLUSH_SECONDS * 1000);
        await outbox.stop();
        await heartbeat.stop(); // the boot ends: what it left is the next process's
        return { unfinished, unsent };
      })();
      return stopped;
    },
  };
}

/** The engine of a test database: sandbox providers, the catalogue, no-op payments. */
export async function whatsAppEngine(ctx: ServiceContext) {
  const vtuHarness = makeVtu(ctx, sandboxRegistry(ctx));
  await seedCatalogue(ctx, vtuHarness.vtu.providers);
  const payments = {
    gateway: createPaymentGateway({ config: ctx.config, db: ctx.db }),
    webhookSecretHash: webhookSecretHash(ctx.config),
    dispatch: async () => {},
  };
  const engine: EngineDeps = { ctx: () => ctx, vtu: vtuHarness.vtu, payments };
  return { engine, vtu: vtuHarness, payments };
}

/** The engine, the web app, a fake WhatsApp client and the chat outbox wired together on one test database. */
export async function whatsAppHarness(ctx: ServiceContext, logger: Logger) {
  const { engine, vtu, payments } = await whatsAppEngine(ctx);
  const stack = await startWhatsAppStack(ctx, engine);
  const { client, adapter, senders } = stack;
  const { app } = makeTestApp(ctx.db, {
    config: ctx.config,
    logger,
    vtu: vtu.vtu,
    payments,
    chatSenders: senders,
  });

  /** Wait until the bot has answered everything received so far (of `number`: all of it is sent). */
  async function settled(number?: string): Promise<void> {
    await adapter.idle();
    await outboxSettled(ctx, number);
  }

  /** Send a message as `number` and wait until the bot has answered; returns the new answers. */
  async function say(number: string, body: string, extra: Partial<WhatsAppMessage> = {}): Promise<string[]> {
    const before = client.to(number).length;
    client.emit("message", textMessage(number, body, extra));
    await settled(number);
    return client.to(number).slice(before);
  }

  async function userIdOf(number: string): Promise<string> {
    const row = await ctx.db
      .selectFrom("identities")
      .select("user_id")
      .where("channel", "=", "whatsapp")
      .where("external_id", "=", number)
      .executeTakeFirstOrThrow();
    return row.user_id;
  }

  async function fund(number: string, amountKobo: number): Promise<void> {
    await creditWallet({
      ctx,
      input: {
        userId: await userIdOf(number),
        amountKobo,
        counterparty: SYSTEM_ACCOUNTS.paymentClearing,
        description: "test funding",
        idempotencyKey: `wa-fund-${number}-${amountKobo}`,
        actor: "system:test",
      },
    });
  }

  /** Submit the PIN page form, as a browser without JavaScript would. */
  async function submitPin(path: string, fields: Record<string, string>): Promise<Response> {
    return app.request(path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
  }

  return {
    client,
    adapter,
    app,
    senders,
    engine,
    vtu,
    stack,
    say,
    settled,
    userIdOf,
    fund,
    submitPin,
    /** Stop the adapter and the outbox (before the database goes). */
    close: () => stack.shutdown({ drainMs: 5_000, flushMs: 0 }),
  };
}
