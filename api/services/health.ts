import { sql } from "kysely";
import type { ServiceContext } from "./context";

/** Round trip to PostgreSQL, for /healthz. */
export async function pingDatabase(ctx: Pick<ServiceContext, "db">): Promise<void> {
  await sql`SELECT 1`.execute(ctx.db);
}
