import type { Trx } from "./context";

export type AuditInput = {
  actorType: "admin" | "user" | "system" | "api_key" | "webhook";
  actorId?: string;
  action: string;
  targetType?: string;
  targetId?: string;
  before?: unknown;
  after?: unknown;
  reason?: string;
  requestId?: string;
};

/** Written in the same transaction as the action it records, so one never exists without the other. */
export async function recordAudit(trx: Trx, input: AuditInput): Promise<void> {
  await trx
    .insertInto("audit_log")
    .values({
      actor_type: input.actorType,
      actor_id: input.actorId ?? null,
      action: input.action,
      target_type: input.targetType ?? null,
      target_id: input.targetId ?? null,
      before: input.before === undefined ? null : JSON.stringify(input.before),
      after: input.after === undefined ? null : JSON.stringify(input.after),
      reason: input.reason ?? null,
      request_id: input.requestId ?? null,
    })
    .execute();
}
