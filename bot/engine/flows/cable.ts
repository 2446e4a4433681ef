import { listCableBouquets } from "../../../api/services/catalogue/listings";
import { bouquetSlug, CABLE_NAMES } from "../../../api/services/catalogue/normalize";
import { formatNaira } from "../../../api/services/money";
import { CABLE_PROVIDERS, type CableProvider, verifyAccount } from "../../../api/services/vtu";
import { SMARTCARD_DIGITS } from "../intents/intent";
import { doneReply, errorText, menuReply } from "../replies";
import type { Choice, FlowContext, StepResult } from "../types";
import type { Flow } from "./flow";
import { again, confirmStep, orderPlacedText, payWithPin, question, summary } from "./purchase";
import { pickedSaved, savedChoices, savedLabel } from "./saved";
import { explainProblems, withNotes } from "./written";

type CableData = {
  provider?: CableProvider;
  smartcard?: string;
  customerName?: string;
  currentBouquet?: string;
  /** renew = the current bouquet; change = the chosen one. */
  subscription?: "renew" | "change";
  bouquetId?: string;
  bouquetName?: string;
  priceKobo?: number;
  confirmId?: string;
};

/** provider → smartcard → verified name and bouquet → renew or change → confirm → PIN. */
export const cableFlow: Flow = {
  name: "cable",
  async start(fc, intent) {
    const data: CableData = {};
    if (intent?.kind === "cable") {
      data.provider = intent.provider;
      data.smartcard = intent.smartcard;
      data.subscription = intent.subscription;
      if (intent.provider && intent.bouquet) {
        data.subscription = "change";
        data.bouquetId = `cable:${intent.provider}:${intent.bouquet}`;
      }
      return withNotes([explainProblems(fc, intent.problems)], await ask(fc, data));
    }
    return ask(fc, data);
  },
  async handle(fc, state, answer) {
    const data = state.data as CableData;
    switch (state.step) {
      case "provider": {
        const saved = await pickedSaved(fc, answer.choice);
        if (saved && CABLE_PROVIDERS.includes(saved.provider as CableProvider)) {
          return ask(fc, { ...data, provider: saved.provider as CableProvider, smartcard: saved.recipient });
        }
        const provider = answer.choice?.startsWith("tv:")
          ? (answer.choice.slice(3) as CableProvider)
          : undefined;
        return provider ? ask(fc, { ...data, provider }) : again(state, "Pick DStv, GOtv or StarTimes.");
      }
      case "smartcard": {
        const smartcard = (answer.text ?? "").replace(/[\s-]/g, "");
        const fits = smartcard.length >= SMARTCARD_DIGITS.min && smartcard.length <= SMARTCARD_DIGITS.max;
        return /^\d+$/.test(smartcard) && fits
          ? ask(fc, { ...data, smartcard, customerName: undefined })
          : again(
              state,
              `"${(answer.text ?? "").trim().slice(0, 24)}" is not a smartcard number. Type the smartcard / IUC number (${SMARTCARD_DIGITS.min}–${SMARTCARD_DIGITS.max} digits).`,
            );
      }
      case "subscription": {
        if (answer.choice === "sub:renew") {
          return ask(fc, { ...data, subscription: "renew" });
        }
        const bouquetId = answer.choice?.startsWith("bq:") ? answer.choice.slice(3) : undefined;
        return bouquetId
          ? ask(fc, { ...data, subscription: "change", bouquetId })
          : again(state, "Pick renew or a bouquet.");
      }
      case "confirm":
        return confirmStep(fc, state, answer);
      case "pin":
        return payWithPin(
          fc,
          state,
          answer,
          (pin) =>
            data.provider && data.smartcard && data.subscription
              ? {
                  service: "cable",
                  input: {
                    provider: data.provider,
                    smartcard: data.smartcard,
                    subscription: data.subscription,
                    bouquetId: data.subscription === "change" ? data.bouquetId : undefined,
                    pin,
                  },
                }
              : undefined,
          (message, delivered) =>
            delivered ? message : orderPlacedText(`${data.bouquetName} for card ${data.smartcard}`, message),
          data.smartcard && data.provider
            ? {
                service: "cable",
                recipient: data.smartcard,
                provider: data.provider,
                label: savedLabel(data.customerName, `${CABLE_NAMES[data.provider]} ${data.smartcard}`),
              }
            : undefined,
        );
      default:
        return { replies: [menuReply()] };
    }
  },
};

async function ask(fc: FlowContext, data: CableData): Promise<StepResult> {
  const next = (step: string, text: string, choices: Choice[], state = data): StepResult =>
    question("cable", step, state, text, choices);
  try {
    if (!data.provider) {
      const saved = await savedChoices(fc, "cable");
      return next(
        "provider",
        saved.length > 0 ? "Tap a saved smartcard, or pick the TV for a new one." : "Which TV?",
        [...saved, ...CABLE_PROVIDERS.map((p) => ({ id: `tv:${p}`, label: CABLE_NAMES[p] }))],
      );
    }
    if (!data.smartcard) {
      return next("smartcard", `Type the ${CABLE_NAMES[data.provider]} smartcard / IUC number.`, []);
    }
    if (!data.customerName) {
      const account = await verifyAccount({
        ctx: fc.ctx,
        vtu: fc.deps.vtu,
        input: { kind: "smartcard", provider: data.provider, number: data.smartcard },
      });
      return ask(fc, {
        ...data,
        customerName: account.customerName,
        currentBouquet: account.currentBouquet ?? undefined,
      });
    }
    const bouquets = await listCableBouquets({ ctx: fc.ctx, provider: data.provider });
    const currentId = data.currentBouquet
      ? `cable:${data.provider}:${bouquetSlug(data.provider, data.currentBouquet)}`
      : undefined;
    const wanted = data.subscription === "renew" ? currentId : data.bouquetId;
    const bouquet = bouquets.find((b) => b.id === wanted);
    if (!data.subscription || !bouquet) {
      const current = bouquets.find((b) => b.id === currentId);
      const choices: Choice[] = [
        ...(current
          ? [{ id: "sub:renew", label: `Renew ${current.name} — ${formatNaira(current.priceKobo)}` }]
          : []),
        ...bouquets
          .filter((b) => b.id !== currentId)
          .map((b) => ({ id: `bq:${b.id}`, label: `${b.name} — ${formatNaira(b.priceKobo)}` })),
      ];
      return next(
        "subscription",
        `Card ${data.smartcard}: ${data.customerName}${data.currentBouquet ? `, on ${data.currentBouquet}` : ""}. Renew or change?`,
        choices,
        {
          ...data,
          subscription: undefined,
        },
      );
    }
    return summary(
      "cable",
      { ...data, bouquetName: bouquet.name, priceKobo: bouquet.priceKobo },
      `${bouquet.name} (${data.subscription}) for card ${data.smartcard} (${data.customerName}).\nYou pay ${formatNaira(bouquet.priceKobo)} from your wallet. Confirm?`,
      `${bouquet.name} ${data.subscription === "renew" ? "renewal" : "subscription"}`,
    );
  } catch (error) {
    if (data.smartcard && !data.customerName) {
      return next("smartcard", `${errorText(error)} Type the card number again, or Cancel.`, [], {
        ...data,
        smartcard: undefined,
      });
    }
    return { replies: [doneReply(errorText(error))] };
  }
}
