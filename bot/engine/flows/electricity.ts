import { listDiscos } from "../../../api/services/catalogue/listings";
import { DISCO_NAMES } from "../../../api/services/catalogue/normalize";
import { formatNaira } from "../../../api/services/money";
import { DISCOS, type Disco, type MeterType, quoteByAmount, verifyAccount } from "../../../api/services/vtu";
import { templates } from "../i18n";
import { METER_DIGITS } from "../intents/intent";
import { orderPlacedText, summary } from "./purchase";
import { pickedSaved, savedChoices, savedLabel } from "./saved";
import { accountNumberSlot, amountSlot, chosen, purchaseFlow, verifySlot } from "./slots";
import { checkedAmount, explainProblems, typeAnAmount } from "./written";

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

const T = templates("electricity", {
  savedOrDisco: {
    en: () => "Tap a saved meter, or pick the electricity company for a new one.",
    pcm: () => "Tap meter wey you save, or choose the light company for new one.",
  },
  whichDisco: { en: () => "Which electricity company?", pcm: () => "Which light company (DisCo)?" },
  pickDisco: {
    en: () => "Pick your electricity company from the list.",
    pcm: () => "Choose your light company from the list.",
  },
  prepaidOrPostpaid: {
    en: () => "Is the meter prepaid or postpaid?",
    pcm: () => "The meter na prepaid or postpaid?",
  },
  prepaid: { en: () => "Prepaid (token)", pcm: () => "Prepaid (na token)" },
  postpaid: { en: () => "Postpaid (bill)", pcm: () => "Postpaid (na bill)" },
  whichType: { en: () => "Prepaid or postpaid?", pcm: () => "Na prepaid or postpaid?" },
  typeMeter: { en: () => "Type the meter number.", pcm: () => "Type the meter number for here." },
  notAMeter: {
    en: (shown: string, min: number, max: number) =>
      `${shown} is not a meter number. Type the meter number (${min}–${max} digits).`,
    pcm: (shown: string, min: number, max: number) =>
      `${shown} no be meter number. Type the meter number (${min}–${max} digits).`,
  },
  meterAgain: {
    en: (reason: string) => `${reason} Type the meter number again, or Cancel.`,
    pcm: (reason: string) => `${reason} Type the meter number again abeg, or Cancel.`,
  },
  typeMeterAgain: {
    en: () => "Type the meter number again, or Cancel.",
    pcm: () => "Type the meter number again abeg, or Cancel.",
  },
  howMuch: {
    en: (meter: string, name: string) => `Meter ${meter}: ${name}. How much electricity?`,
    pcm: (meter: string, name: string) => `Meter ${meter}: ${name}. How much light you wan buy?`,
  },
  howMuchAgain: {
    en: (typeAnAmount: string) => `How much? ${typeAnAmount}`,
    pcm: (typeAnAmount: string) => `How much you wan pay? ${typeAnAmount}`,
  },
  summary: {
    en: (disco: string, type: string, meter: string, name: string, amount: string, price: string) =>
      `${disco} ${type} meter ${meter} (${name}).\n` +
      `${amount} of electricity: you pay ${price} including the service fee. Confirm?`,
    pcm: (disco: string, type: string, meter: string, name: string, amount: string, price: string) =>
      `${disco} ${type} meter ${meter} (${name}).\n` +
      `${amount} light: you go pay ${price} (the service fee dey inside). Confirm?`,
  },
  what: { en: (amount: string) => `${amount} electricity`, pcm: (amount: string) => `${amount} light` },
  placed: {
    en: (amount: string, meter: string) => `${amount} of electricity for meter ${meter}`,
    pcm: (amount: string, meter: string) => `${amount} light for meter ${meter}`,
  },
});

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
          text: saved.length > 0 ? T.savedOrDisco[fc.lang]() : T.whichDisco[fc.lang](),
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
        return disco ? { disco } : { again: T.pickDisco[fc.lang]() };
      },
    },
    {
      step: "type",
      missing: (data) => !data.meterType,
      async ask(fc) {
        return {
          text: T.prepaidOrPostpaid[fc.lang](),
          choices: [
            { id: "mt:prepaid", label: T.prepaid[fc.lang]() },
            { id: "mt:postpaid", label: T.postpaid[fc.lang]() },
          ],
        };
      },
      async read(fc, _data, answer) {
        const meterType = chosen(answer, "mt:");
        return meterType === "prepaid" || meterType === "postpaid"
          ? { meterType }
          : { again: T.whichType[fc.lang]() };
      },
    },
    accountNumberSlot<ElectricityData>({
      step: "meter",
      key: "meterNumber",
      range: METER_DIGITS,
      ask: (fc) => T.typeMeter[fc.lang](),
      notIt: (fc, shown, min, max) => T.notAMeter[fc.lang](shown, min, max),
    }),
    // Verified before any money moves: the customer sees whose meter it is.
    verifySlot<ElectricityData>({
      numberStep: "meter",
      numberKey: "meterNumber",
      async verify(fc, data) {
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
        return { customerName: account.customerName };
      },
      failed: (fc, reason) => T.meterAgain[fc.lang](reason),
      typeAgain: (fc) => T.typeMeterAgain[fc.lang](),
    }),
    amountSlot<ElectricityData>({
      use: "electricity",
      amounts: AMOUNTS,
      ask: (fc, data) => T.howMuch[fc.lang](data.meterNumber ?? "", data.customerName ?? ""),
      again: (fc) => T.howMuchAgain[fc.lang](typeAnAmount(fc)),
    }),
  ],
  async summary(fc, data) {
    const amountKobo = data.amountKobo ?? 0;
    const quote = await quoteByAmount({
      ctx: fc.ctx,
      service: "electricity",
      productId: `electricity:${data.disco}`,
      amountKobo,
      userId: fc.userId,
    });
    return summary(
      "electricity",
      { ...data, priceKobo: quote.priceKobo },
      T.summary[fc.lang](
        DISCO_NAMES[data.disco as Disco],
        data.meterType ?? "",
        data.meterNumber ?? "",
        data.customerName ?? "",
        formatNaira(amountKobo),
        formatNaira(quote.priceKobo),
      ),
      T.what[fc.lang](formatNaira(amountKobo)),
      fc.lang,
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
  placed: (data, message, delivered, lang) =>
    delivered
      ? message
      : orderPlacedText(
          lang,
          T.placed[lang](formatNaira(data.amountKobo ?? 0), data.meterNumber ?? ""),
          message,
          "token",
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
