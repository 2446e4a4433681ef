import { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { createScheduleLink } from "../../services/schedule-links";
import {
  changeSchedule,
  createSchedule,
  createScheduleFromOrder,
  deleteSchedule,
  getSchedule,
  listSchedules,
  pauseSchedule,
  resumeSchedule,
  runScheduleNow,
  skipNextRun,
} from "../../services/schedules";
import type { VtuRuntime } from "../../services/vtu/runtime";
import type { AppEnv } from "../context";
import { defineRoute, reply } from "../openapi/define-route";
import { pageQuery } from "../openapi/envelope-schemas";
import { ScheduleRunNow } from "../schemas/sandbox";
import {
  ChangeScheduleBody,
  CreatedSchedule,
  NewScheduleBody,
  Schedule,
  ScheduleLink,
  SchedulePage,
} from "../schemas/schedules";

const ListQuery = pageQuery(z.string().regex(/^sch_[0-9a-z]{20}$/, "the nextCursor of the page before"));
const scheduleId = z.string().regex(/^sch_[0-9a-z]{20}$/, "a schedule id (sch_…)");
// Any text: what is not a schedule id is a schedule that is not there (404), as before.
const ScheduleParams = z.strictObject({
  id: z.string().meta({ description: "The schedule's id (sch_…).", example: "sch_01jexample0000000000" }),
});
const TAGS = ["Schedules"];

const NOT_FOUND = {
  status: 404,
  code: "SCHEDULE_NOT_FOUND",
  description: "No such schedule of yours (or it was deleted).",
} as const;
const ENDED = {
  status: 409,
  code: "SCHEDULE_ENDED",
  description: "The schedule has ended (its end date or number of runs); create a new one.",
} as const;
const PIN_ERRORS = [
  {
    status: 422,
    code: "INCORRECT_PIN",
    description: "The transaction PIN is wrong; `details.attemptsLeft` says how many tries are left.",
  },
  {
    status: 423,
    code: "PIN_LOCKED",
    description: "Too many wrong PINs; wait until `details.lockedUntil` or reset the PIN.",
  },
  { status: 409, code: "PIN_NOT_SET", description: "Set a transaction PIN first (POST /api/auth/pin)." },
] as const;
const PRICE_ERRORS = [
  {
    status: 400,
    code: "CAP_BELOW_PRICE",
    description: "The per-run cap is below today's price (`details.priceKobo`); raise it or leave it out.",
  },
  {
    status: 404,
    code: "PRODUCT_NOT_FOUND",
    description: "No such plan, bouquet or DisCo; list the catalogue first.",
  },
] as const;

/**
 * Scheduled and recurring purchases (issue 19, README "Schedules"): create one with the PIN (a
 * standing authorisation with a per-run and a monthly cap), list them, see one with its recent runs,
 * change the amount or caps (PIN again), pause, resume, skip the next run, delete.
 */
export function scheduleRoutes(deps: { vtu: VtuRuntime }) {
  const app = new OpenAPIHono<AppEnv>();

  defineRoute(
    app,
    {
      method: "get",
      path: "/",
      tags: TAGS,
      summary: "Your schedules, newest first",
      description: "Deleted schedules are left out. Each carries its last run.",
      auth: "user",
      query: ListQuery,
      response: { description: "A page of schedules.", schema: SchedulePage },
    },
    async (c, { query }) => listSchedules({ ctx: c.var.ctx, userId: c.var.principal.userId, ...query }),
  );

  defineRoute(
    app,
    {
      method: "post",
      path: "/",
      tags: TAGS,
      summary: "Schedule a recurring purchase",
      description:
        "The PIN authorises every run of the schedule up to its caps: a run priced above `perRunCapKobo`, " +
        "or one that would take the month past `monthlyCapKobo`, is not bought and the schedule pauses. " +
        "Write the purchase out (service, recipient …) or copy it from one of your delivered orders with `fromOrderId`. " +
        "Nothing is charged now; each run is an order of its own on its date.",
      auth: "user",
      idempotencyKey: "required",
      idempotencyPurpose: "never creates a schedule twice",
      body: NewScheduleBody,
      bodyExample: {
        service: "airtime",
        recipient: "08031234567",
        network: "mtn",
        amountKobo: 50000,
        recurrence: { kind: "weekly", weekday: "friday" },
        pin: "2580",
      },
      response: {
        status: 201,
        description: "The schedule and what one run costs today.",
        schema: CreatedSchedule,
      },
      errors: [
        ...PIN_ERRORS,
        ...PRICE_ERRORS,
        {
          status: 409,
          code: "IDEMPOTENCY_KEY_REUSED",
          description: "The Idempotency-Key was used for a different schedule.",
        },
        { status: 404, code: "ORDER_NOT_FOUND", description: "`fromOrderId` is not one of your orders." },
        {
          status: 409,
          code: "ORDER_NOT_DELIVERED",
          description: "Only a delivered order can be made a schedule.",
        },
        {
          status: 409,
          code: "AUTORENEW_EXISTS",
          description: "That smartcard already renews automatically.",
        },
        {
          status: 422,
          code: "CABLE_DUE_DATE_UNKNOWN",
          description: "Auto-renew: the card's due date is unknown; renew it once with us first.",
        },
        { status: 422, code: "INVALID_METER", description: "The provider does not know that meter number." },
        { status: 422, code: "INVALID_SMARTCARD", description: "The provider does not know that smartcard." },
      ],
    },
    async (c, { body, idempotencyKey }) => {
      const args = {
        ctx: c.var.ctx,
        vtu: deps.vtu,
        userId: c.var.principal.userId,
        idempotencyKey: idempotencyKey as string,
      };
      // `fromOrderId`: what to buy is copied from one of the customer's delivered orders (from-order.ts).
      const created =
        "fromOrderId" in body
          ? await createScheduleFromOrder({ ...args, input: body })
          : await createSchedule({ ...args, input: body });
      const data = { schedule: created.schedule, priceKobo: created.priceKobo };
      return created.replayed
        ? reply(data, { status: 200, headers: { "Idempotent-Replayed": "true" } })
        : data;
    },
  );

  // A link to the customer's "My schedules" web page (DECISIONS §69); a new one replaces the last.
  defineRoute(
    app,
    {
      method: "post",
      path: "/link",
      tags: TAGS,
      summary: "A link to your schedules page",
      description:
        "A web page where you can see, change, pause and delete your schedules without the API. " +
        "Making a link revokes the one before.",
      auth: "user",
      response: { status: 201, description: "The page's link.", schema: ScheduleLink },
    },
    async (c) => {
      const link = await createScheduleLink({ ctx: c.var.ctx, userId: c.var.principal.userId });
      return { url: link.url, expiresAt: link.expiresAt.toISOString() };
    },
  );

  defineRoute(
    app,
    {
      method: "get",
      path: "/:id",
      tags: TAGS,
      summary: "One of your schedules with its recent runs",
      auth: "user",
      params: ScheduleParams,
      response: { description: "The schedule.", schema: z.object({ schedule: Schedule }) },
      errors: [NOT_FOUND],
    },
    async (c, { params }) => ({
      schedule: await getSchedule({
        ctx: c.var.ctx,
        userId: c.var.principal.userId,
        scheduleId: idOf(params.id),
      }),
    }),
  );

  defineRoute(
    app,
    {
      method: "patch",
      path: "/:id",
      tags: TAGS,
      summary: "Change a schedule's amount or caps",
      description:
        "A new authorisation, so the PIN is needed again. A new amount without a new cap raises the per-run cap to the new price if it was below.",
      auth: "user",
      params: ScheduleParams,
      body: ChangeScheduleBody,
      bodyExample: { amountKobo: 100000, pin: "2580" },
      response: { description: "The schedule as it is now.", schema: z.object({ schedule: Schedule }) },
      errors: [NOT_FOUND, ...PIN_ERRORS, ...PRICE_ERRORS],
    },
    async (c, { params, body }) => ({
      schedule: await changeSchedule({
        ctx: c.var.ctx,
        vtu: deps.vtu,
        userId: c.var.principal.userId,
        scheduleId: idOf(params.id),
        input: body,
      }),
    }),
  );

  const verbs = [
    {
      path: "pause",
      verb: pauseSchedule,
      summary: "Pause a schedule",
      description:
        "No runs until it is resumed; a run waiting for funds is skipped. Pausing a paused schedule changes nothing.",
    },
    {
      path: "resume",
      verb: resumeSchedule,
      summary: "Resume a paused schedule",
      description: "The next run is the first date from today: dates passed while paused are not made up.",
    },
    {
      path: "skip-next",
      verb: skipNextRun,
      summary: "Skip the next run",
      description: "The next date (or a run waiting for funds) is skipped; the schedule carries on after it.",
    },
  ] as const;
  for (const { path, verb, summary, description } of verbs) {
    defineRoute(
      app,
      {
        method: "post",
        path: `/:id/${path}`,
        tags: TAGS,
        summary,
        description,
        auth: "user",
        params: ScheduleParams,
        response: { description: "The schedule as it is now.", schema: z.object({ schedule: Schedule }) },
        errors: [NOT_FOUND, ENDED],
      },
      async (c, { params }) => ({
        schedule: await verb({
          ctx: c.var.ctx,
          userId: c.var.principal.userId,
          scheduleId: idOf(params.id),
        }),
      }),
    );
  }

  defineRoute(
    app,
    {
      method: "delete",
      path: "/:id",
      tags: TAGS,
      summary: "Delete a schedule",
      description: "No more runs. Orders it already placed stay in your history.",
      auth: "user",
      params: ScheduleParams,
      response: { description: "Deleted.", schema: z.object({ deleted: z.literal(true) }) },
      errors: [NOT_FOUND],
    },
    async (c, { params }) => {
      await deleteSchedule({
        ctx: c.var.ctx,
        userId: c.var.principal.userId,
        scheduleId: idOf(params.id),
      });
      return { deleted: true as const };
    },
  );

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
