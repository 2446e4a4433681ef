import type { Logger } from "../logger";
import { checkAlertConditions } from "../services/alerts";
import { rollUpMissingDays } from "../services/analytics";
import type { ServiceContext } from "../services/context";
import { purgeExpiredCredentials } from "../services/maintenance";
import type { JobBackend } from "./backend";

export const MAINTENANCE_QUEUE = "maintenance";
const HOURLY = 3_600_000;

/**
 * The maintenance queue: scheduled jobs that each call one service verb — the hourly purge of
 * expired credentials, the hourly daily rollup, and the alert checks (every ALERT_CHECK_SECONDS).
 * All are idempotent (deleting what is deleted, rewriting a day's rollup whole, re-raising an open
 * alert), so BullMQ's at-least-once delivery is harmless.
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
  const ctx = args.ctx();
  await jobs
    .queue(MAINTENANCE_QUEUE)
    .upsertJobScheduler(
      "check-alerts",
      { every: ctx.config.ALERT_CHECK_SECONDS * 1000 },
      { name: "check-alerts" },
    );
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
    if (job.name === "check-alerts") {
      const { open } = await checkAlertConditions(args.ctx());
      // Every minute: only worth a line at info level when something needs an admin.
      logger[open.length > 0 ? "info" : "debug"]({ job: job.name, open }, "maintenance job done");
      return open;
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
