import { z } from "zod";
import { recordAudit } from "../audit";
import { type ServiceContext, withTransaction } from "../context";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../errors";
import { closeRoom } from "../gift-rooms/close-room";
import { maskPhone } from "../phone";
import { lagosDayStart, parseListFilters } from "./list-filters";
import { hasRole, type SignedInAdmin } from "./sessions";

export const AdminGiftRoomFilters = z.strictObject({
  status: z.enum(["open", "drawing", "closed"]).optional(),
  creatorId: z.string().trim().max(60).optional(),
  /** Lagos calendar days, inclusive. */
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type AdminGiftRoomFilters = z.input<typeof AdminGiftRoomFilters>;

export type AdminGiftRoomRow = {
  id: string;
  creatorId: string;
  kind: string;
  mode: string;
  status: string;
  capacity: number;
  claimed: number;
  remaining: number;
  giftPriceKobo: number;
  /** The escrow account: balance, and what of it is held for gifts being vended. */
  escrowBalanceKobo: number;
  escrowHeldKobo: number;
  createdAt: string;
  expiresAt: string;
  closedAt: string | null;
};

function roomQuery(ctx: ServiceContext) {
  return ctx.db
    .selectFrom("gift_rooms as g")
    .innerJoin("accounts as a", "a.id", "g.escrow_account_id")
    .select([
      "g.id",
      "g.creator_id",
      "g.kind",
      "g.mode",
      "g.status",
      "g.capacity",
      "g.claimed",
      "g.gift_price_kobo",
      "a.balance",
      "a.held",
      "g.created_at",
      "g.expires_at",
      "g.closed_at",
    ]);
}

function toRow(r: {
  id: string;
  creator_id: string;
  kind: string;
  mode: string;
  status: string;
  capacity: number;
  claimed: number;
  gift_price_kobo: number;
  balance: number;
  held: number;
  created_at: Date;
  expires_at: Date;
  closed_at: Date | null;
}): AdminGiftRoomRow {
  return {
    id: r.id,
    creatorId: r.creator_id,
    kind: r.kind,
    mode: r.mode,
    status: r.status,
    capacity: r.capacity,
    claimed: r.claimed,
    remaining: r.status === "closed" ? 0 : r.capacity - r.claimed,
    giftPriceKobo: r.gift_price_kobo,
    escrowBalanceKobo: r.balance,
    escrowHeldKobo: r.held,
    createdAt: r.created_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
    closedAt: r.closed_at?.toISOString() ?? null,
  };
}

/** Gift rooms, newest first, filtered by status, creator and created day. */
export async function listGiftRoomsForAdmin(
  ctx: ServiceContext,
  filters: AdminGiftRoomFilters,
): Promise<AdminGiftRoomRow[]> {
  const f = parseListFilters(AdminGiftRoomFilters, filters);
  let q = roomQuery(ctx).orderBy("g.created_at", "desc").limit(f.limit);
  if (f.status) {
    q = q.where("g.status", "=", f.status);
  }
  if (f.creatorId) {
    q = q.where("g.creator_id", "=", f.creatorId);
  }
  if (f.from) {
    q = q.where("g.created_at", ">=", lagosDayStart(f.from));
  }
  if (f.to) {
    q = q.where("g.created_at", "<", lagosDayStart(f.to, 1));
  }
  return (await q.execute()).map(toRow);
}

/** One room: its numbers, every claim (phones masked) with its order's state, and the draw if any. */
export async function adminGiftRoomDetail(ctx: ServiceContext, roomId: string) {
  const row = await roomQuery(ctx).where("g.id", "=", roomId).executeTakeFirst();
  if (!row) {
    throw new NotFoundError("Gift room");
  }
  const claims = await ctx.db
    .selectFrom("gift_claims as c")
    .leftJoin("vtu_orders as o", "o.id", "c.order_id")
    .select(["c.id", "c.recipient_msisdn", "c.state", "c.order_id", "o.state as order_state", "c.created_at"])
    .where("c.room_id", "=", roomId)
    .orderBy("c.id")
    .execute();
  const draw = await ctx.db
    .selectFrom("gift_draws")
    .select(["seed_hex", "participants", "winners", "drawn_at"])
    .where("room_id", "=", roomId)
    .executeTakeFirst();
  const entries = await ctx.db
    .selectFrom("gift_draw_entries")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("room_id", "=", roomId)
    .executeTakeFirstOrThrow();
  return {
    room: toRow(row),
    claims: claims.map((c) => ({
      id: c.id,
      phone: maskPhone(c.recipient_msisdn),
      state: c.state,
      orderId: c.order_id,
      orderState: c.order_state,
      at: c.created_at.toISOString(),
    })),
    drawEntries: Number(entries.n),
    draw: draw
      ? {
          seedHex: draw.seed_hex,
          participants: Array.isArray(draw.participants) ? draw.participants.length : 0,
          winners: Array.isArray(draw.winners) ? draw.winners.length : 0,
          drawnAt: draw.drawn_at.toISOString(),
        }
      : null,
  };
}

export type AdminGiftRoomDetail = Awaited<ReturnType<typeof adminGiftRoomDetail>>;

/**
 * Close a room early from the panel: the same closeRoom the expiry job and the creator use (the
 * status update is its guard; it refunds the escrow's available balance to the creator and tells
 * them), run inside this transaction with the room locked, and the audit row written with it.
 * A second click finds the room closed: a conflict, and nothing is refunded again.
 */
export async function adminCloseGiftRoom(args: {
  ctx: ServiceContext;
  admin: Pick<SignedInAdmin, "id" | "role">;
  roomId: string;
  reason: string;
}): Promise<{ refundedKobo: number }> {
  const { ctx, admin, roomId } = args;
  if (!hasRole(admin, "admin")) {
    throw new ForbiddenError(
      "Support can look, not change: ask an admin to close this room.",
      "ROLE_REQUIRED",
    );
  }
  const reason = (args.reason ?? "").trim();
  if (reason.length < 5 || reason.length > 500) {
    throw new ValidationError("reason: say why (5 to 500 characters); it goes into the audit log.", {
      field: "reason",
    });
  }
  return withTransaction(ctx, async (trx) => {
    const room = await trx
      .selectFrom("gift_rooms")
      .select(["id", "status", "claimed", "capacity", "closed_at"])
      .where("id", "=", roomId)
      .forUpdate()
      .executeTakeFirst();
    if (!room) {
      throw new NotFoundError("Gift room");
    }
    if (room.status === "closed") {
      throw new ConflictError(
        `Gift room ${roomId} is already closed (${room.closed_at?.toISOString() ?? "earlier"}); its remainder went back then, nothing more to refund.`,
        "ROOM_CLOSED",
      );
    }
    const result = await closeRoom({ ...ctx, db: trx }, roomId, "closed_by_admin");
    if (!result.closed) {
      throw new ConflictError(`Gift room ${roomId} closed meanwhile; reload the page.`, "ROOM_CLOSED");
    }
    await recordAudit(trx, {
      actorType: "admin",
      actorId: admin.id,
      action: "gift_room.close",
      targetType: "gift_room",
      targetId: roomId,
      before: { status: room.status, claimed: room.claimed, capacity: room.capacity },
      after: { status: "closed", refundedKobo: result.refundedKobo },
      reason,
    });
    return { refundedKobo: result.refundedKobo };
  });
}
