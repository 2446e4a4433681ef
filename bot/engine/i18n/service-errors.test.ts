import { describe, expect, it } from "vitest";
import { IncorrectPinError, PinLockedError, ValidationError } from "../../../api/services/errors";
import { serviceErrorText } from "./service-errors";

describe("service errors in the chat", () => {
  it("a locked PIN says until when in Lagos time, not the API's UTC instant, in both languages", () => {
    const locked = new PinLockedError(new Date("2026-12-07T19:15:00.000Z"));
    expect(locked.message).toContain("2026-12-07T19:15:00.000Z"); // the API's words stay exact
    expect(serviceErrorText(locked, "en")).toBe(
      'Your PIN is locked after too many wrong attempts. Try again after 7 Dec 2026, 20:15 (Lagos time), or reset it: tap "I forgot my PIN".',
    );
    expect(serviceErrorText(locked, "pcm")).toContain("Try again after 7 Dec 2026, 20:15 (Lagos time)");
    expect(serviceErrorText(locked, "pcm")).toContain('"I don forget my PIN"');
  });

  it("other errors keep their texts", () => {
    expect(serviceErrorText(new IncorrectPinError(2), "en")).toBe(
      "Incorrect PIN. 2 attempts left before your PIN is locked.",
    );
    expect(serviceErrorText(new IncorrectPinError(2), "pcm")).toContain("You get 2 more chance");
  });

  it("an amount with kobo where whole naira is needed offers the two amounts in naira, not amountKobo", () => {
    const error = new ValidationError(
      "Airtime is sold in whole naira: ₦500.50 has kobo in it. Send amountKobo 50000 (₦500) or 50100 (₦501).",
      { field: "amountKobo", amountKobo: 50_050 },
      "AMOUNT_NOT_WHOLE_NAIRA",
    );
    expect(serviceErrorText(error, "en")).toBe(
      "This is sold in whole naira: ₦500.50 has kobo in it. Send ₦500 or ₦501.",
    );
    expect(serviceErrorText(error, "pcm")).toContain("Send ₦500 or ₦501.");
    const plain = new ValidationError(
      "amountKobo: whole naira",
      { field: "amountKobo" },
      "AMOUNT_NOT_WHOLE_NAIRA",
    );
    expect(serviceErrorText(plain, "en")).toBe("This is sold in whole naira: send the amount without kobo.");
  });
});
