import type { ServiceContext } from "../context";

export type AuditRow = {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  reason: string | null;
  change: string;
};

/** The newest audit rows (who, what, on what, why, before → after), for the panel. */
export async function listAuditLog(ctx: ServiceContext, limit = 100): Promise<AuditRow[]> {
  const rows = await ctx.db
    .selectFrom("audit_log as l")
    .leftJoin("admin_users as a", "a.id", "l.actor_id")
    .select([
      "l.id",
      "l.created_at",
      "l.actor_type",
      "l.actor_id",
      "a.email",
      "l.action",
      "l.target_type",
      "l.target_id",
      "l.reason",
      "l.before",
      "l.after",
    ])
    .orderBy("l.id", "desc")
    .limit(Math.min(limit, 500))
    .execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.created_at.toISOString(),
    actor: r.email ?? `${r.actor_type}${r.actor_id ? `:${r.actor_id}` : ""}`,
    action: r.action,
    target: r.target_type ? `${r.target_type}:${r.target_id ?? ""}` : "",
    reason: r.reason,
    change:
      r.before || r.after ? `${JSON.stringify(r.before ?? null)} → ${JSON.stringify(r.after ?? null)}` : "",
  }));
}
