import { OpenAPIHono } from "@hono/zod-openapi";
import type { JobBackend } from "../../jobs/backend";
import { pingDatabase } from "../../services/health";
import type { ProviderRegistry } from "../../services/vtu";
import type { AppEnv } from "../context";
import { fail } from "../envelope";
import { defineRoute } from "../openapi/define-route";
import { Health } from "../schemas/health";

type Probe = { ok: boolean; ms: number; error?: string };

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

async function probe(fn: () => Promise<unknown>): Promise<Probe> {
  const started = performance.now();
  try {
    await fn();
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, ms: Math.round(performance.now() - started), error: (error as Error).message };
  }
}

/** Provider balance calls are real API calls: a load balancer's every-10-s probe reuses a recent answer. */
const PROVIDER_PROBE_CACHE_MS = 60_000;
const PROVIDER_PROBE_TIMEOUT_MS = 3_000;

/**
 * GET /healthz — 200 when the database, the job backend and at least one VTU provider answer; 503
 * (saying which) when not. Each provider is asked for its balance (cached for a minute).
 */
export function healthRoutes(deps: {
  jobs: Pick<JobBackend, "kind" | "check">;
  providers?: ProviderRegistry;
}) {
  const app = new OpenAPIHono<AppEnv>();
  let providerCache: { at: number; result: Record<string, Probe & { balanceKobo?: number }> } | undefined;
  const probeProviders = async () => {
    if (providerCache && Date.now() - providerCache.at < PROVIDER_PROBE_CACHE_MS) {
      return providerCache.result;
    }
    const entries = await Promise.all(
      (deps.providers?.all() ?? []).map(async (provider) => {
        let balanceKobo: number | undefined;
        const result = await probe(async () => {
          const answer = await withTimeout(provider.balance(), PROVIDER_PROBE_TIMEOUT_MS);
          balanceKobo = answer.balanceKobo;
        });
        return [provider.code, { ...result, balanceKobo }] as const;
      }),
    );
    providerCache = { at: Date.now(), result: Object.fromEntries(entries) };
    return providerCache.result;
  };
  defineRoute(
    app,
    {
      method: "get",
      path: "/",
      tags: ["Health"],
      summary: "Whether this server can take orders",
      description:
        "200 when the database, the job backend and at least one VTU provider answer; 503 `UNHEALTHY` " +
        "with the same checks in `details` when not. For load balancers and uptime checks.",
      auth: "none",
      response: { description: "Everything answers.", schema: Health },
      errors: [
        {
          status: 503,
          code: "UNHEALTHY",
          description: "A dependency is not answering; `details` has the checks, saying which.",
          details: Health,
        },
      ],
    },
    async (c) => {
      const [database, jobs, providers] = await Promise.all([
        probe(() => pingDatabase(c.var.ctx)),
        probe(() => deps.jobs.check()),
        probeProviders(),
      ]);
      const checks = {
        database,
        jobs: { ...jobs, backend: deps.jobs.kind },
        providers,
      };
      const someProvider = Object.keys(providers).length === 0 || Object.values(providers).some((p) => p.ok);
      const status = database.ok && jobs.ok && someProvider ? "ok" : "degraded";
      const body = { status, sandbox: c.var.ctx.config.sandbox, checks } as const;
      return status === "ok" ? body : fail(c, 503, "UNHEALTHY", "A dependency is not answering.", body);
    },
  );
  return app;
}
