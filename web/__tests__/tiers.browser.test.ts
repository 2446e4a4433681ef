import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getCustomerTier } from "../../api/services/rewards";
import { signInToAdminPanel, skipBrowserSuites } from "../../test/helpers/browser";
import { type AdminPanel, PANEL_PASSWORD, startAdminPanel } from "../../test/helpers/browser-admin-panel";
import type { TestDatabase } from "../../test/helpers/db";
import { createTestUser } from "../../test/helpers/fixtures";

/**
 * The admin panel's Tiers page (issue 18 §3) in a real headless Chromium: a super admin changes a
 * tier's volume and margin (naira and percent in, audited); an admin sets a customer's tier on their
 * page with a reason and the tier counts follow; support sees the tiers and no form.
 */
const PASSWORD = PANEL_PASSWORD;

describe.skipIf(skipBrowserSuites)("admin Tiers page in Chromium", () => {
  let panel: AdminPanel | undefined;
  let tdb: TestDatabase;
  let origin: string;

  beforeAll(async () => {
    panel = await startAdminPanel({
      admins: [
        ["sola@tada.test", "Sola Support", "support"],
        ["ada@tada.test", "Ada Admin", "admin"],
        ["ngozi@tada.test", "Ngozi Owner", "super_admin"],
      ],
    });
    ({ tdb, origin } = panel);
  }, 60_000);

  afterAll(async () => {
    await panel?.close();
  });

  async function newPage() {
    if (!panel) {
      throw new Error("the browser did not start");
    }
    return panel.newPage();
  }

  it("a super admin changes the Reseller tier in naira and percent (audited)", async () => {
    const { context, page, errors } = await newPage();
    try {
      await signInToAdminPanel(page, origin, { email: "ngozi@tada.test", password: PASSWORD });
      await Promise.all([
        page.waitForURL((url) => url.pathname === "/admin/tiers"),
        page.getByRole("link", { name: "Tiers", exact: true }).click(),
      ]);
      expect(await page.locator("tr[data-tier]").count()).toBe(3);
      const reseller = page.locator('tr[data-tier="reseller"]');
      expect(await reseller.getByTestId("min-volume").textContent()).toBe("₦300,000");
      expect(await reseller.getByTestId("margins").textContent()).toContain("data 1.5%");

      // A mistake is refused in words, and nothing changes.
      await page.locator('input[name="reseller.minVolume"]').fill("abc");
      await page.getByLabel("Reason (goes into the audit log)").fill("reseller push");
      await page.getByRole("button", { name: "Save the tiers" }).click();
      expect(await page.getByRole("alert").textContent()).toContain("Reseller: type the volume in naira");

      await page.locator('input[name="reseller.minVolume"]').fill("200000");
      await page.locator('select[name="reseller.data.type"]').selectOption("percent");
      await page.locator('input[name="reseller.data.value"]').fill("1");
      await page.locator('select[name="reseller.cable.type"]').selectOption("service");
      await page.getByLabel("Reason (goes into the audit log)").fill("reseller push");
      await Promise.all([
        page.waitForURL((url) => url.searchParams.get("saved") === "1"),
        page.getByRole("button", { name: "Save the tiers" }).click(),
      ]);
      expect(await page.getByRole("status").textContent()).toContain("Saved");
      expect(await reseller.getByTestId("min-volume").textContent()).toBe("₦200,000");
      const margins = await reseller.getByTestId("margins").textContent();
      expect(margins).toContain("data 1%");
      expect(margins).not.toContain("cable");
      const audit = await tdb.db
        .selectFrom("audit_log")
        .select(["actor_id", "reason"])
        .where("action", "=", "settings.tiers")
        .execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]?.reason).toBe("reseller push");

      // Saving the form again as it stands changes nothing: it says so, and writes no audit row.
      await page.getByLabel("Reason (goes into the audit log)").fill("reseller push again");
      await Promise.all([
        page.waitForURL((url) => url.searchParams.get("saved") === "0"),
        page.getByRole("button", { name: "Save the tiers" }).click(),
      ]);
      expect(await page.getByRole("status").textContent()).toContain("Nothing to save");
      expect(
        await tdb.db.selectFrom("audit_log").select("id").where("action", "=", "settings.tiers").execute(),
      ).toHaveLength(1);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("an admin sets a customer's tier on their page (with a reason); the counts follow; support only looks", async () => {
    const customer = await createTestUser(tdb.db);
    const { context, page, errors } = await newPage();
    try {
      await signInToAdminPanel(page, origin, { email: "ada@tada.test", password: PASSWORD });
      await page.goto(`${origin}/admin/users/${customer.id}`);
      expect(await page.getByTestId("tier").textContent()).toBe("Regular (automatic)");
      expect(await page.getByTestId("tier-volume").textContent()).toContain("₦0");
      const form = page.getByTestId("tier-form");
      await form.locator('select[name="tier"]').selectOption("reseller");
      await form.locator('input[name="reason"]').fill("signed the reseller agreement");
      await Promise.all([
        page.waitForURL((url) => url.searchParams.get("done") === "tier_set"),
        form.getByRole("button", { name: "Set the tier" }).click(),
      ]);
      expect(await page.getByTestId("tier").textContent()).toContain("Reseller (set by");
      expect(await getCustomerTier(tdb.db, customer.id)).toMatchObject({ code: "reseller" });

      await page.goto(`${origin}/admin/tiers`);
      const reseller = page.locator('tr[data-tier="reseller"]');
      expect(await reseller.getByTestId("customers").textContent()).toBe("1");
      expect(await reseller.getByTestId("set-by-admin").textContent()).toBe("1");
      // An admin (not super) sees no rules form.
      expect(await page.getByText("Change the tiers").count()).toBe(0);

      await page.context().clearCookies();
      await signInToAdminPanel(page, origin, { email: "sola@tada.test", password: PASSWORD });
      await page.goto(`${origin}/admin/tiers`);
      expect(await page.locator("tr[data-tier]").count()).toBe(3);
      expect(await page.getByText("Change the tiers").count()).toBe(0);
      await page.goto(`${origin}/admin/users/${customer.id}`);
      expect(await page.getByTestId("tier-form").count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
