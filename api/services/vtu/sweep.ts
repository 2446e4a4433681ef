import { sql } from "kysely";
import type { ServiceContext } from "../context";
import type { VtuRuntime } from "./runtime";

/**
 * Find order work that is due or stuck and trigger it again (state lives in PostgreSQL; the queue
 * only triggers). Due means `next_check_at` has passed: a submit whose job was lost, a worker that
 * died holding a lease, a requery whose time has come. Safe to run anywhere, any number of times.
 */
export async function sweepDueOrders(args: {
  ctx: ServiceContext;
  vtu: VtuRuntime;
  limit?: number;
}): Promise<number> {
  const { ctx, vtu } = args;
  const due = await ctx.db
    .selectFrom("vtu_orders")
    .select(["id", "state", "requery_count", "next_check_at"])
    .where("next_check_at", "<=", ctx.now())
    .orderBy("next_check_at")
    .limit(args.limit ?? 500)
    .execute();
  for (const order of due) {
    const submit = order.state === "held" || order.state === "submitting";
    await vtu
      .dispatch({
        name: submit ? "submit-order" : "requery-order",
        orderId: order.id,
        // One job per (order, step): a job already queued for this step is not duplicated. A submit is
        // keyed by its lease, so the job of a worker that died holding the lease (still "active" in
        // BullMQ until its stall check, ~30–60 s) does not swallow the re-trigger once the lease ends.
        dedupe: submit ? `lease${order.next_check_at?.getTime() ?? 0}` : String(order.requery_count),
      })
      .catch((err) =>
        ctx.logger.warn({ err, orderId: order.id }, "sweeper could not enqueue; next sweep retries"),
      );
  }
  return due.length;
}

/**
 * P8: orders that are unresolved and older than the SLA without a scheduled next step. When the
 * system is quiet this is empty; `npm run check-ledger` and the tests assert it.
 */
export async function findStrandedOrders(args: { ctx: ServiceContext; slaSeconds?: number }) {
  const sla = args.slaSeconds ?? args.ctx.config.VTU_SUBMIT_LEASE_SECONDS * 2;
  return args.ctx.db
    .selectFrom("vtu_orders")
    .select(["id", "state", "next_check_at", "created_at"])
    .where("state", "in", ["held", "submitting", "pending", "unknown"])
    .where((eb) =>
      eb.or([
        eb("next_check_at", "is", null),
        eb("next_check_at", "<", sql<Date>`${args.ctx.now()}::timestamptz - make_interval(secs => ${sla})`),
      ]),
    )
    .execute();
}
