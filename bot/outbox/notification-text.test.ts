import { describe, expect, it } from "vitest";
import { SUSPENSE_REASONS } from "../../api/services/funding";
import { cableReminderText } from "../../api/services/renewals";
import { type ScheduleNotice, scheduleNoticeText } from "../../api/services/schedules/notices";
import { notificationChoices, notificationCopy, notificationText } from "./notification-text";

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

  it("bank transfers and account numbers (issue 17): the English is the service's own text; Pidgin from the values", () => {
    const credited = { paidKobo: 505_000, creditKobo: 500_000, feeKobo: 5_000, balanceKobo: 750_000 };
    expect(
      notificationText(
        "wallet.transfer_received",
        { notice: { ...credited, payerName: "ADA OKAFOR" } },
        "en",
      ),
    ).toBe(
      "₦5,050 received by bank transfer from ADA OKAFOR. ₦5,000 added to your wallet (₦50 transfer fee). Balance: ₦7,500.",
    );
    expect(
      notificationText(
        "wallet.transfer_received",
        {
          notice: {
            paidKobo: 500_000,
            creditKobo: 500_000,
            feeKobo: 0,
            balanceKobo: 500_000,
            payerName: null,
          },
        },
        "en",
      ),
    ).toBe("₦5,000 received by bank transfer. Added to your wallet. Balance: ₦5,000.");
    expect(
      notificationText(
        "wallet.transfer_received",
        { notice: { ...credited, payerName: "ADA OKAFOR" } },
        "pcm",
      ),
    ).toBe(
      "₦5,050 don land by bank transfer from ADA OKAFOR side. ₦5,000 don enter your wallet (₦50 na transfer charge). Your balance now: ₦7,500.",
    );
    // The balance is optional: without it, no balance sentence.
    const { balanceKobo: _balance, ...noBalance } = credited;
    expect(notificationText("wallet.transfer_received", { notice: noBalance }, "pcm")).toBe(
      "₦5,050 don land by bank transfer. ₦5,000 don enter your wallet (₦50 na transfer charge).",
    );

    for (const [reason, words] of Object.entries(SUSPENSE_REASONS)) {
      const notice = { paidKobo: 300_000, reason, payerName: "CHIDI EZE" };
      expect(notificationText("wallet.transfer_held", { notice }, "en"), reason).toBe(
        `₦3,000 arrived by bank transfer from CHIDI EZE, but it was ${words}. The money is safe with us: our team will check it and credit or return it, and tell you here.`,
      );
      expect(notificationText("wallet.transfer_held", { notice }, "pcm"), reason).toMatch(
        /^₦3,000 land by bank transfer from CHIDI EZE side, but .+\. Your money dey safe with us/,
      );
    }
    expect(
      notificationText(
        "wallet.transfer_held",
        { notice: { paidKobo: 300_000, reason: "wrong_amount" } },
        "pcm",
      ),
    ).toBe(
      "₦3,000 land by bank transfer, but e no be the amount wey this one-time account number dey for. Your money dey safe with us: our team go check am, credit you or return am, and tell you for here.",
    );
    expect(
      notificationText("wallet.transfer_held", { notice: { paidKobo: 300_000, reason: "new_reason" } }, "en"),
    ).toMatch(/but it was not as expected\./);

    const ready = { bank: "Wema Bank", accountNumber: "7812345678", accountName: "TADA VTU - Ada" };
    expect(notificationText("wallet.account_ready", { notice: ready }, "en")).toBe(
      "Your TADA account number is ready. Transfers to it fund your wallet automatically:\nWema Bank\n7812345678\nTADA VTU - Ada",
    );
    expect(notificationText("wallet.account_ready", { notice: ready }, "pcm")?.split("\n")).toEqual([
      "Your TADA account number don ready. Any transfer wey enter am go fund your wallet by itself:",
      "Wema Bank",
      "7812345678",
      "TADA VTU - Ada",
    ]);
    expect(notificationCopy("wallet.account_ready", { notice: ready })).toBe("7812345678");
    expect(notificationCopy("wallet.transfer_received", { notice: ready })).toBeUndefined();

    expect(notificationText("wallet.account_refused", { notice: {} }, "en")).toBe(
      "We could not open your account number: the bank did not accept the BVN you gave. Check it and try again (ask me for your account number), or pay by card.",
    );
    expect(notificationText("wallet.account_refused", { notice: {} }, "pcm")).toMatch(
      /^We no fit open your account number: the bank no accept the BVN wey you give/,
    );
  });

  it("without its values, or of an unknown kind, the stored English text is kept", () => {
    expect(notificationText("order.failed", { orderId: "ord_1" }, "pcm")).toBeUndefined();
    expect(notificationText("order.failed", { notice: { recipient: "080" } }, "pcm")).toBeUndefined();
    expect(notificationText("alert", { notice: { amountKobo: 1 } }, "pcm")).toBeUndefined();
    expect(notificationText("wallet.transfer_received", { notice: { paidKobo: 1 } }, "pcm")).toBeUndefined();
    expect(notificationText("wallet.account_ready", { notice: { bank: "Wema" } }, "pcm")).toBeUndefined();
  });
});

describe("renewal reminders and nudges (DECISIONS §66)", () => {
  const notice = {
    provider: "dstv",
    smartcard: "3031234567",
    bouquet: "Compact",
    amountKobo: 1_900_000,
    dueDate: "2026-12-10",
    daysLeft: 3,
  };

  it("the English text is the service's own; Pidgin from the same values", () => {
    expect(notificationText("cable.renewal_due", { notice }, "en")).toBe(cableReminderText(notice));
    expect(notificationText("cable.renewal_due", { notice: { ...notice, daysLeft: 1 } }, "pcm")).toMatch(
      /^Your DStv Compact for card 3031234567 go finish tumoro \(.*10 Dec 2026\)\. Renewal na ₦19,000\./,
    );
    expect(
      notificationText(
        "nudge.electricity",
        { notice: { meter: "45123456789", amountKobo: 200_000, disco: "Ikeja Electric", days: 14 } },
        "pcm",
      ),
    ).toBe(
      "Na 14 days since you buy light last: ₦2,000 for meter 45123456789 (Ikeja Electric). You wan buy again?",
    );
    expect(
      notificationText(
        "nudge.data",
        { notice: { plan: "MTN 1GB", phone: "08031234567", endsOn: "2026-12-10" } },
        "pcm",
      ),
    ).toMatch(/^Your MTN 1GB for 08031234567 go finish on .*10 Dec 2026\. You wan buy am again\?$/);
  });

  it("choices come from the payload, labelled in the person's language; none without them", () => {
    const payload = {
      choices: [
        { id: "rmd:renew:7", key: "renewNow", label: "Renew now" },
        { id: "rmd:stop:7", key: "stopReminders", label: "Stop reminders" },
        { id: "x", label: "As stored" },
        { label: "no id" },
      ],
    };
    expect(notificationChoices(payload, "pcm")).toEqual([
      { id: "rmd:renew:7", label: "Renew am now" },
      { id: "rmd:stop:7", label: "Stop the reminders" },
      { id: "x", label: "As stored" },
    ]);
    expect(notificationChoices({}, "en")).toBeUndefined();
  });
});

describe("a schedule's runs that were not bought (DECISIONS §65)", () => {
  const what = "MTN airtime ₦500 for 0803•••4567";
  const notices: [string, ScheduleNotice][] = [
    ["schedule.waiting_funds", { kind: "waiting_funds", what, requiredKobo: 48_985, hours: 12 }],
    ["schedule.skipped", { kind: "skipped", what, dueOn: "2026-12-11", nextDueOn: "2026-12-18" }],
    ["schedule.skipped", { kind: "skipped", what, dueOn: "2026-12-11", nextDueOn: null }],
    [
      "schedule.paused",
      { kind: "paused_price", what, priceKobo: 52_000, capKobo: 48_985, dueOn: "2026-12-11" },
    ],
    [
      "schedule.paused",
      { kind: "paused_monthly", what, capKobo: 200_000, spentKobo: 195_940, dueOn: "2026-12-31" },
    ],
    ["schedule.paused", { kind: "paused_skips", what, dueOn: "2026-12-11", skips: 3 }],
    [
      "schedule.missed",
      { kind: "missed", what, dueOns: ["2026-12-16", "2026-12-17"], nextDueOn: "2026-12-18" },
    ],
    ["schedule.missed", { kind: "missed", what, dueOns: ["2026-12-16"], nextDueOn: null }],
    ["schedule.missed", { kind: "missed", what, dueOns: ["2026-12-16"] }],
    [
      "schedule.run_failed",
      {
        kind: "run_failed",
        what,
        dueOn: "2026-12-11",
        code: "PRODUCT_UNAVAILABLE",
        message: "This plan is no longer sold.",
      },
    ],
  ];
  it.each(notices)(
    "%s: the English is the service's own, Pidgin differs and keeps the figures",
    (kind, notice) => {
      const en = notificationText(kind, { notice }, "en");
      expect(en).toBe(scheduleNoticeText(notice));
      const pcm = notificationText(kind, { notice }, "pcm");
      expect(pcm).toBeDefined();
      expect(pcm).not.toBe(en);
      for (const figure of en?.match(/₦[\d,.]+|\b\d{4}\b/g) ?? []) {
        expect(pcm).toContain(figure);
      }
    },
  );
});
