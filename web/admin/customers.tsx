import { randomBytes } from "node:crypto";
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  adminCsrfToken,
  adminUserDetail,
  applyUserAction,
  hasRole,
  requestBalanceAdjustment,
  searchUsers,
} from "../../api/services/admins";
import { ServiceError, ValidationError } from "../../api/services/errors";
import { nairaToKobo } from "../../api/services/money";
import { adminSetCardReminders } from "../../api/services/renewals";
import { setCustomerTier } from "../../api/services/rewards";
import { httpStatusOf } from "../../api/transport/http-status";
import { AdminUserPage, AdminUsersPage } from "../pages/admin-users";
import type { AdminContext, AdminDeps, AdminEnv, AdminKit, AdminSession } from "./kit";

const MISSING = "There is no customer with that id: it was not found.";
/** A missing customer (the services' codes for it), as opposed to another refusal. */
const isMissingCustomer = (error: unknown) =>
  error instanceof ServiceError && (error.code === "NOT_FOUND" || error.code === "USER_NOT_FOUND");

/**
 * Customers: GET /admin/users (search), GET /admin/users/:id (one customer, read by every role), and
 * an admin's changes to the account — POST …/actions (suspend, reactivate, clear the PIN lock, set
 * the verification level), …/tier, …/adjust (a balance adjustment; large ones wait for a second
 * admin), …/cable-cards/:cardId/reminders (a card's renewal reminders off or on). Each needs a
 * reason, which the service writes to the audit log with the change.
 */
export function customersSection(_deps: AdminDeps, kit: AdminKit) {
  const app = new Hono<AdminEnv>();

  app.get("/users", async (c) => {
    const session = await kit.signedIn(c);
    if (session instanceof Response) {
      return session;
    }
    const query = (c.req.query("q") ?? "").slice(0, 100);
    return kit.page(
      c,
      <AdminUsersPage
        sandbox={kit.sandbox}
        role={session.admin.role}
        query={query}
        users={await searchUsers(c.var.ctx, query)}
      />,
    );
  });

  const userPage = async (
    c: AdminContext,
    session: AdminSession,
    userId: string,
    status: ContentfulStatusCode = 200,
    message?: { notice?: string; error?: string },
  ) => {
    try {
      const detail = await adminUserDetail(c.var.ctx, userId);
      const csrf = adminCsrfToken(c.var.ctx, session.token);
      return await kit.page(
        c,
        <AdminUserPage
          role={session.admin.role}
          sandbox={kit.sandbox}
          detail={detail}
          actions={hasRole(session.admin, "admin") ? { csrf, ...message } : undefined}
          receiptCsrf={csrf}
        />,
        status,
      );
    } catch (error) {
      if (isMissingCustomer(error)) {
        return kit.notFound(c, MISSING);
      }
      throw error;
    }
  };

  app.get("/users/:id", async (c) => {
    const session = await kit.signedIn(c);
    if (session instanceof Response) {
      return session;
    }
    const done = c.req.query("done") ?? "";
    return userPage(
      c,
      session,
      c.req.param("id"),
      200,
      done === "nothing_changed"
        ? { notice: "Nothing changed: the account already was that way." }
        : /^[a-z_]{1,40}$/.test(done)
          ? { notice: `Done: ${done.replace(/_/g, " ")}.` }
          : undefined,
    );
  });

  /** An admin's POST on a customer: checks, then `run`; a refusal re-renders the customer's page. */
  const post = (
    path: string,
    run: (c: AdminContext, session: AdminSession, form: Record<string, string | File>) => Promise<string>,
  ) => {
    app.post(path, async (c) => {
      const checked = await kit.signedInPost(c, "admin");
      if ("response" in checked) {
        return checked.response;
      }
      const { session, form } = checked;
      const userId = c.req.param("id") ?? "";
      try {
        const done = await run(c, session, form);
        return c.redirect(`/admin/users/${encodeURIComponent(userId)}?done=${done}`, 303);
      } catch (error) {
        if (isMissingCustomer(error)) {
          return kit.notFound(c, MISSING);
        }
        if (error instanceof ServiceError) {
          return userPage(c, session, userId, httpStatusOf(error), { error: error.message });
        }
        throw error;
      }
    });
  };

  post("/users/:id/actions", async (c, session, form) => {
    const { action, changed } = await applyUserAction({
      ctx: c.var.ctx,
      admin: session.admin,
      userId: c.req.param("id") ?? "",
      // Only the fields the chosen action takes: the schema is strict.
      input: (form.action === "set_level"
        ? { action: form.action, reason: form.reason, level: form.level }
        : { action: form.action, reason: form.reason }) as never,
    });
    return changed ? action : "nothing_changed";
  });

  // A customer's tier (issue 18 §3): a tier code or "automatic", with a reason (audited).
  post("/users/:id/tier", async (c, session, form) => {
    const tier = kit.field(form, "tier");
    await setCustomerTier({
      ctx: c.var.ctx,
      admin: session.admin,
      userId: c.req.param("id") ?? "",
      input: { tier: tier === "automatic" ? null : tier, reason: String(form.reason ?? "") },
    });
    return "tier_set";
  });

  // One card's renewal reminders off or on (DECISIONS §79), with a reason (audited).
  post("/users/:id/cable-cards/:cardId/reminders", async (c, session, form) => {
    const on = kit.field(form, "on");
    if (on !== "true" && on !== "false") {
      throw new ValidationError("on: say whether to turn the reminders on or off.", { field: "on" });
    }
    await adminSetCardReminders({
      ctx: c.var.ctx,
      admin: session.admin,
      userId: c.req.param("id") ?? "",
      // A card id that is not a whole number is the service's CARD_NOT_FOUND, as for the API.
      cardId: Number(c.req.param("cardId")),
      input: { on: on === "true", reason: kit.field(form, "reason") },
    });
    return on === "true" ? "reminders_on" : "reminders_off";
  });

  post("/users/:id/adjust", async (c, session, form) => {
    // The exact naira → kobo rule every money path uses (no float rounding, junk refused).
    const kobo = nairaToKobo(String(form.amount ?? "").replace(/[₦\s]/g, ""));
    const result = await requestBalanceAdjustment({
      ctx: c.var.ctx,
      admin: session.admin,
      userId: c.req.param("id") ?? "",
      amountKobo: form.direction === "debit" ? -kobo : kobo,
      reason: String(form.reason ?? ""),
      // The form's own nonce: submitting the same form twice books once.
      idempotencyKey: `panel:${session.admin.id}:${/^[0-9a-f]{24}$/.test(String(form.nonce)) ? form.nonce : randomBytes(12).toString("hex")}`,
    });
    return result.executed ? "adjusted" : "sent_for_approval";
  });

  return app;
}
