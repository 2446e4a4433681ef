// npm run sync-catalogue — pull every configured provider's plans and prices now (the scheduled
// `sync-catalogue` job does the same every CATALOGUE_SYNC_INTERVAL_MINUTES).
import { createVtuProviders } from "../api/providers";
import { syncCatalogue } from "../api/services/catalogue/sync";
import { registerProviders } from "../api/services/vtu";
import { openRuntime, runMain } from "./runtime/boot";

runMain(async () => {
  const runtime = await openRuntime({ mode: "attach-or-own", logLevel: "warn" });
  try {
    const ctx = runtime.ctx();
    const providers = createVtuProviders({ config: runtime.config, db: runtime.db });
    await registerProviders({ ctx, providers });
    const reports = await syncCatalogue({ ctx, providers });
    for (const r of reports) {
      process.stdout.write(
        r.ok
          ? `OK    ${r.provider}: ${r.products} products, ${r.withdrawn} withdrawn\n`
          : `FAIL  ${r.provider}: ${r.error}\n`,
      );
    }
    return reports.every((r) => r.ok) ? 0 : 1;
  } finally {
    await runtime.close();
  }
});
