import type { Logger } from "../logger";
import { attemptCallback, type CallbackSenderDeps, claimDueCallbacks } from "../services/callbacks";
import type { ServiceContext } from "../services/context";

/**
 * The callback sender (DECISIONS §71): a loop in every worker process, on a timer like the order
 * sweeper (it does not need the job queue, and a row in PostgreSQL is all a delivery is). Each tick
 * claims due deliveries up to `concurrency` minus those in flight, so one slow receiver (up to the
 * 10-second timeout) does not hold back the others; several workers share the rows through the
 * claim's SKIP LOCKED and leases.
 */
export function startCallbackSender(args: {
  ctx: () => ServiceContext;
  logger: Logger;
  deps: CallbackSenderDeps;
  everyMs?: number;
  concurrency?: number;
}): { stop(): void; tick(): Promise<void> } {
  const concurrency = args.concurrency ?? 16;
  let inFlight = 0;
  let claiming: Promise<void> | undefined;
  let stopped = false;

  const tick = (): Promise<void> => {
    if (stopped || claiming) {
      return claiming ?? Promise.resolve();
    }
    const room = concurrency - inFlight;
    if (room <= 0) {
      return Promise.resolve();
    }
    const ctx = args.ctx();
    claiming = claimDueCallbacks(ctx, { owner: args.deps.owner, limit: room })
      .then((claimed) => {
        for (const delivery of claimed) {
          inFlight += 1;
          void attemptCallback(ctx, delivery, args.deps)
            .catch((err) => args.logger.warn({ err, deliveryId: delivery.id }, "callback attempt failed"))
            .finally(() => {
              inFlight -= 1;
            });
        }
        // A full batch: there may be more due now; look again as soon as this claim is done.
        if (claimed.length === room) {
          setImmediate(() => void tick());
        }
      })
      .catch((err) => args.logger.warn({ err }, "callback claim failed; the next tick retries"))
      .finally(() => {
        claiming = undefined;
      });
    return claiming;
  };

  void tick();
  const timer = setInterval(() => void tick(), args.everyMs ?? 2_000);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
    tick,
  };
}
