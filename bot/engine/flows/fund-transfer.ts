import {
  createDynamicAccount,
  createKycLink,
  getTransferFunding,
  type TransferFunding,
  type VirtualAccountDto,
} from "../../../api/services/funding";
import { formatNaira } from "../../../api/services/money";
import { type Lang, templates } from "../i18n";
import type { Intent } from "../intents/intent";
import { cancelChoice, doneReply, errorText, menuChoice } from "../replies";
import type { Choice, FlowContext, Reply, StepResult } from "../types";
import type { Flow } from "./flow";
import { readFundingAmount } from "./fund";
import { checkedAmount, explainProblems, typeAnAmount, withNotes } from "./written";

/**
 * Funding by bank transfer (issue 17), "my account number": the customer's permanent account
 * number when they have one; otherwise the one-time BVN page (the BVN is given there, never in a
 * chat) and a one-time account number for an amount ("Pay by transfer once"). The services decide
 * everything (who gets a permanent number, the fee, the expiry); this only words it.
 */

const AMOUNTS = [100_000, 200_000, 500_000, 1_000_000];

const T = templates("fund-transfer", {
  howMuchAgain: {
    en: (typeAnAmount: string) => `How much? ${typeAnAmount}`,
    pcm: (typeAnAmount: string) => `How much you wan put? ${typeAnAmount}`,
  },
  yourAccount: {
    en: () => "Fund your wallet by bank transfer to your own TADA account number:",
    pcm: () => "Fund your wallet with bank transfer to your own TADA account number:",
  },
  details: {
    en: (bank: string, number: string, name: string) =>
      `Bank: ${bank}\nAccount number:\n${number}\nAccount name: ${name}`,
    pcm: (bank: string, number: string, name: string) =>
      `Bank: ${bank}\nAccount number:\n${number}\nAccount name (the name wey go show): ${name}`,
  },
  noFee: { en: () => "There is no fee.", pcm: () => "Transfer no get charge." },
  fee: {
    en: (fee: string) => `Each transfer has ${fee}.`,
    pcm: (fee: string) => `Each transfer get charge of ${fee}.`,
  },
  creditedHere: {
    en: (limit: string) =>
      `Transfers are credited to your wallet automatically (up to ${limit} a day), and I will tell you here when one arrives.`,
    pcm: (limit: string) =>
      `Any money wey you transfer go enter your wallet by itself (reach ${limit} for one day), and I go tell you for here when e land.`,
  },
  pending: {
    en: () => "Your account number is being set up. I will send it here as soon as it is ready.",
    pcm: () => "Dem still dey set up your account number. I go send am for here once e ready.",
  },
  payNowOnce: {
    en: () => "To pay now, you can pay by transfer once.",
    pcm: () => "If you wan pay now, you fit pay with transfer one time.",
  },
  refused: {
    en: () =>
      "The bank did not accept the BVN you gave last time. Check it and try again on the secure page.",
    pcm: () =>
      "The bank no accept the BVN wey you give last time. Check am well and try again for the secure page.",
  },
  needsBvn: {
    en: (minutes: number) =>
      "You can get your own permanent account number: transfers to it fund your wallet automatically. " +
      "It needs a one-time BVN check, done on a secure page (it works once, for " +
      `${minutes} minutes). Never type your BVN in this chat.`,
    pcm: (minutes: number) =>
      "You fit get your own permanent account number: any transfer wey enter am go fund your wallet by itself. " +
      "You go first do BVN check one time, for one secure page (e go work once, for " +
      `${minutes} minutes). No ever type your BVN for this chat.`,
  },
  orOnce: {
    en: () => "Or pay by transfer once: I give you an account number for one payment.",
    pcm: () => "Or pay with transfer one time: I go give you account number for that one payment.",
  },
  bvnPage: { en: () => "Open the secure BVN page", pcm: () => "Open the BVN page (e secure)" },
  levelTooLow: {
    en: () =>
      "Permanent account numbers are not available at your level yet, but you can pay by transfer once.",
    pcm: () => "Permanent account number never dey for your level, but you fit pay with transfer one time.",
  },
  howMuch: {
    en: () => "How much do you want to add by transfer? Tap one or type an amount.",
    pcm: () => "How much you wan put with transfer? Tap one or type amount.",
  },
  overDailyLimit: {
    en: (amount: string, limit: string) =>
      `${amount} is more than can reach your wallet by transfer in a day at your level (${limit}).`,
    pcm: (amount: string, limit: string) =>
      `${amount} pass wetin fit enter your wallet with transfer for one day for your level (${limit}).`,
  },
  sendExactly: {
    en: (total: string, before: string) =>
      `Send exactly ${total} before ${before} (Lagos time) to this account number, for this payment only:`,
    pcm: (total: string, before: string) =>
      `Send exactly ${total} before ${before} (Lagos time) to this account number, na for this payment only:`,
  },
  tomorrow: {
    en: (time: string) => `${time} tomorrow`,
    pcm: (time: string) => `${time} tomorrow (next day)`,
  },
  reachesWallet: {
    en: (amount: string, fee: string) =>
      `${amount} reaches your wallet${fee} and I will tell you here. A different amount, or a transfer after the time, is checked by our team and credited or returned: it is not lost.`,
    pcm: (amount: string, fee: string) =>
      `${amount} go enter your wallet${fee} and I go tell you for here. If you send another amount, or you send after the time, our team go check am and credit you or return am: e no go loss.`,
  },
  feeTaken: {
    en: (fee: string) => ` (${fee} transfer fee)`,
    pcm: (fee: string) => ` (${fee} na transfer charge)`,
  },
  onceChoice: { en: () => "Pay by transfer once", pcm: () => "Pay with transfer one time" },
  cardChoice: { en: () => "Pay by card", pcm: () => "Pay with card" },
  accountChoice: { en: () => "My account number", pcm: () => "Show me my account number" },
});

/** "my account number": the permanent account, or how to get one, or a one-time one for an amount. */
export const fundTransferFlow: Flow = {
  name: "fund_transfer",
  async start(fc, intent) {
    const funding = await getTransferFunding({ ctx: fc.ctx, userId: fc.userId });
    if (funding.account) {
      return { replies: [staticAccountReply(fc, funding, funding.account)] };
    }
    const asked = amountAsked(fc, intent);
    if (asked.amountKobo !== undefined) {
      // "pay 5k by transfer": they want to pay now, so the one-time account is made at once.
      return withNotes(asked.notes, await oneTimeAccount(fc, funding, asked.amountKobo));
    }
    if (funding.pending) {
      return withNotes(asked.notes, {
        replies: [
          {
            text: `${T.pending[fc.lang]()} ${T.payNowOnce[fc.lang]()}`,
            choices: otherWays(fc.lang),
          },
        ],
      });
    }
    if (!funding.level.permanentAccount) {
      return withNotes([...asked.notes, T.levelTooLow[fc.lang]()], askAmount(fc.lang));
    }
    return withNotes(asked.notes, await bvnPageReply(fc, funding));
  },
  async handle(fc, state, answer) {
    if (state.step !== "amount") {
      return undefined;
    }
    const read = readFundingAmount(fc, state, answer);
    if ("retry" in read) {
      return read.retry;
    }
    const funding = await getTransferFunding({ ctx: fc.ctx, userId: fc.userId });
    return oneTimeAccount(fc, funding, read.amountKobo);
  },
};

/** "Pay by transfer once" (a button, from anywhere): straight to the amount. */
export const transferOnceFlow: Flow = {
  name: "transfer_once",
  async start(fc) {
    return askAmount(fc.lang);
  },
  handle: fundTransferFlow.handle,
};

/** The amount a first message gave ("pay 5k by transfer"), if usable, and why not if not. */
function amountAsked(fc: FlowContext, intent: Intent | undefined): { amountKobo?: number; notes: string[] } {
  if (intent?.kind !== "account_number") {
    return { notes: [] };
  }
  const amount = checkedAmount(fc, "fund", intent.amountKobo);
  const notes = [explainProblems(fc, intent.problems, "fund"), amount.note].filter(
    (note): note is string => note !== undefined,
  );
  return { amountKobo: amount.amountKobo, notes };
}

function askAmount(lang: Lang): StepResult {
  return {
    replies: [
      {
        text: T.howMuch[lang](),
        choices: [...AMOUNTS.map((a) => ({ id: `amt:${a}`, label: formatNaira(a) })), cancelChoice(lang)],
      },
    ],
    next: { flow: "fund_transfer", step: "amount", data: {} },
  };
}

/** Pay by transfer once, pay by card: what is left without a permanent account number. */
function otherWays(lang: Lang): Choice[] {
  return [
    { id: "nav:transfer_once", label: T.onceChoice[lang]() },
    { id: "nav:fund", label: T.cardChoice[lang]() },
    menuChoice(lang),
  ];
}

function staticAccountReply(fc: FlowContext, funding: TransferFunding, account: VirtualAccountDto): Reply {
  const lang = fc.lang;
  const number = account.accountNumber ?? "";
  const text = [
    T.yourAccount[lang](),
    "",
    T.details[lang](account.bankName ?? "", number, account.accountName ?? ""),
    "",
    `${feeSentence(funding.fee, lang)} ${T.creditedHere[lang](formatNaira(funding.level.fundingDailyKobo))}`,
  ].join("\n");
  return { text, copy: number, choices: [menuChoice(lang)] };
}

/**
 * The service's fee words ("no fee", "a fee of 1% (at most ₦200)") in a sentence. Pidgin keeps the
 * figures and says the cap its own way; words it does not expect are shown as the service wrote them.
 */
function feeSentence(fee: string, lang: Lang): string {
  if (fee === "no fee") {
    return T.noFee[lang]();
  }
  if (lang === "pcm") {
    const figures = fee.replace(/^a fee of /, "").replace(/\(at most (₦[\d,.]+)\)/, "(e no go pass $1)");
    return T.fee.pcm(figures);
  }
  return T.fee.en(fee);
}

/** No permanent account yet: the one-time BVN page (as a link button), or pay once, or by card. */
async function bvnPageReply(fc: FlowContext, funding: TransferFunding): Promise<StepResult> {
  const link = await createKycLink({
    ctx: fc.ctx,
    userId: fc.userId,
    channel: fc.input.channel,
    userRef: fc.input.userRef,
  });
  const minutes = Math.max(1, Math.round((link.expiresAt.getTime() - fc.ctx.now().getTime()) / 60_000));
  const lead = funding.refusedReason ? `${T.refused[fc.lang]()}\n\n` : "";
  return {
    replies: [
      {
        text: `${lead}${T.needsBvn[fc.lang](minutes)}\n\n${T.orOnce[fc.lang]()}`,
        link: { label: T.bvnPage[fc.lang](), url: link.url },
        choices: otherWays(fc.lang),
      },
    ],
  };
}

/** A one-time account number for `amountKobo`: what to send, where, and before when. */
async function oneTimeAccount(
  fc: FlowContext,
  funding: TransferFunding,
  amountKobo: number,
): Promise<StepResult> {
  const lang = fc.lang;
  const limit = funding.level.fundingDailyKobo;
  if (amountKobo > limit) {
    return {
      replies: [
        {
          text: `${T.overDailyLimit[lang](formatNaira(amountKobo), formatNaira(limit))} ${T.howMuchAgain[lang](typeAnAmount(fc))}`,
          choices: [cancelChoice(lang)],
        },
      ],
      next: { flow: "fund_transfer", step: "amount", data: {} },
    };
  }
  let account: VirtualAccountDto;
  try {
    account = await createDynamicAccount({
      ctx: fc.ctx,
      payments: fc.deps.payments,
      userId: fc.userId,
      channel: fc.input.channel,
      amountKobo,
    });
  } catch (error) {
    return { replies: [doneReply(errorText(error, lang), [], lang)] };
  }
  const number = account.accountNumber ?? "";
  const total = formatNaira(account.totalKobo ?? amountKobo);
  const feeKobo = account.feeKobo ?? 0;
  const fee = feeKobo > 0 ? T.feeTaken[lang](formatNaira(feeKobo)) : "";
  // The gateway's expiry; ours (the same TTL) if it gave none.
  const expiresAt = account.expiresAt
    ? new Date(account.expiresAt)
    : new Date(fc.ctx.now().getTime() + fc.ctx.config.DYNAMIC_ACCOUNT_TTL_MINUTES * 60_000);
  const before = lagosDeadline(fc.ctx.now(), expiresAt, lang);
  const text = [
    T.sendExactly[lang](total, before),
    "",
    T.details[lang](account.bankName ?? "", number, account.accountName ?? ""),
    "",
    T.reachesWallet[lang](formatNaira(account.amountKobo ?? amountKobo), fee),
  ].join("\n");
  const more = funding.level.permanentAccount
    ? [{ id: "nav:fund_transfer", label: T.accountChoice[lang]() }]
    : [];
  return { replies: [{ text, copy: number, choices: [...more, menuChoice(lang)] }] };
}

const LAGOS_CLOCK = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Africa/Lagos",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});
const LAGOS_DAY = new Intl.DateTimeFormat("en-GB", { timeZone: "Africa/Lagos", dateStyle: "short" });

/** "14:30", or "00:15 tomorrow" when the deadline falls on the next Lagos day. */
function lagosDeadline(now: Date, at: Date, lang: Lang): string {
  const time = LAGOS_CLOCK.format(at);
  return LAGOS_DAY.format(at) === LAGOS_DAY.format(now) ? time : T.tomorrow[lang](time);
}
