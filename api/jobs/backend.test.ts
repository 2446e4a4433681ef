import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCtx } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { skipRedisSuites, startRedis } from "../../test/helpers/redis";
import { createJobBackend, type JobBackend } from "./backend";

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 4 });
});
afterAll(() => tdb.destroy());

/** The same BullMQ code on either backend: a job goes in, a worker runs it, the result comes back. */
async function roundTrip(jobs: JobBackend): Promise<void> {
  await jobs.check();
  const queue = jobs.queue("roundtrip");
  const done = new Promise<unknown>((resolve, reject) => {
    const worker = jobs.worker("roundtrip", async (job) => ({ doubled: (job.data as { n: number }).n * 2 }));
    worker.on("completed", (_job, result) => resolve(result));
    worker.on("failed", (_job, error) => reject(error));
  });
  // A business jobId dedupes: adding the same id twice runs it once.
  await queue.add("double", { n: 21 }, { jobId: "double-21" });
  await queue.add("double", { n: 21 }, { jobId: "double-21" });
  expect(await done).toEqual({ doubled: 42 });
  const counts = await queue.getJobCounts("completed", "waiting", "failed");
  expect(counts).toMatchObject({ completed: 1, waiting: 0, failed: 0 });
}

describe("job backend: BullMQ on PostgreSQL (embedded default)", () => {
  it("runs a job and reports health", async () => {
    const jobs = createJobBackend({ databaseUrl: tdb.url, prefix: `t${Date.now()}` });
    try {
      expect(jobs.kind).toBe("postgres");
      await roundTrip(jobs);
    } finally {
      await jobs.close();
    }
  });

  it("reports an unreachable database as unhealthy", async () => {
    const jobs = createJobBackend({ databaseUrl: "postgres://nobody:x@127.0.0.1:1/none" });
    try {
      await expect(jobs.check()).rejects.toThrow();
    } finally {
      await jobs.close();
    }
  });

  it("runs the maintenance job through a service verb", async () => {
    const { startMaintenanceJobs } = await import("./maintenance");
    const jobs = createJobBackend({ databaseUrl: tdb.url, prefix: `m${Date.now()}` });
    const ctx = makeCtx(tdb.db);
    try {
      const worker = await startMaintenanceJobs({ jobs, ctx: () => ctx, logger: ctx.logger });
      // The three scheduled jobs run once at start, in any order.
      const results = await new Promise<Record<string, unknown>>((resolve, reject) => {
        const done: Record<string, unknown> = {};
        worker.on("completed", (job, value) => {
          done[job.name] = value;
          if (Object.keys(done).length === 3) {
            resolve(done);
          }
        });
        worker.on("failed", (_job, error) => reject(error));
      });
      expect(results["purge-expired"]).toEqual({
        processBoots: 0,
        rateLimitWindows: 0,
        sessions: 0,
        linkCodes: 0,
        resetCodes: 0,
        pinLinks: 0,
        scheduleLinks: 0,
      });
      // Nothing is wrong on an empty database: no alert condition holds.
      expect(results["check-alerts"]).toEqual([]);
      // The rollup catches up on the last LOOKBACK_DAYS days (nothing happened on them here).
      expect(results["daily-rollup"]).toEqual({ days: 90 });
      const marked = await tdb.db
        .selectFrom("daily_rollups")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .where("metric", "=", "rollup.day")
        .executeTakeFirstOrThrow();
      expect(Number(marked.n)).toBe(90);
    } finally {
      await jobs.close();
    }
  });
});

describe.skipIf(skipRedisSuites)("job backend: BullMQ on Redis (scale-out)", () => {
  it("runs a job and reports health", async () => {
    const redis = await startRedis();
    const jobs = createJobBackend({ redisUrl: redis.url, databaseUrl: tdb.url });
    try {
      expect(jobs.kind).toBe("redis");
      await roundTrip(jobs);
    } finally {
      await jobs.close();
      await redis.stop();
    }
  });
});
