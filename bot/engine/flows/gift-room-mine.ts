import {
  closeRoom,
  type GiftRoomDto,
  getRoomForCreator,
  listRoomsForCreator,
} from "../../../api/services/gift-rooms";
import { formatNaira } from "../../../api/services/money";
import { CANCEL_CHOICE, doneReply, errorText } from "../replies";
import type { FlowContext, FlowState, StepResult } from "../types";
import { FLOW, giftName } from "./gift-room-ask";
import { again, question } from "./purchase";

/** How many of the person's rooms the list shows (newest first). */
const ROOMS_SHOWN = 5;

const STATE_NAMES: Record<GiftRoomDto["state"], string> = {
  open: "open",
  full: "all claimed",
  drawing: "drawing winners",
  closed: "closed",
  expired: "expired",
};

/** "₦500 airtime × 10: open, 3/10 claimed, ₦3,500 left". */
function roomLine(room: GiftRoomDto): string {
  return `${giftName(room)} × ${room.capacity}: ${STATE_NAMES[room.state]}, ${room.claimed}/${room.capacity} claimed, ${formatNaira(room.escrowKobo)} left`;
}

/** The last rooms the person opened, each a choice. */
export async function listRooms(fc: FlowContext): Promise<StepResult> {
  const rooms = await listRoomsForCreator({ ctx: fc.ctx, userId: fc.userId, limit: ROOMS_SHOWN });
  const create = { id: "gift:new", label: "Create a gift room" };
  if (rooms.length === 0) {
    return question(FLOW, "rooms", {}, "You have no gift rooms yet.", [create]);
  }
  return question(
    FLOW,
    "rooms",
    {},
    `Your gift rooms, newest first:\n${rooms.map((r, i) => `${i + 1}. ${roomLine(r)}`).join("\n")}\nPick one to see its link or close it.`,
    [
      ...rooms.map((r, i) => ({
        id: `room:${r.id}`,
        label: `Room ${i + 1}: ${giftName(r)} × ${r.capacity}`,
      })),
      create,
    ],
  );
}

/** One room: its state, its link again, and "Close it now" while it is not closed. */
export async function showRoom(fc: FlowContext, roomId: string): Promise<StepResult> {
  const room = await getRoomForCreator({ ctx: fc.ctx, userId: fc.userId, roomId });
  const closable = room.state !== "closed";
  return {
    replies: [
      {
        text: `${roomLine(room)}.${room.message ? `\nMessage: ${room.message}` : ""}`,
        link: closable ? { label: "Open the gift room", url: room.link } : undefined,
        choices: [
          ...(closable ? [{ id: "room:close", label: "Close it now" }] : []),
          { id: "gift:mine", label: "Back to my gift rooms" },
          CANCEL_CHOICE,
        ],
      },
    ],
    next: { flow: FLOW, step: "room", data: { roomId } },
  };
}

/** At one room: close (asks first) or go back to the list. */
export async function roomStep(
  fc: FlowContext,
  state: FlowState,
  answer: { choice?: string },
): Promise<StepResult> {
  const roomId = String(state.data.roomId ?? "");
  if (answer.choice !== "room:close") {
    return again(state, "Tap Close it now, Back to my gift rooms, or Cancel.");
  }
  const room = await getRoomForCreator({ ctx: fc.ctx, userId: fc.userId, roomId });
  return {
    replies: [
      {
        text:
          `Close this room now? Nobody else can claim from it, and what is not claimed ` +
          `(${formatNaira(room.escrowKobo)} now, less any gift still being sent) comes back to your wallet.`,
        choices: [{ id: "room:close:yes", label: "Yes, close it" }, CANCEL_CHOICE],
      },
    ],
    next: { flow: FLOW, step: "close", data: { roomId } },
  };
}

/** The confirmed close: the room's remainder goes back to the wallet, once. */
export async function closeStep(
  fc: FlowContext,
  state: FlowState,
  answer: { choice?: string },
): Promise<StepResult> {
  if (answer.choice !== "room:close:yes") {
    return again(state, "Tap Yes, close it — or Cancel to leave the room open.");
  }
  try {
    // Only the creator's own room: this throws "not found" for anyone else's id.
    const room = await getRoomForCreator({
      ctx: fc.ctx,
      userId: fc.userId,
      roomId: String(state.data.roomId),
    });
    const { closed, refundedKobo } = await closeRoom(fc.ctx, room.id, "closed_by_creator");
    const text = !closed
      ? "That room was already closed."
      : `Room closed: ${room.claimed} of ${room.capacity} gifts claimed. ` +
        (refundedKobo > 0
          ? `${formatNaira(refundedKobo)} is back in your wallet.`
          : "Nothing was left to return.");
    // The same news as the room's close notification: this chat reads it once (one outbox key).
    const outcome = closed ? { kind: "gift.room_closed", payload: { giftRoomId: room.id } } : undefined;
    return { replies: [{ ...doneReply(text), outcome }] };
  } catch (error) {
    return { replies: [doneReply(errorText(error))] };
  }
}
