import { z } from "zod";
import type { ServiceContext } from "../context";
import { hasUnstorableCharacters } from "../storable-text";
import { lagosDayStart, parseListFilters } from "./list-filters";

export type AuditRow = {
  id: number;
  at: string;
  /** The admin's name and email, or the actor's kind and id (user, system, api key, webhook). */
  actor: string;
  actorName: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  /** "type:id", or "" when the action has no target. */
  target: string;
  reason: string | null;
  /** The recorded state before and after (JSON as stored; null when not recorded). */
  before: unknown;
  after: unknown;
};

/**
 * The audit log's filters: who (an admin's email, part of it, or any actor id), what (an action or
 * its start, "wallet." for every wallet action), on what (a target id, or "type:id"), and Lagos days.
 * `before` is the paging cursor: the id of the last row of the page before.
 */
/** Free text to search with: PostgreSQL cannot compare NUL or a lone surrogate, so they are refused. */
const SearchText = z
  .string()
  .trim()
  .max(120)
  .refine(
    (text) => !hasUnstorableCharacters(text),
    "remove the invisible characters (NUL or a broken emoji)",
  );

export const AuditFilters = z.strictObject({
  actor: SearchText.optional(),
  action: z
    .string()
    .trim()
    .max(60)
    .regex(/^[a-z_.]+$/, "use an action's name, like wallet.adjust, or its start, like wallet.")
    .optional(),
  target: SearchText.optional(),
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  before: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type AuditFilters = z.input<typeof AuditFilters>;

const likeText = (text: string) => text.replace(/[%_\\]/g, "\\$&");

/**
 * The audit log, newest first, a page at a time (keyset on the id, so a page is stable while new
 * rows arrive), filtered; `nextCursor` opens the next (older) page.
 */
export async function listAuditLog(
  ctx: ServiceContext,
  filters: AuditFilters = {},
): Promise<{ items: AuditRow[]; nextCursor: string | null }> {
  const f = parseListFilters(AuditFilters, filters);
  let query = ctx.db
    .selectFrom("audit_log as l")
    .leftJoin("admin_users as a", (join) =>
      join.onRef("a.id", "=", "l.actor_id").on("l.actor_type", "=", "admin"),
    )
    .select([
      "l.id",
      "l.created_at",
      "l.actor_type",
      "l.actor_id",
      "a.email",
      "a.name",
      "l.action",
      "l.target_type",
      "l.target_id",
      "l.reason",
      "l.before",
      "l.after",
    ])
    .orderBy("l.id", "desc")
    .limit(f.limit + 1);
  if (f.before) {
    query = query.where("l.id", "<", f.before);
  }
  if (f.actor) {
    const actor = f.actor;
    query = query.where((eb) =>
      eb.or([eb("l.actor_id", "=", actor), eb("a.email", "ilike", `%${likeText(actor)}%`)]),
    );
  }
  if (f.action) {
    query = f.action.endsWith(".")
      ? query.where("l.action", "like", `${likeText(f.action)}%`)
      : query.where("l.action", "=", f.action);
  }
  if (f.target) {
    const [type, ...rest] = f.target.split(":");
    const id = rest.join(":");
    query =
      id && type
        ? query.where("l.target_type", "=", type).where("l.target_id", "=", id)
        : query.where("l.target_id", "=", f.target);
  }
  if (f.from) {
    query = query.where("l.created_at", ">=", lagosDayStart(f.from));
  }
  if (f.to) {
    query = query.where("l.created_at", "<", lagosDayStart(f.to, 1));
  }
  const rows = await query.execute();
  const page = rows.slice(0, f.limit);
  return {
    items: page.map((r) => ({
      id: r.id,
      at: r.created_at.toISOString(),
      actor: r.email ?? `${r.actor_type}${r.actor_id ? `:${r.actor_id}` : ""}`,
      actorName: r.name,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      target: r.target_type ? `${r.target_type}:${r.target_id ?? ""}` : "",
      reason: r.reason,
      before: r.before ?? null,
      after: r.after ?? null,
    })),
    nextCursor: rows.length > f.limit ? String(page[page.length - 1]?.id) : null,
  };
}

/** One field an audited action changed: its path in the recorded state, and the value before and after. */
export type AuditChange = { field: string; before: unknown; after: unknown };

/**
 * The fields an action changed, from its recorded before and after: nested objects are flattened
 * to dotted paths, fields equal on both sides are left out (a value only recorded after is a
 * change from nothing).
 */
export function auditChanges(before: unknown, after: unknown): AuditChange[] {
  const flat = (value: unknown, prefix: string, into: Map<string, unknown>) => {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) {
        flat(inner, prefix ? `${prefix}.${key}` : key, into);
      }
    } else if (prefix) {
      into.set(prefix, value);
    } else if (value !== null && value !== undefined) {
      into.set("value", value);
    }
    return into;
  };
  const was = flat(before, "", new Map());
  const now = flat(after, "", new Map());
  const fields = [...new Set([...was.keys(), ...now.keys()])];
  return fields
    .map((field) => ({ field, before: was.get(field) ?? null, after: now.get(field) ?? null }))
    .filter((c) => JSON.stringify(c.before) !== JSON.stringify(c.after));
}
