import type { Network } from "../../../api/services/vtu";
import { templates } from "../i18n";
import { readAmount } from "../intents/extract";
import type { IntentOf } from "../intents/intent";
import { menuReply } from "../replies";
import type { FlowContext, FlowState, StepResult } from "../types";
import { parseNetwork } from "./airtime";
import type { Flow } from "./flow";
import { ask, FLOW, type GiftData, type GiftKind, type GiftMode } from "./gift-room-ask";
import { confirmGift, createFromPin } from "./gift-room-create";
import { closeStep, listRooms, roomStep, showRoom } from "./gift-room-mine";
import { hoursLabel, parseHours, readDrawTime } from "./gift-time";
import { again, PURCHASE_TEXT } from "./purchase";
import {
  amountOutOfRange,
  explainProblems,
  quoted,
  readAmountAnswer,
  typeAnAmount,
  withNotes,
} from "./written";

const T = templates("gift-room-steps", {
  pickMode: {
    en: () => "Pick First come, Random draw or Quiz.",
    pcm: () => "Choose First come, Random draw or Quiz.",
  },
  questionLength: {
    en: () => "A quiz question is 3 to 300 characters. Type it again.",
    pcm: () => "Quiz question na 3 reach 300 characters. Type am again.",
  },
  drawTooSoon: {
    en: () =>
      "I could not use that time: a draw is at least 5 minutes from now. Tap one, or type like 'in 30 min', 'in 2 hours', 'tomorrow 9am'.",
    pcm: () =>
      "I no fit use that time: draw must be at least 5 minutes from now. Tap one, or type like 'in 30 min', 'in 2 hours', 'tomorrow 9am'.",
  },
  drawUnreadable: {
    en: () =>
      "I could not read that time. Tap one, or type like 'in 30 min', 'in 2 hours', 'tonight', 'tomorrow 9am'.",
    pcm: () =>
      "I no fit read that time. Tap one, or type like 'in 30 min', 'in 2 hours', 'tonight', 'tomorrow 9am'.",
  },
  drawTooLate: {
    en: (within: string) => `The draw must be within ${within} from now. Pick a sooner time.`,
    pcm: (within: string) => `The draw must happen inside ${within} from now. Choose time wey near pass.`,
  },
  messageLength: {
    en: () => "A message is up to 280 characters. Type a shorter one, or Skip.",
    pcm: () => "Message no fit pass 280 characters. Type shorter one, or Skip.",
  },
  confirmRoom: {
    en: () => "Tap Confirm to open the room, or Cancel.",
    pcm: () => "Tap Confirm make I open the room, or Cancel.",
  },
  fundFirst: {
    en: () => "Fund your wallet first (Fund my wallet), or Cancel.",
    pcm: () => "Put money for your wallet first (Put money for my wallet), or Cancel.",
  },
  pickRoom: {
    en: () => "Pick a room from the list, or Cancel.",
    pcm: () => "Choose room from the list, or Cancel.",
  },
  pickKind: {
    en: () => "Pick Airtime, Data or Wallet cash.",
    pcm: () => "Choose Airtime, Data or Wallet money.",
  },
  tooMany: {
    en: (count: number, max: number) => `${count} people is more than a room takes (${max}).`,
    pcm: (count: number, max: number) => `${count} people too many: one room no fit pass ${max}.`,
  },
  amountPerGift: {
    en: (typeAnAmount: string) => `Type the amount per gift. ${typeAnAmount}`,
    pcm: (typeAnAmount: string) => `Type how much for each gift. ${typeAnAmount}`,
  },
  notACount: {
    en: (shown: string, max: number) =>
      `${shown} is not a number of gifts. Type how many gifts, from 1 to ${max}.`,
    pcm: (shown: string, max: number) =>
      `${shown} no be number of gifts. Type how many gifts, from 1 reach ${max}.`,
  },
  answers: {
    en: () => "Type 1 to 10 accepted answers separated by commas, each up to 100 characters.",
    pcm: () => "Type 1 reach 10 answers wey correct, put comma for between, each one no pass 100 characters.",
  },
  hoursRange: {
    en: (max: number) => `Tap a length, or type hours (like 12) up to ${max}.`,
    pcm: (max: number) => `Tap how long, or type hours (like 12) wey no pass ${max}.`,
  },
  pastDraw: {
    en: () => "The room must stay open past the draw. Pick a longer time.",
    pcm: () => "The room must still dey open after the draw. Choose longer time.",
  },
});

/**
 * Gift rooms from the chat (DESIGN §8): kind → amount or data plan → how many → mode (quiz question
 * and answers, or the draw time) → message → how long → summary with the total → Confirm → PIN →
 * the share link. "My gift rooms" lists the last rooms, gives a link again and closes one early.
 */
export const giftRoomFlow: Flow = {
  name: FLOW,
  freeTextSteps: new Set(["question", "answers", "message"]),
  async start(fc, intent) {
    if (intent?.kind !== "gift_room") {
      return ask(fc, {});
    }
    return intent.mine ? listRooms(fc) : startWithFields(fc, intent);
  },
  async handle(fc, state, answer) {
    // From any step of the list: back to it, or start a new room.
    if (answer.choice === "gift:mine") {
      return listRooms(fc);
    }
    if (answer.choice === "gift:new") {
      return ask(fc, {});
    }
    const data = state.data as GiftData;
    const text = (answer.text ?? "").trim();
    switch (state.step) {
      case "kind":
        return kindStep(fc, state, answer.choice, text);
      case "network": {
        const network = answer.choice?.startsWith("net:")
          ? (answer.choice.slice(4) as Network)
          : parseNetwork(text);
        return network
          ? ask(fc, { ...data, network })
          : again(state, PURCHASE_TEXT.pickNetwork[fc.lang](), fc.lang);
      }
      case "plan": {
        const planId = answer.choice?.startsWith("plan:") ? answer.choice.slice(5) : undefined;
        return planId
          ? ask(fc, { ...data, planId })
          : again(state, PURCHASE_TEXT.pickPlan[fc.lang](), fc.lang);
      }
      case "amount":
        return amountStep(fc, state, data, text);
      case "capacity":
        return capacityStep(fc, state, data, text);
      case "mode": {
        const mode = answer.choice?.startsWith("mode:")
          ? (answer.choice.slice(5) as GiftMode)
          : parseMode(text);
        return mode ? ask(fc, { ...data, mode }) : again(state, T.pickMode[fc.lang](), fc.lang);
      }
      case "question":
        return text.length >= 3 && text.length <= 300
          ? ask(fc, { ...data, quizQuestion: text })
          : again(state, T.questionLength[fc.lang](), fc.lang);
      case "answers":
        return answersStep(fc, state, data, text);
      case "draw": {
        const read = readDrawTime(fc.ctx.now(), { choice: answer.choice, text });
        if (!("at" in read)) {
          const reply = read.problem === "too_soon" ? T.drawTooSoon : T.drawUnreadable;
          return again(state, reply[fc.lang](), fc.lang);
        }
        const drawAt = read.at;
        // The room must still be open at the draw, and it can stay open at most GIFT_ROOM_MAX_HOURS.
        const maxHours = fc.ctx.config.GIFT_ROOM_MAX_HOURS;
        if (drawAt.getTime() >= fc.ctx.now().getTime() + (maxHours - 1) * 3_600_000) {
          return again(state, T.drawTooLate[fc.lang](hoursLabel(maxHours - 1, fc.lang)), fc.lang);
        }
        return ask(fc, { ...data, drawAt: drawAt.toISOString() });
      }
      case "message":
        if (answer.choice === "msg:skip") {
          return ask(fc, { ...data, message: "" });
        }
        return text.length > 0 && text.length <= 280
          ? ask(fc, { ...data, message: text })
          : again(state, T.messageLength[fc.lang](), fc.lang);
      case "hours":
        return hoursStep(fc, state, data, answer.choice, text);
      case "confirm":
        return answer.choice === "confirm"
          ? confirmGift(fc, state, data)
          : again(state, T.confirmRoom[fc.lang](), fc.lang);
      case "short":
        return again(state, T.fundFirst[fc.lang](), fc.lang);
      case "pin":
        return createFromPin(fc, state, answer);
      case "rooms": {
        const roomId = answer.choice?.startsWith("room:") ? answer.choice.slice(5) : undefined;
        return roomId ? showRoom(fc, roomId) : again(state, T.pickRoom[fc.lang](), fc.lang);
      }
      case "room":
        return roomStep(fc, state, answer);
      case "close":
        return closeStep(fc, state, answer);
      default:
        return { replies: [menuReply(undefined, fc.lang)] };
    }
  },
};

function kindStep(
  fc: FlowContext,
  state: FlowState,
  choice: string | undefined,
  text: string,
): Promise<StepResult> {
  if (choice === "gift:mine" || /\b(?:my|mine)\b.*\b(?:rooms?|gifts?|giveaways?)\b/i.test(text)) {
    return listRooms(fc);
  }
  const kind: GiftKind | undefined = choice?.startsWith("gift:")
    ? (choice.slice(5) as GiftKind)
    : /\bdata\b/i.test(text)
      ? "data"
      : /\b(?:airtime|credit|recharge)\b/i.test(text)
        ? "airtime"
        : /\b(?:cash|money|wallet)\b/i.test(text)
          ? "cash"
          : undefined;
  if (!kind) {
    return Promise.resolve(again(state, T.pickKind[fc.lang](), fc.lang));
  }
  // What the first message said ("3 people 1k each") is kept: the amount goes with airtime or cash.
  const { amountKobo, ...said } = state.data as GiftData;
  const kept = withAmount(fc, { ...said, kind }, amountKobo);
  return ask(fc, kept.data).then((result) => withNotes([kept.note], result));
}

/**
 * An amount per gift said before its use was known: checked against the airtime limits for
 * airtime, kept for cash (the service checks it) or until the kind is picked, dropped for data
 * (a data gift is a plan, not an amount).
 */
function withAmount(
  fc: FlowContext,
  data: GiftData,
  amountKobo: number | undefined,
): { data: GiftData; note?: string } {
  if (amountKobo === undefined || data.kind === "data") {
    return { data };
  }
  const note = data.kind === "airtime" ? amountOutOfRange(fc, "gift", amountKobo) : undefined;
  return note ? { data, note } : { data: { ...data, amountKobo }, note };
}

/**
 * "create gift room 10 people 200 airtime each": everything the message says is kept (issue 16),
 * checked like a typed answer, and only what is missing is asked. What cannot be used is quoted
 * back with what is allowed.
 */
async function startWithFields(fc: FlowContext, intent: IntentOf<"gift_room">): Promise<StepResult> {
  const data: GiftData = {};
  const notes: (string | undefined)[] = [explainProblems(fc, intent.problems, "gift")];
  if (intent.product) {
    data.kind = intent.product;
  }
  const max = fc.ctx.config.GIFT_ROOM_MAX_CAPACITY;
  if (intent.count !== undefined && intent.count > max) {
    notes.push(T.tooMany[fc.lang](intent.count, max));
  } else if (intent.count !== undefined) {
    data.capacity = intent.count;
  }
  if (data.kind === "data") {
    data.network = intent.network;
    data.sizeMb = intent.sizeMb;
  }
  const kept = withAmount(fc, data, intent.amountKobo);
  notes.push(kept.note);
  return withNotes(notes, await ask(fc, kept.data));
}

async function amountStep(
  fc: FlowContext,
  state: FlowState,
  data: GiftData,
  text: string,
): Promise<StepResult> {
  if (data.kind === "airtime") {
    const read = readAmountAnswer(fc, "gift", text);
    return read && "amountKobo" in read
      ? ask(fc, { ...data, amountKobo: read.amountKobo })
      : again(state, read?.problem ?? T.amountPerGift[fc.lang](typeAnAmount(fc)), fc.lang);
  }
  const read = readAmount(text.toLowerCase());
  if (read?.problem) {
    return again(state, explainProblems(fc, [read.problem]) ?? typeAnAmount(fc), fc.lang);
  }
  return read?.amountKobo
    ? ask(fc, { ...data, amountKobo: read.amountKobo })
    : again(state, T.amountPerGift[fc.lang](typeAnAmount(fc)), fc.lang);
}

async function capacityStep(
  fc: FlowContext,
  state: FlowState,
  data: GiftData,
  text: string,
): Promise<StepResult> {
  const match = /^(\d{1,7})(?:\s*(?:gifts?|people|persons?|winners?))?$/i.exec(text);
  const capacity = match ? Number(match[1]) : 0;
  const max = fc.ctx.config.GIFT_ROOM_MAX_CAPACITY;
  if (capacity < 1 || capacity > max) {
    return again(state, T.notACount[fc.lang](quoted(fc.lang, text.slice(0, 24)), max), fc.lang);
  }
  return ask(fc, { ...data, capacity });
}

function parseMode(text: string): GiftMode | undefined {
  const t = text.toLowerCase();
  if (/\b(?:quiz|question)\b/.test(t)) {
    return "quiz";
  }
  if (/\b(?:draw|random|raffle)\b/.test(t)) {
    return "random_draw";
  }
  return /\b(?:first|fastest)\b/.test(t) ? "first_come" : undefined;
}

async function answersStep(
  fc: FlowContext,
  state: FlowState,
  data: GiftData,
  text: string,
): Promise<StepResult> {
  const answers = text
    .split(",")
    .map((a) => a.trim())
    .filter((a) => a.length > 0);
  if (answers.length === 0 || answers.length > 10 || answers.some((a) => a.length > 100)) {
    return again(state, T.answers[fc.lang](), fc.lang);
  }
  return ask(fc, { ...data, quizAnswers: answers });
}

async function hoursStep(
  fc: FlowContext,
  state: FlowState,
  data: GiftData,
  choice: string | undefined,
  text: string,
): Promise<StepResult> {
  const hours = choice?.startsWith("hours:") ? Number(choice.slice(6)) : parseHours(text);
  const max = fc.ctx.config.GIFT_ROOM_MAX_HOURS;
  if (!hours || hours > max) {
    return again(state, T.hoursRange[fc.lang](max), fc.lang);
  }
  const endsAt = fc.ctx.now().getTime() + hours * 3_600_000;
  if (data.drawAt && endsAt <= new Date(data.drawAt).getTime()) {
    return again(state, T.pastDraw[fc.lang](), fc.lang);
  }
  return ask(fc, { ...data, hours });
}
