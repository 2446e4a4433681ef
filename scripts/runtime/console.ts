import { createJobBackend } from "../../api/jobs/backend";
import { startPaymentWorkers } from "../../api/jobs/payments";
import { startVtuWorkers } from "../../api/jobs/vtu";
import type { ServiceContext } from "../../api/services/context";
import { attachConsoleChat, type ConsoleAccount } from "../../api/services/users";
import { beginShutdown } from "../../api/shutdown";
import type { EngineDeps } from "../../bot/engine/types";
import { openRuntime } from "./boot";
import { engineDeps } from "./chat";
import { setUpPayments, setUpVtu } from "./services";

/**
 * The `npm run chat` process: the database of a running `npm start` (or its own embedded one), the
 * VTU and payments runtimes, and their job workers too, so orders are delivered either way. The
 * console channel itself (bot/console/session.ts) runs on the engine deps it returns. The chat for
 * `phone` joins the account registered for it in sandbox mode (api/services/users/console-account.ts).
 */
export async function openConsoleProcess(phone: string): Promise<{
  deps: EngineDeps;
  ctx: () => ServiceContext;
  account: ConsoleAccount;
  close(): Promise<void>;
}> {
  const runtime = await openRuntime({ mode: "attach-or-own", logLevel: "warn" });
  const { config, db, logger } = runtime;
  // With the logger, the queues' background errors are log lines at the chat's level, not BullMQ's
  // raw stderr printed into the conversation.
  const jobs = createJobBackend({ redisUrl: config.REDIS_URL, databaseUrl: runtime.databaseUrl, logger });
  const vtu = await setUpVtu({ config, db, logger, jobs, ctx: runtime.ctx });
  const payments = setUpPayments({ config, db, logger, jobs, ctx: runtime.ctx });
  await startVtuWorkers({
    jobs,
    ctx: runtime.ctx,
    vtu,
    logger,
    sweepEverySeconds: config.VTU_SWEEP_INTERVAL_SECONDS,
    syncEveryMinutes: config.CATALOGUE_SYNC_INTERVAL_MINUTES,
  });
  await startPaymentWorkers({
    jobs,
    ctx: runtime.ctx,
    payments,
    logger,
    sweepEverySeconds: config.VTU_SWEEP_INTERVAL_SECONDS,
    reconcileEveryMinutes: config.FUNDING_RECONCILE_INTERVAL_MINUTES,
  });
  const close = async () => {
    beginShutdown(); // connections this close ends are a stop, not a fault (api/shutdown.ts)
    await vtu.close?.();
    await jobs.close();
    await runtime.close();
  };
  const account = await attachConsoleChat({ ctx: runtime.ctx(), phone }).catch(async (error: unknown) => {
    await close();
    throw error;
  });
  return {
    deps: engineDeps({ config, logger, ctx: runtime.ctx, vtu, payments }),
    ctx: runtime.ctx,
    account,
    close,
  };
}
