import { z } from "zod";
import type { CallbackDeliveryStatus, CallbackEvent } from "../../../db/database";
import { hasRole, type SignedInAdmin } from "../admins/sessions";
import { recordAudit } from "../audit";
import { type ServiceContext, type Trx, withTransaction } from "../context";
import { ForbiddenError, NotFoundError, parseInput, ServiceError, ValidationError } from "../errors";
import { lockOwnKey } from "./registration";

/** The form of a delivery id (the trigger makes them: "cbd_" and a random UUID's 32 hex digits). */
export const DELIVERY_ID = /^cbd_[0-9a-f]{32}$/;

/** One line of a key's delivery log. */
export type CallbackDeliveryDto = {
  id: string;
  orderId: string;
  event: CallbackEvent;
  status: CallbackDeliveryStatus;
  /** Every POST made (or refused before it left), resends included. */
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastAttemptAt: string | null;
  /** When the next try is due (pending only). */
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  givenUpAt: string | null;
  createdAt: string;
};

type DeliveryRow = {
  id: string;
  order_id: string;
  event: CallbackEvent;
  status: CallbackDeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  last_attempt_at: Date | null;
  next_attempt_at: Date | null;
  delivered_at: Date | null;
  given_up_at: Date | null;
  created_at: Date;
};

const COLUMNS = [
  "d.id",
  "d.order_id",
  "d.event",
  "d.status",
  "d.attempts",
  "d.last_status_code",
  "d.last_error",
  "d.last_attempt_at",
  "d.next_attempt_at",
  "d.delivered_at",
  "d.given_up_at",
  "d.created_at",
] as const;

export const ListDeliveriesInput = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  /** Opaque cursor from the previous page's `nextCursor`. */
  cursor: z.string().max(200).optional(),
  status: z.enum(["pending", "delivered", "given_up"]).optional(),
});

/** A key's delivery log, newest first, keyset-paginated; only the caller's own key (else 404). */
export async function listCallbackDeliveries(args: {
  ctx: ServiceContext;
  userId: string;
  apiKeyId: string;
  input: z.input<typeof ListDeliveriesInput>;
}): Promise<{ items: CallbackDeliveryDto[]; nextCursor: string | null }> {
  const input = parseInput(ListDeliveriesInput, args.input);
  await lockOwnKey(args.ctx.db, args, { lock: false });
  const cursor = input.cursor ? decodeCursor(input.cursor) : undefined;
  const rows = await args.ctx.db
    .selectFrom("callback_deliveries as d")
    .select(COLUMNS)
    .where("d.api_key_id", "=", args.apiKeyId)
    .$if(input.status !== undefined, (q) => q.where("d.status", "=", input.status ?? "pending"))
    .$if(cursor !== undefined, (q) =>
      q.where((eb) =>
        eb.or([
          eb("d.created_at", "<", cursor?.createdAt ?? new Date()),
          eb.and([
            eb("d.created_at", "=", cursor?.createdAt ?? new Date()),
            eb("d.id", "<", cursor?.id ?? ""),
          ]),
        ]),
      ),
    )
    .orderBy("d.created_at", "desc")
    .orderBy("d.id", "desc")
    .limit(input.limit + 1)
    .execute();
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map(deliveryDto),
    nextCursor:
      rows.length > input.limit && last
        ? Buffer.from(`${last.created_at.toISOString()}|${last.id}`).toString("base64url")
        : null,
  };
}

/**
 * Send one of the key's deliveries again (any status): it becomes pending, due now, with a fresh
 * 24-hour retry window. The receiver gets the same delivery id (dedupe on it) with a new signature.
 */
export async function resendCallbackDelivery(args: {
  ctx: ServiceContext;
  userId: string;
  apiKeyId: string;
  deliveryId: string;
}): Promise<CallbackDeliveryDto> {
  const { ctx } = args;
  return withTransaction(ctx, async (trx) => {
    await lockOwnKey(trx, args, {});
    const row = await resendRow(trx, ctx, { deliveryId: args.deliveryId, apiKeyId: args.apiKeyId });
    await recordAudit(trx, {
      actorType: "user",
      actorId: args.userId,
      action: "callback.resend",
      targetType: "callback_delivery",
      targetId: row.id,
      after: { orderId: row.order_id, event: row.event },
      requestId: ctx.requestId,
    });
    return deliveryDto(row);
  });
}

/** A delivery as the panel lists it: whose, which key, and where it stands. */
export type AdminCallbackDelivery = CallbackDeliveryDto & {
  userId: string;
  userName: string | null;
  apiKeyId: string;
  apiKeyName: string;
  apiKeyPrefix: string;
};

export const AdminDeliveryFilters = z.strictObject({
  status: z.enum(["pending", "delivered", "given_up"]).optional(),
  apiKeyId: z.string().trim().max(60).optional(),
  userId: z.string().trim().max(60).optional(),
});

/** Deliveries across customers for the panel, newest first (at most `limit`). */
export async function listCallbackDeliveriesForAdmin(args: {
  ctx: ServiceContext;
  /** As typed into the panel's filter form; checked here (a wrong status is a ValidationError). */
  filters: { status?: string; apiKeyId?: string; userId?: string };
  limit: number;
}): Promise<AdminCallbackDelivery[]> {
  const filters = parseInput(AdminDeliveryFilters, args.filters, "filters");
  const rows = await args.ctx.db
    .selectFrom("callback_deliveries as d")
    .innerJoin("users as u", "u.id", "d.user_id")
    .innerJoin("api_keys as k", "k.id", "d.api_key_id")
    .select(COLUMNS)
    .select(["d.user_id", "u.display_name", "d.api_key_id", "k.name as key_name", "k.prefix as key_prefix"])
    .$if(Boolean(filters.status), (q) => q.where("d.status", "=", filters.status ?? "pending"))
    .$if(Boolean(filters.apiKeyId), (q) => q.where("d.api_key_id", "=", filters.apiKeyId ?? ""))
    .$if(Boolean(filters.userId), (q) => q.where("d.user_id", "=", filters.userId ?? ""))
    .orderBy("d.created_at", "desc")
    .orderBy("d.id", "desc")
    .limit(args.limit)
    .execute();
  return rows.map((r) => ({
    ...deliveryDto(r),
    userId: r.user_id,
    userName: r.display_name,
    apiKeyId: r.api_key_id,
    apiKeyName: r.key_name,
    apiKeyPrefix: r.key_prefix,
  }));
}

/** An admin's resend (support and up): the same as the reseller's, audited as the admin's. */
export async function adminResendCallbackDelivery(args: {
  ctx: ServiceContext;
  admin: Pick<SignedInAdmin, "id" | "role">;
  deliveryId: string;
}): Promise<CallbackDeliveryDto> {
  const { ctx, admin } = args;
  if (!hasRole(admin, "support")) {
    throw new ForbiddenError("Your role cannot resend callbacks.", "ROLE_REQUIRED");
  }
  return withTransaction(ctx, async (trx) => {
    const row = await resendRow(trx, ctx, { deliveryId: args.deliveryId });
    await recordAudit(trx, {
      actorType: "admin",
      actorId: admin.id,
      action: "callback.resend",
      targetType: "callback_delivery",
      targetId: row.id,
      after: { orderId: row.order_id, event: row.event },
      requestId: ctx.requestId,
    });
    return deliveryDto(row);
  });
}

/** Pending, due now, a new retry window; refused when the key has no callback any more. */
async function resendRow(
  trx: Trx,
  ctx: ServiceContext,
  args: { deliveryId: string; apiKeyId?: string },
): Promise<DeliveryRow> {
  const found = await trx
    .selectFrom("callback_deliveries as d")
    .leftJoin("api_key_callbacks as c", "c.api_key_id", "d.api_key_id")
    .select(["d.id", "c.api_key_id as callback"])
    .where("d.id", "=", args.deliveryId)
    .$if(args.apiKeyId !== undefined, (q) => q.where("d.api_key_id", "=", args.apiKeyId ?? ""))
    .forUpdate("d")
    .executeTakeFirst();
  if (!found) {
    throw new NotFoundError("That callback delivery", "CALLBACK_DELIVERY_NOT_FOUND");
  }
  if (!found.callback) {
    throw new ServiceError(
      "conflict",
      "CALLBACK_NOT_SET",
      "That API key has no callback any more, so there is nowhere to send this. Register one with PUT /api/api-keys/:id/callback, then resend.",
    );
  }
  return trx
    .updateTable("callback_deliveries as d")
    .set({
      status: "pending",
      next_attempt_at: ctx.now(),
      first_attempt_at: null,
      window_attempts: 0,
      delivered_at: null,
      given_up_at: null,
    })
    .where("d.id", "=", found.id)
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
}

function deliveryDto(row: DeliveryRow): CallbackDeliveryDto {
  return {
    id: row.id,
    orderId: row.order_id,
    event: row.event,
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    lastAttemptAt: row.last_attempt_at?.toISOString() ?? null,
    nextAttemptAt: row.next_attempt_at?.toISOString() ?? null,
    deliveredAt: row.delivered_at?.toISOString() ?? null,
    givenUpAt: row.given_up_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const createdAt = new Date(at ?? "");
  if (!id || !DELIVERY_ID.test(id) || Number.isNaN(createdAt.getTime())) {
    throw new ValidationError(
      "That page cursor is not valid. Use the nextCursor of the previous page.",
      { field: "cursor" },
      "INVALID_CURSOR",
    );
  }
  return { createdAt, id };
}
