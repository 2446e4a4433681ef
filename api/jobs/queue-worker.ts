import { UnrecoverableError, type Worker } from "bullmq";
import type { Logger } from "../logger";
import type { JobBackend } from "./backend";
import type { JobDefinition } from "./definitions";

/**
 * One BullMQ worker for one queue: finds the job's definition by name, validates its payload with
 * the definition's zod schema (a bad payload is unrecoverable: retrying cannot fix it), runs the
 * handler, and registers the queue's repeating schedules. Shared by the VTU and payment queues.
 */
export async function startQueueWorker<D>(args: {
  jobs: JobBackend;
  queue: string;
  // biome-ignore lint/suspicious/noExplicitAny: definitions with different payload types share a queue.
  definitions: readonly JobDefinition<any, D>[];
  deps: D;
  logger: Logger;
  concurrency: number;
  schedules: { name: string; everyMs: number }[];
}): Promise<Worker> {
  const { jobs, logger } = args;
  const byName = new Map(args.definitions.map((d) => [d.name, d]));
  const queue = jobs.queue(args.queue);
  for (const schedule of args.schedules) {
    await queue.upsertJobScheduler(
      schedule.name,
      { every: schedule.everyMs },
      { name: schedule.name, data: {} },
    );
  }
  const worker = jobs.worker(
    args.queue,
    async (job) => {
      const definition = byName.get(job.name);
      if (!definition) {
        throw new UnrecoverableError(`unknown job ${job.name}`);
      }
      const payload = definition.payload.safeParse(job.data);
      if (!payload.success) {
        throw new UnrecoverableError(`bad payload for ${job.name}: ${payload.error.message}`);
      }
      return definition.handle(args.deps, payload.data);
    },
    { concurrency: args.concurrency },
  );
  worker.on("failed", (job, error) =>
    logger.error({ queue: args.queue, job: job?.name, jobId: job?.id, err: error }, "job failed"),
  );
  return worker;
}

/** BullMQ job ids may not contain ':'; ours are name__id__dedupe. */
export function jobIdOf(parts: (string | number | undefined)[]): string {
  return parts.filter((p) => p !== undefined && p !== "").join("__");
}

export const JOB_OPTIONS = {
  // Failed or finished jobs must not keep their id, or a later trigger for the same step would be
  // ignored (BullMQ de-duplicates on jobId until the job is removed).
  removeOnComplete: true,
  removeOnFail: true,
  attempts: 3,
  backoff: { type: "exponential", delay: 2_000 },
} as const;

/**
 * Enqueue without hanging on a paused or unreachable queue backend (ioredis queues commands while
 * it reconnects, so an `add` can wait forever). The caller's state is already committed; when the
 * enqueue gives up, the sweeper triggers the work once the backend is back (fault F3).
 */
export async function addWithin<T>(add: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the job queue did not accept the job within ${ms} ms`)), ms);
  });
  // A late success or failure after the timeout must not become an unhandled rejection.
  add.catch(() => undefined);
  try {
    return await Promise.race([add, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** How long a request waits for the queue before leaving the job to the sweeper. */
export const ENQUEUE_TIMEOUT_MS = 2_000;
