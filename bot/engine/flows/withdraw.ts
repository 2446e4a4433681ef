import { ServiceError } from "../../../api/services/errors";
import { createWithdrawal, listBanks, resolveBankAccount } from "../../../api/services/funding";
import { formatNaira } from "../../../api/services/money";
import { getWalletBalance } from "../../../api/services/wallet";
import { doneReply, errorText, FORGOT_PIN_CHOICE, menuReply } from "../replies";
import type { FlowContext, FlowState, StepResult } from "../types";
import type { Flow } from "./flow";
import { refusePinAttempt } from "./pin-guard";
import { again, question, summary } from "./purchase";
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
          return again(state, "An account number is 10 digits (NUBAN). Type it again.");
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
        return again(state, "Is that the account you want to pay? Tap Yes or No.");
      case "amount": {
        const read = readAmountAnswer(fc, "withdraw", answer.text);
        if (!read || "problem" in read) {
          return again(state, read?.problem ?? `How much do you want to withdraw? ${typeAnAmount(fc)}`);
        }
        return ask(fc, { ...data, amountKobo: read.amountKobo });
      }
      case "confirm":
        if (answer.choice !== "confirm") {
          return again(state, "Tap Confirm to continue, or Cancel.");
        }
        return askForPin(
          fc,
          { ...state, step: "pin", data: { ...data, confirmId: fc.input.messageId } },
          { purpose: "pay", title: `Withdraw ${formatNaira(data.amountKobo ?? 0)}` },
          {
            typed: `Send your transaction PIN to withdraw ${formatNaira(data.amountKobo ?? 0)}. I will delete it right away.`,
            link: `To withdraw ${formatNaira(data.amountKobo ?? 0)}, open this link to enter your PIN.`,
          },
        );
      case "pin":
        return send(fc, state, data, answer);
      default:
        return { replies: [menuReply()] };
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
      "Which bank should the money go to? Tap it, or type the bank's name.",
      bankChoices(popularBanks(banks)),
    );
  }
  if (!data.accountNumber) {
    return question(
      "withdraw",
      "account",
      data,
      `Type the 10-digit ${data.bankName ?? "bank"} account number.`,
    );
  }
  if (!data.nameConfirmed) {
    return question(
      "withdraw",
      "name",
      data,
      `That account is ${data.accountName} (${data.bankName}, ${data.accountNumber}). Is that who you are paying?`,
      [
        { id: "name:yes", label: "Yes, that is right" },
        { id: "name:no", label: "No, another number" },
      ],
    );
  }
  if (!data.amountKobo) {
    const { availableKobo } = await getWalletBalance({ ctx: fc.ctx, userId: fc.userId });
    return question(
      "withdraw",
      "amount",
      data,
      `How much do you want to withdraw? You have ${formatNaira(availableKobo)} available.`,
    );
  }
  const minKobo = fc.ctx.config.WITHDRAWAL_MIN_KOBO;
  if (data.amountKobo < minKobo) {
    return question(
      "withdraw",
      "amount",
      { ...data, amountKobo: undefined },
      `The smallest withdrawal is ${formatNaira(minKobo)}. How much do you want to withdraw?`,
    );
  }
  const feeKobo = fc.ctx.config.WITHDRAWAL_FEE_KOBO;
  const fee = feeKobo > 0 ? `Fee: ${formatNaira(feeKobo)}. ` : "";
  return summary(
    "withdraw",
    { ...data, feeKobo },
    `Withdraw ${formatNaira(data.amountKobo)} to ${data.accountName}, ${data.bankName} ${data.accountNumber}.\n` +
      `${fee}${formatNaira(data.amountKobo + feeKobo)} leaves your wallet. Confirm?`,
    `${formatNaira(data.amountKobo)} withdrawal`,
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
    return again(state, "I could not find that bank. Type part of its name, like 'opay' or 'first bank'.");
  }
  return question(
    "withdraw",
    "bank",
    data,
    chosen.length > MAX_BANK_CHOICES
      ? "Many banks match. Tap yours, or type more of the name."
      : "Which one is it?",
    bankChoices(chosen.slice(0, MAX_BANK_CHOICES)),
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
    return again(state, `${errorText(error)} Type the account number again, or Cancel.`);
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
    return { replies: [doneReply("Let us start again.")], deleteInput: true };
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
          `Withdrawal of ${formatNaira(withdrawal.amountKobo)} to ${withdrawal.accountName} (reference ${withdrawal.reference}). ${withdrawal.message} I will message you when the bank confirms.`,
        ),
      ],
      deleteInput: true,
    };
  } catch (error) {
    if (error instanceof ServiceError && error.code === "INCORRECT_PIN") {
      return { replies: await retryPin(fc, state, errorText(error)), next: state, deleteInput: true };
    }
    // A locked PIN: resetting it with a code also lifts the lock.
    const locked = error instanceof ServiceError && error.code === "PIN_LOCKED";
    return {
      replies: [doneReply(errorText(error), locked ? [FORGOT_PIN_CHOICE] : [])],
      deleteInput: true,
    };
  }
}
