import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WhatsAppStatus } from "../../api/services/whatsapp-status";
import { captureLogger, makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import type { EngineDeps } from "../engine/types";
import { ChatSenders } from "../outbound";
import { type ManagedWhatsAppClient, startWhatsApp, whatsAppSessionDir } from "./client";

/** The supervisor never crashes the app: failures are logged and retried with a capped backoff. */

// No message is emitted in these tests: the engine only serves the adapter's recovery pass (its database).
let tdb: TestDatabase;
let engine: EngineDeps;
const dataDir = mkdtempSync(path.join(tmpdir(), "tada-wa-"));
beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 4 });
  const ctx = makeCtx(tdb.db);
  engine = { ctx: () => ctx } as EngineDeps;
});
afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  await tdb.destroy();
});

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
    // One warning for the outage, however many restarts fail during it.
    const warnings = captured.lines
      .map((l) => JSON.parse(l) as { msg: string; level: string })
      .filter((l) => ["warn", "error", "fatal"].includes(l.level));
    expect(warnings.map((w) => w.msg)).toEqual([
      expect.stringMatching(/^whatsapp cannot be reached: web\.whatsapp\.com is out of reach/),
    ]);
    expect(captured.text()).not.toContain("whatsapp recovery pass failed");
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
    expect(wa.adapter.connected).toBe(false);
    clients[1]?.emit("ready");
    expect(wa.adapter.connected).toBe(true);
    expect(captured.text()).toContain("whatsapp cannot be reached");
    expect(captured.text()).toContain("whatsapp is reachable again");
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
