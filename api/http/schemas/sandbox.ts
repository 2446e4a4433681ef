import { z } from "zod";
import type { ScheduleDto, ScheduleRunDto } from "../../services/schedules";
import { IsoTime, Kobo } from "../openapi/envelope-schemas";

// Response schemas of /api/sandbox (sandbox mode only).

export const SandboxCredit = z.object({
  balanceKobo: Kobo.meta({ example: 1000000 }),
  availableKobo: Kobo.meta({ example: 1000000 }),
  creditedKobo: Kobo.meta({ description: "The test money added.", example: 1000000 }),
});

const Sent = z.object({ sent: z.number().int().meta({ description: "Chat messages queued." }) });

export const ReminderSweep = z.object({
  deliveries: z
    .object({ events: z.number().int(), applied: z.number().int() })
    .meta({ description: "Delivered cable orders whose card dates moved on." }),
  reminders: Sent.meta({ description: "Cable renewal reminders." }),
  electricity: Sent.meta({ description: "Electricity top-up nudges." }),
  data: Sent.meta({ description: "Data renewal nudges." }),
});

const LagosDate = z.iso.date().meta({ description: "A day in Lagos (YYYY-MM-DD).", example: "2026-12-11" });

const ScheduleRun = z.object({
  dueOn: LagosDate,
  state: z.enum(["due", "waiting_funds", "placed", "delivered", "failed", "skipped"]),
  orderId: z.string().nullable(),
  outcome: z.string().nullable(),
  message: z.string().nullable(),
  priceKobo: Kobo.nullable(),
  fundsDeadline: IsoTime.nullable(),
}) satisfies z.ZodType<ScheduleRunDto>;

/**
 * A schedule as GET /api/schedules/{id} answers it. Described here without a component id, since
 * /api/schedules has its own schemas: once both exist, this one can use theirs.
 */
export const SandboxSchedule = z.object({
  id: z.string().meta({ example: "sch_0123456789abcdefghij" }),
  service: z.enum(["airtime", "data", "electricity", "cable"]),
  recipient: z.string(),
  network: z.string().nullable(),
  amountKobo: Kobo.nullable(),
  planId: z.string().nullable(),
  disco: z.string().nullable(),
  meterType: z.string().nullable(),
  cableProvider: z.string().nullable(),
  label: z.string().nullable(),
  recurrence: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("daily") }),
    z.object({ kind: z.literal("weekly"), weekday: z.number().int().meta({ description: "0 = Sunday." }) }),
    z.object({ kind: z.literal("monthly"), day: z.number().int() }),
    z.object({ kind: z.literal("every_n_days"), days: z.number().int() }),
    z.object({ kind: z.literal("before_due"), daysBefore: z.number().int() }),
  ]),
  cableCardId: z.number().int().nullable(),
  description: z.string().meta({ description: "The schedule in words, for a person." }),
  startOn: LagosDate,
  endOn: LagosDate.nullable(),
  maxRuns: z.number().int().nullable(),
  runsMade: z.number().int(),
  perRunCapKobo: Kobo,
  monthlyCapKobo: Kobo,
  status: z.enum(["active", "paused", "ended", "deleted"]),
  pauseReason: z.enum(["customer", "price_above_cap", "monthly_cap", "skipped_runs"]).nullable(),
  nextDueOn: LagosDate.nullable(),
  consecutiveSkips: z.number().int(),
  createdAt: IsoTime,
  lastRun: ScheduleRun.nullable(),
  runs: z.array(ScheduleRun).optional().meta({ description: "The recent runs, newest first." }),
}) satisfies z.ZodType<ScheduleDto>;

export const ScheduleRunNow = z.object({
  swept: z
    .object({
      made: z.number().int(),
      placed: z.number().int(),
      waiting: z.number().int(),
      skipped: z.number().int(),
      settled: z.number().int(),
    })
    .meta({ description: "What the schedule sweep did, across all schedules." }),
  schedule: SandboxSchedule,
});
