import { randomUUID } from "node:crypto";
import { chmodSync, mkdirSync } from "node:fs";
import path from "node:path";
import qrcodeTerminal from "qrcode-terminal";
import type { Config } from "../../api/config";
import type { Logger } from "../../api/logger";
import { type WhatsAppStatus, whatsAppStatus } from "../../api/services/whatsapp-status";
import type { EngineDeps } from "../engine/types";
import type { ChatSenders } from "../outbound";
import { WhatsAppAdapter, type WhatsAppClientLike } from "./adapter";

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

export type WhatsAppRuntime = {
  adapter: WhatsAppAdapter;
  /** Shutdown, first step: messages still arriving are only recorded (the next process answers them). */
  stopReceiving(): Promise<void>;
  /** Shutdown, second step: let the messages in hand finish, for at most `timeoutMs`; returns the chats that did not. */
  drain(timeoutMs: number): Promise<number>;
  /** Last step, after the outbox flushed (it sends through this client): close the client. */
  stop(): Promise<void>;
};

/**
 * Run the WhatsApp client for as long as the process lives: a client that fails to start (no
 * network, Chromium missing) or gets disconnected is destroyed and replaced after a capped,
 * doubling delay. Nothing here throws into the app: WhatsApp down never takes the API down.
 * No money state lives in the client (S15); losing the session only means scanning again.
 *
 * The adapter's sender is registered at once (before the chat outbox starts) and sends through
 * whichever client is ready; while none is, sends fail as "not connected" and the outbox retries
 * them. WhatsApp going away is logged once as a warning, and its return once as info.
 */
export function startWhatsApp(deps: {
  config: Config;
  logger: Logger;
  engine: EngineDeps;
  senders: ChatSenders;
  /** This process's boot id (process_boots): it owns the messages it records. */
  owner?: string;
  status?: WhatsAppStatus;
  createClient?: (config: Config) => Promise<ManagedWhatsAppClient>;
  backoff?: WhatsAppBackoff;
  printQr?: (qr: string) => void;
  recovery?: { everyMs: number; staleSeconds: number };
}): WhatsAppRuntime {
  const logger = deps.logger.child({ channel: "whatsapp" });
  const status = deps.status ?? whatsAppStatus;
  const createClient = deps.createClient ?? createWhatsAppClient;
  const backoff = deps.backoff ?? DEFAULT_BACKOFF;
  const printQr = deps.printQr ?? printQrInTerminal;
  const adapter = new WhatsAppAdapter({
    engine: deps.engine,
    senders: deps.senders,
    logger,
    owner: deps.owner ?? `whatsapp:${randomUUID()}`,
    recovery: deps.recovery,
  }).start();
  let stopped = false;
  let failures = 0;
  let current: ManagedWhatsAppClient | undefined;
  let timer: NodeJS.Timeout | undefined;
  let downSince: number | undefined;

  /** Once per outage, however many restarts and sends fail during it. */
  const down = (detail: Record<string, unknown>, hint?: string) => {
    adapter.connect(undefined);
    if (downSince === undefined) {
      downSince = Date.now();
      logger.warn(detail, hint ?? "whatsapp cannot be reached: messages wait in the outbox and are retried");
    }
  };

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
      adapter.listen(owned);
      owned.on("qr", (qr) => {
        status.update("qr", qr);
        logger.info("whatsapp needs linking: scan the QR printed in the terminal (or in the admin panel)");
        printQr(qr);
      });
      owned.on("ready", () => {
        if (owned !== current) {
          return;
        }
        failures = 0;
        status.update("ready");
        adapter.connect(owned);
        if (downSince === undefined) {
          logger.info("whatsapp client ready");
        } else {
          const seconds = Math.round((Date.now() - downSince) / 100) / 10;
          downSince = undefined;
          logger.info({ seconds }, "whatsapp is reachable again");
        }
      });
      owned.on("auth_failure", (reason) => {
        status.update("auth_failure");
        logger.error(
          { reason: String(reason), sessionDir: whatsAppSessionDir(deps.config) },
          "whatsapp session rejected: delete the session folder and scan the QR again",
        );
      });
      owned.on("disconnected", (reason) => {
        if (owned !== current) {
          return;
        }
        status.update("disconnected");
        down({ reason: String(reason) });
        logger.info({ reason: String(reason) }, "whatsapp disconnected");
        void replace(owned);
      });
      await owned.initialize();
    } catch (error) {
      status.update("disconnected");
      // The QR comes from WhatsApp's servers: say plainly when they are out of reach.
      const unreachable = /ERR_NAME_NOT_RESOLVED|ERR_INTERNET_DISCONNECTED|ERR_CONNECTION|ENOTFOUND/.test(
        String(error),
      );
      down(
        { err: error },
        unreachable
          ? "whatsapp cannot be reached: web.whatsapp.com is out of reach from this machine, so no QR can be shown yet; messages wait in the outbox and are retried"
          : undefined,
      );
      logger.info({ err: error, attempt: failures + 1 }, "whatsapp client failed to start");
      if (client === undefined) {
        current = undefined;
      }
      await replace(client);
    }
  };

  void run();
  return {
    adapter,
    stopReceiving: () => adapter.stopReceiving(),
    drain: (timeoutMs) => adapter.drain(timeoutMs),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await adapter.stopReceiving();
      adapter.connect(undefined);
      const client = current;
      current = undefined;
      await client
        ?.destroy()
        .catch((error: unknown) => logger.warn({ err: error }, "whatsapp destroy failed"));
    },
  };
}
