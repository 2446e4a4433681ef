import { ServiceError } from "../../../api/services/errors";
import {
  createWithdrawal,
  listBanks,
  resolveBankAccount,
  withdrawalStateMessage,
} from "../../../api/services/funding";
import { formatNaira } from "../../../api/services/money";
import { getWalletBalance } from "../../../api/services/wallet";
import type { WithdrawalState } from "../../../db/database";
import { type Template, templates } from "../i18n";
import { doneReply, errorText, forgotPinChoice, menuReply } from "../replies";
import type { FlowContext, FlowState, StepResult } from "../types";
import type { Flow } from "./flow";
import { refusePinAttempt } from "./pin-guard";
import { again, PURCHASE_TEXT, question, summary } from "./purchase";
import { askForPin, readPinAnswer, retryPin } from "./secure-pin";
import { bankChoices, MAX_BANK_CHOICES, matchBanks, popularBanks } from "./withdraw-banks";
import { checkedAmount, explainProblems, readAmountAnswer, typeAnAmount, withNotes } from "./written";

/** What the withdraw conversation has collected (never the PIN). */
type WithdrawData = {
  bankCode?: string;
  bankName?: string;
  accountNumber?: string;
  /** The name the bank gave for the account, shown to the person and sent back with the request. */
  accountName?: string;
  nameConfirmed?: boolean;
  amountKobo?: number;
  feeKobo?: number;
  /** The message id of the Confirm tap: the withdrawal's idempotency key comes from it. */
  confirmId?: string;
};

const T = templates("withdraw", {
  accountDigits: {
    en: () => "An account number is 10 digits (NUBAN). Type it again.",
    pcm: () => "Account number na 10 digits (NUBAN). Type am again.",
  },
  yesOrNo: {
    en: () => "Is that the account you want to pay? Tap Yes or No.",
    pcm: () => "Na that account you wan pay? Tap Yes or No.",
  },
  howMuchAgain: {
    en: (typeAnAmount: string) => `How much do you want to withdraw? ${typeAnAmount}`,
    pcm: (typeAnAmount: string) => `How much you wan comot? ${typeAnAmount}`,
  },
  pinTitle: { en: (amount: string) => `Withdraw ${amount}`, pcm: (amount: string) => `Comot ${amount}` },
  pinTyped: {
    en: (amount: string) => `Send your transaction PIN to withdraw ${amount}. I will delete it right away.`,
    pcm: (amount: string) =>
      `Oya send your transaction PIN make I send ${amount} go your bank. I go delete am sharp sharp.`,
  },
  pinLink: {
    en: (amount: string) => `To withdraw ${amount}, open this link to enter your PIN.`,
    pcm: (amount: string) => `To comot ${amount}, open this link put your PIN.`,
  },
  whichBank: {
    en: () => "Which bank should the money go to? Tap it, or type the bank's name.",
    pcm: () => "Which bank the money go enter? Tap am, or type the bank name.",
  },
  typeAccount: {
    en: (bank: string) => `Type the 10-digit ${bank} account number.`,
    pcm: (bank: string) => `Type the ${bank} account number (10 digits).`,
  },
  bank: { en: () => "bank", pcm: () => "bank" },
  isThatWho: {
    en: (name: string, bank: string, account: string) =>
      `That account is ${name} (${bank}, ${account}). Is that who you are paying?`,
    pcm: (name: string, bank: string, account: string) =>
      `That account na ${name} own (${bank}, ${account}). Na the person you wan pay be that?`,
  },
  yes: { en: () => "Yes, that is right", pcm: () => "Yes, na am" },
  no: { en: () => "No, another number", pcm: () => "No, another number" },
  howMuch: {
    en: (available: string) => `How much do you want to withdraw? You have ${available} available.`,
    pcm: (available: string) => `How much you wan comot? You get ${available} wey you fit use.`,
  },
  smallest: {
    en: (min: string) => `The smallest withdrawal is ${min}. How much do you want to withdraw?`,
    pcm: (min: string) => `The smallest you fit comot na ${min}. How much you wan comot?`,
  },
  fee: { en: (fee: string) => `Fee: ${fee}. `, pcm: (fee: string) => `Charge: ${fee}. ` },
  summary: {
    en: (amount: string, name: string, bank: string, account: string, fee: string, total: string) =>
      `Withdraw ${amount} to ${name}, ${bank} ${account}.\n${fee}${total} leaves your wallet. Confirm?`,
    pcm: (amount: string, name: string, bank: string, account: string, fee: string, total: string) =>
      `Send ${amount} go ${name}, ${bank} ${account}.\n${fee}${total} go comot from your wallet. Confirm?`,
  },
  what: { en: (amount: string) => `${amount} withdrawal`, pcm: (amount: string) => `${amount} withdrawal` },
  noSuchBank: {
    en: () => "I could not find that bank. Type part of its name, like 'opay' or 'first bank'.",
    pcm: () => "I no see that bank. Type part of the name, like 'opay' or 'first bank'.",
  },
  manyBanks: {
    en: () => "Many banks match. Tap yours, or type more of the name.",
    pcm: () => "Plenty banks match am. Tap your own, or type more of the name.",
  },
  whichOne: { en: () => "Which one is it?", pcm: () => "Which one be am?" },
  accountAgain: {
    en: (reason: string) => `${reason} Type the account number again, or Cancel.`,
    pcm: (reason: string) => `${reason} Type the account number again abeg, or Cancel.`,
  },
  sent: {
    en: (amount: string, name: string, reference: string, message: string) =>
      `Withdrawal of ${amount} to ${name} (reference ${reference}). ${message} I will message you when the bank confirms.`,
    pcm: (amount: string, name: string, reference: string, message: string) =>
      `Withdrawal of ${amount} go ${name} (reference ${reference}). ${message} I go message you once the bank confirm.`,
  },
});

/**
 * A withdrawal's state in words for a person who reads Pidgin (English keeps the withdrawal's own
 * message); whether the money left or is held is said as plainly as the English does.
 */
const STATE_TEXT = templates("withdrawal-state", {
  held: {
    en: () => withdrawalStateMessage("held"),
    pcm: () => "We don collect your withdrawal, we dey send am go the bank.",
  },
  submitting: { en: () => withdrawalStateMessage("submitting"), pcm: () => "We dey send am go the bank…" },
  pending: {
    en: () => withdrawalStateMessage("pending"),
    pcm: () => "The bank transfer dey go. Your money dey hold until e finish.",
  },
  unknown: {
    en: () => withdrawalStateMessage("unknown"),
    pcm: () => "We dey confirm the transfer with the bank. Your money dey hold, e no loss.",
  },
  successful: { en: () => withdrawalStateMessage("successful"), pcm: () => "E don enter your bank account." },
  failed: {
    en: () => withdrawalStateMessage("failed"),
    pcm: () => "The transfer no go through. We don return your money to your wallet.",
  },
} satisfies Record<WithdrawalState, Template>);

/**
 * Withdraw to a bank account: bank → 10-digit account number → the name the bank gives, confirmed →
 * amount → summary with the fee → Confirm → PIN. The person sees whose account it is before any money
 * moves; the withdrawal is keyed by the Confirm tap's message id, so a repeat sends once.
 */
export const withdrawFlow: Flow = {
  name: "withdraw",
  async start(fc, intent) {
    const data: WithdrawData = {};
    if (intent?.kind === "withdraw") {
      const amount = checkedAmount(fc, "withdraw", intent.amountKobo);
      data.amountKobo = amount.amountKobo;
      data.accountNumber = intent.accountNumber;
      if (intent.bank) {
        // The bank named in the message, when it is exactly one of the gateway's banks.
        const [only, ...more] = matchBanks(await listBanks({ payments: fc.deps.payments }), intent.bank);
        if (only && more.length === 0) {
          data.bankCode = only.code;
          data.bankName = only.name;
        }
      }
      return withNotes([explainProblems(fc, intent.problems, "withdraw"), amount.note], await ask(fc, data));
    }
    return ask(fc, data);
  },
  async handle(fc, state, answer) {
    const data = state.data as WithdrawData;
    switch (state.step) {
      case "bank":
        return pickBank(fc, state, data, answer);
      case "account": {
        const accountNumber = (answer.text ?? "").replace(/[\s-]/g, "");
        if (!/^\d{10}$/.test(accountNumber)) {
          return again(state, T.accountDigits[fc.lang](), fc.lang);
        }
        return resolve(fc, state, { ...data, accountNumber });
      }
      case "name":
        if (answer.choice === "name:yes") {
          return ask(fc, { ...data, nameConfirmed: true });
        }
        if (answer.choice === "name:no") {
          const { accountNumber: _drop, accountName: _name, ...rest } = data;
          return ask(fc, rest);
        }
        return again(state, T.yesOrNo[fc.lang](), fc.lang);
      case "amount": {
        const read = readAmountAnswer(fc, "withdraw", answer.text);
        if (!read || "problem" in read) {
          return again(state, read?.problem ?? T.howMuchAgain[fc.lang](typeAnAmount(fc)), fc.lang);
        }
        return ask(fc, { ...data, amountKobo: read.amountKobo });
      }
      case "confirm":
        if (answer.choice !== "confirm") {
          return again(state, PURCHASE_TEXT.tapConfirm[fc.lang](), fc.lang);
        }
        return askForPin(
          fc,
          { ...state, step: "pin", data: { ...data, confirmId: fc.input.messageId } },
          { purpose: "pay", title: T.pinTitle[fc.lang](formatNaira(data.amountKobo ?? 0)) },
          {
            typed: T.pinTyped[fc.lang](formatNaira(data.amountKobo ?? 0)),
            link: T.pinLink[fc.lang](formatNaira(data.amountKobo ?? 0)),
          },
        );
      case "pin":
        return send(fc, state, data, answer);
      default:
        return { replies: [menuReply(undefined, fc.lang)] };
    }
  },
};

async function ask(fc: FlowContext, data: WithdrawData): Promise<StepResult> {
  if (!data.bankCode) {
    const banks = await listBanks({ payments: fc.deps.payments });
    return question(
      "withdraw",
      "bank",
      data,
      T.whichBank[fc.lang](),
      bankChoices(popularBanks(banks)),
      fc.lang,
    );
  }
  if (!data.accountNumber) {
    return question(
      "withdraw",
      "account",
      data,
      T.typeAccount[fc.lang](data.bankName ?? T.bank[fc.lang]()),
      [],
      fc.lang,
    );
  }
  if (!data.accountName) {
    // An account number from the first message, resolved once its bank is known.
    try {
      const account = await resolveBankAccount({
        ctx: fc.ctx,
        payments: fc.deps.payments,
        input: { bankCode: data.bankCode, accountNumber: data.accountNumber },
      });
      return ask(fc, {
        ...data,
        accountName: account.accountName,
        bankName: account.bankName ?? data.bankName,
      });
    } catch (error) {
      return question(
        "withdraw",
        "account",
        { ...data, accountNumber: undefined },
        T.accountAgain[fc.lang](errorText(error, fc.lang)),
        [],
        fc.lang,
      );
    }
  }
  if (!data.nameConfirmed) {
    return question(
      "withdraw",
      "name",
      data,
      T.isThatWho[fc.lang](data.accountName ?? "", data.bankName ?? "", data.accountNumber),
      [
        { id: "name:yes", label: T.yes[fc.lang]() },
        { id: "name:no", label: T.no[fc.lang]() },
      ],
      fc.lang,
    );
  }
  if (!data.amountKobo) {
    const { availableKobo } = await getWalletBalance({ ctx: fc.ctx, userId: fc.userId });
    return question("withdraw", "amount", data, T.howMuch[fc.lang](formatNaira(availableKobo)), [], fc.lang);
  }
  const minKobo = fc.ctx.config.WITHDRAWAL_MIN_KOBO;
  if (data.amountKobo < minKobo) {
    return question(
      "withdraw",
      "amount",
      { ...data, amountKobo: undefined },
      T.smallest[fc.lang](formatNaira(minKobo)),
      [],
      fc.lang,
    );
  }
  const feeKobo = fc.ctx.config.WITHDRAWAL_FEE_KOBO;
  const fee = feeKobo > 0 ? T.fee[fc.lang](formatNaira(feeKobo)) : "";
  return summary(
    "withdraw",
    { ...data, feeKobo },
    T.summary[fc.lang](
      formatNaira(data.amountKobo),
      data.accountName ?? "",
      data.bankName ?? "",
      data.accountNumber,
      fee,
      formatNaira(data.amountKobo + feeKobo),
    ),
    T.what[fc.lang](formatNaira(data.amountKobo)),
    fc.lang,
  );
}

async function pickBank(
  fc: FlowContext,
  state: FlowState,
  data: WithdrawData,
  answer: { choice?: string; text?: string },
): Promise<StepResult> {
  const banks = await listBanks({ payments: fc.deps.payments });
  const chosen = answer.choice?.startsWith("bank:")
    ? banks.filter((b) => b.code === answer.choice?.slice(5))
    : matchBanks(banks, answer.text ?? "");
  const [only] = chosen;
  if (chosen.length === 1 && only) {
    return ask(fc, { ...data, bankCode: only.code, bankName: only.name });
  }
  if (chosen.length === 0) {
    return again(state, T.noSuchBank[fc.lang](), fc.lang);
  }
  return question(
    "withdraw",
    "bank",
    data,
    chosen.length > MAX_BANK_CHOICES ? T.manyBanks[fc.lang]() : T.whichOne[fc.lang](),
    bankChoices(chosen.slice(0, MAX_BANK_CHOICES)),
    fc.lang,
  );
}

async function resolve(fc: FlowContext, state: FlowState, data: WithdrawData): Promise<StepResult> {
  try {
    const account = await resolveBankAccount({
      ctx: fc.ctx,
      payments: fc.deps.payments,
      input: { bankCode: data.bankCode ?? "", accountNumber: data.accountNumber ?? "" },
    });
    return ask(fc, {
      ...data,
      accountName: account.accountName,
      bankName: account.bankName ?? data.bankName,
    });
  } catch (error) {
    return again(state, T.accountAgain[fc.lang](errorText(error, fc.lang)), fc.lang);
  }
}

async function send(
  fc: FlowContext,
  state: FlowState,
  data: WithdrawData,
  answer: { choice?: string; text?: string },
): Promise<StepResult> {
  const read = await readPinAnswer(fc, state, answer);
  if ("reply" in read) {
    return read.reply;
  }
  const { pin } = read;
  if (!data.confirmId || !data.bankCode || !data.accountNumber || !data.amountKobo) {
    return { replies: [doneReply(PURCHASE_TEXT.startAgain[fc.lang](), [], fc.lang)], deleteInput: true };
  }
  const refused = await refusePinAttempt(fc, state);
  if (refused) {
    return refused;
  }
  try {
    const { withdrawal } = await createWithdrawal({
      ctx: fc.ctx,
      payments: fc.deps.payments,
      userId: fc.userId,
      idempotencyKey: `chat:${fc.input.channel}:${data.confirmId}`,
      input: {
        bankCode: data.bankCode,
        accountNumber: data.accountNumber,
        amountKobo: data.amountKobo,
        accountName: data.accountName,
        pin,
      },
    });
    return {
      replies: [
        doneReply(
          T.sent[fc.lang](
            formatNaira(withdrawal.amountKobo),
            withdrawal.accountName,
            withdrawal.reference,
            fc.lang === "en" ? withdrawal.message : STATE_TEXT[withdrawal.state][fc.lang](),
          ),
          [],
          fc.lang,
        ),
      ],
      deleteInput: true,
    };
  } catch (error) {
    if (error instanceof ServiceError && error.code === "INCORRECT_PIN") {
      return {
        replies: await retryPin(fc, state, errorText(error, fc.lang)),
        next: state,
        deleteInput: true,
      };
    }
    // A locked PIN: resetting it with a code also lifts the lock.
    const locked = error instanceof ServiceError && error.code === "PIN_LOCKED";
    return {
      replies: [doneReply(errorText(error, fc.lang), locked ? [forgotPinChoice(fc.lang)] : [], fc.lang)],
      deleteInput: true,
    };
  }
}
