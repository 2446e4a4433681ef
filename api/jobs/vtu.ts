import { UnrecoverableError } from "bullmq";
import type { Logger } from "../logger";
import type { ServiceContext } from "../services/context";
import type { VtuJob, VtuRuntime } from "../services/vtu/runtime";
import type { JobBackend } from "./backend";
import { VTU_JOBS } from "./definitions";

export const VTU_QUEUE = "vtu";

const JOB_OPTIONS = {
  // Failed or finished jobs must not keep their id, or a later trigger for the same step would be
  // ignored (BullMQ de-duplicates on jobId until the job is removed).
  removeOnComplete: true,
  removeOnFail: true,
  attempts: 3,
  backoff: { type: "exponential", delay: 2_000 },
} as const;

/** Turn a VtuJob into a BullMQ job with a stable id (no ':' allowed in BullMQ ids). */
export function createVtuDispatch(jobs: Pick<JobBackend, "queue">): VtuRuntime["dispatch"] {
  return async (job: VtuJob) => {
    const jobId = [job.name, job.orderId, job.dedupe].filter(Boolean).join("__");
    const data =
      job.name === "requery-order"
        ? { orderId: job.orderId, includeDelivered: job.includeDelivered }
        : { orderId: job.orderId };
    await jobs.queue(VTU_QUEUE).add(job.name, data, { ...JOB_OPTIONS, jobId });
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
  const { jobs, logger } = args;
  const deps = { ctx: args.ctx, vtu: args.vtu, logger };
  const byName = new Map(VTU_JOBS.map((d) => [d.name, d]));
  const queue = jobs.queue(VTU_QUEUE);
  await queue.upsertJobScheduler(
    "sweep-orders",
    { every: args.sweepEverySeconds * 1000 },
    { name: "sweep-orders", data: {} },
  );
  await queue.upsertJobScheduler(
    "sync-catalogue",
    { every: args.syncEveryMinutes * 60_000 },
    { name: "sync-catalogue", data: {} },
  );
  const worker = jobs.worker(
    VTU_QUEUE,
    async (job) => {
      const definition = byName.get(job.name);
      if (!definition) {
        throw new UnrecoverableError(`unknown job ${job.name}`);
      }
      const payload = definition.payload.safeParse(job.data);
      if (!payload.success) {
        throw new UnrecoverableError(`bad payload for ${job.name}: ${payload.error.message}`);
      }
      return definition.handle(deps, payload.data);
    },
    { concurrency: args.concurrency ?? 16 },
  );
  worker.on("failed", (job, error) =>
    logger.error({ job: job?.name, jobId: job?.id, err: error }, "vtu job failed"),
  );
  worker.on("error", (error) => logger.error({ err: error }, "vtu worker error"));
  return worker;
}
