import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  adminPlanDetail,
  checkProviderFloats,
  listPlansForAdmin,
  listPricingRules,
  listProvidersForAdmin,
  moveProvider,
  type PlanFilters,
  parseMargin,
  parseThreshold,
  parseVerifySchedule,
  runCatalogueSync,
  setLowFloatThreshold,
  setPlanEnabled,
  setPlanMargin,
  setProviderEnabled,
  setProviderPriority,
  setServiceMargin,
  setVerifySchedule,
} from "../../api/services/admins";
import { ServiceError } from "../../api/services/errors";
import { httpStatusOf } from "../../api/transport/http-status";
import { AdminCataloguePage, AdminPlanPage, AdminProvidersPage } from "../pages/admin-catalogue";
import type { AdminContext, AdminDeps, AdminEnv, AdminKit, AdminSession } from "./kit";

type Message = { notice?: string; error?: string };
type Status = ContentfulStatusCode;

/** What each action's redirect says when it worked (a fixed list: nothing from the URL is echoed). */
const DONE: Record<string, string> = {
  service_margin: "Service margin saved.",
  plan_margin: "Plan margin saved.",
  plan_enabled: "Plan put on sale.",
  plan_disabled: "Plan taken off sale.",
  provider_enabled: "Provider enabled.",
  provider_disabled: "Provider disabled.",
  moved: "Failover order changed.",
  priority: "Priority saved.",
  threshold: "Low-float threshold saved.",
  verify: "Post-delivery checks saved; they apply to deliveries from now on.",
  synced: "Catalogue sync finished; see each provider's last sync below.",
  float: "Float checked; see each provider below.",
};

const num = (text: string) => (text === "" ? Number.NaN : Number(text));

/**
 * Catalogue and pricing, plans, providers (super_admin only, S7): margins per service and per plan,
 * plans on and off sale, the failover order, catalogue sync and provider float.
 */
export function catalogueSection(deps: AdminDeps, kit: AdminKit) {
  const app = new Hono<AdminEnv>();
  const { sandbox, csrf, field } = kit;

  const notice = (c: AdminContext): Message => {
    const done = DONE[c.req.query("done") ?? ""];
    return done ? { notice: done } : {};
  };

  const cataloguePage = async (c: AdminContext, session: AdminSession, status: Status, message: Message) => {
    const filters = {
      service: c.req.query("service") ?? "",
      network: c.req.query("network") ?? "",
      enabled: c.req.query("enabled") ?? "",
    };
    const wanted: Record<string, unknown> = {};
    if (filters.service) wanted.service = filters.service;
    if (filters.network) wanted.network = filters.network;
    if (filters.enabled) wanted.enabled = filters.enabled === "true";
    let plans: Awaited<ReturnType<typeof listPlansForAdmin>> = [];
    let error = message.error;
    try {
      plans = await listPlansForAdmin(c.var.ctx, wanted as PlanFilters);
    } catch (e) {
      if (!(e instanceof ServiceError)) throw e;
      error = e.message;
      status = 400;
    }
    return kit.page(
      c,
      <AdminCataloguePage
        sandbox={sandbox}
        role={session.admin.role}
        csrf={csrf(c, session)}
        notice={message.notice}
        error={error}
        rules={await listPricingRules(c.var.ctx)}
        plans={plans}
        filters={filters}
      />,
      status,
    );
  };

  const planPage = async (
    c: AdminContext,
    session: AdminSession,
    id: string,
    status: Status,
    message: Message,
  ) => {
    try {
      const plan = await adminPlanDetail(c.var.ctx, id);
      return kit.page(
        c,
        <AdminPlanPage
          sandbox={sandbox}
          role={session.admin.role}
          csrf={csrf(c, session)}
          plan={plan}
          {...message}
        />,
        status,
      );
    } catch (error) {
      if (error instanceof ServiceError && error.kind === "not_found") {
        return kit.notFound(c, "There is no plan with that id: it was not found.");
      }
      throw error;
    }
  };

  const providersPage = async (c: AdminContext, session: AdminSession, status: Status, message: Message) => {
    return kit.page(
      c,
      <AdminProvidersPage
        sandbox={sandbox}
        role={session.admin.role}
        csrf={csrf(c, session)}
        providers={await listProvidersForAdmin(c.var.ctx, deps.vtu?.providers)}
        vtuConfigured={(deps.vtu?.providers.all().length ?? 0) > 0}
        defaultVerifyOffsets={c.var.ctx.config.VTU_VERIFY_AFTER_DELIVERY}
        {...message}
      />,
      status,
    );
  };

  app.get("/catalogue", async (c) => {
    const s = await kit.signedInAs(c, "super_admin");
    if (s instanceof Response) return s;
    return cataloguePage(c, s, 200, notice(c));
  });

  app.get("/catalogue/plans/:id", async (c) => {
    const s = await kit.signedInAs(c, "super_admin");
    if (s instanceof Response) return s;
    return planPage(c, s, c.req.param("id"), 200, notice(c));
  });

  app.get("/catalogue/providers", async (c) => {
    const s = await kit.signedInAs(c, "super_admin");
    if (s instanceof Response) return s;
    return providersPage(c, s, 200, notice(c));
  });

  /** A POST: checks first, then the action; a ServiceError re-renders `page` with its message. */
  const post = (
    path: string,
    run: (c: AdminContext, session: AdminSession, form: Record<string, string | File>) => Promise<string>,
    page: (c: AdminContext, session: AdminSession, status: Status, message: Message) => Promise<Response>,
  ) => {
    app.post(path, async (c) => {
      const checked = await kit.signedInPost(c, "super_admin");
      if ("response" in checked) return checked.response;
      const { session, form } = checked;
      try {
        return c.redirect(await run(c, session, form), 303);
      } catch (error) {
        if (error instanceof ServiceError) {
          return page(c, session, httpStatusOf(error), { error: error.message });
        }
        throw error;
      }
    });
  };

  const catalogue = (c: AdminContext, s: AdminSession, status: Status, m: Message) =>
    cataloguePage(c, s, status, m);
  const plan = (c: AdminContext, s: AdminSession, status: Status, m: Message) =>
    planPage(c, s, c.req.param("id") ?? "", status, m);
  const providers = (c: AdminContext, s: AdminSession, status: Status, m: Message) =>
    providersPage(c, s, status, m);
  const planUrl = (c: AdminContext, done: string) =>
    `/admin/catalogue/plans/${encodeURIComponent(c.req.param("id") ?? "")}?done=${done}`;

  post(
    "/catalogue/pricing/:service",
    async (c, s, form) => {
      const marginType = field(form, "marginType") as "flat" | "percent";
      await setServiceMargin({
        ctx: c.var.ctx,
        admin: s.admin,
        service: c.req.param("service") ?? "",
        input: {
          marginType,
          marginValue: parseMargin(marginType, field(form, "margin")),
          reason: field(form, "reason"),
        },
      });
      return "/admin/catalogue?done=service_margin";
    },
    catalogue,
  );

  post(
    "/catalogue/plans/:id/margin",
    async (c, s, form) => {
      const marginType = field(form, "marginType");
      await setPlanMargin({
        ctx: c.var.ctx,
        admin: s.admin,
        productId: c.req.param("id") ?? "",
        input:
          marginType === "flat" || marginType === "percent"
            ? {
                marginType,
                marginValue: parseMargin(marginType, field(form, "margin")),
                reason: field(form, "reason"),
              }
            : { marginType: marginType as "service", reason: field(form, "reason") },
      });
      return planUrl(c, "plan_margin");
    },
    plan,
  );

  post(
    "/catalogue/plans/:id/enabled",
    async (c, s, form) => {
      const enabled = field(form, "enabled") === "true";
      await setPlanEnabled({
        ctx: c.var.ctx,
        admin: s.admin,
        productId: c.req.param("id") ?? "",
        input: { enabled, reason: field(form, "reason") },
      });
      return planUrl(c, enabled ? "plan_enabled" : "plan_disabled");
    },
    plan,
  );

  const code = (c: AdminContext) => c.req.param("code") ?? "";

  post(
    "/catalogue/providers/:code/enabled",
    async (c, s, form) => {
      const enabled = field(form, "enabled") === "true";
      await setProviderEnabled({
        ctx: c.var.ctx,
        admin: s.admin,
        code: code(c),
        input: { enabled, reason: field(form, "reason") },
      });
      return `/admin/catalogue/providers?done=${enabled ? "provider_enabled" : "provider_disabled"}`;
    },
    providers,
  );

  post(
    "/catalogue/providers/:code/move",
    async (c, s, form) => {
      await moveProvider({
        ctx: c.var.ctx,
        admin: s.admin,
        code: code(c),
        input: { direction: field(form, "direction") as "up", reason: field(form, "reason") },
      });
      return "/admin/catalogue/providers?done=moved";
    },
    providers,
  );

  post(
    "/catalogue/providers/:code/priority",
    async (c, s, form) => {
      await setProviderPriority({
        ctx: c.var.ctx,
        admin: s.admin,
        code: code(c),
        input: { priority: num(field(form, "priority")), reason: field(form, "reason") },
      });
      return "/admin/catalogue/providers?done=priority";
    },
    providers,
  );

  post(
    "/catalogue/providers/:code/threshold",
    async (c, s, form) => {
      await setLowFloatThreshold({
        ctx: c.var.ctx,
        admin: s.admin,
        code: code(c),
        input: { thresholdKobo: parseThreshold(field(form, "threshold")), reason: field(form, "reason") },
      });
      return "/admin/catalogue/providers?done=threshold";
    },
    providers,
  );

  post(
    "/catalogue/providers/:code/verify",
    async (c, s, form) => {
      await setVerifySchedule({
        ctx: c.var.ctx,
        admin: s.admin,
        code: code(c),
        input: {
          offsetsSeconds: parseVerifySchedule(field(form, "schedule")),
          reason: field(form, "reason"),
        },
      });
      return "/admin/catalogue/providers?done=verify";
    },
    providers,
  );

  post(
    "/catalogue/sync",
    async (c, s) => {
      await runCatalogueSync({ ctx: c.var.ctx, admin: s.admin, providers: deps.vtu?.providers });
      return "/admin/catalogue/providers?done=synced";
    },
    providers,
  );

  post(
    "/catalogue/float",
    async (c, s) => {
      const results = await checkProviderFloats({
        ctx: c.var.ctx,
        admin: s.admin,
        providers: deps.vtu?.providers,
      });
      const failed = results.filter((r) => !r.ok);
      if (failed.length > 0) {
        throw new ServiceError(
          "unavailable",
          "FLOAT_CHECK_FAILED",
          `No float from ${failed.map((f) => `${f.code} (${f.error})`).join(", ")}; the last known float stays. The others were stored.`,
        );
      }
      return "/admin/catalogue/providers?done=float";
    },
    providers,
  );

  return app;
}
