import type { Logger } from "../logger";
import type { ServiceContext } from "../services/context";
import type { VtuJob, VtuRuntime } from "../services/vtu/runtime";
import type { JobBackend } from "./backend";
import { VTU_JOBS } from "./definitions";
import { addWithin, ENQUEUE_TIMEOUT_MS, JOB_OPTIONS, jobIdOf, startQueueWorker } from "./queue-worker";

export const VTU_QUEUE = "vtu";

/** Turn a VtuJob into a BullMQ job with a stable id (no ':' allowed in BullMQ ids). */
export function createVtuDispatch(jobs: Pick<JobBackend, "queue">): VtuRuntime["dispatch"] {
  return async (job: VtuJob) => {
    const jobId = jobIdOf([job.name, job.orderId, job.dedupe]);
    const data =
      job.name === "requery-order"
        ? { orderId: job.orderId, includeDelivered: job.includeDelivered }
        : { orderId: job.orderId };
    await addWithin(jobs.queue(VTU_QUEUE).add(job.name, data, { ...JOB_OPTIONS, jobId }), ENQUEUE_TIMEOUT_MS);
  };
}

/**
 * The worker side: one BullMQ worker on the `vtu` queue running the job definitions, plus the
 * schedules (the sweeper, the catalogue sync). Used by `npm start` (ROLE=all|worker) and `npm run worker`.
 */
export async function startVtuWorkers(args: {
  jobs: JobBackend;
  ctx: () => ServiceContext;
  vtu: VtuRuntime;
  logger: Logger;
  concurrency?: number;
  sweepEverySeconds: number;
  syncEveryMinutes: number;
}) {
  return startQueueWorker({
    jobs: args.jobs,
    queue: VTU_QUEUE,
    definitions: VTU_JOBS,
    deps: { ctx: args.ctx, vtu: args.vtu, logger: args.logger },
    logger: args.logger,
    concurrency: args.concurrency ?? 16,
    schedules: [
      { name: "sweep-orders", everyMs: args.sweepEverySeconds * 1000 },
      { name: "sync-catalogue", everyMs: args.syncEveryMinutes * 60_000 },
      // Draw times and expiries are minute-grained: a 15-second pass is on time enough.
      { name: "sweep-gift-rooms", everyMs: 15_000 },
      { name: "check-floats", everyMs: args.ctx().config.PROVIDER_FLOAT_CHECK_MINUTES * 60_000 },
    ],
  });
}
