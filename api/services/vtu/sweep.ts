import { sql } from "kysely";
import type { ServiceContext } from "../context";
import { ownerIsGone } from "../processes";
import type { VtuJob, VtuRuntime } from "./runtime";

/**
 * Find order work that is due or stuck and trigger it again (state lives in PostgreSQL; the queue
 * only triggers). Due means:
 * - `next_check_at` has passed: a submit whose job was lost, a requery whose time has come, a lease
 *   that ran out;
 * - `verify_due_at` has passed for a delivered order: a post-delivery check (verify-delivery.ts);
 * - the order's lease belongs to a process known to be gone (a crash or a restart): taken over at
 *   once instead of waiting for the lease to run out.
 * Safe to run anywhere, any number of times, in any number of processes: jobs are de-duplicated by
 * id, and every step re-checks the order's state and lease under a row lock.
 */
export async function sweepDueOrders(args: {
  ctx: ServiceContext;
  vtu: VtuRuntime;
  limit?: number;
  /**
   * Run a job here when the queue refuses it (Redis down): the money must not wait for the queue.
   * Without it, a refused job is left for the next sweep.
   */
  runInline?: (job: VtuJob) => Promise<void>;
}): Promise<number> {
  const { ctx, vtu } = args;
  const now = ctx.now();
  const due = await ctx.db
    .selectFrom("vtu_orders as o")
    .select(["o.id", "o.state", "o.requery_count", "o.next_check_at", "o.verify_due_at", "o.lease_owner"])
    .select((eb) =>
      eb
        .and([eb("o.lease_owner", "is not", null), ownerIsGone(ctx, eb.ref("o.lease_owner"))])
        .as("lease_gone"),
    )
    .where((eb) =>
      eb.or([
        eb("o.next_check_at", "<=", now),
        eb.and([eb("o.state", "=", "delivered"), eb("o.verify_due_at", "<=", now)]),
        eb.and([eb("o.lease_owner", "is not", null), ownerIsGone(ctx, eb.ref("o.lease_owner"))]),
      ]),
    )
    .orderBy(sql`least(o.next_check_at, o.verify_due_at)`)
    .limit(args.limit ?? 500)
    .execute();
  // After the first refusal the queue counts as down for the rest of this pass: each refusal costs
  // the enqueue timeout, and hundreds of them would stall the sweep.
  let queueDown = false;
  for (const order of due) {
    const job = jobFor(order);
    if (!job) {
      continue;
    }
    if (!queueDown) {
      try {
        await vtu.dispatch(job);
        continue;
      } catch (err) {
        queueDown = true;
        ctx.logger.warn(
          { err, orderId: order.id },
          args.runInline
            ? "the job queue refused a job; this sweep runs due order work here"
            : "sweeper could not enqueue; next sweep retries",
        );
      }
    }
    if (!args.runInline) {
      break;
    }
    await args.runInline(job);
  }
  return due.length;
}

type DueOrder = {
  id: string;
  state: string;
  requery_count: number;
  next_check_at: Date | null;
  verify_due_at: Date | null;
  lease_owner: string | null;
  lease_gone: unknown;
};

/**
 * One job per (order, step): a job already queued for this step is not duplicated. A takeover is
 * keyed by the dead owner, because the dead process's own job may still look "active" in BullMQ until
 * its stall check (30–60 s) and would swallow a re-trigger with the same id.
 */
function jobFor(order: DueOrder): VtuJob | undefined {
  const takeover = order.lease_gone ? `takeover${order.lease_owner}` : "";
  if (order.state === "held" || order.state === "submitting") {
    return {
      name: "submit-order",
      orderId: order.id,
      dedupe: `lease${order.next_check_at?.getTime() ?? 0}${takeover}`,
    };
  }
  if (order.state === "delivered") {
    return {
      name: "requery-order",
      orderId: order.id,
      includeDelivered: true,
      dedupe: `verify${order.verify_due_at?.getTime() ?? 0}${takeover}`,
    };
  }
  if (["pending", "unknown", "manual_review"].includes(order.state)) {
    return { name: "requery-order", orderId: order.id, dedupe: `${order.requery_count}${takeover}` };
  }
  return undefined;
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
