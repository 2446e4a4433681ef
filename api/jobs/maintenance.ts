import type { Logger } from "../logger";
import type { ServiceContext } from "../services/context";
import { purgeExpiredCredentials } from "../services/maintenance";
import type { JobBackend } from "./backend";

export const MAINTENANCE_QUEUE = "maintenance";
const HOURLY = 3_600_000;

/**
 * The maintenance queue: an hourly scheduled job that calls a service verb. Idempotent (deleting
 * what is already deleted is a no-op), so BullMQ's at-least-once delivery is harmless.
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
  const worker = jobs.worker(MAINTENANCE_QUEUE, async (job) => {
    if (job.name === "purge-expired") {
      const deleted = await purgeExpiredCredentials({ ctx: args.ctx() });
      logger.info({ job: job.name, deleted }, "maintenance job done");
      return deleted;
    }
    throw new Error(`unknown maintenance job ${job.name}`);
  });
  worker.on("failed", (job, error) => logger.error({ job: job?.name, err: error }, "maintenance job failed"));
  return worker;
}
