import { formatNaira } from "../../../api/services/money";
import { tierPriceExample, tierProgress } from "../../../api/services/rewards";
import { templates } from "../i18n";
import { doneReply } from "../replies";
import type { StepResult } from "../types";
import type { Flow } from "./flow";

const T = templates("tier", {
  yourTier: {
    en: (name: string) => `Your tier: ${name}.`,
    pcm: (name: string) => `Your tier na ${name}.`,
  },
  setForYou: {
    en: () => "(set for you by TADA)",
    pcm: () => "(na TADA set am for you)",
  },
  volume: {
    en: (days: number, amount: string) => `Your purchases delivered in the last ${days} days: ${amount}.`,
    pcm: (days: number, amount: string) => `Wetin you buy wey land for the last ${days} days: ${amount}.`,
  },
  next: {
    en: (name: string, min: string, more: string) => `${name} needs ${min}: ${more} more to go.`,
    pcm: (name: string, min: string, more: string) => `${name} need ${min}: remain ${more} more.`,
  },
  reached: {
    en: (name: string) => `You have reached ${name}: it applies within a few minutes.`,
    pcm: (name: string) => `You don reach ${name}: e go start work in few minutes.`,
  },
  top: {
    en: () => "That is our top tier.",
    pcm: () => "Na our top tier be that.",
  },
  yourPrice: {
    en: (what: string, yours: string, regular: string) =>
      `Your price: ${what} costs you ${yours} (Regular ${regular}).`,
    pcm: (what: string, yours: string, regular: string) =>
      `Your price: ${what} na ${yours} for you (Regular na ${regular}).`,
  },
  nextPrice: {
    en: (name: string, what: string, price: string, yours: string) =>
      `As ${name}, ${what} would cost ${price} (you pay ${yours} now).`,
    pcm: (name: string, what: string, price: string, yours: string) =>
      `As ${name}, ${what} go be ${price} (now you dey pay ${yours}).`,
  },
  example: {
    en: (amount: string) => `${amount} MTN airtime`,
    pcm: (amount: string) => `${amount} MTN airtime wey you buy`,
  },
});

/**
 * "My tier" (issue 18 §3): one compact message with the customer's tier, their delivered volume
 * over the window, what the next tier needs, and the price advantage on an everyday purchase.
 */
export const tierFlow: Flow = {
  name: "tier",
  async start(fc): Promise<StepResult> {
    const lang = fc.lang;
    const p = await tierProgress(fc.ctx, fc.userId);
    const current = p.tiers.find((t) => t.code === p.tier.code);
    const upper = p.tiers.find((t) => t.code === p.next?.code);
    const regular = p.tiers[0];
    const shown = [current, upper, regular].filter((t) => t !== undefined);
    const example = await tierPriceExample(fc.ctx, shown);
    const lines = [
      p.automatic ? T.yourTier[lang](p.tier.name) : `${T.yourTier[lang](p.tier.name)} ${T.setForYou[lang]()}`,
      T.volume[lang](p.windowDays, formatNaira(p.volumeKobo)),
    ];
    if (!p.next) {
      lines.push(T.top[lang]());
    } else if (p.next.neededKobo > 0) {
      lines.push(
        T.next[lang](p.next.name, formatNaira(p.next.minVolumeKobo), formatNaira(p.next.neededKobo)),
      );
    } else if (p.automatic) {
      lines.push(T.reached[lang](p.next.name));
    }
    if (example && regular) {
      const what = T.example[lang](formatNaira(example.faceAmountKobo));
      const yours = example.prices[p.tier.code];
      const atRegular = example.prices[regular.code];
      const atNext = p.next ? example.prices[p.next.code] : undefined;
      if (yours !== undefined && atRegular !== undefined && yours < atRegular) {
        lines.push(T.yourPrice[lang](what, formatNaira(yours), formatNaira(atRegular)));
      }
      if (p.next && yours !== undefined && atNext !== undefined && atNext < yours) {
        lines.push(T.nextPrice[lang](p.next.name, what, formatNaira(atNext), formatNaira(yours)));
      }
    }
    return { replies: [doneReply(lines.join("\n"), [], lang)] };
  },
  async handle() {
    return undefined;
  },
};
