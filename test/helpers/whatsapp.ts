import { EventEmitter } from "node:events";
import type { Logger } from "../../api/logger";
import { createPaymentGateway } from "../../api/providers/payment-gateway";
import type { ServiceContext } from "../../api/services/context";
import { webhookSecretHash } from "../../api/services/funding";
import { SYSTEM_ACCOUNTS } from "../../api/services/ledger";
import { creditWallet } from "../../api/services/wallet";
import type { EngineDeps } from "../../bot/engine/types";
import { ChatSenders } from "../../bot/outbound";
import { attachWhatsApp, type WhatsAppMessage } from "../../bot/whatsapp/adapter";
import { makeTestApp } from "./http";
import { makeVtu, sandboxRegistry, seedCatalogue } from "./vtu";

/**
 * whatsapp-web.js's Client is an EventEmitter; this one records what the bot sends instead of
 * driving a browser (environment.md §7). Everything behind it is real: engine, services, database.
 */
export class FakeWhatsAppClient extends EventEmitter {
  readonly sent: { chatId: string; text: string; linkPreview?: boolean }[] = [];
  /** Delay before a send completes, to make concurrency visible. */
  sendDelayMs = 0;
  /** Make every send fail, as when WhatsApp Web is disconnected. */
  failSends = false;

  async sendMessage(chatId: string, text: string, options?: { linkPreview?: boolean }): Promise<unknown> {
    if (this.sendDelayMs > 0) {
      await new Promise((r) => setTimeout(r, this.sendDelayMs));
    }
    if (this.failSends) {
      throw new Error("WhatsApp Web is not connected");
    }
    this.sent.push({ chatId, text, linkPreview: options?.linkPreview });
    return {};
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

/** The engine, the web app and a fake WhatsApp client wired together on one test database. */
export async function whatsAppHarness(ctx: ServiceContext, logger: Logger) {
  const vtuHarness = makeVtu(ctx, sandboxRegistry(ctx));
  await seedCatalogue(ctx, vtuHarness.vtu.providers);
  const payments = {
    gateway: createPaymentGateway({ config: ctx.config, db: ctx.db }),
    webhookSecretHash: webhookSecretHash(ctx.config),
    dispatch: async () => {},
  };
  const engine: EngineDeps = { ctx: () => ctx, vtu: vtuHarness.vtu, payments };
  const senders = new ChatSenders();
  const client = new FakeWhatsAppClient();
  const adapter = attachWhatsApp(client, { engine, senders, logger });
  const { app } = makeTestApp(ctx.db, {
    config: ctx.config,
    logger,
    vtu: vtuHarness.vtu,
    payments,
    chatSenders: senders,
  });

  /** Send a message as `number` and wait until the bot has answered; returns the new answers. */
  async function say(number: string, body: string, extra: Partial<WhatsAppMessage> = {}): Promise<string[]> {
    const before = client.to(number).length;
    client.emit("message", textMessage(number, body, extra));
    await adapter.idle();
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

  return { client, adapter, app, senders, engine, vtu: vtuHarness, say, userIdOf, fund, submitPin };
}
