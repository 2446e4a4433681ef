import { sql } from "kysely";
import { z } from "zod";
import type { SignedInAdmin } from "../admins/sessions";
import { recordAudit } from "../audit";
import { type Db, type ServiceContext, withTransaction } from "../context";
import { ConflictError, NotFoundError, parseInput } from "../errors";

export type AlertSeverity = "warning" | "critical";

/** What raises an alert: `key` names the condition (one open alert per key). */
export type AlertInput = {
  kind: string;
  key: string;
  severity: AlertSeverity;
  title: string;
  body: string;
  /** How many occurrences this report stands for (aggregated reports); 1 by default. */
  times?: number;
};

export type AlertDto = {
  id: number;
  kind: string;
  severity: AlertSeverity;
  title: string;
  body: string;
  count: number;
  firstAt: string;
  lastAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
};

type AlertRow = {
  id: number;
  kind: string;
  severity: AlertSeverity;
  title: string;
  body: string;
  count: number;
  first_at: Date;
  last_at: Date;
  resolved_at: Date | null;
  resolved_by: string | null;
};

function toDto(row: AlertRow): AlertDto {
  return {
    id: Number(row.id),
    kind: row.kind,
    severity: row.severity,
    title: row.title,
    body: row.body,
    count: row.count,
    firstAt: row.first_at.toISOString(),
    lastAt: row.last_at.toISOString(),
    resolvedAt: row.resolved_at?.toISOString() ?? null,
    resolvedBy: row.resolved_by,
  };
}

/**
 * Open an alert, or if one is already open for the same condition, bump its count and refresh its
 * text. Either way one open row per key, so a flapping condition never floods the admins' chats.
 */
export async function raiseAlert(db: Db, input: AlertInput): Promise<void> {
  await db
    .insertInto("admin_alerts")
    .values({
      kind: input.kind,
      key: input.key,
      severity: input.severity,
      title: input.title.slice(0, 200),
      body: input.body.slice(0, 2000),
      count: input.times ?? 1,
    })
    .onConflict((oc) =>
      oc
        .column("key")
        .where("resolved_at", "is", null)
        .doUpdateSet({
          count: sql`admin_alerts.count + excluded.count`,
          last_at: sql`now()`,
          title: (eb) => eb.ref("excluded.title"),
          body: (eb) => eb.ref("excluded.body"),
          severity: (eb) => eb.ref("excluded.severity"),
        }),
    )
    .execute();
}

/** The condition is gone: resolve its open alert (if any). Returns whether one was open. */
export async function clearAlert(db: Db, key: string): Promise<boolean> {
  const result = await db
    .updateTable("admin_alerts")
    .set({ resolved_at: sql`now()`, resolved_by: "system" })
    .where("key", "=", key)
    .where("resolved_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Resolve every open alert of a kind whose key is not in `stillTrue` (the check found them cleared). */
export async function clearAlertsExcept(db: Db, kind: string, stillTrue: string[]): Promise<number> {
  let query = db
    .updateTable("admin_alerts")
    .set({ resolved_at: sql`now()`, resolved_by: "system" })
    .where("kind", "=", kind)
    .where("resolved_at", "is", null);
  if (stillTrue.length > 0) {
    query = query.where("key", "not in", stillTrue);
  }
  return Number((await query.executeTakeFirst()).numUpdatedRows);
}

const ALERT_COLUMNS = [
  "id",
  "kind",
  "severity",
  "title",
  "body",
  "count",
  "first_at",
  "last_at",
  "resolved_at",
  "resolved_by",
] as const;

/** Open alerts, most severe and newest first (the dashboard's banner and the alerts page). */
export async function listOpenAlerts(ctx: ServiceContext): Promise<AlertDto[]> {
  const rows = await ctx.db
    .selectFrom("admin_alerts")
    .select(ALERT_COLUMNS)
    .where("resolved_at", "is", null)
    .orderBy(sql`severity = 'critical'`, "desc")
    .orderBy("last_at", "desc")
    .limit(100)
    .execute();
  return rows.map(toDto);
}

/** Alerts resolved recently, newest first: what happened while you were away. */
export async function listResolvedAlerts(ctx: ServiceContext, limit = 50): Promise<AlertDto[]> {
  const rows = await ctx.db
    .selectFrom("admin_alerts")
    .select(ALERT_COLUMNS)
    .where("resolved_at", "is not", null)
    .orderBy("resolved_at", "desc")
    .limit(limit)
    .execute();
  return rows.map(toDto);
}

export const ResolveAlertInput = z.strictObject({
  reason: z.string().trim().min(3, "say why it is resolved (at least 3 characters)").max(500),
});

/**
 * An admin marks an alert handled (audited). If the condition is still true, the next check opens
 * a new alert — resolving does not silence a live problem.
 */
export async function resolveAlertByAdmin(args: {
  ctx: ServiceContext;
  admin: SignedInAdmin;
  alertId: number;
  input: z.input<typeof ResolveAlertInput>;
}): Promise<AlertDto> {
  const input = parseInput(ResolveAlertInput, args.input);
  if (!Number.isSafeInteger(args.alertId)) {
    // An id from a URL that no bigint column can hold (the query would fail, not miss).
    throw new NotFoundError("That alert");
  }
  return withTransaction(args.ctx, async (trx) => {
    const row = await trx
      .selectFrom("admin_alerts")
      .select(ALERT_COLUMNS)
      .where("id", "=", args.alertId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) {
      throw new NotFoundError("There is no alert with that id.");
    }
    if (row.resolved_at) {
      throw new ConflictError(
        `This alert was already resolved at ${row.resolved_at.toISOString()} by ${row.resolved_by}.`,
        "ALERT_ALREADY_RESOLVED",
      );
    }
    const updated = await trx
      .updateTable("admin_alerts")
      .set({ resolved_at: args.ctx.now(), resolved_by: args.admin.email })
      .where("id", "=", args.alertId)
      .returning(ALERT_COLUMNS)
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorType: "admin",
      actorId: args.admin.id,
      action: "alert.resolve",
      targetType: "alert",
      targetId: String(args.alertId),
      before: { resolvedAt: null, title: row.title },
      after: { resolvedAt: updated.resolved_at?.toISOString() },
      reason: input.reason,
    });
    return toDto(updated);
  });
}
