import { z } from "zod";
import {
  ChangeScheduleInput,
  CreateScheduleInput,
  FromOrderScheduleInput,
  type ScheduleDto,
  type ScheduleRunDto,
} from "../../services/schedules";
import { IsoTime, Kobo, page } from "../openapi/envelope-schemas";

// Schemas of /api/schedules. `satisfies` ties each response schema to the service's own type, so a
// field added to a DTO and not here fails the type check.

/** A calendar day in Lagos, as schedules count their dates. */
const LagosDate = z.iso
  .date()
  .meta({ description: "A Lagos calendar day (YYYY-MM-DD).", example: "2026-12-11" });

const SCHEDULE_EXAMPLE_ID = "sch_01jexample0000000000";

export const Recurrence = z
  .discriminatedUnion("kind", [
    z.object({ kind: z.literal("daily") }),
    z.object({
      kind: z.literal("weekly"),
      weekday: z.number().int().min(0).max(6).meta({ description: "0 = Sunday … 6 = Saturday." }),
    }),
    z.object({ kind: z.literal("monthly"), day: z.number().int().min(1).max(31) }),
    z.object({ kind: z.literal("every_n_days"), days: z.number().int().min(2).max(365) }),
    z.object({
      kind: z.literal("before_due"),
      daysBefore: z
        .number()
        .int()
        .min(0)
        .meta({ description: "Cable auto-renew: runs this many days before each due date of the card." }),
    }),
  ])
  .meta({ id: "ScheduleRecurrence" });

export const ScheduleRun = z
  .object({
    dueOn: LagosDate,
    state: z.enum(["due", "waiting_funds", "placed", "delivered", "failed", "skipped"]),
    orderId: z
      .string()
      .nullable()
      .meta({ description: "The order this run placed (GET /api/vtu/orders/{id})." }),
    outcome: z.string().nullable().meta({ example: "delivered" }),
    message: z.string().nullable().meta({ description: "What the customer was told about this run." }),
    priceKobo: Kobo.nullable(),
    fundsDeadline: IsoTime.nullable().meta({
      description: "Waiting for funds: fund the wallet before this time or the run is skipped.",
    }),
  })
  .meta({ id: "ScheduleRun" }) satisfies z.ZodType<ScheduleRunDto>;

export const Schedule = z
  .object({
    id: z.string().meta({ example: SCHEDULE_EXAMPLE_ID }),
    service: z.enum(["airtime", "data", "electricity", "cable"]),
    recipient: z.string().meta({ description: "Phone (airtime, data), meter number or smartcard." }),
    network: z.string().nullable(),
    amountKobo: Kobo.nullable().meta({ description: "Airtime and electricity: the amount each run buys." }),
    planId: z.string().nullable(),
    disco: z.string().nullable(),
    meterType: z.string().nullable(),
    cableProvider: z.string().nullable(),
    label: z.string().nullable(),
    recurrence: Recurrence,
    cableCardId: z.number().int().nullable().meta({
      description: "Auto-renew: the cable card (GET /api/vtu/cable/cards) whose due dates it follows.",
    }),
    description: z.string().meta({
      description: "The schedule in words, for a person.",
      example: "MTN airtime ₦500 for 0803***4567, every Friday",
    }),
    startOn: LagosDate,
    endOn: LagosDate.nullable(),
    maxRuns: z.number().int().nullable(),
    runsMade: z.number().int(),
    perRunCapKobo: Kobo.meta({ description: "A run priced above this is not bought; the schedule pauses." }),
    monthlyCapKobo: Kobo.meta({ description: "The most the schedule spends in one calendar month." }),
    status: z.enum(["active", "paused", "ended", "deleted"]),
    pauseReason: z.enum(["customer", "price_above_cap", "monthly_cap", "skipped_runs"]).nullable(),
    nextDueOn: LagosDate.nullable(),
    consecutiveSkips: z.number().int(),
    createdAt: IsoTime,
    lastRun: z.union([ScheduleRun, z.null()]),
    runs: z
      .array(ScheduleRun)
      .optional()
      .meta({ description: "The most recent runs, newest first (one schedule's answers only)." }),
  })
  .meta({
    id: "Schedule",
    example: {
      id: SCHEDULE_EXAMPLE_ID,
      service: "airtime",
      recipient: "08031234567",
      network: "mtn",
      amountKobo: 50000,
      planId: null,
      disco: null,
      meterType: null,
      cableProvider: null,
      label: "Mum's line",
      recurrence: { kind: "weekly", weekday: 5 },
      cableCardId: null,
      description: "MTN airtime ₦500 for 0803***4567, every Friday",
      startOn: "2026-12-07",
      endOn: null,
      maxRuns: null,
      runsMade: 0,
      perRunCapKobo: 50000,
      monthlyCapKobo: 250000,
      status: "active",
      pauseReason: null,
      nextDueOn: "2026-12-11",
      consecutiveSkips: 0,
      createdAt: "2026-12-07T09:30:00.000Z",
      lastRun: null,
    },
  }) satisfies z.ZodType<ScheduleDto>;

export const SchedulePage = page(Schedule).meta({ id: "SchedulePage" });

export const CreatedSchedule = z.object({
  schedule: Schedule,
  priceKobo: Kobo.meta({ description: "What one run costs today." }),
});

export const ScheduleLink = z.object({
  url: z.string().meta({
    description: "The customer's schedules page; it works until `expiresAt`, and a newer link replaces it.",
    example: "https://tada.example/schedules/skl_Q2hhbmdlIG1lIHRvIGEgcmVhbCB0b2tlbg",
  }),
  expiresAt: IsoTime,
});

// Request bodies: the services' own schemas, named for the document.

/** `POST /api/schedules`: a purchase written out in full, or one copied from a delivered order. */
export const NewScheduleBody = z.union([
  CreateScheduleInput.meta({
    id: "NewSchedule",
    description: "What to buy, how often, the caps, and the transaction PIN.",
  }),
  FromOrderScheduleInput.meta({
    id: "NewScheduleFromOrder",
    description:
      "What to buy is copied from one of your delivered orders; naming it as well (service, recipient …) is refused.",
  }),
]);

export const ChangeScheduleBody = ChangeScheduleInput.meta({ id: "ScheduleChange" });
