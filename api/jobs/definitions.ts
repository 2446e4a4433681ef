import { z } from "zod";
import type { Logger } from "../logger";
import { syncCatalogue } from "../services/catalogue/sync";
import type { ServiceContext } from "../services/context";
import { requeryOrder, submitOrder, sweepDueOrders } from "../services/vtu";
import type { VtuRuntime } from "../services/vtu/runtime";

/** What a job handler gets: a fresh service context and the VTU runtime. */
export type JobDeps = { ctx: () => ServiceContext; vtu: VtuRuntime; logger: Logger };

/**
 * A job is a name, a zod payload (ids only — the state lives in PostgreSQL) and an idempotent
 * handler that calls one service verb. BullMQ delivers at least once; every handler is safe twice.
 */
export type JobDefinition<P> = {
  name: string;
  payload: z.ZodType<P>;
  handle(deps: JobDeps, payload: P): Promise<unknown>;
};

function defineJob<P>(definition: JobDefinition<P>): JobDefinition<P> {
  return definition;
}

export const submitOrderJob = defineJob({
  name: "submit-order",
  payload: z.strictObject({ orderId: z.string().min(1) }),
  handle: (deps, { orderId }) => submitOrder({ ctx: deps.ctx(), vtu: deps.vtu, orderId }),
});

export const requeryOrderJob = defineJob({
  name: "requery-order",
  payload: z.strictObject({ orderId: z.string().min(1), includeDelivered: z.boolean().optional() }),
  handle: (deps, { orderId, includeDelivered }) =>
    requeryOrder({ ctx: deps.ctx(), vtu: deps.vtu, orderId, includeDelivered }),
});

export const sweepOrdersJob = defineJob({
  name: "sweep-orders",
  payload: z.strictObject({}),
  handle: (deps) => sweepDueOrders({ ctx: deps.ctx(), vtu: deps.vtu }),
});

export const syncCatalogueJob = defineJob({
  name: "sync-catalogue",
  payload: z.strictObject({}),
  handle: (deps) => syncCatalogue({ ctx: deps.ctx(), providers: deps.vtu.providers }),
});

// biome-ignore lint/suspicious/noExplicitAny: a registry of definitions with different payload types.
export const VTU_JOBS: readonly JobDefinition<any>[] = [
  submitOrderJob,
  requeryOrderJob,
  sweepOrdersJob,
  syncCatalogueJob,
];
