import { createPostgresBackend, type Processor, Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "../logger";
import { logBackgroundError } from "../shutdown";

/**
 * One BullMQ code path on two backends: Redis when REDIS_URL is set (scale-out), otherwise BullMQ's
 * PostgreSQL backend in the same database (schema `bullmq`), so the embedded default needs nothing
 * else installed. Queues and workers are created only through this module.
 */
export type JobBackend = {
  kind: "redis" | "postgres";
  queue(name: string): Queue;
  worker(name: string, processor: Processor, options?: { concurrency?: number }): Worker;
  /** Round trip to the backend; rejects when it is unreachable. */
  check(): Promise<void>;
  close(): Promise<void>;
};

export function createJobBackend(options: {
  redisUrl?: string;
  databaseUrl: string;
  prefix?: string;
  /**
   * Where the queues' and workers' background errors go (a lost connection, a failed poll). Without
   * it BullMQ prints them raw to stderr; while the process stops they are debug (api/shutdown.ts).
   */
  logger?: Logger;
}): JobBackend {
  const closers: (() => Promise<unknown>)[] = [];
  const prefix = options.prefix ?? "tada";

  let queueFor: (name: string) => Queue;
  let workerFor: JobBackend["worker"];
  let check: () => Promise<void>;

  if (options.redisUrl) {
    const redisUrl = options.redisUrl;
    // Workers need maxRetriesPerRequest: null (blocking commands); producers share the same settings here.
    const connection = () => new Redis(redisUrl, { maxRetriesPerRequest: null, enableOfflineQueue: true });
    const shared = connection();
    closers.push(() => shared.quit());
    queueFor = (name) => new Queue(name, { connection: shared, prefix });
    workerFor = (name, processor, opts) =>
      new Worker(name, processor, { connection: connection(), prefix, concurrency: opts?.concurrency ?? 1 });
    check = async () => {
      const reply = await shared.ping();
      if (reply !== "PONG") {
        throw new Error(`redis answered ${reply}`);
      }
    };
  } else {
    const connection = { connectionString: options.databaseUrl, schema: "bullmq", migrate: true, max: 4 };
    // The Postgres-backed classes differ from the Redis ones only in their type parameters.
    queueFor = (name) => new Queue(name, { connection, prefix }, createPostgresBackend) as unknown as Queue;
    workerFor = (name, processor, opts) =>
      new Worker(
        name,
        processor,
        { connection, prefix, concurrency: opts?.concurrency ?? 1 },
        createPostgresBackend,
      ) as unknown as Worker;
    check = async () => {
      await health().getJobCounts("waiting");
    };
  }

  const queues = new Map<string, Queue>();
  const workers: Worker[] = [];
  const { logger } = options;
  const queue = (name: string) => {
    let q = queues.get(name);
    if (!q) {
      q = queueFor(name);
      if (logger) {
        q.on("error", (error) => logBackgroundError(logger, "error", error, { queue: name }, "queue error"));
      }
      queues.set(name, q);
    }
    return q;
  };
  const health = () => queue("health");

  return {
    kind: options.redisUrl ? "redis" : "postgres",
    queue,
    worker(name, processor, opts) {
      const w = workerFor(name, processor, opts);
      if (logger) {
        w.on("error", (error) => logBackgroundError(logger, "error", error, { queue: name }, "worker error"));
      }
      workers.push(w);
      return w;
    },
    check: () => withTimeout(check(), 3000, "job backend did not answer within 3 s"),
    async close() {
      await Promise.allSettled(workers.map((w) => w.close()));
      await Promise.allSettled([...queues.values()].map((q) => q.close()));
      await Promise.allSettled(closers.map((c) => c()));
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
