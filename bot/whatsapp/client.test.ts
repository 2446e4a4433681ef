import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { captureLogger, testConfig } from "../../test/helpers/context";
import type { EngineDeps } from "../engine/types";
import { ChatSenders } from "../outbound";
import { type ManagedWhatsAppClient, startWhatsApp, whatsAppSessionDir } from "./client";
import { WhatsAppStatus } from "./status";

/** The supervisor never crashes the app: failures are logged and retried with a capped backoff. */

// The engine is never reached in these tests: no message is emitted.
const engine = {} as EngineDeps;
const dataDir = mkdtempSync(path.join(tmpdir(), "tada-wa-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

class ScriptedClient extends EventEmitter implements ManagedWhatsAppClient {
  destroyed = false;
  constructor(private readonly start: (client: ScriptedClient) => Promise<void>) {
    super();
  }
  async initialize() {
    await this.start(this);
  }
  async destroy() {
    this.destroyed = true;
  }
  async sendMessage() {
    return {};
  }
}

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error("timed out waiting");
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("WhatsApp client supervisor", () => {
  it("a failing initialize is logged and retried with doubling, capped delays; stop ends it", async () => {
    const captured = captureLogger();
    const status = new WhatsAppStatus();
    const clients: ScriptedClient[] = [];
    const wa = startWhatsApp({
      config: testConfig({ WHATSAPP_ENABLED: "true", DATA_DIR: dataDir }),
      logger: captured.logger,
      engine,
      senders: new ChatSenders(),
      status,
      backoff: { initialMs: 1, maxMs: 8 },
      createClient: async () => {
        const client = new ScriptedClient(async () => {
          throw new Error("net::ERR_NAME_NOT_RESOLVED at https://web.whatsapp.com/");
        });
        clients.push(client);
        return client;
      },
    });
    await until(() => clients.length >= 6);
    await wa.stop();
    const count = clients.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(clients.length).toBe(count);
    expect(clients.slice(0, -1).every((c) => c.destroyed)).toBe(true);
    expect(status.get().state).toBe("disconnected");
    const delays = captured.lines
      .map((l) => JSON.parse(l) as { msg: string; delayMs?: number })
      .filter((l) => l.msg === "whatsapp client restarts soon")
      .map((l) => l.delayMs);
    expect(delays.slice(0, 5)).toEqual([1, 2, 4, 8, 8]);
    expect(captured.text()).toContain("ERR_NAME_NOT_RESOLVED");
  });

  it("shows the QR (status and data URL), goes ready, and replaces a client that disconnects", async () => {
    const captured = captureLogger();
    const status = new WhatsAppStatus();
    const printed: string[] = [];
    const clients: ScriptedClient[] = [];
    const senders = new ChatSenders();
    const wa = startWhatsApp({
      config: testConfig({ WHATSAPP_ENABLED: "true", DATA_DIR: dataDir }),
      logger: captured.logger,
      engine,
      senders,
      status,
      printQr: (qr) => printed.push(qr),
      backoff: { initialMs: 1, maxMs: 10 },
      createClient: async () => {
        const client = new ScriptedClient(async (c) => {
          c.emit("qr", "2@fake-qr-payload");
        });
        clients.push(client);
        return client;
      },
    });
    await until(() => status.get().state === "qr");
    expect(status.get().qr).toBe("2@fake-qr-payload");
    expect(printed).toEqual(["2@fake-qr-payload"]);
    expect(await status.qrDataUrl()).toMatch(/^data:image\/png;base64,/);
    expect(senders.all().map((s) => s.channel)).toEqual(["whatsapp"]);

    clients[0]?.emit("ready");
    expect(status.get()).toMatchObject({ state: "ready", qr: undefined });
    clients[0]?.emit("disconnected", "LOGOUT");
    await until(() => clients.length === 2);
    expect(clients[0]?.destroyed).toBe(true);
    await wa.stop();
    expect(clients[1]?.destroyed).toBe(true);
  });

  it("with the real whatsapp-web.js Client and a Chromium that does not exist: logged, retried, no crash", async () => {
    const captured = captureLogger();
    const status = new WhatsAppStatus();
    const config = testConfig({
      WHATSAPP_ENABLED: "true",
      DATA_DIR: dataDir,
      CHROMIUM_PATH: path.join(dataDir, "no-such-chromium"),
    });
    expect(config.WHATSAPP_ENABLED).toBe(true);
    const wa = startWhatsApp({
      config,
      logger: captured.logger,
      engine,
      senders: new ChatSenders(),
      status,
      backoff: { initialMs: 60_000, maxMs: 60_000 },
    });
    try {
      await until(() => captured.text().includes("whatsapp client failed to start"), 20_000);
      expect(status.get().state).toBe("disconnected");
      expect(captured.text()).toContain("whatsapp client restarts soon");
      // The session folder exists and only our user can read it (S10).
      expect(statSync(whatsAppSessionDir(config)).mode & 0o777).toBe(0o700);
    } finally {
      await wa.stop();
    }
  }, 30_000);
});
