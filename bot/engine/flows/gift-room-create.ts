import { RateLimitedError, ServiceError, ValidationError } from "../../../api/services/errors";
import { createGiftRoom, type GiftRoomDto } from "../../../api/services/gift-rooms";
import { formatNaira } from "../../../api/services/money";
import { type Lang, templates } from "../i18n";
import { doneReply, errorText, forgotPinChoice, fundChoice, menuChoice } from "../replies";
import type { FlowContext, FlowState, Reply, StepResult } from "../types";
import { ask, type GiftData, giftName } from "./gift-room-ask";
import { lagosLabel } from "./gift-time";
import { refusePinAttempt } from "./pin-guard";
import { again, PURCHASE_TEXT } from "./purchase";
import { askForPin, needsPinPage, PIN_TEXT, pinFromAnswer, retryPin } from "./secure-pin";

const T = templates("gift-room-create", {
  pinTitle: {
    en: (total: string) => `Fund a gift room with ${total}`,
    pcm: (total: string) => `Put ${total} inside gift room`,
  },
  pinTyped: {
    en: (total: string) =>
      `Send your transaction PIN to put ${total} into the gift room. I will delete it right away.`,
    pcm: (total: string) =>
      `Oya send your transaction PIN make I put ${total} inside the gift room. I go delete am sharp sharp.`,
  },
  pinLink: {
    en: (total: string) => `To put ${total} into the gift room, open this link to enter your PIN.`,
    pcm: (total: string) => `To put ${total} inside the gift room, open this link put your PIN.`,
  },
  opened: {
    en: (capacity: number, gift: string, escrow: string) =>
      `Your gift room is open: ${capacity} × ${gift}, ${escrow} in the room. Share this link in your group; I will tell you as gifts are claimed.`,
    pcm: (capacity: number, gift: string, escrow: string) =>
      `Your gift room don open: ${capacity} × ${gift}, ${escrow} dey inside the room. Share this link for your group; I go tell you as dem dey claim the gifts.`,
  },
  openRoom: { en: () => "Open the gift room", pcm: () => "Open the gift room link" },
  copy: {
    en: (share: string) => `Copy this into your group:\n\n${share}`,
    pcm: (share: string) => `Copy this put for your group:\n\n${share}`,
  },
  shareQuiz: {
    en: (capacity: number, gift: string) =>
      `The first ${capacity} to answer my question correctly win ${gift} each.`,
    pcm: (capacity: number, gift: string) =>
      `The first ${capacity} people wey answer my question correct go win ${gift} each.`,
  },
  shareDraw: {
    en: (at: string, capacity: number, gift: string) =>
      `Join before ${at}: ${capacity} winners of ${gift} each, drawn at random.`,
    pcm: (at: string, capacity: number, gift: string) =>
      `Join before ${at}: ${capacity} people go win ${gift} each, by raffle.`,
  },
  shareFirst: {
    en: (capacity: number, gift: string) => `The first ${capacity} people to open it get ${gift} each.`,
    pcm: (capacity: number, gift: string) =>
      `The first ${capacity} people wey open am go collect ${gift} each.`,
  },
  shareHead: {
    en: (how: string) => `🎁 Gift from me! ${how}`,
    pcm: (how: string) => `🎁 Gift from me o! ${how}`,
  },
  shareLink: {
    en: (link: string) => `Open the link and enter your number: ${link}`,
    pcm: (link: string) => `Open the link put your number: ${link}`,
  },
  planGone: {
    en: () => "That plan is no longer available. Nothing was taken from your wallet.",
    pcm: () => "That plan no dey again. We no take anything from your wallet.",
  },
  rateLimited: {
    en: (minutes: number) =>
      `You have opened a lot of gift rooms or payments just now. Nothing was taken from your wallet; try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
    pcm: (minutes: number) =>
      `You don open plenty gift rooms or payments just now. We no take anything from your wallet; try again after ${minutes} minute${minutes === 1 ? "" : "s"}.`,
  },
});

/** Confirm: remember the tap's message id (the room's idempotency key) and ask for the PIN. */
export function confirmGift(fc: FlowContext, state: FlowState, data: GiftData): Promise<StepResult> {
  const total = formatNaira((data.giftPriceKobo ?? 0) * (data.capacity ?? 0));
  return askForPin(
    fc,
    { ...state, step: "pin", data: { ...data, confirmId: fc.input.messageId } },
    { purpose: "pay", title: T.pinTitle[fc.lang](total) },
    { typed: T.pinTyped[fc.lang](total), link: T.pinLink[fc.lang](total) },
  );
}

/**
 * The PIN step: the same guards as purchases and withdrawals (WhatsApp PINs only from the one-time
 * page, the per-user PIN limiter), then the room is created keyed by the Confirm tap, so a double
 * tap or a redelivered PIN message opens one room.
 */
export async function createFromPin(
  fc: FlowContext,
  state: FlowState,
  answer: { choice?: string; text?: string },
): Promise<StepResult> {
  const data = state.data as GiftData;
  if (answer.choice === "confirm") {
    return needsPinPage(fc.input.channel)
      ? { replies: await retryPin(fc, state, PIN_TEXT.alreadyConfirmed[fc.lang]()), next: state }
      : again(state, PIN_TEXT.nowPin[fc.lang](), fc.lang);
  }
  const allowed = await pinFromAnswer(fc, state, answer.text);
  if ("refused" in allowed) {
    return allowed.refused;
  }
  const pin = allowed.pin;
  if (!/^\d{4,6}$/.test(pin)) {
    if (fc.input.pinFromSecurePage) {
      return { replies: await retryPin(fc, state, PIN_TEXT.digits[fc.lang]()), next: state };
    }
    return { ...again(state, PIN_TEXT.sendPin[fc.lang](), fc.lang), deleteInput: pin.length > 0 };
  }
  if (!data.confirmId || !data.kind || !data.capacity || !data.mode) {
    return { replies: [doneReply(PURCHASE_TEXT.startAgain[fc.lang](), [], fc.lang)], deleteInput: true };
  }
  const refused = await refusePinAttempt(fc, state);
  if (refused) {
    return refused;
  }
  try {
    const { room } = await createGiftRoom({
      ctx: fc.ctx,
      userId: fc.userId,
      idempotencyKey: `chat:${fc.input.channel}:${data.confirmId}`,
      input: {
        kind: data.kind,
        amountKobo: data.kind === "data" ? undefined : data.amountKobo,
        planId: data.kind === "data" ? data.planId : undefined,
        capacity: data.capacity,
        mode: data.mode,
        drawAt: data.mode === "random_draw" ? data.drawAt : undefined,
        quiz:
          data.mode === "quiz"
            ? { question: data.quizQuestion ?? "", answers: data.quizAnswers ?? [] }
            : undefined,
        message: data.message ?? "",
        expiresInHours: data.hours,
        pin,
      },
    });
    return { replies: opened(room, data, fc.lang), deleteInput: true };
  } catch (error) {
    return { ...(await failed(fc, state, data, error)), deleteInput: true };
  }
}

/** The share link, and a text to paste into the group (a message of its own, to forward or copy). */
function opened(room: GiftRoomDto, data: GiftData, lang: Lang): Reply[] {
  const gift = giftName(data);
  return [
    {
      text: T.opened[lang](room.capacity, gift, formatNaira(room.escrowKobo)),
      link: { label: T.openRoom[lang](), url: room.link },
    },
    { text: T.copy[lang](shareText(room, data, gift, lang)), choices: [menuChoice(lang)] },
  ];
}

/** The text for the group, in the creator's language (they are writing to their own group). */
function shareText(room: GiftRoomDto, data: GiftData, gift: string, lang: Lang): string {
  const how =
    room.mode === "quiz"
      ? T.shareQuiz[lang](room.capacity, gift)
      : room.mode === "random_draw" && room.drawAt
        ? T.shareDraw[lang](lagosLabel(new Date(room.drawAt), lang), room.capacity, gift)
        : T.shareFirst[lang](room.capacity, gift);
  return [T.shareHead[lang](how), data.message, T.shareLink[lang](room.link)].filter(Boolean).join("\n");
}

/** Which question a rejected field goes back to (what was typed there is forgotten). */
const FIELD_STEPS: Record<string, (keyof GiftData)[]> = {
  amountKobo: ["amountKobo", "giftPriceKobo"],
  planId: ["planId", "planName", "giftPriceKobo"],
  capacity: ["capacity"],
  drawAt: ["drawAt"],
  expiresInHours: ["hours"],
  quiz: ["quizQuestion", "quizAnswers"],
  "quiz.question": ["quizQuestion"],
  "quiz.answers": ["quizAnswers"],
  message: ["message"],
};

/**
 * A wrong PIN stays at the PIN step; an input the service rejects goes back to that question with
 * its reason; anything else (funds, limits, lock) ends the flow with a plain message.
 */
async function failed(
  fc: FlowContext,
  state: FlowState,
  data: GiftData,
  error: unknown,
): Promise<StepResult> {
  if (error instanceof ServiceError && error.code === "INCORRECT_PIN") {
    return { replies: await retryPin(fc, state, errorText(error, fc.lang)), next: state };
  }
  // The data plan left the catalogue between the list and the PIN: pick another one.
  const planGone =
    error instanceof ServiceError && ["PRODUCT_NOT_FOUND", "PRODUCT_UNAVAILABLE"].includes(error.code);
  const field = planGone
    ? "planId"
    : error instanceof ValidationError
      ? String(error.details?.field ?? "")
      : "";
  const fields = FIELD_STEPS[field] ?? (field.startsWith("quiz") ? FIELD_STEPS.quiz : undefined);
  if (fields) {
    const { confirmId: _used, ...rest } = data;
    const cleared: GiftData = { ...rest };
    for (const key of fields) {
      delete cleared[key];
    }
    const reason = planGone ? T.planGone[fc.lang]() : errorText(error, fc.lang).replace(/^[\w.]+: /, "");
    const asked = await ask(fc, cleared);
    const [question, ...others] = asked.replies;
    const said = reason.charAt(0).toUpperCase() + reason.slice(1);
    return {
      ...asked,
      replies: question ? [{ ...question, text: `${said}\n${question.text}` }, ...others] : [{ text: said }],
    };
  }
  const code = error instanceof ServiceError ? error.code : "";
  const extra =
    code === "PIN_LOCKED"
      ? [forgotPinChoice(fc.lang)]
      : code === "INSUFFICIENT_FUNDS"
        ? [fundChoice(fc.lang)]
        : undefined;
  return { replies: [doneReply(failureText(error, fc.lang), extra, fc.lang)] };
}

/** The service's own words, except the API-flavoured rate limit, said for a chat. */
function failureText(error: unknown, lang: Lang): string {
  if (error instanceof RateLimitedError) {
    const minutes = Math.max(1, Math.ceil(Number(error.details?.retryAfterSeconds ?? 60) / 60));
    return T.rateLimited[lang](minutes);
  }
  return errorText(error, lang);
}
