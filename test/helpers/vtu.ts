import { randomInt } from "node:crypto";
import { expect } from "vitest";
import { VTU_JOBS } from "../../api/jobs/definitions";
import { vtuJobPayload } from "../../api/jobs/vtu";
import { createVtuProviders } from "../../api/providers";
import { syncCatalogue } from "../../api/services/catalogue/sync";
import type { ServiceContext } from "../../api/services/context";
import { setOrChangePin } from "../../api/services/pins";
import {
  createOrder,
  createProviderRegistry,
  findStrandedOrders,
  type OrderDto,
  type OrderInput,
  type ProviderRegistry,
  registerProviders,
  type VtuJob,
  type VtuProvider,
  type VtuRuntime,
} from "../../api/services/vtu";
import type { UserRow } from "../../db/database";
import { testConfig } from "./context";
import { createFundedUser } from "./fixtures";

export const TEST_PIN = "2580";

/**
 * A VtuRuntime whose dispatch keeps jobs in a list instead of a queue, so a test decides when they
 * run (`drain`) and can count them. The jobs run through the same definitions the BullMQ worker
 * uses; the real queue backends have their own tests (api/jobs).
 */
export function makeVtu(ctx: ServiceContext, providers: ProviderRegistry) {
  const queued: VtuJob[] = [];
  const dispatched: VtuJob[] = [];
  const vtu: VtuRuntime = {
    providers,
    async dispatch(job) {
      queued.push(job);
      dispatched.push(job);
    },
  };
  const byName = new Map(VTU_JOBS.map((d) => [d.name, d]));
  const deps = { ctx: () => ctx, vtu, logger: ctx.logger };
  async function runJob(job: VtuJob) {
    const definition = byName.get(job.name);
    if (!definition) {
      throw new Error(`no job ${job.name}`);
    }
    await definition.handle(deps, definition.payload.parse(vtuJobPayload(job)));
  }
  return {
    vtu,
    queued,
    dispatched,
    /** Run queued jobs (and the jobs they queue) until none is left. */
    async drain(): Promise<number> {
      let ran = 0;
      for (let job = queued.shift(); job; job = queued.shift()) {
        await runJob(job);
        ran++;
      }
      return ran;
    },
    runJob,
  };
}

/** Both sandbox providers (as `npm start` builds them), zero latency, short timeouts, on the test's clock. */
export function sandboxRegistry(
  ctx: ServiceContext,
  options: { latencyMs?: number; timeoutMs?: number; pendingSeconds?: number } = {},
): ProviderRegistry {
  const config = testConfig({
    SANDBOX_LATENCY_MS: String(options.latencyMs ?? 0),
    SANDBOX_TIMEOUT_MS: String(options.timeoutMs ?? 20),
    SANDBOX_PENDING_SECONDS: String(options.pendingSeconds ?? 30),
  });
  return createVtuProviders({ config, db: ctx.db, now: ctx.now });
}

export function registryOf(...providers: { provider: VtuProvider; name?: string }[]): ProviderRegistry {
  return createProviderRegistry(
    providers.map((p, i) => ({
      provider: p.provider,
      name: p.name ?? p.provider.code,
      defaultPriority: (i + 1) * 10,
    })),
  );
}

/** Register the providers and pull their catalogues, as `npm start` does on first start. */
export async function seedCatalogue(ctx: ServiceContext, providers: ProviderRegistry): Promise<void> {
  await registerProviders({ ctx, providers });
  const reports = await syncCatalogue({ ctx, providers });
  expect(
    reports.every((r) => r.ok),
    JSON.stringify(reports),
  ).toBe(true);
}

/**
 * A recipient number whose last four digits pick the sandbox scenario ("0001".."0008"), or a plain
 * success (last four ≥ 1000) when none is given. MTN prefix unless told.
 */
export function sandboxPhone(scenario?: string, prefix = "0803"): string {
  const middle = String(randomInt(1000)).padStart(3, "0");
  const tail = scenario ?? String(1000 + randomInt(9000));
  return `${prefix}${middle}${tail}`;
}

export function sandboxNumber(length: number, scenario?: string): string {
  const tail = scenario ?? String(1000 + randomInt(9000));
  let head = "";
  for (let i = 0; i < length - 4; i++) {
    head += String(i === 0 ? 1 + randomInt(9) : randomInt(10));
  }
  return `${head}${tail}`;
}

/** A funded user with the test PIN set. */
export async function createBuyer(ctx: ServiceContext, balanceKobo: number): Promise<UserRow> {
  const user = await createFundedUser(ctx, balanceKobo);
  await setOrChangePin({ ctx, userId: user.id, input: { pin: TEST_PIN } });
  return user;
}

/** P8: nothing unresolved without a scheduled next step. */
export async function expectNoStrandedOrders(ctx: ServiceContext): Promise<void> {
  expect(await findStrandedOrders({ ctx })).toEqual([]);
}

/** Place an order as an API client would (PIN included), with a fresh idempotency key unless given. */
export async function placeOrder(
  ctx: ServiceContext,
  vtu: VtuRuntime,
  userId: string,
  order: OrderInput,
  idempotencyKey = `test-${randomInt(1e12)}`,
): Promise<OrderDto> {
  const placed = await createOrder({
    ctx,
    vtu,
    userId,
    actor: `user:${userId}`,
    channel: "api",
    idempotencyKey,
    order,
  });
  return placed.order;
}
