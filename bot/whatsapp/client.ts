import { chmodSync, mkdirSync } from "node:fs";
import path from "node:path";
import qrcodeTerminal from "qrcode-terminal";
import type { Config } from "../../api/config";
import type { Logger } from "../../api/logger";
import type { EngineDeps } from "../engine/types";
import type { ChatSenders } from "../outbound";
import { attachWhatsApp, type WhatsAppClientLike } from "./adapter";
import { type WhatsAppStatus, whatsAppStatus } from "./status";

/** What the supervisor needs of a whatsapp-web.js Client (a fake in tests). */
export type ManagedWhatsAppClient = WhatsAppClientLike & {
  on(event: "qr", listener: (qr: string) => void): unknown;
  on(event: "ready", listener: () => void): unknown;
  on(event: "disconnected" | "auth_failure", listener: (reason: unknown) => void): unknown;
  initialize(): Promise<void>;
  destroy(): Promise<void>;
};

export type WhatsAppBackoff = { initialMs: number; maxMs: number };

const DEFAULT_BACKOFF: WhatsAppBackoff = { initialMs: 5_000, maxMs: 5 * 60_000 };

/** The session (LocalAuth) lives here: it is a login, so only our user may read it (S10). */
export function whatsAppSessionDir(config: Config): string {
  return path.join(config.DATA_DIR, "whatsapp");
}

/**
 * The real client: whatsapp-web.js driving the system Chromium headless. Loaded on demand, so a
 * process without WhatsApp never loads puppeteer.
 */
export async function createWhatsAppClient(config: Config): Promise<ManagedWhatsAppClient> {
  const dataPath = whatsAppSessionDir(config);
  mkdirSync(dataPath, { recursive: true, mode: 0o700 });
  chmodSync(dataPath, 0o700);
  const { default: wwebjs } = await import("whatsapp-web.js");
  return new wwebjs.Client({
    authStrategy: new wwebjs.LocalAuth({ dataPath }),
    puppeteer: {
      executablePath: config.CHROMIUM_PATH,
      headless: true,
      // Root in a container: no user-namespace sandbox; a small /dev/shm; no GPU.
      args: ["--no-sandbox", "--disable-setuid-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
    },
  });
}

function printQrInTerminal(qr: string): void {
  qrcodeTerminal.generate(qr, { small: true }, (art) => {
    process.stdout.write(`\nWhatsApp: scan this QR in WhatsApp → Linked devices → Link a device\n${art}\n`);
  });
}

/**
 * Run the WhatsApp client for as long as the process lives: a client that fails to start (no
 * network, Chromium missing) or gets disconnected is destroyed and replaced after a capped,
 * doubling delay. Nothing here throws into the app: WhatsApp down never takes the API down.
 * No money state lives in the client (S15); losing the session only means scanning again.
 */
export function startWhatsApp(deps: {
  config: Config;
  logger: Logger;
  engine: EngineDeps;
  senders: ChatSenders;
  status?: WhatsAppStatus;
  createClient?: (config: Config) => Promise<ManagedWhatsAppClient>;
  backoff?: WhatsAppBackoff;
  printQr?: (qr: string) => void;
}): { stop(): Promise<void> } {
  const logger = deps.logger.child({ channel: "whatsapp" });
  const status = deps.status ?? whatsAppStatus;
  const createClient = deps.createClient ?? createWhatsAppClient;
  const backoff = deps.backoff ?? DEFAULT_BACKOFF;
  const printQr = deps.printQr ?? printQrInTerminal;
  let stopped = false;
  let failures = 0;
  let current: ManagedWhatsAppClient | undefined;
  let timer: NodeJS.Timeout | undefined;

  const replace = async (client: ManagedWhatsAppClient | undefined): Promise<void> => {
    // A failed initialize and its 'disconnected' event can both arrive: restart once per client.
    if (client !== current || stopped) {
      return;
    }
    current = undefined;
    await client?.destroy().catch((error: unknown) => logger.warn({ err: error }, "whatsapp destroy failed"));
    const delayMs = Math.min(backoff.maxMs, backoff.initialMs * 2 ** failures);
    failures++;
    logger.info({ delayMs, attempt: failures }, "whatsapp client restarts soon");
    timer = setTimeout(() => void run(), delayMs);
    timer.unref();
  };

  const run = async (): Promise<void> => {
    if (stopped) {
      return;
    }
    status.update("starting");
    let client: ManagedWhatsAppClient | undefined;
    try {
      client = await createClient(deps.config);
      current = client;
      const owned = client;
      attachWhatsApp(owned, { engine: deps.engine, senders: deps.senders, logger });
      owned.on("qr", (qr) => {
        status.update("qr", qr);
        logger.info("whatsapp needs linking: scan the QR printed in the terminal (or in the admin panel)");
        printQr(qr);
      });
      owned.on("ready", () => {
        failures = 0;
        status.update("ready");
        logger.info("whatsapp client ready");
      });
      owned.on("auth_failure", (reason) => {
        status.update("auth_failure");
        logger.error(
          { reason: String(reason), sessionDir: whatsAppSessionDir(deps.config) },
          "whatsapp session rejected: delete the session folder and scan the QR again",
        );
      });
      owned.on("disconnected", (reason) => {
        status.update("disconnected");
        logger.warn({ reason: String(reason) }, "whatsapp disconnected");
        void replace(owned);
      });
      await owned.initialize();
    } catch (error) {
      status.update("disconnected");
      // The QR comes from WhatsApp's servers: say plainly when they are out of reach.
      const unreachable = /ERR_NAME_NOT_RESOLVED|ERR_INTERNET_DISCONNECTED|ERR_CONNECTION|ENOTFOUND/.test(
        String(error),
      );
      logger.warn(
        { err: error, attempt: failures + 1 },
        unreachable
          ? "whatsapp: web.whatsapp.com cannot be reached from this machine, so no QR can be shown yet; retrying"
          : "whatsapp client failed to start",
      );
      if (client === undefined) {
        current = undefined;
      }
      await replace(client);
    }
  };

  void run();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      const client = current;
      current = undefined;
      await client
        ?.destroy()
        .catch((error: unknown) => logger.warn({ err: error }, "whatsapp destroy failed"));
    },
  };
}
