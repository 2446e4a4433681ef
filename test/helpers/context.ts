import { Writable } from "node:stream";
import type { Kysely } from "kysely";
import { type Config, loadConfig } from "../../api/config";
import { createLogger, type Logger } from "../../api/logger";
import type { ServiceContext } from "../../api/services/context";
import type { Database } from "../../db/database";

export const TEST_PEPPER = "test-pepper-0123456789abcdef0123456789abcdef";

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: "test",
    PIN_PEPPER: TEST_PEPPER,
    LOG_LEVEL: "info",
    // The channels' per-chat pace (about 1 message a second) would make every multi-message step
    // of a chat test wait; the flood-limit tests set the real limits themselves.
    TELEGRAM_CHAT_SENDS_PER_SECOND: "100",
    WHATSAPP_CHAT_SENDS_PER_SECOND: "100",
    ...overrides,
  });
}

/** A logger that keeps every line, so tests can assert what was (and was not) logged. */
export function captureLogger(): { logger: Logger; lines: string[]; text: () => string } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  const logger = createLogger({ level: "trace", destination });
  return { logger, lines, text: () => lines.join("") };
}

export function makeCtx(db: Kysely<Database>, overrides: Partial<ServiceContext> = {}): ServiceContext {
  return {
    db,
    config: overrides.config ?? testConfig(),
    logger: overrides.logger ?? captureLogger().logger,
    now: overrides.now ?? (() => new Date()),
    ...overrides,
  };
}
