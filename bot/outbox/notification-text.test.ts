import { describe, expect, it } from "vitest";
import { notificationText } from "./notification-text";

describe("notificationText", () => {
  it("writes order outcomes, credits and gift news in Pidgin from the payload's values", () => {
    const airtime = {
      service: "airtime",
      recipient: "08031234567",
      faceAmountKobo: 50_000,
      priceKobo: 49_000,
    };
    expect(notificationText("order.delivered", { notice: airtime }, "pcm")).toBe(
      "E don land: ₦500 airtime for 08031234567.",
    );
    expect(
      notificationText(
        "order.delivered",
        { notice: { ...airtime, service: "data", planName: "MTN 1GB" } },
        "pcm",
      ),
    ).toBe("E don land: MTN 1GB data for 08031234567.");
    expect(notificationText("order.failed", { notice: airtime }, "pcm")).toBe(
      "The ₦500 airtime wey you buy for 08031234567 no work. ₦490 don return to your wallet.",
    );
    expect(notificationText("wallet.funded", { notice: { amountKobo: 120_000 } }, "pcm")).toBe(
      "₦1,200 don enter your wallet.",
    );
    expect(
      notificationText(
        "gift.room_closed",
        { notice: { reason: "expired", claimed: 3, capacity: 10, refundedKobo: 350_000 } },
        "pcm",
      ),
    ).toBe("Your gift room don expire: dem claim 3 out of 10 gifts. ₦3,500 don return to your wallet.");
  });

  it("the English forms match what the services write (the record)", () => {
    const airtime = {
      service: "airtime",
      recipient: "08031234567",
      faceAmountKobo: 50_000,
      priceKobo: 50_000,
    };
    expect(notificationText("order.failed", { notice: airtime }, "en")).toBe(
      "Your ₦500 airtime for 08031234567 did not go through. ₦500 is back in your wallet.",
    );
    expect(notificationText("wallet.funded", { notice: { amountKobo: 120_000 } }, "en")).toBe(
      "₦1,200 has been added to your wallet.",
    );
  });

  it("without its values, or of an unknown kind, the stored English text is kept", () => {
    expect(notificationText("order.failed", { orderId: "ord_1" }, "pcm")).toBeUndefined();
    expect(notificationText("order.failed", { notice: { recipient: "080" } }, "pcm")).toBeUndefined();
    expect(notificationText("alert", { notice: { amountKobo: 1 } }, "pcm")).toBeUndefined();
  });
});
