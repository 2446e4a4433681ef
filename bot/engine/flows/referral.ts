import { formatNaira } from "../../../api/services/money";
import { applyReferralCode, getReferralSummary, readReferralCode } from "../../../api/services/rewards";
import { type Lang, templates } from "../i18n";
import { parseIntent } from "../intents/grammar";
import { cancelChoice, doneReply, errorText } from "../replies";
import type { FlowContext, StepResult } from "../types";
import type { Flow } from "./flow";

const T = templates("referral", {
  intro: {
    en: () => "Invite friends to TADA and earn. Your referral code:",
    pcm: () => "Invite your people come TADA make you earn. Your referral code:",
  },
  yourLink: {
    en: () => "Or share your link:",
    pcm: () => "Or share your link give dem:",
  },
  onTelegram: { en: () => "On Telegram:", pcm: () => "For Telegram:" },
  onWhatsapp: { en: () => "On WhatsApp:", pcm: () => "For WhatsApp:" },
  howItWorks: {
    en: (min: string, reward: string, welcome: string) =>
      `How it works: when a friend joins with your link or code, their first purchase of ${min} or more earns you ${reward}, and they get ${welcome} welcome bonus.`,
    pcm: (min: string, reward: string, welcome: string) =>
      `How e dey work: when your person join with your link or code, im first purchase of ${min} or more go give you ${reward}, and im go get ${welcome} welcome bonus.`,
  },
  cap: {
    en: (cap: number) => `Up to ${cap} rewards a month.`,
    pcm: (cap: number) => `You fit get reach ${cap} rewards every month.`,
  },
  soFar: {
    en: (joined: number, rewarded: number, earned: string) =>
      `So far: ${joined} ${joined === 1 ? "friend" : "friends"} joined, ${rewarded} rewarded, ${earned} earned.`,
    pcm: (joined: number, rewarded: number, earned: string) =>
      `Till now: ${joined} ${joined === 1 ? "person" : "people"} don join, ${rewarded} don pay, you don earn ${earned}.`,
  },
  haveCode: { en: () => "I have a code", pcm: () => "I get code" },
  askCode: {
    en: () => "Type the referral code of the person who invited you.",
    pcm: () => "Type the referral code of the person wey invite you.",
  },
  notACode: {
    en: () =>
      "That does not look like a referral code (letters and digits, like TADA7K2M9Q). Type it again, or tap Cancel.",
    pcm: () =>
      "That one no resemble referral code (na letters and numbers, like TADA7K2M9Q). Type am again, or press Cancel.",
  },
  joinedThrough: {
    en: (name: string, min: string, welcome: string) =>
      `You joined through ${name}'s invitation. Make your first purchase of ${min} or more and you get ${welcome} welcome bonus.`,
    pcm: (name: string, min: string, welcome: string) =>
      `You don join through ${name} invitation. Make your first purchase of ${min} or more and you go get ${welcome} welcome bonus.`,
  },
  joinedThroughFriend: {
    en: (min: string, welcome: string) =>
      `You joined through a friend's invitation. Make your first purchase of ${min} or more and you get ${welcome} welcome bonus.`,
    pcm: (min: string, welcome: string) =>
      `You don join through your friend invitation. Make your first purchase of ${min} or more and you go get ${welcome} welcome bonus.`,
  },
  codeNotUsed: {
    en: (why: string) => `About the referral link you came with: ${why}`,
    pcm: (why: string) => `About the referral link wey bring you: ${why}`,
  },
});

/**
 * "My referral link" (issue 18): the customer's link and code to share, how a referral pays, and
 * how many friends have joined and paid so far. A customer who may still say who invited them gets
 * "I have a code"; a code written in the message ("ref TADA7K2M9Q") is applied at once.
 */
export const referralFlow: Flow = {
  name: "referral",
  async start(fc, intent) {
    if (intent?.kind === "referral" && intent.code) {
      return useCode(fc, intent.code);
    }
    return summary(fc);
  },
  async handle(fc, state, answer) {
    if (state.step === "offer") {
      if (answer.choice === "have_code") {
        return {
          replies: [{ text: T.askCode[fc.lang](), choices: [cancelChoice(fc.lang)] }],
          next: { flow: "referral", step: "code", data: {} },
        };
      }
      // Anything else is a new request.
      return undefined;
    }
    if (state.step === "code") {
      const typed = answer.text?.trim() ?? "";
      const said = typed ? parseIntent(typed) : undefined;
      // "ref TADA7K2M9Q" or the code alone; "my referral code" is no code.
      const code = said?.kind === "referral" ? said.code : readReferralCode(typed);
      if (!code) {
        return {
          replies: [{ text: T.notACode[fc.lang](), choices: [cancelChoice(fc.lang)] }],
          next: state,
        };
      }
      return useCode(fc, code);
    }
    return summary(fc);
  },
};

async function summary(fc: FlowContext): Promise<StepResult> {
  const lang = fc.lang;
  const s = await getReferralSummary({ ctx: fc.ctx, userId: fc.userId });
  const { rules } = s;
  // The code first: the tap-to-copy mark goes on its first occurrence, which is then not in the link.
  const lines = [T.intro[lang](), s.code, "", T.yourLink[lang](), s.link];
  if (s.telegramLink) {
    lines.push("", T.onTelegram[lang](), s.telegramLink);
  }
  if (s.whatsappLink) {
    lines.push("", T.onWhatsapp[lang](), s.whatsappLink);
  }
  lines.push(
    "",
    `${T.howItWorks[lang](
      formatNaira(rules.minPurchaseKobo),
      formatNaira(rules.rewardKobo),
      formatNaira(rules.welcomeKobo),
    )} ${T.cap[lang](rules.monthlyCap)}`,
    "",
    T.soFar[lang](s.referees, s.rewarded, formatNaira(s.earnedKobo)),
  );
  const choices = s.canEnterCode ? [{ id: "have_code", label: T.haveCode[lang]() }] : [];
  const reply = { ...doneReply(lines.join("\n"), choices, lang), copy: s.code };
  return s.canEnterCode
    ? { replies: [reply], next: { flow: "referral", step: "offer", data: {} } }
    : { replies: [reply] };
}

/** Apply the code and say what it means, or why it cannot be used, in words. */
async function useCode(fc: FlowContext, code: string): Promise<StepResult> {
  const outcome = await applyCode(fc, code);
  return { replies: [doneReply(outcome.text, [], fc.lang)] };
}

/**
 * The code of the person who invited this customer (typed, or the Telegram deep link's
 * `ref_<code>`): applied, with the sentence that says so, or the reason it was not.
 */
export async function applyCode(fc: FlowContext, code: string): Promise<{ applied: boolean; text: string }> {
  try {
    const { referrerFirstName } = await applyReferralCode({ ctx: fc.ctx, userId: fc.userId, code });
    return { applied: true, text: joinedText(fc, referrerFirstName) };
  } catch (error) {
    return { applied: false, text: errorText(error, fc.lang) };
  }
}

function joinedText(fc: FlowContext, name: string | null): string {
  const lang: Lang = fc.lang;
  const min = formatNaira(fc.ctx.config.REFERRAL_MIN_PURCHASE_KOBO);
  const welcome = formatNaira(fc.ctx.config.REFERRAL_WELCOME_KOBO);
  return name ? T.joinedThrough[lang](name, min, welcome) : T.joinedThroughFriend[lang](min, welcome);
}

/** The deep link's code did not apply: one short line before the greeting. */
export function codeNotUsedText(fc: FlowContext, why: string): string {
  return T.codeNotUsed[fc.lang](why);
}
