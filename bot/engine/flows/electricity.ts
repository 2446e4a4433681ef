import { listDiscos } from "../../../api/services/catalogue/listings";
import { DISCO_NAMES } from "../../../api/services/catalogue/normalize";
import { formatNaira } from "../../../api/services/money";
import { DISCOS, type Disco, type MeterType, quoteByAmount, verifyAccount } from "../../../api/services/vtu";
import { METER_DIGITS } from "../intents/intent";
import { errorText } from "../replies";
import { orderPlacedText, summary } from "./purchase";
import { pickedSaved, savedChoices, savedLabel } from "./saved";
import { chosen, purchaseFlow } from "./slots";
import { checkedAmount, explainProblems, readAmountAnswer, typeAnAmount } from "./written";

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
export const electricityFlow = purchaseFlow<ElectricityData>({
  name: "electricity",
  async fromIntent(fc, intent) {
    if (intent.kind !== "electricity") {
      return { data: {} };
    }
    const amount = checkedAmount(fc, "electricity", intent.amountKobo);
    return {
      data: {
        disco: intent.disco,
        meterType: intent.meterType,
        meterNumber: intent.meterNumber,
        amountKobo: amount.amountKobo,
      },
      notes: [explainProblems(fc, intent.problems, "electricity"), amount.note],
    };
  },
  slots: [
    {
      step: "disco",
      missing: (data) => !data.disco,
      async ask(fc) {
        const discos = await listDiscos({ ctx: fc.ctx });
        const saved = await savedChoices(fc, "electricity");
        return {
          text:
            saved.length > 0
              ? "Tap a saved meter, or pick the electricity company for a new one."
              : "Which electricity company?",
          choices: [...saved, ...discos.map((d) => ({ id: `disco:${d.disco}`, label: d.name }))],
        };
      },
      async read(fc, _data, answer) {
        const saved = await pickedSaved(fc, answer.choice);
        if (saved && DISCOS.includes(saved.provider as Disco)) {
          return {
            disco: saved.provider as Disco,
            meterType: saved.meterType ?? undefined,
            meterNumber: saved.recipient,
          };
        }
        const disco = chosen(answer, "disco:") as Disco | undefined;
        return disco ? { disco } : { again: "Pick your electricity company from the list." };
      },
    },
    {
      step: "type",
      missing: (data) => !data.meterType,
      async ask() {
        return {
          text: "Is the meter prepaid or postpaid?",
          choices: [
            { id: "mt:prepaid", label: "Prepaid (token)" },
            { id: "mt:postpaid", label: "Postpaid (bill)" },
          ],
        };
      },
      async read(_fc, _data, answer) {
        const meterType = chosen(answer, "mt:");
        return meterType === "prepaid" || meterType === "postpaid"
          ? { meterType }
          : { again: "Prepaid or postpaid?" };
      },
    },
    {
      step: "meter",
      missing: (data) => !data.meterNumber,
      async ask() {
        return { text: "Type the meter number." };
      },
      async read(_fc, _data, answer) {
        const meterNumber = (answer.text ?? "").replace(/[\s-]/g, "");
        const fits = meterNumber.length >= METER_DIGITS.min && meterNumber.length <= METER_DIGITS.max;
        return /^\d+$/.test(meterNumber) && fits
          ? { meterNumber, customerName: undefined }
          : {
              again: `"${(answer.text ?? "").trim().slice(0, 24)}" is not a meter number. Type the meter number (${METER_DIGITS.min}–${METER_DIGITS.max} digits).`,
            };
      },
    },
    {
      // Verified before any money moves: the customer sees whose meter it is. Never asked itself.
      step: "verify",
      missing: (data) => !data.customerName,
      async ask(fc, data) {
        try {
          const account = await verifyAccount({
            ctx: fc.ctx,
            vtu: fc.deps.vtu,
            input: {
              kind: "meter",
              disco: data.disco as Disco,
              meterType: data.meterType as MeterType,
              number: data.meterNumber ?? "",
            },
          });
          return { fill: { customerName: account.customerName } };
        } catch (error) {
          // A meter that does not exist, or a biller we cannot reach: say so and ask for the number again.
          return {
            step: "meter",
            text: `${errorText(error)} Type the meter number again, or Cancel.`,
            data: { ...data, meterNumber: undefined },
          };
        }
      },
      async read() {
        return { again: "Type the meter number again, or Cancel." };
      },
    },
    {
      step: "amount",
      missing: (data) => !data.amountKobo,
      async ask(_fc, data) {
        return {
          text: `Meter ${data.meterNumber}: ${data.customerName}. How much electricity?`,
          choices: AMOUNTS.map((a) => ({ id: `amt:${a}`, label: formatNaira(a) })),
        };
      },
      async read(fc, _data, answer) {
        const picked = chosen(answer, "amt:");
        const read = picked
          ? { amountKobo: Number(picked) }
          : readAmountAnswer(fc, "electricity", answer.text);
        return read && "amountKobo" in read
          ? { amountKobo: read.amountKobo }
          : { again: read?.problem ?? `How much? ${typeAnAmount(fc)}` };
      },
    },
  ],
  async summary(fc, data) {
    const amountKobo = data.amountKobo ?? 0;
    const quote = await quoteByAmount({
      ctx: fc.ctx,
      service: "electricity",
      productId: `electricity:${data.disco}`,
      amountKobo,
    });
    return summary(
      "electricity",
      { ...data, priceKobo: quote.priceKobo },
      `${DISCO_NAMES[data.disco as Disco]} ${data.meterType} meter ${data.meterNumber} (${data.customerName}).\n` +
        `${formatNaira(amountKobo)} of electricity: you pay ${formatNaira(quote.priceKobo)} including the service fee. Confirm?`,
      `${formatNaira(amountKobo)} electricity`,
    );
  },
  order: (data, pin) =>
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
  placed: (data, message, delivered) =>
    delivered
      ? message
      : orderPlacedText(
          `${formatNaira(data.amountKobo ?? 0)} of electricity for meter ${data.meterNumber}`,
          message,
          "I will send the token when it is ready.",
        ),
  beneficiary: (data) =>
    data.meterNumber && data.disco
      ? {
          service: "electricity",
          recipient: data.meterNumber,
          provider: data.disco,
          meterType: data.meterType,
          label: savedLabel(data.customerName, data.meterNumber),
        }
      : undefined,
});
