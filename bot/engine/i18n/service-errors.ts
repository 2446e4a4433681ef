import type { ServiceError } from "../../../api/services/errors";
import { formatNaira } from "../../../api/services/money";
import { isOrderState } from "../../../api/services/vtu/order-dto";
import { lagosTime } from "../../../api/services/vtu/resend-receipt";
import { type Lang, templates } from "./index";
import { orderStateName } from "./orders";

/**
 * Service errors in the chat (DECISIONS §54): the English text is the service's own message,
 * written for the person; the Pidgin text is chosen here by the error's code (the service layer
 * knows nothing of chat languages). A code not listed keeps the service's English message: precise
 * English is better than a vague Pidgin guess about money.
 */
const T = templates("service-errors", {
  INSUFFICIENT_FUNDS: {
    en: () => "Your wallet balance is too low for this. Fund your wallet and try again.",
    pcm: () => "Money for your wallet no reach for this one. Fund your wallet, then try again.",
  },
  INCORRECT_PIN: {
    en: (left: number) =>
      `Incorrect PIN. ${left} attempt${left === 1 ? "" : "s"} left before your PIN is locked.`,
    pcm: (left: number) => `That PIN no correct. You get ${left} more chance before your PIN go lock.`,
  },
  INCORRECT_PIN_LAST: { en: () => "Incorrect PIN.", pcm: () => "That PIN no correct." },
  PIN_LOCKED: {
    en: () => "Your PIN is locked after too many wrong attempts. Try again later, or reset it.",
    pcm: () => "Your PIN don lock because of too many wrong tries. Try again later, or reset am.",
  },
  /** The service names `amountKobo` (for API clients); the chat offers the two amounts in naira. */
  AMOUNT_NOT_WHOLE_NAIRA: {
    en: (amount: string, lower: string, upper: string) =>
      `This is sold in whole naira: ${amount} has kobo in it. Send ${lower} or ${upper}.`,
    pcm: (amount: string, lower: string, upper: string) =>
      `Dem dey sell this one for full naira only: ${amount} get kobo inside. Send ${lower} or ${upper}.`,
  },
  AMOUNT_NOT_WHOLE_NAIRA_PLAIN: {
    en: () => "This is sold in whole naira: send the amount without kobo.",
    pcm: () => "Dem dey sell this one for full naira only: send the amount without kobo.",
  },
  /** With the time it opens again, in Lagos time (the service's message gives it in UTC, for APIs). */
  PIN_LOCKED_UNTIL: {
    en: (at: string) =>
      `Your PIN is locked after too many wrong attempts. Try again after ${at} (Lagos time), or reset it: tap "I forgot my PIN".`,
    pcm: (at: string) =>
      `Your PIN don lock because of too many wrong tries. Try again after ${at} (Lagos time), or reset am: press "I don forget my PIN".`,
  },
  PIN_NOT_SET: {
    en: () => 'Set a transaction PIN first: tap "Set or change PIN" in the menu.',
    pcm: () => 'Set your transaction PIN first: press "Set or change my PIN" for the menu.',
  },
  PIN_CHANGING: {
    en: () => "Your PIN is being changed. Try again in a moment.",
    pcm: () => "Your PIN dey change now now. Try again small time.",
  },
  INVALID_PIN_FORMAT: { en: () => "A PIN is 4 to 6 digits.", pcm: () => "PIN na 4 to 6 digits." },
  INVALID_RESET_CODE: {
    en: () => "That reset code is wrong or expired. Check the latest code we sent you, or ask for a new one.",
    pcm: () =>
      "That reset code no correct or e don expire. Check the last code we send you, or ask for new one.",
  },
  ORDER_NOT_DELIVERED: {
    en: (state: string) => `Only delivered orders have a receipt; this one is ${state}.`,
    pcm: (state: string) => `Na only order wey don land get receipt; this one: ${state}.`,
  },
  RATE_LIMITED: {
    en: (seconds: number) => `Too many requests. Wait ${seconds} seconds and try again.`,
    pcm: (seconds: number) => `You don try too many times. Wait ${seconds} seconds, then try again.`,
  },
  INVALID_PHONE: {
    en: () => "That is not a Nigerian mobile number. Use 11 digits like 08031234567 or +2348031234567.",
    pcm: () => "That one no be Naija phone number. Use 11 digits like 08031234567 or +2348031234567.",
  },
  PHONE_TAKEN: {
    en: () => "That number is already on another TADA account. If it is yours, link the two chats instead.",
    pcm: () => "That number don dey another TADA account. If na your own, link the two chats instead.",
  },
  INVALID_LINK_CODE: {
    en: () => "That link code is not valid (wrong, used or expired). Ask for a new code on your other chat.",
    pcm: () =>
      "That link code no work (e no correct, dem don use am, or e don expire). Ask for new code for your other chat.",
  },
  ACCOUNT_SUSPENDED: {
    en: () => "This account is suspended. Contact support.",
    pcm: () => "Dem don suspend this account. Contact support.",
  },
  TRANSFER_ACCOUNT_UNAVAILABLE: {
    en: () =>
      "We could not get an account number for this payment just now. Nothing was charged; try again in a minute, or pay by card.",
    pcm: () =>
      "I no fit get account number for this payment now. Dem no charge you anything; try again after one minute, or pay with card.",
  },
  ORDER_NOT_FOUND: { en: () => "That order was not found.", pcm: () => "I no see that order." },
  BENEFICIARY_NOT_FOUND: {
    en: () => "That saved number was not found.",
    pcm: () => "I no see that saved number.",
  },
  PRODUCT_NOT_FOUND: { en: () => "That product was not found.", pcm: () => "I no see that product." },
  ROOM_FULL: {
    en: () => "All the gifts in this room have been claimed.",
    pcm: () => "People don claim all the gifts for this room finish.",
  },
  ROOM_CLOSED: {
    en: () => "This gift room has closed.",
    pcm: () => "This gift room don close.",
  },
  ALREADY_CLAIMED: {
    en: () => "You have already claimed a gift from this room.",
    pcm: () => "You don already claim gift for this room.",
  },
  REFERRAL_CODE_UNKNOWN: {
    en: () =>
      "That referral code does not exist. Check it with the person who sent it (it is letters and digits).",
    pcm: () =>
      "That referral code no dey. Check am well with the person wey send am give you (na letters and numbers).",
  },
  REFERRAL_ALREADY_SET: {
    en: () => "You already joined with a referral code.",
    pcm: () => "You don already join with referral code before.",
  },
  REFERRAL_SELF: {
    en: () => "That is your own referral code: share it with friends instead.",
    pcm: () => "Na your own referral code be that: share am give your friends instead.",
  },
  POINTS_INSUFFICIENT: {
    en: () => "You do not have that many points.",
    pcm: () => "You no get reach that many points.",
  },
  POINTS_BELOW_MINIMUM: {
    en: () => "That is fewer points than the least you can redeem.",
    pcm: () => "The points no reach the smallest wey you fit redeem.",
  },
  REFERRAL_TOO_LATE: {
    en: () => "It is too late to enter a referral code on this account.",
    pcm: () =>
      "E don late to enter referral code for this account: you fit enter am only for the first few days after you join, before your first purchase.",
  },
});

/** A service error as the person reads it: the service's own message in English, by code in Pidgin. */
export function serviceErrorText(error: ServiceError, lang: Lang): string {
  const details = error.details ?? {};
  if (error.code === "AMOUNT_NOT_WHOLE_NAIRA") {
    const amount = Number(details.amountKobo);
    if (!Number.isSafeInteger(amount) || amount <= 0) {
      return T.AMOUNT_NOT_WHOLE_NAIRA_PLAIN[lang]();
    }
    const lower = Math.floor(amount / 100) * 100;
    return T.AMOUNT_NOT_WHOLE_NAIRA[lang](formatNaira(amount), formatNaira(lower), formatNaira(lower + 100));
  }
  if (error.code === "PIN_LOCKED") {
    const until = new Date(String(details.lockedUntil ?? ""));
    return Number.isNaN(until.getTime())
      ? T.PIN_LOCKED[lang]()
      : T.PIN_LOCKED_UNTIL[lang](lagosTime(until.toISOString()));
  }
  if (lang === "en") {
    // The service's message names the API route to call; in a chat, the menu item.
    return error.code === "PIN_NOT_SET" ? T.PIN_NOT_SET.en() : error.message;
  }
  switch (error.code) {
    case "INCORRECT_PIN": {
      const left = Number(details.attemptsLeft ?? 0);
      return left > 0 ? T.INCORRECT_PIN.pcm(left) : T.INCORRECT_PIN_LAST.pcm();
    }
    case "ORDER_NOT_DELIVERED":
      return isOrderState(details.state)
        ? T.ORDER_NOT_DELIVERED.pcm(orderStateName(details.state, "pcm"))
        : error.message;
    case "RATE_LIMITED":
      return T.RATE_LIMITED.pcm(Number(details.retryAfterSeconds ?? 60));
  }
  // The codes whose text takes no values (checked by arity: the ones above take some).
  const byCode = (T as unknown as Record<string, { pcm: () => string } | undefined>)[error.code];
  if (Object.hasOwn(T, error.code) && byCode && byCode.pcm.length === 0) {
    return byCode.pcm();
  }
  // A code not mapped yet: the service's own words (written for the person) beat a vague line.
  return error.message;
}
