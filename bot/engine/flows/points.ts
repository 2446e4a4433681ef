import { newId } from "../../../api/services/ids";
import { formatNaira } from "../../../api/services/money";
import {
  formatPoints,
  getPointsSummary,
  type PointsSummary,
  redeemPoints,
} from "../../../api/services/rewards";
import { getWalletBalance } from "../../../api/services/wallet";
import { type Lang, templates } from "../i18n";
import { cancelChoice, doneReply, errorText } from "../replies";
import type { FlowContext, StepResult } from "../types";
import { airtimeFlow } from "./airtime";
import type { Flow } from "./flow";

const T = templates("points", {
  balance: {
    en: (points: string, worth: string) => `You have ${points} points, worth ${worth}.`,
    pcm: (points: string, worth: string) => `You get ${points} points, e worth ${worth}.`,
  },
  debt: {
    en: (points: string) =>
      `Your points balance is ${points}: a purchase that earned points was reversed after they were used. New points pay it back first.`,
    pcm: (points: string) =>
      `Your points balance na ${points}: dem reverse one purchase wey earn points after you don use the points. New points go first pay am back.`,
  },
  expiring: {
    en: (points: string) => `${points} of them expire within 30 days: use them before then.`,
    pcm: (points: string) => `${points} of dem go expire inside 30 days: use dem before then.`,
  },
  howToEarn: {
    en: (perHundred: string, referral: string) =>
      `You earn ${perHundred} per ₦100 you spend on airtime, data, cable and electricity, and ${referral} points for each friend you refer.`,
    pcm: (perHundred: string, referral: string) =>
      `You dey earn ${perHundred} for every ₦100 wey you spend for airtime, data, cable and light, and ${referral} points for every person wey you refer.`,
  },
  onePoint: { en: () => "1 point", pcm: () => "1 point" },
  manyPoints: { en: (n: string) => `${n} points`, pcm: (n: string) => `${n} points` },
  rate: {
    en: (min: string, worth: string) => `Redeem from ${min} points (${min} points = ${worth}).`,
    pcm: (min: string, worth: string) => `You fit redeem from ${min} points (${min} points = ${worth}).`,
  },
  recent: { en: () => "Recent:", pcm: () => "Wetin happen last:" },
  redeem: { en: () => "Redeem points", pcm: () => "Redeem points" },
  tooFew: {
    en: (have: string, min: string) =>
      `You have ${have} points; you can redeem from ${min}. Keep buying to earn more.`,
    pcm: (have: string, min: string) =>
      `You get ${have} points; you fit redeem from ${min}. Dey buy make you earn more.`,
  },
  offer: {
    en: (points: string, worth: string) => `Redeem your ${points} points for ${worth}?`,
    pcm: (points: string, worth: string) => `You wan redeem your ${points} points for ${worth}?`,
  },
  toWallet: {
    en: (worth: string) => `To my wallet (${worth})`,
    pcm: (worth: string) => `Put am for my wallet (${worth})`,
  },
  forAirtime: { en: () => "Buy airtime with them", pcm: () => "Use dem buy airtime" },
  redeemed: {
    en: (points: string, worth: string, balance: string) =>
      `Done: ${points} points became ${worth} in your wallet. Wallet balance: ${balance}.`,
    pcm: (points: string, worth: string, balance: string) =>
      `E don do: ${points} points don turn ${worth} for your wallet. Wallet balance: ${balance}.`,
  },
  forAirtimeLead: {
    en: (points: string, worth: string) =>
      `${points} points became ${worth} in your wallet. Now the airtime:`,
    pcm: (points: string, worth: string) =>
      `${points} points don turn ${worth} for your wallet. Now the airtime:`,
  },
});

/**
 * "My points" and "redeem points" (issue 18 §2): the balance and what it is worth, what expires
 * soon, how points are earned and the last changes; then redemption of all the points to the
 * wallet, or for airtime (the points become wallet money first, then the airtime flow asks the
 * number and takes Confirm + PIN as any purchase). One key per offer, so a double tap redeems once.
 */
export const pointsFlow: Flow = {
  name: "points",
  async start(fc, intent) {
    return intent?.kind === "points" && intent.action === "redeem" ? offer(fc) : summary(fc);
  },
  async handle(fc, state, answer) {
    if (state.step === "summary" && answer.choice === "redeem") {
      return offer(fc);
    }
    if (state.step === "offer" && (answer.choice === "wallet" || answer.choice === "airtime")) {
      return redeem(fc, String(state.data.key ?? ""), Number(state.data.points ?? 0), answer.choice);
    }
    // Anything else is a new request.
    return undefined;
  },
};

async function summary(fc: FlowContext): Promise<StepResult> {
  const lang = fc.lang;
  const s = await getPointsSummary({ ctx: fc.ctx, userId: fc.userId, recent: 3 });
  const lines = [
    s.balance < 0
      ? T.debt[lang](formatPoints(s.balance))
      : T.balance[lang](formatPoints(s.balance), formatNaira(s.valueKobo)),
  ];
  if (s.expiringSoon > 0) {
    lines.push(T.expiring[lang](formatPoints(s.expiringSoon)));
  }
  lines.push("", howToEarn(lang, s), rateLine(lang, s));
  if (s.recent.length > 0) {
    lines.push(
      "",
      T.recent[lang](),
      ...s.recent.map((r) => `${r.points > 0 ? "+" : ""}${formatPoints(r.points)} · ${r.description}`),
    );
  }
  const canRedeem = s.balance >= s.rules.minRedeemPoints;
  const choices = canRedeem ? [{ id: "redeem", label: T.redeem[lang]() }] : [];
  const reply = doneReply(lines.join("\n"), choices, lang);
  return canRedeem
    ? { replies: [reply], next: { flow: "points", step: "summary", data: {} } }
    : { replies: [reply] };
}

function howToEarn(lang: Lang, s: PointsSummary): string {
  const per = s.rules.earnPer100Naira.airtime;
  return T.howToEarn[lang](
    per === 1 ? T.onePoint[lang]() : T.manyPoints[lang](formatPoints(per)),
    formatPoints(s.rules.referralPoints),
  );
}

function rateLine(lang: Lang, s: PointsSummary): string {
  const { minRedeemPoints: min, pointValueKobo } = s.rules;
  return T.rate[lang](formatPoints(min), formatNaira(min * pointValueKobo));
}

async function offer(fc: FlowContext): Promise<StepResult> {
  const lang = fc.lang;
  const s = await getPointsSummary({ ctx: fc.ctx, userId: fc.userId, recent: 0 });
  if (s.balance < s.rules.minRedeemPoints) {
    return {
      replies: [
        doneReply(
          T.tooFew[lang](formatPoints(Math.max(s.balance, 0)), formatPoints(s.rules.minRedeemPoints)),
          [],
          lang,
        ),
      ],
    };
  }
  const worth = formatNaira(s.valueKobo);
  return {
    replies: [
      {
        text: T.offer[lang](formatPoints(s.balance), worth),
        choices: [
          { id: "wallet", label: T.toWallet[lang](worth) },
          { id: "airtime", label: T.forAirtime[lang]() },
          cancelChoice(lang),
        ],
      },
    ],
    next: { flow: "points", step: "offer", data: { key: newId("chatredeem"), points: s.balance } },
  };
}

async function redeem(
  fc: FlowContext,
  key: string,
  points: number,
  target: "wallet" | "airtime",
): Promise<StepResult> {
  const lang = fc.lang;
  try {
    const r = await redeemPoints({
      ctx: fc.ctx,
      userId: fc.userId,
      points,
      idempotencyKey: key,
      actor: `user:${fc.userId}`,
      redeemedFor: target,
    });
    const worth = formatNaira(r.creditKobo);
    if (target === "airtime") {
      // Airtime is sold in whole naira: the amount the points made, rounded down (the rest stays).
      const amountKobo = Math.floor(r.creditKobo / 100) * 100;
      const next = await airtimeFlow.start(fc, { kind: "airtime", amountKobo });
      const [first, ...rest] = next.replies;
      const lead = T.forAirtimeLead[lang](formatPoints(r.points), worth);
      return {
        ...next,
        replies: first ? [{ ...first, text: `${lead}\n${first.text}` }, ...rest] : [{ text: lead }],
      };
    }
    const { balanceKobo } = await getWalletBalance({ ctx: fc.ctx, userId: fc.userId });
    return {
      replies: [
        doneReply(T.redeemed[lang](formatPoints(r.points), worth, formatNaira(balanceKobo)), [], lang),
      ],
    };
  } catch (error) {
    return { replies: [doneReply(errorText(error, lang), [], lang)] };
  }
}
