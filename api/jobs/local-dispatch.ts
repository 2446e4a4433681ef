import type { Logger } from "../logger";
import type { ServiceContext } from "../services/context";
import type { VtuJob, VtuRuntime } from "../services/vtu/runtime";
import { type JobDeps, VTU_JOBS } from "./definitions";
import { jobIdOf } from "./queue-worker";
import { vtuJobPayload } from "./vtu";

/** Jobs waiting for a free slot here; past this, new ones go to the queue instead. */
const MAX_WAITING = 10_000;

export type LocalDispatch = {
  dispatch: VtuRuntime["dispatch"];
  /** Jobs running or waiting here. */
  readonly pending: number;
  /** Stop taking jobs (they go to `fallback`); wait for the running ones, at most `timeoutMs`. */
  drain(timeoutMs: number): Promise<void>;
};

/**
 * Order jobs dispatched by the process that also runs the worker (`npm start`, ROLE=all) run here,
 * `concurrency` at a time, instead of a round trip through the job queue (BullMQ on PostgreSQL cost
 * a purchase more database work than the purchase itself: DECISIONS §3). Nothing is lost with the
 * queue: a job only triggers work whose state is in `vtu_orders` — an order waiting here has its
 * `next_check_at` and its lease on this boot, so if this process dies before running it, the
 * sweeper (this process after a restart, or any other) sends it (DECISIONS §28). A job with the same
 * id as one waiting or running here is dropped, as the queue de-duplicates; a job that fails is left
 * to the sweeper, as one that exhausted its queue attempts.
 */
export function createLocalVtuDispatch(args: {
  deps: () => JobDeps;
  concurrency: number;
  /** Where jobs go while draining, or when too many wait here. */
  fallback: VtuRuntime["dispatch"];
  logger: Logger;
}): LocalDispatch {
  const byName = new Map(VTU_JOBS.map((d) => [d.name, d]));
  const waiting: { id: string; job: VtuJob }[] = [];
  const known = new Set<string>();
  const running = new Set<Promise<void>>();
  let accepting = true;

  function pump(): void {
    while (running.size < args.concurrency && waiting.length > 0) {
      const next = waiting.shift();
      if (!next) {
        return;
      }
      const run = runJob(next.job)
        .catch((error) =>
          args.logger.warn(
            { err: error, job: next.job.name, orderId: next.job.orderId },
            "order job failed here; the sweeper takes the order up again",
          ),
        )
        .finally(() => {
          known.delete(next.id);
          running.delete(run);
          pump();
        });
      running.add(run);
    }
  }

  async function runJob(job: VtuJob): Promise<void> {
    const definition = byName.get(job.name);
    if (!definition) {
      throw new Error(`no job definition ${job.name}`);
    }
    await definition.handle(args.deps(), definition.payload.parse(vtuJobPayload(job)));
  }

  return {
    async dispatch(job) {
      const id = jobIdOf([job.name, job.orderId, job.dedupe]);
      if (!accepting || waiting.length >= MAX_WAITING) {
        await args.fallback(job);
        return;
      }
      if (known.has(id)) {
        return;
      }
      known.add(id);
      waiting.push({ id, job });
      // After the caller's await: the dispatcher answers first, as an enqueue would.
      queueMicrotask(pump);
    },
    get pending() {
      return running.size + waiting.length;
    },
    async drain(timeoutMs) {
      accepting = false;
      // Waiting jobs are not started here any more: they go to the queue (if it refuses, their
      // orders are the sweeper's after the restart).
      for (const w of waiting.splice(0)) {
        known.delete(w.id);
        await args.fallback(w.job).catch(() => {});
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...running]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    },
  };
}

/** The deps of a job run here: like the worker's. */
export function localJobDeps(
  ctx: () => ServiceContext,
  vtu: () => VtuRuntime,
  logger: Logger,
): () => JobDeps {
  return () => ({ ctx, vtu: vtu(), logger });
}
