import { listDiscos } from "../../../api/services/catalogue/listings";
import { DISCO_NAMES } from "../../../api/services/catalogue/normalize";
import { formatNaira } from "../../../api/services/money";
import { DISCOS, type Disco, type MeterType, quoteByAmount, verifyAccount } from "../../../api/services/vtu";
import { METER_DIGITS } from "../intents/intent";
import { doneReply, errorText, menuReply } from "../replies";
import type { Choice, FlowContext, StepResult } from "../types";
import type { Flow } from "./flow";
import { again, confirmStep, orderPlacedText, payWithPin, question, summary } from "./purchase";
import { pickedSaved, savedChoices, savedLabel } from "./saved";
import { checkedAmount, explainProblems, readAmountAnswer, typeAnAmount, withNotes } from "./written";

type ElectricityData = {
  priceKobo?: number;
  disco?: Disco;
  meterType?: MeterType;
  meterNumber?: string;
  customerName?: string;
  amountKobo?: number;
  confirmId?: string;
};

const AMOUNTS = [200_000, 500_000, 1_000_000, 2_000_000];

/** DisCo → meter type → meter number → verified name → amount → confirm → PIN → token. */
export const electricityFlow: Flow = {
  name: "electricity",
  async start(fc, intent) {
    const data: ElectricityData = {};
    if (intent?.kind === "electricity") {
      data.disco = intent.disco;
      data.meterType = intent.meterType;
      data.meterNumber = intent.meterNumber;
      const amount = checkedAmount(fc, "electricity", intent.amountKobo);
      data.amountKobo = amount.amountKobo;
      return withNotes(
        [explainProblems(fc, intent.problems, "electricity"), amount.note],
        await ask(fc, data),
      );
    }
    return ask(fc, data);
  },
  async handle(fc, state, answer) {
    const data = state.data as ElectricityData;
    switch (state.step) {
      case "disco": {
        const saved = await pickedSaved(fc, answer.choice);
        if (saved && DISCOS.includes(saved.provider as Disco)) {
          return ask(fc, {
            ...data,
            disco: saved.provider as Disco,
            meterType: saved.meterType ?? undefined,
            meterNumber: saved.recipient,
          });
        }
        const disco = answer.choice?.startsWith("disco:") ? (answer.choice.slice(6) as Disco) : undefined;
        return disco
          ? ask(fc, { ...data, disco })
          : again(state, "Pick your electricity company from the list.");
      }
      case "type": {
        const meterType =
          answer.choice === "mt:prepaid"
            ? "prepaid"
            : answer.choice === "mt:postpaid"
              ? "postpaid"
              : undefined;
        return meterType ? ask(fc, { ...data, meterType }) : again(state, "Prepaid or postpaid?");
      }
      case "meter": {
        const meterNumber = (answer.text ?? "").replace(/[\s-]/g, "");
        const fits = meterNumber.length >= METER_DIGITS.min && meterNumber.length <= METER_DIGITS.max;
        return /^\d+$/.test(meterNumber) && fits
          ? ask(fc, { ...data, meterNumber, customerName: undefined })
          : again(
              state,
              `"${(answer.text ?? "").trim().slice(0, 24)}" is not a meter number. Type the meter number (${METER_DIGITS.min}–${METER_DIGITS.max} digits).`,
            );
      }
      case "amount": {
        const read = answer.choice?.startsWith("amt:")
          ? { amountKobo: Number(answer.choice.slice(4)) }
          : readAmountAnswer(fc, "electricity", answer.text);
        return read && "amountKobo" in read
          ? ask(fc, { ...data, amountKobo: read.amountKobo })
          : again(state, read?.problem ?? `How much? ${typeAnAmount(fc)}`);
      }
      case "confirm":
        return confirmStep(fc, state, answer);
      case "pin":
        return payWithPin(
          fc,
          state,
          answer,
          (pin) =>
            data.disco && data.meterType && data.meterNumber && data.amountKobo
              ? {
                  service: "electricity",
                  input: {
                    disco: data.disco,
                    meterType: data.meterType,
                    meterNumber: data.meterNumber,
                    amountKobo: data.amountKobo,
                    pin,
                  },
                }
              : undefined,
          (message, delivered) =>
            delivered
              ? message
              : orderPlacedText(
                  `${formatNaira(data.amountKobo ?? 0)} of electricity for meter ${data.meterNumber}`,
                  message,
                  "I will send the token when it is ready.",
                ),
          data.meterNumber && data.disco
            ? {
                service: "electricity",
                recipient: data.meterNumber,
                provider: data.disco,
                meterType: data.meterType,
                label: savedLabel(data.customerName, data.meterNumber),
              }
            : undefined,
        );
      default:
        return { replies: [menuReply()] };
    }
  },
};

async function ask(fc: FlowContext, data: ElectricityData): Promise<StepResult> {
  const next = (step: string, text: string, choices: Choice[], state = data): StepResult =>
    question("electricity", step, state, text, choices);
  try {
    if (!data.disco) {
      const discos = await listDiscos({ ctx: fc.ctx });
      const saved = await savedChoices(fc, "electricity");
      return next(
        "disco",
        saved.length > 0
          ? "Tap a saved meter, or pick the electricity company for a new one."
          : "Which electricity company?",
        [...saved, ...discos.map((d) => ({ id: `disco:${d.disco}`, label: d.name }))],
      );
    }
    if (!data.meterType) {
      return next("type", "Is the meter prepaid or postpaid?", [
        { id: "mt:prepaid", label: "Prepaid (token)" },
        { id: "mt:postpaid", label: "Postpaid (bill)" },
      ]);
    }
    if (!data.meterNumber) {
      return next("meter", "Type the meter number.", []);
    }
    if (!data.customerName) {
      // Verify before any money moves: the customer sees whose meter it is.
      const account = await verifyAccount({
        ctx: fc.ctx,
        vtu: fc.deps.vtu,
        input: { kind: "meter", disco: data.disco, meterType: data.meterType, number: data.meterNumber },
      });
      return ask(fc, { ...data, customerName: account.customerName });
    }
    if (!data.amountKobo) {
      return next(
        "amount",
        `Meter ${data.meterNumber}: ${data.customerName}. How much electricity?`,
        AMOUNTS.map((a) => ({ id: `amt:${a}`, label: formatNaira(a) })),
      );
    }
    const quote = await quoteByAmount({
      ctx: fc.ctx,
      service: "electricity",
      productId: `electricity:${data.disco}`,
      amountKobo: data.amountKobo,
    });
    return summary(
      "electricity",
      { ...data, priceKobo: quote.priceKobo },
      `${DISCO_NAMES[data.disco]} ${data.meterType} meter ${data.meterNumber} (${data.customerName}).\n` +
        `${formatNaira(data.amountKobo)} of electricity: you pay ${formatNaira(quote.priceKobo)} including the service fee. Confirm?`,
      `${formatNaira(data.amountKobo)} electricity`,
    );
  } catch (error) {
    // A meter that does not exist, or a biller we cannot reach: say so and ask again for the number.
    if (data.meterNumber && !data.customerName) {
      return next("meter", `${errorText(error)} Type the meter number again, or Cancel.`, [], {
        ...data,
        meterNumber: undefined,
      });
    }
    return { replies: [doneReply(errorText(error))] };
  }
}
