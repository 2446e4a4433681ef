import type { Logger } from "../logger";
import type { ServiceContext } from "../services/context";
import type { PaymentJob, PaymentsRuntime } from "../services/funding/runtime";
import type { JobBackend } from "./backend";
import { PAYMENT_JOBS } from "./definitions";
import { addWithin, ENQUEUE_TIMEOUT_MS, JOB_OPTIONS, jobIdOf, startQueueWorker } from "./queue-worker";

export const PAYMENTS_QUEUE = "payments";

/** Turn a PaymentJob into a BullMQ job with a stable id. */
export function createPaymentsDispatch(jobs: Pick<JobBackend, "queue">): PaymentsRuntime["dispatch"] {
  return async (job: PaymentJob) => {
    const { jobId, data } =
      job.name === "process-payment-event"
        ? { jobId: jobIdOf([job.name, job.eventId]), data: { eventId: job.eventId } }
        : {
            jobId: jobIdOf([job.name, job.withdrawalId, job.dedupe]),
            data: { withdrawalId: job.withdrawalId },
          };
    await addWithin(
      jobs.queue(PAYMENTS_QUEUE).add(job.name, data, { ...JOB_OPTIONS, jobId }),
      ENQUEUE_TIMEOUT_MS,
    );
  };
}

/** The payments worker: webhook events, withdrawals, the sweeper and the funding reconciliation. */
export function startPaymentWorkers(args: {
  jobs: JobBackend;
  ctx: () => ServiceContext;
  payments: PaymentsRuntime;
  logger: Logger;
  sweepEverySeconds: number;
  reconcileEveryMinutes: number;
}) {
  return startQueueWorker({
    jobs: args.jobs,
    queue: PAYMENTS_QUEUE,
    definitions: PAYMENT_JOBS,
    deps: { ctx: args.ctx, payments: args.payments, logger: args.logger },
    logger: args.logger,
    concurrency: 8,
    schedules: [
      { name: "sweep-payments", everyMs: args.sweepEverySeconds * 1000 },
      { name: "reconcile-funding", everyMs: args.reconcileEveryMinutes * 60_000 },
    ],
  });
}
