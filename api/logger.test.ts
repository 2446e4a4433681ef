import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { captureLogger } from "../test/helpers/context";
import { loadConfig } from "./config";
import { createLogger, maskPhones, REDACTED, redact, resolveLogFormat } from "./logger";

describe("log redaction (S11)", () => {
  it("redacts secret keys at any depth, whatever their spelling", () => {
    const out = redact({
      pin: "1234",
      user: { newPin: "5678", password: "p", "verif-hash": "h", Authorization: "Bearer x", api_key: "k" },
      list: [{ token: "t" }, { resetCode: "123456" }],
      amountKobo: 500,
      code: "VALIDATION_ERROR",
    });
    expect(out).toEqual({
      pin: REDACTED,
      user: {
        newPin: REDACTED,
        password: REDACTED,
        "verif-hash": REDACTED,
        Authorization: REDACTED,
        api_key: REDACTED,
      },
      list: [{ token: REDACTED }, { resetCode: REDACTED }],
      amountKobo: 500,
      code: "VALIDATION_ERROR",
    });
  });

  it("keeps dates as ISO strings, not {}", () => {
    const at = new Date("2026-12-07T19:30:00.000Z");
    expect(redact({ lockedUntil: at, nested: { at: [at] }, bad: new Date(Number.NaN) })).toEqual({
      lockedUntil: "2026-12-07T19:30:00.000Z",
      nested: { at: ["2026-12-07T19:30:00.000Z"] },
      bad: "Invalid Date",
    });
  });

  it("masks Nigerian phone numbers in values and messages", () => {
    expect(maskPhones("call 08031234567 or +2348031234567 or 2349031234567")).toBe(
      "call 0803***4567 or +234803***4567 or 234903***4567",
    );
    expect(maskPhones("order 123456789012345 amount 10000")).toBe("order 123456789012345 amount 10000");
    const log = captureLogger();
    log.logger.info({ phone: "08031234567" }, "sent to 07061234567");
    expect(log.text()).not.toMatch(/08031234567|07061234567/);
    expect(log.text()).toContain("0706***4567");
  });
});

describe("log format (LOG_FORMAT)", () => {
  it("is pretty at a terminal in development, JSON otherwise, and LOG_FORMAT decides when set", () => {
    expect(resolveLogFormat({ NODE_ENV: "development" }, true)).toBe("pretty");
    expect(resolveLogFormat({ NODE_ENV: "development" }, false)).toBe("json");
    expect(resolveLogFormat({ NODE_ENV: "production" }, true)).toBe("json");
    expect(resolveLogFormat({ NODE_ENV: "test" }, true)).toBe("json");
    expect(resolveLogFormat({ NODE_ENV: "production", LOG_FORMAT: "pretty" }, false)).toBe("pretty");
    expect(resolveLogFormat({ NODE_ENV: "development", LOG_FORMAT: "json" }, true)).toBe("json");
    const pepper = "x".repeat(32);
    expect(loadConfig({ PIN_PEPPER: pepper, LOG_FORMAT: "pretty" }).LOG_FORMAT).toBe("pretty");
    expect(loadConfig({ PIN_PEPPER: pepper, LOG_FORMAT: "" }).LOG_FORMAT).toBeUndefined();
    expect(() => loadConfig({ PIN_PEPPER: pepper, LOG_FORMAT: "xml" })).toThrow(/LOG_FORMAT/);
  });

  it("pretty lines are text for a person, redacted and masked like the JSON ones", () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(String(chunk));
        callback();
      },
    });
    const logger = createLogger({ format: "pretty", destination });
    logger.warn({ pin: "2580", orderId: "ord_1" }, "sent to 08031234567");
    const text = lines.join("");
    expect(text).toMatch(/WARN.*: sent to 0803\*\*\*4567/);
    expect(text).toContain('orderId: "ord_1"');
    expect(text).toContain(`pin: "${REDACTED}"`);
    expect(text).not.toContain("2580");
    expect(() => JSON.parse(text)).toThrow();
  });
});
