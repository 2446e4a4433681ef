// npm run migrate — apply pending migrations to DATABASE_URL or the embedded database. Reads only the
// database variables, so it runs before any provider key or secret is configured (README "Scale-out mode").
import { migrateToLatest } from "../db/migrate";
import { loadDatabaseConfigOrExit, openDatabase, runMain } from "./runtime/boot";

runMain(async () => {
  const database = await openDatabase({
    config: loadDatabaseConfigOrExit(),
    mode: "attach-or-own",
    migrate: false,
    logLevel: "warn",
  });
  try {
    const { applied } = await migrateToLatest(database.db);
    process.stdout.write(applied.length ? `applied: ${applied.join(", ")}\n` : "database is up to date\n");
    return 0;
  } finally {
    await database.close();
  }
});
