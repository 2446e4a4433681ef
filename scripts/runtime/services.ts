import type { Kysely } from "kysely";
import type { Config } from "../../api/config";
import type { JobBackend } from "../../api/jobs/backend";
import { createLocalVtuDispatch } from "../../api/jobs/local-dispatch";
import { createPaymentsDispatch } from "../../api/jobs/payments";
import { createVtuDispatch } from "../../api/jobs/vtu";
import type { Logger } from "../../api/logger";
import { createVtuProviders } from "../../api/providers";
import { createPaymentGateway } from "../../api/providers/payment-gateway";
import { AUTH_CHANGED_CHANNEL } from "../../api/services/auth/credential-cache";
import {
  CATALOGUE_CHANGED_CHANNEL,
  CatalogueCache,
  TIER_CHANGED_CHANNEL,
} from "../../api/services/catalogue/order-cache";
import { syncCatalogue } from "../../api/services/catalogue/sync";
import type { ServiceContext } from "../../api/services/context";
import { type PaymentsRuntime, receivePaymentWebhook, webhookSecretHash } from "../../api/services/funding";
import { PgListener } from "../../api/services/pg-listener";
import {
  handleProviderWebhook,
  ORDER_SETTLED_CHANNEL,
  OrderOutcomes,
  registerProviders,
  type VtuRuntime,
} from "../../api/services/vtu";
import type { Database } from "../../db/database";

/** How long a shutdown waits for order jobs running in process (provider calls) to finish. */
const LOCAL_JOBS_DRAIN_MS = 10_000;

/**
 * Compose the VTU runtime for a process: providers from the configuration, job dispatch on the job
 * backend, provider rows registered, and the catalogue seeded on first start (a sync, never a
 * hard-coded price list).
 */
export async function setUpVtu(args: {
  config: Config;
  db: Kysely<Database>;
  logger: Logger;
  jobs: Pick<JobBackend, "queue">;
  ctx: () => ServiceContext;
  /** This process's boot id: the owner of the order leases it takes (processes.ts). */
  owner?: string;
  /** When given, the process LISTENs (pg-listener.ts): purchase requests hear their order's outcome. */
  databaseUrl?: string;
  /** Run the order jobs this process dispatches in process, this many at a time (it runs the worker). */
  localJobs?: { concurrency: number };
}): Promise<VtuRuntime> {
  const { config, db, logger, ctx } = args;
  const holder: { runtime?: VtuRuntime } = {};
  const providers = createVtuProviders({
    config,
    db,
    // The sandbox "calls back" like a provider webhook would: it only triggers a requery.
    onSandboxWebhook: (event) => {
      const vtu = holder.runtime;
      if (!vtu) {
        return;
      }
      handleProviderWebhook({
        ctx: ctx(),
        vtu,
        provider: event.provider,
        payload: { reference: event.reference, request_id: event.requestId },
      }).catch((err) => logger.warn({ err }, "sandbox webhook failed"));
    },
  });
  const listener = args.databaseUrl
    ? await new PgListener(args.databaseUrl, logger, [
        ORDER_SETTLED_CHANNEL,
        CATALOGUE_CHANGED_CHANNEL,
        // For the HTTP app's credential cache, when this process serves the API.
        AUTH_CHANGED_CHANNEL,
        TIER_CHANGED_CHANNEL,
      ]).start()
    : undefined;
  const queued = createVtuDispatch(args.jobs);
  const local = args.localJobs
    ? createLocalVtuDispatch({
        deps: () => ({ ctx, vtu: runtime, logger }),
        concurrency: args.localJobs.concurrency,
        fallback: queued,
        logger,
      })
    : undefined;
  const runtime: VtuRuntime = {
    providers,
    dispatch: local?.dispatch ?? queued,
    owner: args.owner,
    outcomes: listener ? new OrderOutcomes(listener) : undefined,
    catalogue: listener ? new CatalogueCache(listener) : undefined,
    listener,
    close: async () => {
      // Running order jobs finish (or are left to the sweeper); waiting ones go to the queue.
      await local?.drain(LOCAL_JOBS_DRAIN_MS);
      await listener?.close();
    },
  };
  holder.runtime = runtime;
  await registerProviders({ ctx: ctx(), providers });
  const configured = providers.all().map((p) => p.code);
  const synced = await db
    .selectFrom("provider_products")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("provider", "in", configured)
    .executeTakeFirstOrThrow();
  if (Number(synced.n) === 0) {
    const reports = await syncCatalogue({ ctx: ctx(), providers });
    logger.info({ reports }, "catalogue seeded from the providers");
  }
  return runtime;
}

/**
 * Compose the payments runtime: the gateway from the configuration (Flutterwave or the sandbox),
 * the webhook secret, and job dispatch. The sandbox's transfer callbacks go through the same
 * signed-webhook entry as Flutterwave's.
 */
export function setUpPayments(args: {
  config: Config;
  db: Kysely<Database>;
  logger: Logger;
  jobs: Pick<JobBackend, "queue">;
  ctx: () => ServiceContext;
}): PaymentsRuntime {
  const holder: { runtime?: PaymentsRuntime } = {};
  const secret = webhookSecretHash(args.config);
  const gateway = createPaymentGateway({
    config: args.config,
    db: args.db,
    onSandboxTransferCompleted: (transfer) => {
      const payments = holder.runtime;
      if (!payments) {
        return;
      }
      const rawBody = Buffer.from(
        JSON.stringify({
          event: "transfer.completed",
          data: {
            id: Number(transfer.id),
            reference: transfer.reference,
            status: transfer.status,
            amount: transfer.amountKobo / 100,
          },
        }),
      );
      receivePaymentWebhook({ ctx: args.ctx(), payments, headers: { verifHash: secret }, rawBody }).catch(
        (err) => args.logger.warn({ err }, "sandbox transfer webhook failed"),
      );
    },
  });
  const runtime: PaymentsRuntime = {
    gateway,
    webhookSecretHash: secret,
    dispatch: createPaymentsDispatch(args.jobs),
  };
  holder.runtime = runtime;
  return runtime;
}
