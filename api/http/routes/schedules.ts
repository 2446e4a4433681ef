import { OpenAPIHono } from "@hono/zod-openapi";
import { Hono } from "hono";
import { z } from "zod";
import { createScheduleLink } from "../../services/schedule-links";
import {
  ChangeScheduleInput,
  CreateScheduleInput,
  changeSchedule,
  createSchedule,
  createScheduleFromOrder,
  deleteSchedule,
  FromOrderScheduleInput,
  getSchedule,
  listSchedules,
  pauseSchedule,
  resumeSchedule,
  runScheduleNow,
  skipNextRun,
} from "../../services/schedules";
import type { VtuRuntime } from "../../services/vtu/runtime";
import type { AppEnv } from "../context";
import { ok } from "../envelope";
import { requireUser } from "../middleware";
import { defineRoute } from "../openapi/define-route";
import { ScheduleRunNow } from "../schemas/sandbox";
import { jsonBody, queryParams, idempotencyKey as requireIdempotencyKey } from "../validate";

const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z
    .string()
    .regex(/^sch_[0-9a-z]{20}$/, "the nextCursor of the page before")
    .optional(),
});
const scheduleId = z.string().regex(/^sch_[0-9a-z]{20}$/, "a schedule id (sch_…)");

/**
 * Scheduled and recurring purchases (issue 19, README "Schedules"): create one with the PIN (a
 * standing authorisation with a per-run and a monthly cap), list them, see one with its recent runs,
 * change the amount or caps (PIN again), pause, resume, skip the next run, delete.
 */
export function scheduleRoutes(deps: { vtu: VtuRuntime }) {
  const app = new Hono<AppEnv>();

  app.get("/", requireUser(), async (c) => {
    const query = queryParams(c, ListQuery);
    return ok(c, await listSchedules({ ctx: c.var.ctx, userId: c.var.principal.userId, ...query }));
  });

  app.post("/", requireUser(), async (c) => {
    const idempotencyKey = requireIdempotencyKey(c, "never creates a schedule twice");
    const body = await jsonBody(c, z.unknown());
    const args = { ctx: c.var.ctx, vtu: deps.vtu, userId: c.var.principal.userId, idempotencyKey };
    // `fromOrderId`: what to buy is copied from one of the customer's delivered orders (from-order.ts).
    const created =
      typeof body === "object" && body !== null && "fromOrderId" in body
        ? await createScheduleFromOrder({ ...args, input: await jsonBody(c, FromOrderScheduleInput) })
        : await createSchedule({ ...args, input: await jsonBody(c, CreateScheduleInput) });
    if (created.replayed) {
      c.header("Idempotent-Replayed", "true");
    }
    return ok(
      c,
      { schedule: created.schedule, priceKobo: created.priceKobo },
      { status: created.replayed ? 200 : 201 },
    );
  });

  // A link to the customer's "My schedules" web page (DECISIONS §69); a new one replaces the last.
  app.post("/link", requireUser(), async (c) => {
    const link = await createScheduleLink({ ctx: c.var.ctx, userId: c.var.principal.userId });
    return ok(c, { url: link.url, expiresAt: link.expiresAt.toISOString() }, { status: 201 });
  });

  app.get("/:id", requireUser(), async (c) =>
    ok(c, {
      schedule: await getSchedule({
        ctx: c.var.ctx,
        userId: c.var.principal.userId,
        scheduleId: idOf(c.req.param("id")),
      }),
    }),
  );

  app.patch("/:id", requireUser(), async (c) => {
    const input = await jsonBody(c, ChangeScheduleInput);
    const schedule = await changeSchedule({
      ctx: c.var.ctx,
      vtu: deps.vtu,
      userId: c.var.principal.userId,
      scheduleId: idOf(c.req.param("id")),
      input,
    });
    return ok(c, { schedule });
  });

  const verbs = { pause: pauseSchedule, resume: resumeSchedule, "skip-next": skipNextRun } as const;
  for (const [path, verb] of Object.entries(verbs)) {
    app.post(`/:id/${path}`, requireUser(), async (c) =>
      ok(c, {
        schedule: await verb({
          ctx: c.var.ctx,
          userId: c.var.principal.userId,
          scheduleId: idOf(c.req.param("id")),
        }),
      }),
    );
  }

  app.delete("/:id", requireUser(), async (c) => {
    await deleteSchedule({
      ctx: c.var.ctx,
      userId: c.var.principal.userId,
      scheduleId: idOf(c.req.param("id")),
    });
    return ok(c, { deleted: true });
  });

  return app;
}

/**
 * Sandbox only: run a schedule's next run now (its date keeps its own idempotency key), so the
 * README walk-through sees a run without waiting for the date.
 */
export function sandboxScheduleRoutes(deps: { vtu: VtuRuntime }) {
  const app = new OpenAPIHono<AppEnv>();
  defineRoute(
    app,
    {
      method: "post",
      path: "/:id/run-now",
      tags: ["Sandbox"],
      summary: "Run one of your schedules now (sandbox only)",
      description:
        "Makes the schedule's next run due at once and sweeps the schedules, instead of waiting for its day.",
      auth: "user",
      params: z.strictObject({ id: z.string().meta({ example: "sch_0123456789abcdefghij" }) }),
      response: { description: "What the sweep did, and the schedule after it.", schema: ScheduleRunNow },
      errors: [{ status: 404, code: "SCHEDULE_NOT_FOUND", description: "No such schedule of yours." }],
    },
    async (c, { params }) => {
      const { ctx, principal } = c.var;
      const schedule = await getSchedule({ ctx, userId: principal.userId, scheduleId: idOf(params.id) });
      const swept = await runScheduleNow({ ctx, vtu: deps.vtu, scheduleId: schedule.id });
      return {
        swept,
        schedule: await getSchedule({ ctx, userId: principal.userId, scheduleId: schedule.id }),
      };
    },
  );
  return app;
}

function idOf(raw: string): string {
  const parsed = scheduleId.safeParse(raw);
  return parsed.success ? parsed.data : "sch_unknown";
}
