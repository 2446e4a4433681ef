import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInToAdminPanel, skipBrowserSuites } from "../../test/helpers/browser";
import { type AdminPanel, PANEL_PASSWORD, startAdminPanel } from "../../test/helpers/browser-admin-panel";
import type { TestDatabase } from "../../test/helpers/db";
import { createTestUser } from "../../test/helpers/fixtures";
import { expectLedgerConsistent } from "../../test/helpers/ledger";

/**
 * The admin panel's loyalty points in a real headless Chromium: a super admin gives a customer
 * bonus points from the customer's page, sees them in the customer's statement and the liability on
 * the Points page; a support admin sees the rules but no rules form and no bonus form.
 */
const PASSWORD = PANEL_PASSWORD;

describe.skipIf(skipBrowserSuites)("admin Points page in Chromium", () => {
  let panel: AdminPanel | undefined;
  let tdb: TestDatabase;
  let browser: Browser | undefined;
  let origin: string;

  beforeAll(async () => {
    panel = await startAdminPanel({
      admins: [
        ["sola@tada.test", "Sola Support", "support"],
        ["ngozi@tada.test", "Ngozi Owner", "super_admin"],
      ],
      config: { POINT_VALUE_KOBO: "50" },
    });
    ({ tdb, browser, origin } = panel);
  }, 60_000);

  afterAll(async () => {
    await panel?.close();
  });

  it("a super admin gives a bonus on the customer's page; the statement and the liability show it", async () => {
    if (!browser) {
      throw new Error("the browser did not start");
    }
    const customer = await createTestUser(tdb.db);
    await tdb.db
      .updateTable("users")
      .set({ display_name: "Tolu Points" })
      .where("id", "=", customer.id)
      .execute();
    const { context, page, errors } = await (panel as AdminPanel).newPage();
    try {
      await signInToAdminPanel(page, origin, { email: "ngozi@tada.test", password: PASSWORD });
      await page.goto(`${origin}/admin/users/${customer.id}`);
      expect(await page.getByTestId("points-balance").textContent()).toBe("0");
      await page.getByText("Give bonus points").click();
      await page.getByLabel("Bonus points").fill("300");
      await page.getByLabel("Reason for the bonus (the customer sees it)").fill("Loyal since launch");
      await Promise.all([
        page.waitForURL((url) => url.searchParams.get("done") === "bonus_points"),
        page.getByRole("button", { name: "Give the bonus points" }).click(),
      ]);
      expect(await page.getByTestId("points-balance").textContent()).toBe("300");
      expect(await page.getByTestId("points-value").textContent()).toBe("₦150");
      expect(await page.getByTestId("point-lines").textContent()).toContain("Bonus: Loyal since launch");

      await Promise.all([
        page.waitForURL((url) => url.pathname === `/admin/users/${customer.id}/points`),
        page.getByRole("link", { name: "Full points statement" }).click(),
      ]);
      const line = page.locator('[data-testid="point-lines"] tr[data-kind="bonus"]');
      expect(await line.count()).toBe(1);
      expect(await line.textContent()).toContain("Bonus: Loyal since launch");
      expect(await line.textContent()).toContain("+300");

      await Promise.all([
        page.waitForURL((url) => url.pathname === "/admin/points"),
        page.getByRole("link", { name: "Points", exact: true }).click(),
      ]);
      expect(await page.getByTestId("outstanding").textContent()).toBe("300");
      expect(await page.getByTestId("holders").textContent()).toBe("1");
      expect(await page.getByTestId("liability").textContent()).toBe("₦150");
      expect(await page.locator("tr[data-day] [data-testid=day-liability]").first().textContent()).toBe(
        "₦150",
      );
      expect(await page.locator(`tr[data-holder="${customer.id}"]`).textContent()).toContain("Tolu Points");
      expect(await page.getByText("Change the rules").count()).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
    const audit = await tdb.db
      .selectFrom("audit_log")
      .select(["action", "target_id", "reason"])
      .where("action", "=", "points.bonus")
      .execute();
    expect(audit).toEqual([{ action: "points.bonus", target_id: customer.id, reason: "Loyal since launch" }]);
    await expectLedgerConsistent(tdb.db);
  });

  it("a super admin changes the point's worth in naira (audited); support sees the rules and no forms", async () => {
    if (!browser) {
      throw new Error("the browser did not start");
    }
    const { context, page } = await (panel as AdminPanel).newPage();
    try {
      await signInToAdminPanel(page, origin, { email: "ngozi@tada.test", password: PASSWORD });
      await page.goto(`${origin}/admin/points`);
      await page.getByText("Change the rules").click();
      await page.getByLabel("What a point is worth (₦)").fill("1");
      await page.getByLabel("Reason (goes into the audit log)").fill("December promo");
      await Promise.all([
        page.waitForURL((url) => url.searchParams.get("done") === "rules"),
        page.getByRole("button", { name: "Save the points rules" }).click(),
      ]);
      expect(await page.getByTestId("points-rules").textContent()).toContain("A point is worth ₦1");
      const audit = await tdb.db
        .selectFrom("audit_log")
        .select(["reason", "after"])
        .where("action", "=", "settings.points")
        .execute();
      expect(audit).toEqual([
        { reason: "December promo", after: expect.objectContaining({ pointValueKobo: 100 }) },
      ]);

      await page.context().clearCookies();
      await signInToAdminPanel(page, origin, { email: "sola@tada.test", password: PASSWORD });
      await Promise.all([
        page.waitForURL((url) => url.pathname === "/admin/points"),
        page.getByRole("link", { name: "Points", exact: true }).click(),
      ]);
      expect(await page.getByTestId("points-rules").textContent()).toContain("A point is worth ₦1");
      expect(await page.getByText("Change the rules").count()).toBe(0);
      expect(await page.getByTestId("bonus-form").count()).toBe(0);
      // The liability keeps what the points were booked at; today's rate values them anew.
      expect(await page.getByTestId("liability").textContent()).toBe("₦150");
      expect(await page.getByTestId("value-now").textContent()).toContain("₦300");
    } finally {
      await context.close();
    }
  });
});
