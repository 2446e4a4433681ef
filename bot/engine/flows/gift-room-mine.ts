import {
  closeRoom,
  type GiftRoomDto,
  getRoomForCreator,
  listRoomsForCreator,
} from "../../../api/services/gift-rooms";
import { formatNaira } from "../../../api/services/money";
import { type Lang, templates } from "../i18n";
import { cancelChoice, doneReply, errorText } from "../replies";
import type { FlowContext, FlowState, StepResult } from "../types";
import { FLOW, giftName } from "./gift-room-ask";
import { again, question } from "./purchase";

/** How many of the person's rooms the list shows (newest first). */
const ROOMS_SHOWN = 5;

const T = templates("gift-room-mine", {
  open: { en: () => "open", pcm: () => "e dey open" },
  full: { en: () => "all claimed", pcm: () => "dem don claim all" },
  drawing: { en: () => "drawing winners", pcm: () => "we dey pick winners" },
  closed: { en: () => "closed", pcm: () => "e don close" },
  expired: { en: () => "expired", pcm: () => "e don expire" },
  roomLine: {
    en: (gift: string, capacity: number, state: string, claimed: number, left: string) =>
      `${gift} × ${capacity}: ${state}, ${claimed}/${capacity} claimed, ${left} left`,
    pcm: (gift: string, capacity: number, state: string, claimed: number, left: string) =>
      `${gift} × ${capacity}: ${state}, ${claimed}/${capacity} don claim, ${left} remain`,
  },
  create: { en: () => "Create a gift room", pcm: () => "Open new gift room" },
  none: { en: () => "You have no gift rooms yet.", pcm: () => "You never get any gift room yet." },
  list: {
    en: (lines: string) => `Your gift rooms, newest first:\n${lines}\nPick one to see its link or close it.`,
    pcm: (lines: string) =>
      `Your gift rooms, the new ones first:\n${lines}\nPick one make you see the link or close am.`,
  },
  roomChoice: {
    en: (n: number, gift: string, capacity: number) => `Room ${n}: ${gift} × ${capacity}`,
    pcm: (n: number, gift: string, capacity: number) => `Room number ${n}: ${gift} × ${capacity}`,
  },
  message: {
    en: (message: string) => `Message: ${message}`,
    pcm: (message: string) => `Message wey you write: ${message}`,
  },
  openRoom: { en: () => "Open the gift room", pcm: () => "Open the gift room link" },
  closeNow: { en: () => "Close it now", pcm: () => "Close am now" },
  back: { en: () => "Back to my gift rooms", pcm: () => "Go back to my gift rooms" },
  tapRoom: {
    en: () => "Tap Close it now, Back to my gift rooms, or Cancel.",
    pcm: () => "Press Close am now, Go back to my gift rooms, or Cancel.",
  },
  askClose: {
    en: (left: string) =>
      `Close this room now? Nobody else can claim from it, and what is not claimed (${left} now, less any gift still being sent) comes back to your wallet.`,
    pcm: (left: string) =>
      `You wan close this room now? Nobody go fit claim from am again, and wetin remain (${left} now, minus any gift wey still dey go) go come back to your wallet.`,
  },
  yesClose: { en: () => "Yes, close it", pcm: () => "Yes, close am" },
  tapYes: {
    en: () => "Tap Yes, close it — or Cancel to leave the room open.",
    pcm: () => "Press Yes, close am — or Cancel make the room still dey open.",
  },
  alreadyClosed: { en: () => "That room was already closed.", pcm: () => "That room don already close." },
  closedRoom: {
    en: (claimed: number, capacity: number) => `Room closed: ${claimed} of ${capacity} gifts claimed.`,
    pcm: (claimed: number, capacity: number) =>
      `Room don close: dem claim ${claimed} out of ${capacity} gifts.`,
  },
  refunded: {
    en: (amount: string) => `${amount} is back in your wallet.`,
    pcm: (amount: string) => `${amount} don enter back your wallet.`,
  },
  nothingLeft: { en: () => "Nothing was left to return.", pcm: () => "Nothing remain to return." },
});

/** "₦500 airtime × 10: open, 3/10 claimed, ₦3,500 left". */
function roomLine(room: GiftRoomDto, lang: Lang): string {
  const state = T[room.state][lang]();
  return T.roomLine[lang](giftName(room), room.capacity, state, room.claimed, formatNaira(room.escrowKobo));
}

/** The last rooms the person opened, each a choice. */
export async function listRooms(fc: FlowContext): Promise<StepResult> {
  const rooms = await listRoomsForCreator({ ctx: fc.ctx, userId: fc.userId, limit: ROOMS_SHOWN });
  const create = { id: "gift:new", label: T.create[fc.lang]() };
  if (rooms.length === 0) {
    return question(FLOW, "rooms", {}, T.none[fc.lang](), [create], fc.lang);
  }
  const lines = rooms.map((r, i) => `${i + 1}. ${roomLine(r, fc.lang)}`).join("\n");
  return question(
    FLOW,
    "rooms",
    {},
    T.list[fc.lang](lines),
    [
      ...rooms.map((r, i) => ({
        id: `room:${r.id}`,
        label: T.roomChoice[fc.lang](i + 1, giftName(r), r.capacity),
      })),
      create,
    ],
    fc.lang,
  );
}

/** One room: its state, its link again, and "Close it now" while it is not closed. */
export async function showRoom(fc: FlowContext, roomId: string): Promise<StepResult> {
  const room = await getRoomForCreator({ ctx: fc.ctx, userId: fc.userId, roomId });
  const closable = room.state !== "closed";
  return {
    replies: [
      {
        text: `${roomLine(room, fc.lang)}.${room.message ? `\n${T.message[fc.lang](room.message)}` : ""}`,
        link: closable ? { label: T.openRoom[fc.lang](), url: room.link } : undefined,
        choices: [
          ...(closable ? [{ id: "room:close", label: T.closeNow[fc.lang]() }] : []),
          { id: "gift:mine", label: T.back[fc.lang]() },
          cancelChoice(fc.lang),
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
    return again(state, T.tapRoom[fc.lang](), fc.lang);
  }
  const room = await getRoomForCreator({ ctx: fc.ctx, userId: fc.userId, roomId });
  return {
    replies: [
      {
        text: T.askClose[fc.lang](formatNaira(room.escrowKobo)),
        choices: [{ id: "room:close:yes", label: T.yesClose[fc.lang]() }, cancelChoice(fc.lang)],
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
    return again(state, T.tapYes[fc.lang](), fc.lang);
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
      ? T.alreadyClosed[fc.lang]()
      : `${T.closedRoom[fc.lang](room.claimed, room.capacity)} ` +
        (refundedKobo > 0 ? T.refunded[fc.lang](formatNaira(refundedKobo)) : T.nothingLeft[fc.lang]());
    // The same news as the room's close notification: this chat reads it once (one outbox key).
    const outcome = closed ? { kind: "gift.room_closed", payload: { giftRoomId: room.id } } : undefined;
    return { replies: [{ ...doneReply(text, [], fc.lang), outcome }] };
  } catch (error) {
    return { replies: [doneReply(errorText(error, fc.lang), [], fc.lang)] };
  }
}
