import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceContext } from "../../api/services/context";
import { sweepReferralRewards } from "../../api/services/rewards";
import { signInToAdminPanel, skipBrowserSuites } from "../../test/helpers/browser";
import { type AdminPanel, PANEL_PASSWORD, startAdminPanel } from "../../test/helpers/browser-admin-panel";
import type { TestDatabase } from "../../test/helpers/db";
import { createTestUser } from "../../test/helpers/fixtures";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import {
  createBuyer,
  makeVtu,
  placeOrder,
  sandboxPhone,
  sandboxRegistry,
  TEST_PIN,
} from "../../test/helpers/vtu";

/**
 * The admin panel's Referrals page (issue 18 §1) in a real headless Chromium: a support admin opens
 * it from the navigation bar and sees the referrer with one referee and one reward paid, and the
 * referee's customer page links back to who referred them.
 */
const PASSWORD = PANEL_PASSWORD;

describe.skipIf(skipBrowserSuites)("admin Referrals page in Chromium", () => {
  let panel: AdminPanel | undefined;
  let tdb: TestDatabase;
  let ctx: ServiceContext;
  let browser: Browser | undefined;
  let origin: string;

  beforeAll(async () => {
    panel = await startAdminPanel({
      admins: [
        ["sola@tada.test", "Sola Support", "support"],
        ["ngozi@tada.test", "Ngozi Owner", "super_admin"],
      ],
      config: { REFERRAL_MIN_PURCHASE_KOBO: "10000" },
    });
    ({ tdb, ctx, browser, origin } = panel);
  }, 60_000);

  afterAll(async () => {
    await panel?.close();
  });

  it("lists the referrer with one referee and one reward; the referee's page links to the referrer", async () => {
    if (!browser) {
      throw new Error("the browser did not start");
    }
    const referrer = await createTestUser(tdb.db);
    await tdb.db
      .updateTable("users")
      .set({ display_name: "Amaka Referrer" })
      .where("id", "=", referrer.id)
      .execute();
    const referee = await createBuyer(ctx, 500_000);
    await tdb.db
      .updateTable("users")
      .set({ referred_by: referrer.id, referred_at: new Date() })
      .where("id", "=", referee.id)
      .execute();
    const harness = makeVtu(ctx, sandboxRegistry(ctx));
    await placeOrder(ctx, harness.vtu, referee.id, {
      service: "airtime",
      input: { network: "mtn", phone: sandboxPhone(), amountKobo: 50_000, pin: TEST_PIN },
    });
    await harness.drain();
    expect((await sweepReferralRewards({ ctx })).paid).toBe(1);

    const { context, page, errors } = await (panel as AdminPanel).newPage();
    try {
      await signInToAdminPanel(page, origin, { email: "sola@tada.test", password: PASSWORD });
      await Promise.all([
        page.waitForURL((url) => url.pathname === "/admin/referrals"),
        page.getByRole("link", { name: "Referrals", exact: true }).click(),
      ]);
      const rows = page.locator("tr[data-referrer]");
      expect(await rows.count()).toBe(1);
      const row = page.locator(`tr[data-referrer="${referrer.id}"]`);
      expect(await row.getByRole("link", { name: "Amaka Referrer" }).getAttribute("href")).toBe(
        `/admin/users/${referrer.id}`,
      );
      expect(await row.textContent()).toContain(referrer.referral_code);
      expect(await row.getByTestId("referees").textContent()).toBe("1");
      expect(await row.getByTestId("paid").textContent()).toBe("1");
      expect(await row.getByTestId("clawed-back").textContent()).toBe("0");
      expect(await row.getByTestId("earned").textContent()).toBe("₦100");

      // The referee's customer page: their own code, and a link to who referred them.
      await page.goto(`${origin}/admin/users/${referee.id}`);
      expect(await page.getByTestId("referral-code").textContent()).toBe(referee.referral_code);
      const by = page.getByTestId("referred-by").getByRole("link", { name: "Amaka Referrer" });
      expect(await by.getAttribute("href")).toBe(`/admin/users/${referrer.id}`);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
    await expectLedgerConsistent(tdb.db);
  });

  it("a super admin changes the rules in the panel (audited); support sees them and no form", async () => {
    if (!browser) {
      throw new Error("the browser did not start");
    }
    const { context, page } = await (panel as AdminPanel).newPage();
    try {
      const signIn = async (email: string) => {
        await signInToAdminPanel(page, origin, { email, password: PASSWORD });
        await page.goto(`${origin}/admin/referrals`);
      };
      await signIn("ngozi@tada.test");
      await page.getByText("Change the rules").click();
      await page.getByLabel("Referrer's reward (₦)").fill("abc");
      await page.getByLabel("Reason (goes into the audit log)").fill("December promo");
      await page.getByRole("button", { name: "Save the rules" }).click();
      expect(await page.getByRole("alert").textContent()).toContain(
        "Referrer's reward: type an amount in naira",
      );
      await page.getByText("Change the rules").click();
      await page.getByLabel("Referrer's reward (₦)").fill("200");
      await page.getByLabel("Welcome bonus for the referee (₦, 0 for none)").fill("0");
      await page.getByLabel("Reason (goes into the audit log)").fill("December promo");
      await Promise.all([
        page.waitForURL((url) => url.searchParams.get("saved") === "1"),
        page.getByRole("button", { name: "Save the rules" }).click(),
      ]);
      expect(await page.getByRole("status").textContent()).toContain("Saved");
      expect(await page.locator("h1 + p").textContent()).toContain(
        "pays the referrer ₦200 and the referee ₦0",
      );
      const audit = await tdb.db
        .selectFrom("audit_log")
        .select(["action", "reason", "after"])
        .where("action", "=", "settings.referrals")
        .execute();
      expect(audit).toEqual([
        {
          action: "settings.referrals",
          reason: "December promo",
          after: { rewardKobo: 20_000, welcomeKobo: 0, minPurchaseKobo: 10_000, monthlyCap: 20 },
        },
      ]);
      await page.context().clearCookies();
      await signIn("sola@tada.test");
      expect(await page.locator("h1 + p").textContent()).toContain("₦200");
      expect(await page.getByText("Change the rules").count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
