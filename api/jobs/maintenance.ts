import type { Logger } from "../logger";
import { rollUpMissingDays } from "../services/analytics";
import type { ServiceContext } from "../services/context";
import { purgeExpiredCredentials } from "../services/maintenance";
import type { JobBackend } from "./backend";

export const MAINTENANCE_QUEUE = "maintenance";
const HOURLY = 3_600_000;

/**
 * The maintenance queue: hourly scheduled jobs that each call a service verb. Both are idempotent
 * (deleting what is already deleted is a no-op; a day's rollup is rewritten whole), so BullMQ's
 * at-least-once delivery is harmless.
 */
export async function startMaintenanceJobs(args: {
  jobs: JobBackend;
  ctx: () => ServiceContext;
  logger: Logger;
}) {
  const { jobs, logger } = args;
  await jobs
    .queue(MAINTENANCE_QUEUE)
    .upsertJobScheduler("purge-expired-hourly", { every: HOURLY }, { name: "purge-expired" });
  // Hourly rather than at midnight: yesterday's late-settling orders are picked up on the next runs,
  // and a process that was down catches up on the days it missed.
  await jobs
    .queue(MAINTENANCE_QUEUE)
    .upsertJobScheduler("daily-rollup-hourly", { every: HOURLY }, { name: "daily-rollup" });
  const worker = jobs.worker(MAINTENANCE_QUEUE, async (job) => {
    if (job.name === "purge-expired") {
      const deleted = await purgeExpiredCredentials({ ctx: args.ctx() });
      logger.info({ job: job.name, deleted }, "maintenance job done");
      return deleted;
    }
    if (job.name === "daily-rollup") {
      const { rolledUp } = await rollUpMissingDays(args.ctx());
      logger.info({ job: job.name, days: rolledUp.length, from: rolledUp[0] }, "maintenance job done");
      return { days: rolledUp.length };
    }
    throw new Error(`unknown maintenance job ${job.name}`);
  });
  worker.on("failed", (job, error) => logger.error({ job: job?.name, err: error }, "maintenance job failed"));
  return worker;
}
