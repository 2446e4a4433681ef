import { PAYMENT_JOBS } from "../../api/jobs/definitions";
import type { ServiceContext } from "../../api/services/context";
import type { PaymentGateway, PaymentJob, PaymentsRuntime } from "../../api/services/funding";

/**
 * A payments runtime whose dispatch only queues the job, and `drain`, which runs the queue through
 * the same job definitions the worker uses (the webhook's processing, withdrawals, the sweeper): a
 * test decides when the "worker" runs.
 */
export function queuedPayments(gateway: PaymentGateway, webhookSecretHash: string) {
  const queued: PaymentJob[] = [];
  const payments: PaymentsRuntime = {
    gateway,
    webhookSecretHash,
    async dispatch(job) {
      queued.push(job);
    },
  };
  const byName = new Map(PAYMENT_JOBS.map((d) => [d.name, d]));
  async function drain(ctx: ServiceContext): Promise<void> {
    const deps = { ctx: () => ctx, payments, logger: ctx.logger };
    for (let job = queued.shift(); job; job = queued.shift()) {
      const definition = byName.get(job.name);
      const { name: _name, ...payload } = job;
      const { dedupe: _dedupe, ...data } = payload as Record<string, unknown>;
      await definition?.handle(deps, definition.payload.parse(data));
    }
  }
  return { payments, queued, drain };
}
