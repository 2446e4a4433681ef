import type { Kysely } from "kysely";
import type { Config } from "../../api/config";
import type { JobBackend } from "../../api/jobs/backend";
import { createVtuDispatch } from "../../api/jobs/vtu";
import type { Logger } from "../../api/logger";
import { createVtuProviders } from "../../api/providers";
import { syncCatalogue } from "../../api/services/catalogue/sync";
import type { ServiceContext } from "../../api/services/context";
import { handleProviderWebhook, registerProviders, type VtuRuntime } from "../../api/services/vtu";
import type { Database } from "../../db/database";

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
  const runtime: VtuRuntime = { providers, dispatch: createVtuDispatch(args.jobs) };
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
