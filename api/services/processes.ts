import { randomBytes } from "node:crypto";
import os from "node:os";
import { type Expression, type SqlBool, sql } from "kysely";
import type { Db, ServiceContext } from "./context";

/**
 * Who is alive (crash recovery in seconds, DECISIONS §27). Work in flight — an order being sent to a
 * provider, a requery — is leased to the process boot doing it (`vtu_orders.lease_owner`). A lease is
 * dead, and anyone may take the work over, as soon as its boot:
 * - stopped cleanly (`ended_at`), or
 * - was replaced by a later boot of the same instance (a restart: `npm start` on the embedded
 *   database is one instance per data directory, guarded by its lock file), or
 * - has not beaten for PROCESS_DEAD_AFTER_SECONDS (a `kill -9` on another machine).
 * The beat and the liveness test both use the database's clock, so hosts with skewed clocks agree.
 */

export type ProcessBoot = { bootId: string; instanceId: string; role: string };

export async function registerBoot(
  ctx: Pick<ServiceContext, "db" | "logger">,
  args: { role: string; instanceId?: string },
): Promise<ProcessBoot> {
  const bootId = `boot_${randomBytes(9).toString("base64url")}`;
  // Without an instance id nobody can say this boot replaces another: each boot is its own instance.
  const instanceId = args.instanceId ?? bootId;
  await ctx.db.transaction().execute(async (trx) => {
    if (args.instanceId) {
      const replaced = await trx
        .updateTable("process_boots")
        .set({ ended_at: sql`now()` })
        .where("instance_id", "=", instanceId)
        .where("ended_at", "is", null)
        .returning("boot_id")
        .execute();
      if (replaced.length > 0) {
        ctx.logger.info(
          { instanceId, replaced: replaced.map((r) => r.boot_id) },
          "an earlier run of this instance ended without stopping: its work is taken over now",
        );
      }
    }
    await trx
      .insertInto("process_boots")
      .values({
        boot_id: bootId,
        instance_id: instanceId,
        role: args.role,
        host: os.hostname(),
        pid: process.pid,
      })
      .execute();
  });
  return { bootId, instanceId, role: args.role };
}

export async function beat(db: Db, bootId: string): Promise<void> {
  await db
    .updateTable("process_boots")
    .set({ beat_at: sql`now()` })
    .where("boot_id", "=", bootId)
    .where("ended_at", "is", null)
    .execute();
}

/** A clean stop: this boot's leases are dead from now on. */
export async function endBoot(db: Db, bootId: string): Promise<void> {
  await db.updateTable("process_boots").set({ ended_at: sql`now()` }).where("boot_id", "=", bootId).execute();
}

/** Beat on a timer until stopped; a failed beat is only logged (the next one may succeed). */
export function startHeartbeat(ctx: ServiceContext, boot: ProcessBoot): { stop(): Promise<void> } {
  const timer = setInterval(() => {
    beat(ctx.db, boot.bootId).catch((err) => ctx.logger.warn({ err }, "heartbeat failed"));
  }, ctx.config.PROCESS_HEARTBEAT_SECONDS * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await endBoot(ctx.db, boot.bootId).catch((err) =>
        ctx.logger.warn({ err }, "could not record this process's stop"),
      );
    },
  };
}

/**
 * SQL: true when the boot named by `owner` is known to be gone (ended, replaced, or silent too long).
 * An owner with no boot row (a test runtime, a script) is not known to be gone: its lease lasts
 * until its time runs out, as before heartbeats existed.
 */
export function ownerIsGone(ctx: Pick<ServiceContext, "config">, owner: Expression<string | null>) {
  const deadAfter = ctx.config.PROCESS_DEAD_AFTER_SECONDS;
  return sql<SqlBool>`EXISTS (SELECT 1 FROM process_boots b WHERE b.boot_id = ${owner}
    AND (b.ended_at IS NOT NULL OR b.beat_at < now() - make_interval(secs => ${deadAfter})))`;
}

/** The same test for one owner, read in the caller's transaction. */
export async function isOwnerGone(
  ctx: Pick<ServiceContext, "config">,
  db: Db,
  owner: string | null,
): Promise<boolean> {
  if (!owner) {
    return false;
  }
  const row = await db
    .selectNoFrom((eb) => ownerIsGone(ctx, eb.val(owner)).as("gone"))
    .executeTakeFirstOrThrow();
  return Boolean(row.gone);
}
