import { z } from "zod";
import { Kobo } from "../openapi/envelope-schemas";
import { Schedule } from "./schedules";

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
  schedule: Schedule,
});
