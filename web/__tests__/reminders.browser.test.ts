import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rememberVerifiedCard, sendCableReminders, stopCardReminders } from "../../api/services/renewals";
import { addDays, lagosDate } from "../../api/services/vtu/due-date";
import { signInToAdminPanel, skipBrowserSuites } from "../../test/helpers/browser";
import { type AdminPanel, PANEL_PASSWORD, startAdminPanel } from "../../test/helpers/browser-admin-panel";
import { createTestUser } from "../../test/helpers/fixtures";

/**
 * Cable cards and reminders in the admin panel (issue 19, DECISIONS §70) in a real headless
 * Chromium: support opens Reminders from the navigation (sent today, upcoming, opt-outs, the cards
 * due soon) and follows a customer to their page, which lists their cards with due date, renewal
 * amount, reminders on or off and the last reminder sent.
 */
describe.skipIf(skipBrowserSuites)("admin cable cards and reminders in Chromium", () => {
  let panel: AdminPanel | undefined;

  beforeAll(async () => {
    panel = await startAdminPanel({
      admins: [["sola@tada.test", "Sola Support", "support"]],
      config: { CABLE_REMINDER_DAYS: "3,1" },
    });
  }, 60_000);

  afterAll(async () => {
    await panel?.close();
  });

  it("support sees the counts, the cards due soon and a customer's cards", async () => {
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
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
