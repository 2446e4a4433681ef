import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rememberVerifiedCard, sendCableReminders, stopCardReminders } from "../../api/services/renewals";
import { addDays, lagosDate } from "../../api/services/vtu/due-date";
import { axeViolations, describeViolations } from "../../test/helpers/axe";
import { signInToAdminPanel, skipBrowserSuites } from "../../test/helpers/browser";
import { type AdminPanel, PANEL_PASSWORD, startAdminPanel } from "../../test/helpers/browser-admin-panel";
import { createTestUser } from "../../test/helpers/fixtures";

/**
 * Cable cards and reminders in the admin panel (issue 19, DECISIONS §70) in a real headless
 * Chromium: support opens Reminders from the navigation (sent today, upcoming, opt-outs, the cards
 * due soon) and follows a customer to their page, which lists their cards with due date, renewal
 * amount, reminders on or off and the last reminder sent. An admin turns a card's reminders off
 * there with a reason (DECISIONS §79); support sees no such form.
 */
describe.skipIf(skipBrowserSuites)("admin cable cards and reminders in Chromium", () => {
  let panel: AdminPanel | undefined;

  beforeAll(async () => {
    panel = await startAdminPanel({
      admins: [
        ["sola@tada.test", "Sola Support", "support"],
        ["ayo@tada.test", "Ayo Admin", "admin"],
      ],
      config: { CABLE_REMINDER_DAYS: "3,1" },
    });
  }, 60_000);

  afterAll(async () => {
    await panel?.close();
  });

  it("support sees the counts, the cards due soon and a customer's cards; an admin turns a card's reminders off", async () => {
    if (!panel) {
      throw new Error("the browser did not start");
    }
    const { ctx, tdb, origin } = panel;
    const ada = await createTestUser(tdb.db);
    await tdb.db.updateTable("users").set({ display_name: "Ada Obi" }).where("id", "=", ada.id).execute();
    const today = lagosDate(ctx.now());
    const card = (smartcard: string, days: number) =>
      rememberVerifiedCard(ctx, {
        userId: ada.id,
        provider: "dstv",
        smartcard,
        customerName: "ADA OBI",
        bouquet: "Compact",
        renewalAmountKobo: 1_900_000,
        dueDate: addDays(today, days),
      });
    await card("7012341111", 3);
    await card("7012342222", 2);
    await card("7012343333", 25);
    const off = await tdb.db
      .selectFrom("cable_cards")
      .select("id")
      .where("smartcard", "=", "7012342222")
      .executeTakeFirstOrThrow();
    await stopCardReminders(ctx, { userId: ada.id, cardId: Number(off.id) });
    expect(await sendCableReminders({ ctx })).toEqual({ sent: 1 });

    const { context, page, errors } = await panel.newPage();
    try {
      await signInToAdminPanel(page, origin, { email: "sola@tada.test", password: PANEL_PASSWORD });
      await Promise.all([
        page.waitForURL((url) => url.pathname === "/admin/reminders"),
        page.getByRole("link", { name: "Reminders", exact: true }).click(),
      ]);
      expect(await page.getByTestId("sent-today").textContent()).toBe("1");
      expect(await page.getByTestId("upcoming").textContent()).toBe("1");
      expect(await page.getByTestId("cards-off").textContent()).toBe("1");
      // The two cards in the 3-day window, soonest first; the one due in 25 days is not among them.
      const due = page.locator("tr[data-card]");
      expect(await due.count()).toBe(2);
      expect(await due.nth(0).textContent()).toContain("7012342222");
      expect(await due.nth(0).getByTestId("reminders").textContent()).toBe("off");
      expect(await due.nth(1).getByTestId("last-reminder").textContent()).toMatch(/\(3 days before\)$/);

      await Promise.all([
        page.waitForURL((url) => url.pathname === `/admin/users/${ada.id}`),
        due.nth(0).getByRole("link", { name: "Ada Obi" }).click(),
      ]);
      expect(await page.getByRole("heading", { name: "Cable cards" }).count()).toBe(1);
      const cards = page.locator("tr[data-card]");
      expect(await cards.count()).toBe(3);
      const soon = cards.filter({ hasText: "7012341111" });
      expect(await soon.getByTestId("due").textContent()).toBe(`${addDays(today, 3)} (biller)`);
      expect(await soon.textContent()).toContain("₦19,000");
      expect(await soon.getByTestId("reminders").textContent()).toBe("on");
      expect(await soon.getByTestId("last-reminder").textContent()).toMatch(/\(3 days before\)$/);
      const later = cards.filter({ hasText: "7012343333" });
      expect(await later.getByTestId("last-reminder").textContent()).toBe("none");
      // Support looks, does not change: no reminders form, on this page or on Reminders.
      expect(await page.getByTestId("card-reminders-form").count()).toBe(0);
      expect(await page.getByRole("button", { name: /Turn reminders/ }).count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }

    // An admin turns the reminders of the card due in 3 days off, with a reason.
    const admin = await panel.newPage();
    try {
      const { page } = admin;
      await signInToAdminPanel(page, origin, { email: "ayo@tada.test", password: PANEL_PASSWORD });
      await page.goto(`${origin}/admin/users/${ada.id}`);
      const soon = page.locator("tr[data-card]").filter({ hasText: "7012341111" });
      expect(await soon.getByTestId("reminders").textContent()).toBe("on");
      expect(await page.getByRole("button", { name: "Turn reminders on" }).count()).toBe(1);
      const violations = await axeViolations(page);
      expect(violations, describeViolations(violations)).toEqual([]);
      await page.getByLabel("Reason for turning reminders off for card 7012341111").fill("asked by phone");
      await Promise.all([
        page.waitForURL((url) => url.searchParams.get("done") === "reminders_off"),
        soon.getByRole("button", { name: "Turn reminders off" }).click(),
      ]);
      expect(await page.getByRole("status").textContent()).toBe("Done: reminders off.");
      const after = page.locator("tr[data-card]").filter({ hasText: "7012341111" });
      expect(await after.getByTestId("reminders").textContent()).toBe("off");
      expect(await after.getByRole("button").textContent()).toBe("Turn reminders on");
      expect(await page.getByRole("button", { name: "Turn reminders on" }).count()).toBe(2);
      const audit = await tdb.db
        .selectFrom("audit_log")
        .select(["action", "reason", "target_id"])
        .where("action", "like", "cable_card.%")
        .execute();
      expect(audit).toEqual([
        { action: "cable_card.reminders_off", reason: "asked by phone", target_id: ada.id },
      ]);

      // The Reminders page's table stays read-only, for an admin too.
      await page.goto(`${origin}/admin/reminders`);
      expect(await page.locator("tr[data-card]").count()).toBe(2);
      expect(await page.getByTestId("card-reminders-form").count()).toBe(0);
      expect(admin.errors).toEqual([]);
    } finally {
      await admin.context.close();
    }
  });
});
