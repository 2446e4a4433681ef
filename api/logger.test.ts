import { describe, expect, it } from "vitest";
import { captureLogger } from "../test/helpers/context";
import { maskPhones, REDACTED, redact } from "./logger";

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
