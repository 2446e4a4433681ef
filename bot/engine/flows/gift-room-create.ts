import { RateLimitedError, ServiceError, ValidationError } from "../../../api/services/errors";
import { createGiftRoom, type GiftRoomDto } from "../../../api/services/gift-rooms";
import { formatNaira } from "../../../api/services/money";
import { doneReply, errorText, FORGOT_PIN_CHOICE, MENU_CHOICE } from "../replies";
import type { FlowContext, FlowState, Reply, StepResult } from "../types";
import { ask, type GiftData, giftName } from "./gift-room-ask";
import { lagosLabel } from "./gift-time";
import { refusePinAttempt } from "./pin-guard";
import { again } from "./purchase";
import { askForPin, needsPinPage, pinFromAnswer, retryPin } from "./secure-pin";

/** Confirm: remember the tap's message id (the room's idempotency key) and ask for the PIN. */
export function confirmGift(fc: FlowContext, state: FlowState, data: GiftData): Promise<StepResult> {
  const total = formatNaira((data.giftPriceKobo ?? 0) * (data.capacity ?? 0));
  return askForPin(
    fc,
    { ...state, step: "pin", data: { ...data, confirmId: fc.input.messageId } },
    { purpose: "pay", title: `Fund a gift room with ${total}` },
    {
      typed: `Send your transaction PIN to put ${total} into the gift room. I will delete it right away.`,
      link: `To put ${total} into the gift room, open this link to enter your PIN.`,
    },
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
      ? { replies: await retryPin(fc, state, "Already confirmed."), next: state }
      : again(state, "Already confirmed — now send your PIN.");
  }
  const allowed = await pinFromAnswer(fc, state, answer.text);
  if ("refused" in allowed) {
    return allowed.refused;
  }
  const pin = allowed.pin;
  if (!/^\d{4,6}$/.test(pin)) {
    if (fc.input.pinFromSecurePage) {
      return { replies: await retryPin(fc, state, "A PIN is 4 to 6 digits."), next: state };
    }
    return { ...again(state, "Send your 4–6 digit PIN, or Cancel."), deleteInput: pin.length > 0 };
  }
  if (!data.confirmId || !data.kind || !data.capacity || !data.mode) {
    return { replies: [doneReply("Let us start again.")], deleteInput: true };
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
    return { replies: opened(room, data), deleteInput: true };
  } catch (error) {
    return { ...(await failed(fc, state, data, error)), deleteInput: true };
  }
}

/** The share link, and a text to paste into the group (a message of its own, to forward or copy). */
function opened(room: GiftRoomDto, data: GiftData): Reply[] {
  const gift = giftName(data);
  return [
    {
      text: `Your gift room is open: ${room.capacity} × ${gift}, ${formatNaira(room.escrowKobo)} in the room. Share this link in your group; I will tell you as gifts are claimed.`,
      link: { label: "Open the gift room", url: room.link },
    },
    { text: `Copy this into your group:\n\n${shareText(room, data, gift)}`, choices: [MENU_CHOICE] },
  ];
}

function shareText(room: GiftRoomDto, data: GiftData, gift: string): string {
  const how =
    room.mode === "quiz"
      ? `The first ${room.capacity} to answer my question correctly win ${gift} each.`
      : room.mode === "random_draw" && room.drawAt
        ? `Join before ${lagosLabel(new Date(room.drawAt))}: ${room.capacity} winners of ${gift} each, drawn at random.`
        : `The first ${room.capacity} people to open it get ${gift} each.`;
  return [`🎁 Gift from me! ${how}`, data.message, `Open the link and enter your number: ${room.link}`]
    .filter(Boolean)
    .join("\n");
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
    return { replies: await retryPin(fc, state, errorText(error)), next: state };
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
    const reason = planGone
      ? "That plan is no longer available. Nothing was taken from your wallet."
      : errorText(error).replace(/^[\w.]+: /, "");
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
      ? [FORGOT_PIN_CHOICE]
      : code === "INSUFFICIENT_FUNDS"
        ? [{ id: "nav:fund", label: "Fund my wallet" }]
        : undefined;
  return { replies: [doneReply(failureText(error), extra)] };
}

/** The service's own words, except the API-flavoured rate limit, said for a chat. */
function failureText(error: unknown): string {
  if (error instanceof RateLimitedError) {
    const minutes = Math.max(1, Math.ceil(Number(error.details?.retryAfterSeconds ?? 60) / 60));
    return `You have opened a lot of gift rooms or payments just now. Nothing was taken from your wallet; try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
  }
  return errorText(error);
}
