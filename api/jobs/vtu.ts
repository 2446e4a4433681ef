import type { Logger } from "../logger";
import type { ServiceContext } from "../services/context";
import { sweepDueOrders } from "../services/vtu";
import type { VtuJob, VtuRuntime } from "../services/vtu/runtime";
import type { JobBackend } from "./backend";
import { VTU_JOBS } from "./definitions";
import { addWithin, ENQUEUE_TIMEOUT_MS, JOB_OPTIONS, jobIdOf, startQueueWorker } from "./queue-worker";

export const VTU_QUEUE = "vtu";

/** Turn a VtuJob into a BullMQ job with a stable id (no ':' allowed in BullMQ ids). */
export function createVtuDispatch(jobs: Pick<JobBackend, "queue">): VtuRuntime["dispatch"] {
  return async (job: VtuJob) => {
    const jobId = jobIdOf([job.name, job.orderId, job.dedupe]);
    await addWithin(
      jobs.queue(VTU_QUEUE).add(job.name, vtuJobPayload(job), { ...JOB_OPTIONS, jobId }),
      ENQUEUE_TIMEOUT_MS,
    );
  };
}

/** The payload a VtuJob carries (ids, and a submit's plan: the state is in PostgreSQL). */
export function vtuJobPayload(job: VtuJob): Record<string, unknown> {
  return job.name === "requery-order"
    ? { orderId: job.orderId, includeDelivered: job.includeDelivered }
    : { orderId: job.orderId, ...(job.plan ? { plan: job.plan } : {}) };
}

/**
 * The worker side: one BullMQ worker on the `vtu` queue running the job definitions, the schedules
 * (catalogue sync, gift rooms, floats), and the order sweeper. Used by `npm start` (ROLE=all|worker)
 * and `npm run worker`. The returned worker's close also stops the sweeper.
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
  const worker = await startQueueWorker({
    jobs: args.jobs,
    queue: VTU_QUEUE,
    definitions: VTU_JOBS,
    deps: { ctx: args.ctx, vtu: args.vtu, logger: args.logger },
    logger: args.logger,
    concurrency: args.concurrency ?? 16,
    schedules: [
      { name: "sync-catalogue", everyMs: args.syncEveryMinutes * 60_000 },
      // Draw times and expiries are minute-grained: a 15-second pass is on time enough.
      { name: "sweep-gift-rooms", everyMs: 15_000 },
      // Points and referral rewards follow deliveries and reversals; a 15-second pass is prompt enough.
      { name: "sweep-rewards", everyMs: 15_000 },
      // Points expire by the day; an hourly pass is on time enough.
      { name: "expire-points", everyMs: 3_600_000 },
      // Tiers follow a 30-day volume: a pass a minute (TIER_SWEEP_SECONDS) is prompt enough.
      { name: "sweep-tiers", everyMs: args.ctx().config.TIER_SWEEP_SECONDS * 1000 },
      // Scheduled purchases: the due list is in PostgreSQL; a pass every SCHEDULE_SWEEP_SECONDS.
      { name: "sweep-schedules", everyMs: args.ctx().config.SCHEDULE_SWEEP_SECONDS * 1000 },
      { name: "check-floats", everyMs: args.ctx().config.PROVIDER_FLOAT_CHECK_MINUTES * 60_000 },
      // Reminders are day-grained (N days before a due date): every CABLE_REMINDER_SWEEP_MINUTES (10).
      {
        name: "sweep-cable-reminders",
        everyMs: args.ctx().config.CABLE_REMINDER_SWEEP_MINUTES * 60_000,
      },
    ],
  });
  // Earlier versions scheduled the order sweep in the queue; it now runs on a timer (below).
  await args.jobs
    .queue(VTU_QUEUE)
    .removeJobScheduler("sweep-orders")
    .catch(() => undefined);
  const sweeper = startOrderSweeper({
    ctx: args.ctx,
    vtu: args.vtu,
    logger: args.logger,
    everyMs: args.sweepEverySeconds * 1000,
  });
  worker.once("closing", () => sweeper.stop());
  return worker;
}

/**
 * The order sweeper runs on a timer in every worker process, not as a queued job: it is what
 * repairs the queue's failures, so it must not depend on the queue. It runs once at start (a restart
 * takes over what the previous run left within seconds), then every `everyMs`, never overlapping
 * itself. When the queue refuses jobs (Redis stopped), the sweeper runs up to `inlineConcurrency`
 * order jobs itself, so money does not wait for Redis; the leases keep that safe alongside workers.
 */
export function startOrderSweeper(args: {
  ctx: () => ServiceContext;
  vtu: VtuRuntime;
  logger: Logger;
  everyMs: number;
  inlineConcurrency?: number;
}): { stop(): void; sweepNow(): Promise<void> } {
  const byName = new Map(VTU_JOBS.map((definition) => [definition.name, definition]));
  const deps = { ctx: args.ctx, vtu: args.vtu, logger: args.logger };
  const cap = args.inlineConcurrency ?? 4;
  let inline = 0;
  let sweeping: Promise<void> | undefined;
  let stopped = false;

  const runInline = async (job: VtuJob) => {
    const definition = byName.get(job.name);
    if (!definition || inline >= cap) {
      return; // the next sweep tries again
    }
    inline += 1;
    void Promise.resolve()
      .then(() => definition.handle(deps, definition.payload.parse(vtuJobPayload(job))))
      .catch((err) => args.logger.error({ err, orderId: job.orderId }, "inline order job failed"))
      .finally(() => {
        inline -= 1;
      });
  };

  const sweepNow = () => {
    if (stopped) {
      return Promise.resolve();
    }
    sweeping ??= sweepDueOrders({ ctx: args.ctx(), vtu: args.vtu, runInline })
      .then(() => undefined)
      .catch((err) => args.logger.warn({ err }, "order sweep failed; the next one retries"))
      .finally(() => {
        sweeping = undefined;
      });
    return sweeping;
  };

  void sweepNow();
  const timer = setInterval(() => void sweepNow(), args.everyMs);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
    sweepNow,
  };
}
