import { Hono } from "hono";
import type { JobBackend } from "../../jobs/backend";
import { pingDatabase } from "../../services/health";
import type { AppEnv } from "../context";
import { fail, ok } from "../envelope";

type Probe = { ok: boolean; ms: number; error?: string };

async function probe(fn: () => Promise<unknown>): Promise<Probe> {
  const started = performance.now();
  try {
    await fn();
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, ms: Math.round(performance.now() - started), error: (error as Error).message };
  }
}

/** GET /healthz — 200 when the database and the job backend answer, 503 (with which one) when not. */
export function healthRoutes(deps: { jobs: Pick<JobBackend, "kind" | "check"> }) {
  const app = new Hono<AppEnv>();
  app.get("/", async (c) => {
    const [database, jobs] = await Promise.all([
      probe(() => pingDatabase(c.var.ctx)),
      probe(() => deps.jobs.check()),
    ]);
    const checks = {
      database,
      jobs: { ...jobs, backend: deps.jobs.kind },
    };
    const status = database.ok && jobs.ok ? "ok" : "degraded";
    const body = { status, sandbox: c.var.ctx.config.sandbox, checks };
    return status === "ok" ? ok(c, body) : fail(c, 503, "UNHEALTHY", "A dependency is not answering.", body);
  });
  return app;
}
