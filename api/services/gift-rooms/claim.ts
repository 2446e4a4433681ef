import { sql } from "kysely";
import { z } from "zod";
import { type Db, type ServiceContext, type Trx, withTransaction } from "../context";
import { isUniqueViolation } from "../db-errors";
import { ConflictError, parseInput, ServiceError, ValidationError } from "../errors";
import { getWalletAccountId, ledgerCallError, postEntry } from "../ledger";
import { formatNaira } from "../money";
import { notificationArgs, queueNotification } from "../notifications";
import { maskPhone, normalizePhone } from "../phone";
import { takeGiftClaimSlots } from "../rate-limits";
import { getOrder, type PlannedOrder, plannedOrderRow, planPaidForOrder, type VtuRuntime } from "../vtu";
import { NETWORKS } from "../vtu/provider";
import { type ClaimGate, type ClaimTicket, claimGate, outcomeOfError, roomFullError } from "./claim-gate";
import { findRoomByToken, type GiftRoomRow, roomState } from "./get-room";
import { giftNetwork } from "./gift-network";

export const ClaimGiftInput = z.strictObject({
  token: z.string().min(1).max(100),
  phone: z.string().min(1).max(30),
  /**
   * The recipient's network, confirmed on the page (numbers can be ported): any network for airtime;
   * for data, the plan's network, to confirm a number moved to it (gift-network.ts).
   */
  network: z.enum(NETWORKS).optional(),
  /** Quiz rooms: the answer. */
  answer: z.string().max(200).optional(),
});
export type ClaimGiftInput = z.input<typeof ClaimGiftInput>;

export type ClaimResult = {
  state: "ordered" | "delivered" | "credited" | "failed";
  kind: GiftRoomRow["kind"];
  recipient: string;
  amountKobo: number;
  orderId: string | null;
  message: string;
};

/** Who is claiming, as far as the web can tell (S12: one claim per number, device and account). */
export type Claimant = { deviceHash: string; ip: string; userId?: string };

/**
 * Claim one gift of a first-come or quiz room. One transaction: a conditional UPDATE takes a slot
 * (never past capacity, never after close or expiry), the claim row's unique keys refuse a second
 * claim by the same number/device/account, and the gift is paid from the room's escrow: a VTU order
 * held on the escrow account (airtime, data) or a wallet credit (cash). Anything refused rolls back.
 */
export async function claimGift(args: {
  ctx: ServiceContext;
  vtu: VtuRuntime;
  input: ClaimGiftInput;
  claimant: Claimant;
  /** This process's gate (claim-gate.ts); a test gives each claim its own to act as many processes. */
  gate?: ClaimGate;
}): Promise<ClaimResult> {
  const { ctx, vtu, claimant } = args;
  const input = parseClaim(args.input);
  // Claims on one room go to the database only as fast as it has slots (claim-gate.ts).
  const ticket = await (args.gate ?? claimGate).enter(input.token, () => findRoomByToken(ctx, input.token));
  try {
    const claimed = await claimThrough(ticket, ctx, vtu, input, claimant);
    ticket.leave({ kind: "won", claimedAfter: claimed.claimedAfter });
    const { claimedAfter: _, ...result } = claimed;
    return result;
  } catch (error) {
    ticket.leave(outcomeOfError(error));
    throw error;
  }
}

async function claimThrough(
  ticket: ClaimTicket,
  ctx: ServiceContext,
  vtu: VtuRuntime,
  input: ReturnType<typeof parseClaim>,
  claimant: Claimant,
): Promise<ClaimResult & { claimId: number; claimedAfter: number }> {
  const { room } = ticket;
  if (room.mode === "random_draw") {
    throw new ConflictError(
      "This room is a draw: join it, and the winners are drawn at the time shown.",
      "DRAW_ROOM",
    );
  }
  assertClaimable(room, ctx.now());
  if (room.mode === "quiz" && !answerMatches(room, input.answer)) {
    throw new ValidationError(
      "That is not the answer. Read the question again and try once more.",
      { field: "answer" },
      "WRONG_ANSWER",
    );
  }
  const phone = normalizePhone(input.phone);
  await ticket.admitted();
  await takeGiftClaimSlots(ctx, { ip: claimant.ip, deviceHash: claimant.deviceHash });
  const payment = await planPayment(ctx, vtu, room, phone, input.network);

  // A gift paid by an order is one statement of its own (grantOrderGift); cash needs a transaction.
  const claimed =
    payment.kind === "order"
      ? await grantOrderGift(ctx.db, ctx, room, phone, claimant, payment.planned)
      : await withTransaction(ctx, (trx) => grantGift(trx, ctx, room, phone, claimant, payment));
  if (claimed.orderId) {
    await vtu
      .dispatch({ name: "submit-order", orderId: claimed.orderId })
      .catch((err) =>
        ctx.logger.warn(
          { err, orderId: claimed.orderId },
          "could not enqueue submit-order; the sweeper will",
        ),
      );
  }
  return claimed;
}

function parseClaim(input: ClaimGiftInput) {
  return parseInput(ClaimGiftInput, input, "body");
}

/** The states a claimant can be told before trying (the slot itself is taken atomically later). */
function assertClaimable(room: GiftRoomRow, now: Date): void {
  const refusal = roomRefusal(room, now);
  if (refusal) {
    throw refusal;
  }
}

/** What the room says to every claimant in its state, if anything: closed (or expired), full. */
function roomRefusal(room: GiftRoomRow, now: Date): ServiceError | undefined {
  const state = roomState(room, now);
  if (state === "closed" || state === "expired") {
    return new ServiceError("conflict", "ROOM_CLOSED", "This gift room has closed. Thanks for stopping by!");
  }
  return state === "full" ? roomFullError() : undefined;
}

export function normalizeAnswer(answer: string): string {
  return answer.trim().toLowerCase().replace(/\s+/g, " ");
}

function answerMatches(room: GiftRoomRow, answer: string | undefined): boolean {
  if (!answer) {
    return false;
  }
  const accepted = (room.quiz_answers ?? []).map(normalizeAnswer);
  return accepted.includes(normalizeAnswer(answer));
}

export type Payment = { kind: "order"; planned: PlannedOrder } | { kind: "cash"; userId: string };

/**
 * One gift, in the caller's transaction: take a slot (R1), record the claim (R2), pay it from the
 * room's escrow. Shared by claims and by the draw's winners.
 */
export async function grantGift(
  trx: Trx,
  ctx: ServiceContext,
  room: GiftRoomRow,
  phone: string,
  claimant: Claimant,
  payment: Payment,
): Promise<ClaimResult & { claimId: number; claimedAfter: number }> {
  if (payment.kind === "order") {
    return grantOrderGift(trx, ctx, room, phone, claimant, payment.planned);
  }
  const claimedAfter = await takeSlot(trx, ctx, room);
  const claimId = await insertClaim(trx, room, phone, claimant);
  const result = await settleWithCash(trx, ctx, room, claimId, payment.userId, phone);
  return { ...result, claimId, claimedAfter };
}

/**
 * A gift paid by a VTU order, in one call of gift_claim_order (migration 2026_12_06_2200): the slot,
 * the order held on the room's escrow, the claim row and the creator's notification, so the room
 * row is locked for one statement. In the caller's transaction when given one (a draw), else on its
 * own.
 */
async function grantOrderGift(
  db: Db | Trx,
  ctx: ServiceContext,
  room: GiftRoomRow,
  phone: string,
  claimant: Claimant,
  planned: PlannedOrder,
): Promise<ClaimResult & { claimId: number; claimedAfter: number }> {
  const order = plannedOrderRow(ctx, { planned, userId: room.creator_id, channel: "gift" });
  const notification = {
    userId: room.creator_id,
    kind: "gift.claimed",
    body: `${maskPhone(planned.recipient)} claimed a gift from your room: ${planned.description}.`,
    payload: {
      giftRoomId: room.id,
      orderId: order.id,
      notice: { recipient: maskPhone(planned.recipient), gift: planned.description },
    },
  };
  const notify = notificationArgs(notification);
  let row: { refusal: string | null; claimed: number | null; claim_id: number | null } | undefined;
  try {
    const { rows } = await sql<{ refusal: string | null; claimed: number | null; claim_id: number | null }>`
      SELECT * FROM gift_claim_order(
        ${room.id}, ${room.mode === "random_draw" ? "drawing" : "open"}, ${ctx.now()}::timestamptz, ${phone},
        ${claimant.deviceHash}, ${claimant.userId ?? null}, ${room.escrow_account_id}::bigint,
        ${ctx.config.SYSTEM_ACCOUNT_SHARDS}::integer, ${planned.description}, ${JSON.stringify(order)}::jsonb,
        ${notification.userId}, ${notification.kind}, ${notification.body}, ${notify.payload}::jsonb,
        ${notify.outcome}::text, ${notify.channels}::text[])`.execute(db);
    row = rows[0];
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ConflictError("You have already claimed a gift from this room.", "ALREADY_CLAIMED");
    }
    throw ledgerCallError(error, "Account");
  }
  if (!row || row.refusal === "slot" || row.claimed === null || row.claim_id === null) {
    throw await noSlot(db, ctx, room);
  }
  return {
    state: "ordered",
    kind: room.kind,
    recipient: planned.recipient,
    amountKobo: planned.faceAmountKobo,
    orderId: order.id,
    message: `Claimed! ${planned.description} is on its way.`,
    claimId: Number(row.claim_id),
    claimedAfter: row.claimed,
  };
}

/** Decide how the gift is paid before the transaction: price the order, or find the wallet. */
export async function planPayment(
  ctx: ServiceContext,
  vtu: VtuRuntime,
  room: GiftRoomRow,
  phone: string,
  network: (typeof NETWORKS)[number] | undefined,
): Promise<Payment> {
  if (room.kind === "cash") {
    const user = await ctx.db.selectFrom("users").select("id").where("phone", "=", phone).executeTakeFirst();
    if (!user) {
      throw new ServiceError(
        "conflict",
        "SIGNUP_REQUIRED",
        `Cash gifts go to a TADA VTU wallet. Start our bot on Telegram or WhatsApp with ${phone} (or register with it), then claim again.`,
      );
    }
    return { kind: "cash", userId: user.id };
  }
  // The network first, in the recipient's words (a ported number confirms its network here).
  const confirmed = giftNetwork(room, phone, network);
  const planned =
    room.kind === "airtime"
      ? await planPaidForOrder(ctx, vtu, {
          service: "airtime",
          input: { phone, amountKobo: room.amount_kobo, network: confirmed },
        })
      : await planPaidForOrder(ctx, vtu, {
          service: "data",
          input: { phone, planId: room.plan_id ?? "", network: confirmed },
        });
  if (planned.priceKobo > room.gift_price_kobo) {
    // Prices moved above what was escrowed per gift: never take more than the creator paid.
    throw new ServiceError(
      "unavailable",
      "GIFT_UNAVAILABLE",
      "This gift cannot be sent right now. Try again later.",
    );
  }
  return { kind: "order", planned };
}

/**
 * R1: the conditional UPDATE is the claim primitive; READ COMMITTED re-checks it after a wait.
 * Answers the room's claim count after this one.
 */
async function takeSlot(trx: Trx, ctx: ServiceContext, room: GiftRoomRow): Promise<number> {
  const taken = await trx
    .updateTable("gift_rooms")
    .set((eb) => ({ claimed: eb("claimed", "+", 1) }))
    .where("id", "=", room.id)
    // A draw hands out its slots while the room is 'drawing'; claims need it 'open'.
    .where("status", "=", room.mode === "random_draw" ? "drawing" : "open")
    .where("expires_at", ">", ctx.now())
    .where((eb) => eb("claimed", "<", eb.ref("capacity")))
    .returning("claimed")
    .executeTakeFirst();
  if (!taken) {
    throw await noSlot(trx, ctx, room);
  }
  return taken.claimed;
}

/** Why the room gave no slot, from its row as it is now: closed or expired, else full. */
async function noSlot(db: Db | Trx, ctx: ServiceContext, room: GiftRoomRow): Promise<ServiceError> {
  const fresh = await db
    .selectFrom("gift_rooms")
    .selectAll()
    .where("id", "=", room.id)
    .executeTakeFirstOrThrow();
  return roomRefusal(fresh, ctx.now()) ?? roomFullError();
}

/** R2: one live claim per number, device and account (partial unique indexes). */
async function insertClaim(trx: Trx, room: GiftRoomRow, phone: string, claimant: Claimant): Promise<number> {
  try {
    const row = await trx
      .insertInto("gift_claims")
      .values({
        room_id: room.id,
        recipient_msisdn: phone,
        device_hash: claimant.deviceHash,
        claimer_user_id: claimant.userId ?? null,
        state: room.kind === "cash" ? "credited" : "ordered",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return row.id;
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ConflictError("You have already claimed a gift from this room.", "ALREADY_CLAIMED");
    }
    throw error;
  }
}

async function settleWithCash(
  trx: Trx,
  ctx: ServiceContext,
  room: GiftRoomRow,
  claimId: number,
  userId: string,
  phone: string,
): Promise<ClaimResult> {
  const entryId = await postEntry(trx, {
    type: "gift_cash",
    description: `Gift from room ${room.id}`,
    actor: "system:gift_rooms",
    postings: [
      { accountId: room.escrow_account_id, amount: -room.amount_kobo },
      { accountId: await getWalletAccountId(trx, userId), amount: room.amount_kobo },
    ],
    metadata: { giftRoomId: room.id, giftClaimId: claimId },
  });
  await trx
    .updateTable("gift_claims")
    .set({ credit_entry_id: entryId, claimer_user_id: userId })
    .where("id", "=", claimId)
    .execute();
  const amount = formatNaira(room.amount_kobo);
  await queueNotification(trx, {
    userId,
    kind: "gift.cash_received",
    body: `You received a ${amount} gift in your wallet.`,
    payload: { notice: { amountKobo: room.amount_kobo } },
  });
  await queueNotification(trx, {
    userId: room.creator_id,
    kind: "gift.claimed",
    body: `${maskPhone(phone)} claimed ${amount} from your gift room.`,
    payload: { giftRoomId: room.id, notice: { recipient: maskPhone(phone), amountKobo: room.amount_kobo } },
  });
  void ctx;
  return {
    state: "credited",
    kind: "cash",
    recipient: phone,
    amountKobo: room.amount_kobo,
    orderId: null,
    message: `Claimed! ${amount} is in your TADA VTU wallet.`,
  };
}

/** The claim's order as it stands now (the page shows it). */
export async function claimOrderState(ctx: ServiceContext, creatorId: string, orderId: string) {
  return (await getOrder({ ctx, userId: creatorId, orderId })).state;
}
