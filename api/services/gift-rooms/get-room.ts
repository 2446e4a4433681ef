import { type Selectable, sql } from "kysely";
import type { GiftRoomsTable } from "../../../db/database";
import type { ServiceContext } from "../context";
import { NotFoundError } from "../errors";

export type GiftRoomRow = Selectable<GiftRoomsTable>;

/** What anyone with the link sees: never other recipients, never the quiz answers. */
export type PublicGiftRoomDto = {
  token: string;
  senderName: string;
  kind: "airtime" | "data" | "cash";
  amountKobo: number;
  planId: string | null;
  network: string | null;
  mode: "first_come" | "random_draw" | "quiz";
  quizQuestion: string | null;
  drawAt: string | null;
  message: string;
  state: "open" | "full" | "drawing" | "closed" | "expired";
  expiresAt: string;
};

/** What the creator sees of their own room. */
export type GiftRoomDto = Omit<PublicGiftRoomDto, "senderName"> & {
  id: string;
  link: string;
  capacity: number;
  claimed: number;
  giftPriceKobo: number;
  escrowKobo: number;
  createdAt: string;
  closedAt: string | null;
};

export function roomState(room: GiftRoomRow, now: Date): PublicGiftRoomDto["state"] {
  if (room.status === "closed") {
    return "closed";
  }
  if (room.expires_at <= now) {
    return "expired";
  }
  if (room.status === "drawing") {
    return "drawing";
  }
  return room.claimed >= room.capacity ? "full" : "open";
}

export function giftLink(ctx: ServiceContext, token: string): string {
  return `${ctx.config.publicBaseUrl}/gift/${token}`;
}

export async function findRoomByToken(ctx: ServiceContext, token: string): Promise<GiftRoomRow> {
  // Tokens are base64url; anything else cannot be one (and never reaches the index).
  const room = /^[A-Za-z0-9_-]{20,64}$/.test(token)
    ? await ctx.db.selectFrom("gift_rooms").selectAll().where("token", "=", token).executeTakeFirst()
    : undefined;
  if (!room) {
    throw new NotFoundError("Gift room");
  }
  return room;
}

export async function getPublicRoom(ctx: ServiceContext, token: string): Promise<PublicGiftRoomDto> {
  const room = await findRoomByToken(ctx, token);
  const creator = await ctx.db
    .selectFrom("users")
    .select("display_name")
    .where("id", "=", room.creator_id)
    .executeTakeFirst();
  return { senderName: creator?.display_name?.trim() || "A TADA VTU customer", ...sharedFields(ctx, room) };
}

/** What both the public and the creator's view say about a room. */
function sharedFields(ctx: ServiceContext, room: GiftRoomRow): Omit<PublicGiftRoomDto, "senderName"> {
  return {
    token: room.token,
    kind: room.kind,
    amountKobo: room.amount_kobo,
    planId: room.plan_id,
    network: room.network,
    mode: room.mode,
    quizQuestion: room.quiz_question,
    drawAt: room.draw_at?.toISOString() ?? null,
    message: room.message,
    state: roomState(room, ctx.now()),
    expiresAt: room.expires_at.toISOString(),
  };
}

export async function getRoomForCreator(args: {
  ctx: ServiceContext;
  userId: string;
  roomId: string;
}): Promise<GiftRoomDto> {
  const room = await args.ctx.db
    .selectFrom("gift_rooms")
    .selectAll()
    .where("id", "=", args.roomId)
    .where("creator_id", "=", args.userId)
    .executeTakeFirst();
  if (!room) {
    throw new NotFoundError("Gift room");
  }
  return toCreatorDto(args.ctx, room, await escrowOf(args.ctx, room));
}

/** The creator's newest rooms (the chat and the admin panel show a few). */
export async function listRoomsForCreator(args: {
  ctx: ServiceContext;
  userId: string;
  limit?: number;
}): Promise<GiftRoomDto[]> {
  return (await pageRoomsForCreator(args)).items;
}

/** A page of the creator's rooms, newest first; `cursor` is the last room id of the page before. */
export async function pageRoomsForCreator(args: {
  ctx: ServiceContext;
  userId: string;
  limit?: number;
  cursor?: string;
}): Promise<{ items: GiftRoomDto[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(args.limit ?? 20, 1), 100);
  let query = args.ctx.db
    .selectFrom("gift_rooms")
    .selectAll()
    .where("creator_id", "=", args.userId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(limit + 1);
  if (args.cursor) {
    // After the cursor's room in the same order; a cursor that is not one of theirs ends the list.
    query = query.where(
      sql<boolean>`(created_at, id) < (SELECT c.created_at, c.id FROM gift_rooms c WHERE c.id = ${args.cursor} AND c.creator_id = ${args.userId})`,
    );
  }
  const rows = await query.execute();
  const page = rows.slice(0, limit);
  return {
    items: await Promise.all(page.map(async (r) => toCreatorDto(args.ctx, r, await escrowOf(args.ctx, r)))),
    nextCursor: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}

async function escrowOf(ctx: ServiceContext, room: GiftRoomRow): Promise<number> {
  const account = await ctx.db
    .selectFrom("accounts")
    .select("balance")
    .where("id", "=", room.escrow_account_id)
    .executeTakeFirstOrThrow();
  return account.balance;
}

function toCreatorDto(ctx: ServiceContext, room: GiftRoomRow, escrowKobo: number): GiftRoomDto {
  return {
    ...sharedFields(ctx, room),
    id: room.id,
    link: giftLink(ctx, room.token),
    capacity: room.capacity,
    claimed: room.claimed,
    giftPriceKobo: room.gift_price_kobo,
    escrowKobo,
    createdAt: room.created_at.toISOString(),
    closedAt: room.closed_at?.toISOString() ?? null,
  };
}
