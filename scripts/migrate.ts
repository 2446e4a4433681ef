// npm run migrate — apply pending migrations to DATABASE_URL or the embedded database.
import { migrateToLatest } from "../db/migrate";
import { openRuntime, runMain } from "./lib/runtime";

runMain(async () => {
  const runtime = await openRuntime({ mode: "attach-or-own", migrate: false, logLevel: "warn" });
  try {
    const { applied } = await migrateToLatest(runtime.db);
    process.stdout.write(applied.length ? `applied: ${applied.join(", ")}\n` : "database is up to date\n");
    return 0;
  } finally {
    await runtime.close();
  }
});
