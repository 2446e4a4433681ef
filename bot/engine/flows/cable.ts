import { listCableBouquets } from "../../../api/services/catalogue/listings";
import { bouquetSlug, CABLE_NAMES } from "../../../api/services/catalogue/normalize";
import { formatNaira } from "../../../api/services/money";
import { CABLE_PROVIDERS, type CableProvider, verifyAccount } from "../../../api/services/vtu";
import { SMARTCARD_DIGITS } from "../intents/intent";
import { errorText } from "../replies";
import type { Choice } from "../types";
import { orderPlacedText, summary } from "./purchase";
import { pickedSaved, savedChoices, savedLabel } from "./saved";
import { chosen, purchaseFlow } from "./slots";
import { explainProblems } from "./written";

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
export const cableFlow = purchaseFlow<CableData>({
  name: "cable",
  async fromIntent(fc, intent) {
    if (intent.kind !== "cable") {
      return { data: {} };
    }
    const data: CableData = {
      provider: intent.provider,
      smartcard: intent.smartcard,
      subscription: intent.subscription,
    };
    if (intent.provider && intent.bouquet) {
      data.subscription = "change";
      data.bouquetId = `cable:${intent.provider}:${intent.bouquet}`;
    }
    return { data, notes: [explainProblems(fc, intent.problems)] };
  },
  slots: [
    {
      step: "provider",
      missing: (data) => !data.provider,
      async ask(fc) {
        const saved = await savedChoices(fc, "cable");
        return {
          text: saved.length > 0 ? "Tap a saved smartcard, or pick the TV for a new one." : "Which TV?",
          choices: [...saved, ...CABLE_PROVIDERS.map((p) => ({ id: `tv:${p}`, label: CABLE_NAMES[p] }))],
        };
      },
      async read(fc, _data, answer) {
        const saved = await pickedSaved(fc, answer.choice);
        if (saved && CABLE_PROVIDERS.includes(saved.provider as CableProvider)) {
          return { provider: saved.provider as CableProvider, smartcard: saved.recipient };
        }
        const provider = chosen(answer, "tv:") as CableProvider | undefined;
        return provider ? { provider } : { again: "Pick DStv, GOtv or StarTimes." };
      },
    },
    {
      step: "smartcard",
      missing: (data) => !data.smartcard,
      async ask(_fc, data) {
        return { text: `Type the ${CABLE_NAMES[data.provider as CableProvider]} smartcard / IUC number.` };
      },
      async read(_fc, _data, answer) {
        const smartcard = (answer.text ?? "").replace(/[\s-]/g, "");
        const fits = smartcard.length >= SMARTCARD_DIGITS.min && smartcard.length <= SMARTCARD_DIGITS.max;
        return /^\d+$/.test(smartcard) && fits
          ? { smartcard, customerName: undefined }
          : {
              again: `"${(answer.text ?? "").trim().slice(0, 24)}" is not a smartcard number. Type the smartcard / IUC number (${SMARTCARD_DIGITS.min}–${SMARTCARD_DIGITS.max} digits).`,
            };
      },
    },
    {
      // Verified before any money moves: the customer sees whose card it is. Never asked itself.
      step: "verify",
      missing: (data) => !data.customerName,
      async ask(fc, data) {
        try {
          const account = await verifyAccount({
            ctx: fc.ctx,
            vtu: fc.deps.vtu,
            input: {
              kind: "smartcard",
              provider: data.provider as CableProvider,
              number: data.smartcard ?? "",
            },
          });
          return {
            fill: { customerName: account.customerName, currentBouquet: account.currentBouquet ?? undefined },
          };
        } catch (error) {
          // A card that does not exist, or a biller we cannot reach: say so and ask for the number again.
          return {
            step: "smartcard",
            text: `${errorText(error)} Type the card number again, or Cancel.`,
            data: { ...data, smartcard: undefined },
          };
        }
      },
      async read() {
        return { again: "Type the card number again, or Cancel." };
      },
    },
    {
      step: "subscription",
      missing: (data) => !data.bouquetName,
      async ask(fc, data) {
        const provider = data.provider as CableProvider;
        const bouquets = await listCableBouquets({ ctx: fc.ctx, provider });
        const currentId = data.currentBouquet
          ? `cable:${provider}:${bouquetSlug(provider, data.currentBouquet)}`
          : undefined;
        const wanted = data.subscription === "renew" ? currentId : data.bouquetId;
        const bouquet = bouquets.find((b) => b.id === wanted);
        if (data.subscription && bouquet) {
          return { fill: { bouquetName: bouquet.name, priceKobo: bouquet.priceKobo } };
        }
        const current = bouquets.find((b) => b.id === currentId);
        const choices: Choice[] = [
          ...(current
            ? [{ id: "sub:renew", label: `Renew ${current.name} — ${formatNaira(current.priceKobo)}` }]
            : []),
          ...bouquets
            .filter((b) => b.id !== currentId)
            .map((b) => ({ id: `bq:${b.id}`, label: `${b.name} — ${formatNaira(b.priceKobo)}` })),
        ];
        return {
          text: `Card ${data.smartcard}: ${data.customerName}${data.currentBouquet ? `, on ${data.currentBouquet}` : ""}. Renew or change?`,
          choices,
          data: { ...data, subscription: undefined },
        };
      },
      async read(_fc, _data, answer) {
        if (answer.choice === "sub:renew") {
          return { subscription: "renew", bouquetName: undefined };
        }
        const bouquetId = chosen(answer, "bq:");
        return bouquetId
          ? { subscription: "change", bouquetId, bouquetName: undefined }
          : { again: "Pick renew or a bouquet." };
      },
    },
  ],
  async summary(_fc, data) {
    return summary(
      "cable",
      data,
      `${data.bouquetName} (${data.subscription}) for card ${data.smartcard} (${data.customerName}).\nYou pay ${formatNaira(data.priceKobo ?? 0)} from your wallet. Confirm?`,
      `${data.bouquetName} ${data.subscription === "renew" ? "renewal" : "subscription"}`,
    );
  },
  order: (data, pin) =>
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
  placed: (data, message, delivered) =>
    delivered ? message : orderPlacedText(`${data.bouquetName} for card ${data.smartcard}`, message),
  beneficiary: (data) =>
    data.smartcard && data.provider
      ? {
          service: "cable",
          recipient: data.smartcard,
          provider: data.provider,
          label: savedLabel(data.customerName, `${CABLE_NAMES[data.provider]} ${data.smartcard}`),
        }
      : undefined,
});
