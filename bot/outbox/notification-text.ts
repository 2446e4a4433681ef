import { formatNaira } from "../../api/services/money";
import { formatDay } from "../../api/services/renewals/reminders";
import { formatPoints } from "../../api/services/rewards/points";
import { formatLagosDate } from "../../api/services/schedules/recurrence";
import { type Lang, templates } from "../engine/i18n";

/**
 * Chat notifications (order outcomes, funding credits, withdrawals, gift rooms, the PIN reset code)
 * in the person's language. The service writes each in English (`body`, kept as the record) with
 * the values it is made of under `payload.notice`; the sender shows it in Pidgin from those values
 * for a person who chose Pidgin (DECISIONS §54). A notification without its values, or of a kind
 * not listed, keeps its English text.
 */
const T = templates("notifications", {
  cableDue: {
    en: (tv: string, bouquet: string, card: string, when: string, day: string, amount: string) =>
      `Your ${tv} ${bouquet} on card ${card} ends ${when} (${day}).${amount} Renew now?`,
    pcm: (tv: string, bouquet: string, card: string, when: string, day: string, amount: string) =>
      `Your ${tv} ${bouquet} for card ${card} go finish ${when} (${day}).${amount} You wan renew am now?`,
  },
  cableDueAuto: {
    en: (tv: string, bouquet: string, card: string, when: string, day: string, on: string, amount: string) =>
      `Your ${tv} ${bouquet} on card ${card} ends ${when} (${day}). It renews automatically ${on}${amount}: keep your wallet funded.`,
    pcm: (tv: string, bouquet: string, card: string, when: string, day: string, on: string, amount: string) =>
      `Your ${tv} ${bouquet} for card ${card} go finish ${when} (${day}). E go renew by itself ${on}${amount}: make sure money dey your wallet.`,
  },
  autoRenewOn: { en: (day: string) => `on ${day}`, pcm: (day: string) => `for ${day}` },
  autoRenewToday: { en: () => "today", pcm: () => "dis today" },
  autoRenewAmount: {
    en: (amount: string) => ` (${amount} from your wallet)`,
    pcm: (amount: string) => ` (${amount} go comot from your wallet)`,
  },
  cableDueAmount: {
    en: (amount: string) => ` Renewal: ${amount}.`,
    pcm: (amount: string) => ` Renewal na ${amount}.`,
  },
  whenToday: { en: () => "today", pcm: () => "dis today" },
  whenTomorrow: { en: () => "tomorrow", pcm: () => "tumoro" },
  whenInDays: { en: (days: number) => `in ${days} days`, pcm: (days: number) => `in ${days} days time` },
  electricityNudge: {
    en: (days: number, amount: string, meter: string, disco: string) =>
      `Your last electricity token was ${days} days ago: ${amount} for meter ${meter} (${disco}). Buy again?`,
    pcm: (days: number, amount: string, meter: string, disco: string) =>
      `Na ${days} days since you buy light last: ${amount} for meter ${meter} (${disco}). You wan buy again?`,
  },
  dataNudge: {
    en: (plan: string, phone: string, day: string) =>
      `Your ${plan} for ${phone} ends on ${day}. Buy it again?`,
    pcm: (plan: string, phone: string, day: string) =>
      `Your ${plan} for ${phone} go finish on ${day}. You wan buy am again?`,
  },
  renewNow: { en: () => "Renew now", pcm: () => "Renew am now" },
  buyAgain: { en: () => "Buy again", pcm: () => "Buy am again" },
  stopReminders: { en: () => "Stop reminders", pcm: () => "Stop the reminders" },
  autoRenew: { en: () => "Auto-renew", pcm: () => "Make e renew by itself" },
  airtimeDelivered: {
    en: (amount: string, phone: string) => `Delivered: ${amount} airtime for ${phone}.`,
    pcm: (amount: string, phone: string) => `E don land: ${amount} airtime for ${phone}.`,
  },
  dataDelivered: {
    en: (plan: string, phone: string) => `Delivered: ${plan} data for ${phone}.`,
    pcm: (plan: string, phone: string) => `E don land: ${plan} data for ${phone}.`,
  },
  someDataDelivered: {
    en: (phone: string) => `Delivered: data for ${phone}.`,
    pcm: (phone: string) => `E don land: data for ${phone}.`,
  },
  cableDelivered: {
    en: (card: string) => `Delivered: cable subscription for card ${card}.`,
    pcm: (card: string) => `E don land: cable subscription for card ${card}.`,
  },
  electricityDelivered: {
    en: (meter: string) => `Delivered: electricity for meter ${meter}.`,
    pcm: (meter: string) => `E don land: light (electricity) for meter ${meter}.`,
  },
  tokenWithOrder: {
    en: () => "Your token is shown with the order.",
    pcm: () => "Your token dey show with the order.",
  },
  airtime: {
    en: (amount: string, phone: string) => `${amount} airtime for ${phone}`,
    pcm: (amount: string, phone: string) => `${amount} airtime wey you buy for ${phone}`,
  },
  data: {
    en: (phone: string) => `data for ${phone}`,
    pcm: (phone: string) => `data wey you buy for ${phone}`,
  },
  cable: {
    en: (card: string) => `cable subscription for card ${card}`,
    pcm: (card: string) => `cable subscription for card ${card} wey you pay`,
  },
  electricity: {
    en: (meter: string) => `electricity for meter ${meter}`,
    pcm: (meter: string) => `light (electricity) for meter ${meter}`,
  },
  orderFailed: {
    en: (what: string, amount: string) =>
      `Your ${what} did not go through. ${amount} is back in your wallet.`,
    pcm: (what: string, amount: string) => `The ${what} no work. ${amount} don return to your wallet.`,
  },
  orderReversed: {
    en: (what: string, amount: string) =>
      `The network reversed your ${what}. ${amount} is back in your wallet.`,
    pcm: (what: string, amount: string) =>
      `Network don reverse the ${what}. ${amount} don return to your wallet.`,
  },
  giftOf: {
    en: (what: string) => `gift of ${what}`,
    pcm: (what: string) => `gift of ${what} from your room`,
  },
  receipt: {
    en: (product: string, recipient: string, amount: string) =>
      `Receipt: ${product} for ${recipient}, ${amount}.`,
    pcm: (product: string, recipient: string, amount: string) =>
      `Your receipt: ${product} for ${recipient}, ${amount}.`,
  },
  funded: {
    en: (amount: string) => `${amount} has been added to your wallet.`,
    pcm: (amount: string) => `${amount} don enter your wallet.`,
  },
  withdrawalSent: {
    en: (amount: string, account: string) => `${amount} has been sent to ${account}.`,
    pcm: (amount: string, account: string) => `We don send ${amount} to ${account}.`,
  },
  withdrawalFailed: {
    en: (amount: string, refunded: string) =>
      `Your withdrawal of ${amount} did not go through. ${refunded} is back in your wallet.`,
    pcm: (amount: string, refunded: string) =>
      `The ${amount} wey you wan withdraw no work. ${refunded} don return to your wallet.`,
  },
  resetCode: {
    en: (code: string, minutes: number) =>
      `Your TADA PIN reset code is ${code}. It expires in ${minutes} minutes. Never share it with anyone.`,
    pcm: (code: string, minutes: number) =>
      `Your TADA PIN reset code na ${code}. E go expire after ${minutes} minutes. No show anybody this code o.`,
  },
  drawn: {
    en: (winners: number, participants: number) =>
      `Your gift draw is done: ${winners} winner(s) from ${participants} participant(s).`,
    pcm: (winners: number, participants: number) =>
      `Your gift draw don finish: ${winners} winner(s) from ${participants} people wey join.`,
  },
  backInWallet: {
    en: (amount: string) => `${amount} is back in your wallet.`,
    pcm: (amount: string) => `${amount} don return to your wallet.`,
  },
  unusedBack: {
    en: (amount: string) => `${amount} for the unused gifts is back in your wallet.`,
    pcm: (amount: string) => `${amount} for the gifts wey nobody use don return to your wallet.`,
  },
  giftFailed: {
    en: (phone: string, amount: string) =>
      `The gift to ${phone} did not go through; its ${amount} stays in your gift room.`,
    pcm: (phone: string, amount: string) =>
      `The gift wey go ${phone} no work; the ${amount} still dey your gift room.`,
  },
  roomExpired: {
    en: (claimed: number, capacity: number) =>
      `Your gift room has expired: ${claimed} of ${capacity} gifts claimed.`,
    pcm: (claimed: number, capacity: number) =>
      `Your gift room don expire: dem claim ${claimed} out of ${capacity} gifts.`,
  },
  roomClosed: {
    en: (claimed: number, capacity: number) =>
      `Your gift room is closed: ${claimed} of ${capacity} gifts claimed.`,
    pcm: (claimed: number, capacity: number) =>
      `Your gift room don close: dem claim ${claimed} out of ${capacity} gifts.`,
  },
  giftClaimed: {
    en: (phone: string, gift: string) => `${phone} claimed a gift from your room: ${gift}.`,
    pcm: (phone: string, gift: string) => `${phone} don claim gift from your room: ${gift}.`,
  },
  cashClaimed: {
    en: (phone: string, amount: string) => `${phone} claimed ${amount} from your gift room.`,
    pcm: (phone: string, amount: string) => `${phone} don claim ${amount} from your gift room.`,
  },
  cashReceived: {
    en: (amount: string) => `You received a ${amount} gift in your wallet.`,
    pcm: (amount: string) => `You don receive ${amount} gift for your wallet.`,
  },
  fromPayer: { en: (name: string) => ` from ${name}`, pcm: (name: string) => ` from ${name} side` },
  transferReceived: {
    en: (paid: string, from: string) => `${paid} received by bank transfer${from}.`,
    pcm: (paid: string, from: string) => `${paid} don land by bank transfer${from}.`,
  },
  transferCredited: {
    en: (credit: string, fee: string) => `${credit} added to your wallet (${fee} transfer fee).`,
    pcm: (credit: string, fee: string) => `${credit} don enter your wallet (${fee} na transfer charge).`,
  },
  transferAdded: { en: () => "Added to your wallet.", pcm: () => "E don enter your wallet." },
  balanceNow: {
    en: (balance: string) => `Balance: ${balance}.`,
    pcm: (balance: string) => `Your balance now: ${balance}.`,
  },
  transferHeld: {
    en: (paid: string, from: string, why: string) =>
      `${paid} arrived by bank transfer${from}, but it was ${why}. The money is safe with us: our team will check it and credit or return it, and tell you here.`,
    pcm: (paid: string, from: string, why: string) =>
      `${paid} land by bank transfer${from}, but ${why}. Your money dey safe with us: our team go check am, credit you or return am, and tell you for here.`,
  },
  heldUnknownAccount: {
    en: () => "sent to an account number we do not know",
    pcm: () => "dem send am to account number wey we no know",
  },
  heldClosedAccount: {
    en: () => "sent to an account number that is closed",
    pcm: () => "dem send am to account number wey don close",
  },
  heldCustomerBlocked: {
    en: () => "the customer's account is suspended",
    pcm: () => "your account dey suspended",
  },
  heldWrongAmount: {
    en: () => "not the amount this one-time account number was for",
    pcm: () => "e no be the amount wey this one-time account number dey for",
  },
  heldAlreadyPaid: {
    en: () => "this one-time account number was already paid",
    pcm: () => "person don already pay into this one-time account number",
  },
  heldOverLimit: {
    en: () => "above the customer's daily funding limit",
    pcm: () => "e pass wetin fit enter your wallet for one day",
  },
  heldNotNaira: { en: () => "not in naira", pcm: () => "e no be naira" },
  heldBelowFee: {
    en: () => "not more than the transfer fee",
    pcm: () => "e no pass the transfer charge",
  },
  heldOther: { en: () => "not as expected", pcm: () => "e no be as e suppose be" },
  accountReady: {
    en: (bank: string, number: string, name: string) =>
      `Your TADA account number is ready. Transfers to it fund your wallet automatically:\n${bank}\n${number}\n${name}`,
    pcm: (bank: string, number: string, name: string) =>
      `Your TADA account number don ready. Any transfer wey enter am go fund your wallet by itself:\n${bank}\n${number}\n${name}`,
  },
  accountRefused: {
    en: () =>
      "We could not open your account number: the bank did not accept the BVN you gave. Check it and try again (ask me for your account number), or pay by card.",
    pcm: () =>
      "We no fit open your account number: the bank no accept the BVN wey you give. Check am well and try again (ask me for your account number), or pay with card.",
  },
  referralRewarded: {
    en: (gifts: string) => `A friend you invited made their first purchase: ${gifts}. Thank you!`,
    pcm: (gifts: string) => `Your person wey you invite don make im first purchase: ${gifts}. Thank you!`,
  },
  rewardToWallet: {
    en: (amount: string) => `${amount} has been added to your wallet`,
    pcm: (amount: string) => `${amount} don enter your wallet`,
  },
  rewardPoints: {
    en: (points: string) => `${points} loyalty points have been added to your points`,
    pcm: (points: string) => `${points} loyalty points don enter your points`,
  },
  rewardBoth: {
    en: (amount: string, points: string) =>
      `${amount} has been added to your wallet, plus ${points} loyalty points`,
    pcm: (amount: string, points: string) => `${amount} don enter your wallet, plus ${points} loyalty points`,
  },
  scheduleWaitingFunds: {
    en: (what: string, required: string, hours: number) =>
      `Your schedule (${what}) is due but your wallet is short: it needs ${required}. Fund your wallet within ${hours} hours and it will buy at once; after that this run is skipped.`,
    pcm: (what: string, required: string, hours: number) =>
      `Your schedule (${what}) don reach but money no reach for your wallet: e need ${required}. Fund your wallet inside ${hours} hours and e go buy am sharp sharp; after that, we go skip this one.`,
  },
  scheduleSkipped: {
    en: (what: string, date: string, next: string) =>
      `Your schedule (${what}) skipped ${date}: your wallet was too low. Nothing was charged; the next run is ${next}.`,
    pcm: (what: string, date: string, next: string) =>
      `Your schedule (${what}) skip ${date}: money no reach for your wallet. We no charge you anything; the next one na ${next}.`,
  },
  scheduleNone: { en: () => "none", pcm: () => "nothing again" },
  scheduleMissed: {
    en: (what: string, dates: string) =>
      `Your schedule (${what}) did not run on ${dates}: we were unavailable then, and it is too late to buy it now. Nothing was charged.`,
    pcm: (what: string, dates: string) =>
      `Your schedule (${what}) no run for ${dates}: our system no dey available that time, and e don too late to buy am now. We no charge you anything.`,
  },
  scheduleMissedNext: {
    en: (next: string) => ` The next run is ${next}.`,
    pcm: (next: string) => ` The next one na ${next}.`,
  },
  scheduleEnded: {
    en: () => "none (the schedule has ended)",
    pcm: () => "nothing (the schedule don end)",
  },
  scheduleRunFailed: {
    en: (what: string, date: string, reason: string) =>
      `Your schedule (${what}) could not buy for ${date}: ${reason} Nothing was charged.`,
    pcm: (what: string, date: string, reason: string) =>
      `Your schedule (${what}) no fit buy for ${date}: ${reason} We no charge you anything.`,
  },
  schedulePausedPrice: {
    en: (what: string, price: string, cap: string, date: string) =>
      `Your schedule (${what}) is paused: it now costs ${price}, more than the ${cap} you authorised per run. Nothing was bought for ${date}. Reply "my schedules" to change the amount or resume.`,
    pcm: (what: string, price: string, cap: string, date: string) =>
      `We don pause your schedule (${what}): e now cost ${price}, pass the ${cap} wey you allow for each one. We no buy anything for ${date}. Reply "my schedules" to change the amount or start am again.`,
  },
  schedulePausedMonthly: {
    en: (what: string, cap: string, spent: string, date: string) =>
      `Your schedule (${what}) is paused: this run would pass the ${cap} monthly limit you authorised (${spent} spent this month). Nothing was bought for ${date}. Reply "my schedules" to resume.`,
    pcm: (what: string, cap: string, spent: string, date: string) =>
      `We don pause your schedule (${what}): this one go pass the ${cap} wey you allow for one month (you don spend ${spent} this month). We no buy anything for ${date}. Reply "my schedules" to start am again.`,
  },
  schedulePausedSkips: {
    en: (what: string, date: string, skips: number) =>
      `Your schedule (${what}) skipped ${date} (wallet too low) and is now paused after ${skips} skipped runs in a row. Reply "my schedules" to resume it.`,
    pcm: (what: string, date: string, skips: number) =>
      `Your schedule (${what}) skip ${date} (money no reach for wallet) and we don pause am because e don skip ${skips} times back to back. Reply "my schedules" to start am again.`,
  },
  pointsBonus: {
    en: (points: string, reason: string, balance: string) =>
      `You got ${points} bonus points: ${reason}. You now have ${balance} points.`,
    pcm: (points: string, reason: string, balance: string) =>
      `You don get ${points} bonus points: ${reason}. You get ${balance} points now.`,
  },
  pointsExpired: {
    en: (points: string, days: string, balance: string) =>
      `${points} of your points expired (earned more than ${days} days ago). You have ${balance} points.`,
    pcm: (points: string, days: string, balance: string) =>
      `${points} of your points don expire (you earn dem pass ${days} days ago). You get ${balance} points now.`,
  },
  referralWelcome: {
    en: (amount: string) => `Welcome bonus: ${amount} has been added to your wallet for your first purchase.`,
    pcm: (amount: string) => `Welcome bonus: ${amount} don enter your wallet because of your first purchase.`,
  },
  tierUpgraded: {
    en: (tier: string, days: number) =>
      `You are now a ${tier}! Your purchases in the last ${days} days earned it, and you now get ${tier} prices. Send "my tier" to see them.`,
    pcm: (tier: string, days: number) =>
      `You don turn ${tier}! Wetin you buy for the last ${days} days don reach am, so you go dey get ${tier} price now. Send "my tier" make you see am.`,
  },
});

/** Why a bank transfer was held (the service's `suspense_reason` codes), in the person's words. */
const HELD_REASONS: Record<string, (typeof T)["heldOther"]> = {
  unknown_account: T.heldUnknownAccount,
  closed_account: T.heldClosedAccount,
  customer_blocked: T.heldCustomerBlocked,
  wrong_amount: T.heldWrongAmount,
  already_paid: T.heldAlreadyPaid,
  over_limit: T.heldOverLimit,
  not_naira: T.heldNotNaira,
  below_fee: T.heldBelowFee,
};

type Notice = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** "₦500 airtime for 0803…", "data for 0803…": what an order was, as its messages name it. */
function orderWhat(n: Notice, lang: Lang): string | undefined {
  const recipient = str(n.recipient);
  if (!recipient) {
    return undefined;
  }
  switch (n.service) {
    case "airtime": {
      const face = num(n.faceAmountKobo);
      return face === undefined ? undefined : T.airtime[lang](formatNaira(face), recipient);
    }
    case "data":
      return T.data[lang](recipient);
    case "cable":
      return T.cable[lang](recipient);
    case "electricity":
      return T.electricity[lang](recipient);
    default:
      return undefined;
  }
}

const CABLE_TV: Record<string, string> = { dstv: "DStv", gotv: "GOtv", startimes: "StarTimes" };
const CHOICE_LABELS = {
  renewNow: T.renewNow,
  buyAgain: T.buyAgain,
  stopReminders: T.stopReminders,
  autoRenew: T.autoRenew,
};

/**
 * The tap choices a notification carries (DECISIONS §66): `payload.choices`, each `{id, key,
 * label}`; the label in `lang` from its key, else as stored. The ids are ones the chat engine
 * understands whenever they are tapped (`repeat:<order>`, `rmd:…`). None for other notifications.
 */
export function notificationChoices(
  payload: Record<string, unknown>,
  lang: Lang,
): { id: string; label: string }[] | undefined {
  const list = payload.choices;
  if (!Array.isArray(list) || list.length === 0) {
    return undefined;
  }
  const choices = list.flatMap((c) => {
    if (!c || typeof c !== "object") {
      return [];
    }
    const { id, key, label } = c as Record<string, unknown>;
    const template =
      typeof key === "string" && Object.hasOwn(CHOICE_LABELS, key)
        ? CHOICE_LABELS[key as keyof typeof CHOICE_LABELS]
        : undefined;
    const text = template ? template[lang]() : str(label);
    return str(id) && text ? [{ id: id as string, label: text }] : [];
  });
  return choices.length > 0 ? choices : undefined;
}

function delivered(n: Notice, hasToken: boolean, lang: Lang): string | undefined {
  const recipient = str(n.recipient);
  if (!recipient) {
    return undefined;
  }
  const plan = str(n.planName);
  const face = num(n.faceAmountKobo);
  let base: string | undefined;
  if (plan) {
    base = T.dataDelivered[lang](plan, recipient);
  } else if (n.service === "airtime" && face !== undefined) {
    base = T.airtimeDelivered[lang](formatNaira(face), recipient);
  } else if (n.service === "data") {
    base = T.someDataDelivered[lang](recipient);
  } else if (n.service === "cable") {
    base = T.cableDelivered[lang](recipient);
  } else if (n.service === "electricity") {
    base = T.electricityDelivered[lang](recipient);
  }
  return base && hasToken ? `${base} ${T.tokenWithOrder[lang]()}` : base;
}

/** The text of a notification people copy (the account number of `wallet.account_ready`), if any. */
export function notificationCopy(kind: string, payload: Record<string, unknown>): string | undefined {
  const notice = payload.notice;
  if (kind !== "wallet.account_ready" || !notice || typeof notice !== "object") {
    return undefined;
  }
  return str((notice as Notice).accountNumber);
}

/**
 * A notification's text in `lang`, from its kind and payload; undefined when it cannot be written
 * from them (the stored English text is shown then).
 */
export function notificationText(
  kind: string,
  payload: Record<string, unknown>,
  lang: Lang,
): string | undefined {
  const n = payload.notice;
  if (!n || typeof n !== "object") {
    return undefined;
  }
  const notice = n as Notice;
  const naira = (v: unknown) => {
    const kobo = num(v);
    return kobo === undefined ? undefined : formatNaira(kobo);
  };
  switch (kind) {
    case "order.delivered":
      return delivered(notice, payload.hasToken === true, lang);
    case "order.failed": {
      const what = orderWhat(notice, lang);
      const price = naira(notice.priceKobo);
      return what && price ? T.orderFailed[lang](what, price) : undefined;
    }
    case "order.reversed": {
      const what = orderWhat(notice, lang);
      const price = naira(notice.priceKobo);
      return what && price
        ? T.orderReversed[lang](notice.gift === true ? T.giftOf[lang](what) : what, price)
        : undefined;
    }
    case "order.receipt": {
      const product = str(notice.productName);
      const recipient = str(notice.recipient);
      const price = naira(notice.priceKobo);
      if (!product || !recipient || !price) {
        return undefined;
      }
      const text = T.receipt[lang](product, recipient, price);
      return payload.hasToken === true ? `${text} ${T.tokenWithOrder[lang]()}` : text;
    }
    case "wallet.funded": {
      const amount = naira(notice.amountKobo);
      return amount ? T.funded[lang](amount) : undefined;
    }
    case "withdrawal.successful": {
      const amount = naira(notice.amountKobo);
      const account = str(notice.account);
      return amount && account ? T.withdrawalSent[lang](amount, account) : undefined;
    }
    case "withdrawal.failed": {
      const amount = naira(notice.amountKobo);
      const refunded = naira(notice.refundedKobo);
      return amount && refunded ? T.withdrawalFailed[lang](amount, refunded) : undefined;
    }
    case "pin_reset_code": {
      const code = str(notice.code);
      const minutes = num(notice.minutes);
      return code && minutes !== undefined ? T.resetCode[lang](code, minutes) : undefined;
    }
    case "gift.drawn": {
      const winners = num(notice.winners);
      const participants = num(notice.participants);
      if (winners === undefined || participants === undefined) {
        return undefined;
      }
      const refunded = num(notice.refundedKobo) ?? 0;
      const text = T.drawn[lang](winners, participants);
      return refunded > 0 ? `${text} ${T.unusedBack[lang](formatNaira(refunded))}` : text;
    }
    case "gift.failed": {
      const phone = str(notice.recipient);
      const price = naira(notice.priceKobo);
      return phone && price ? T.giftFailed[lang](phone, price) : undefined;
    }
    case "gift.room_closed": {
      const claimed = num(notice.claimed);
      const capacity = num(notice.capacity);
      if (claimed === undefined || capacity === undefined) {
        return undefined;
      }
      const text = (notice.reason === "expired" ? T.roomExpired : T.roomClosed)[lang](claimed, capacity);
      const refunded = num(notice.refundedKobo) ?? 0;
      return refunded > 0 ? `${text} ${T.backInWallet[lang](formatNaira(refunded))}` : text;
    }
    case "gift.claimed": {
      const phone = str(notice.recipient);
      const gift = str(notice.gift);
      const amount = naira(notice.amountKobo);
      if (phone && gift) {
        return T.giftClaimed[lang](phone, gift);
      }
      return phone && amount ? T.cashClaimed[lang](phone, amount) : undefined;
    }
    case "gift.cash_received": {
      const amount = naira(notice.amountKobo);
      return amount ? T.cashReceived[lang](amount) : undefined;
    }
    case "wallet.transfer_received": {
      const paid = naira(notice.paidKobo);
      const credit = naira(notice.creditKobo);
      const fee = num(notice.feeKobo);
      if (!paid || !credit || fee === undefined) {
        return undefined;
      }
      const from = str(notice.payerName);
      const balance = naira(notice.balanceKobo);
      return [
        T.transferReceived[lang](paid, from ? T.fromPayer[lang](from) : ""),
        fee > 0 ? T.transferCredited[lang](credit, formatNaira(fee)) : T.transferAdded[lang](),
        balance ? T.balanceNow[lang](balance) : undefined,
      ]
        .filter((part) => part !== undefined)
        .join(" ");
    }
    case "wallet.transfer_held": {
      const paid = naira(notice.paidKobo);
      if (!paid) {
        return undefined;
      }
      const from = str(notice.payerName);
      const reason = str(notice.reason);
      const why =
        (reason && Object.hasOwn(HELD_REASONS, reason) ? HELD_REASONS[reason] : undefined) ?? T.heldOther;
      return T.transferHeld[lang](paid, from ? T.fromPayer[lang](from) : "", why[lang]());
    }
    case "wallet.account_ready": {
      const bank = str(notice.bank);
      const number = str(notice.accountNumber);
      const name = str(notice.accountName);
      return bank && number && name ? T.accountReady[lang](bank, number, name) : undefined;
    }
    case "wallet.account_refused":
      return T.accountRefused[lang]();
    case "referral.rewarded": {
      const amount = naira(notice.rewardKobo || undefined);
      const points = num(notice.points) ? formatPoints(num(notice.points) ?? 0) : undefined;
      const gifts =
        amount && points
          ? T.rewardBoth[lang](amount, points)
          : amount
            ? T.rewardToWallet[lang](amount)
            : points && T.rewardPoints[lang](points);
      return gifts ? T.referralRewarded[lang](gifts) : undefined;
    }
    case "points.bonus": {
      const points = num(notice.points);
      const balance = num(notice.balance);
      const reason = str(notice.reason);
      return points && balance !== undefined && reason
        ? T.pointsBonus[lang](formatPoints(points), reason, formatPoints(balance))
        : undefined;
    }
    case "points.expired": {
      const points = num(notice.points);
      const balance = num(notice.balance);
      const days = num(notice.days);
      return points && balance !== undefined && days
        ? T.pointsExpired[lang](formatPoints(points), String(days), formatPoints(balance))
        : undefined;
    }
    case "referral.welcome": {
      const amount = naira(notice.welcomeKobo);
      return amount ? T.referralWelcome[lang](amount) : undefined;
    }
    case "tier.upgraded": {
      const tier = str(notice.tierName);
      const days = num(notice.windowDays);
      return tier && days ? T.tierUpgraded[lang](tier, days) : undefined;
    }
    case "schedule.waiting_funds":
    case "schedule.skipped":
    case "schedule.paused":
    case "schedule.missed":
    case "schedule.run_failed":
      return scheduleNotice(notice, lang);
    case "cable.renewal_due": {
      const tv = str(notice.provider);
      const card = str(notice.smartcard);
      const bouquet = str(notice.bouquet);
      const day = str(notice.dueDate);
      const left = num(notice.daysLeft);
      if (!tv || !card || !bouquet || !day || left === undefined) {
        return undefined;
      }
      const when =
        left <= 0 ? T.whenToday[lang]() : left === 1 ? T.whenTomorrow[lang]() : T.whenInDays[lang](left);
      const amount = naira(notice.amountKobo);
      const autoOn = str(notice.autoRenewOn);
      const today = str(notice.today);
      if (autoOn && today) {
        return T.cableDueAuto[lang](
          CABLE_TV[tv] ?? tv,
          bouquet,
          card,
          when,
          formatDay(day),
          autoOn <= today ? T.autoRenewToday[lang]() : T.autoRenewOn[lang](formatDay(autoOn)),
          amount ? T.autoRenewAmount[lang](amount) : "",
        );
      }
      return T.cableDue[lang](
        CABLE_TV[tv] ?? tv,
        bouquet,
        card,
        when,
        formatDay(day),
        amount ? T.cableDueAmount[lang](amount) : "",
      );
    }
    case "nudge.electricity": {
      const days = num(notice.days);
      const amount = naira(notice.amountKobo);
      const meter = str(notice.meter);
      const disco = str(notice.disco);
      return days && amount && meter && disco
        ? T.electricityNudge[lang](days, amount, meter, disco)
        : undefined;
    }
    case "nudge.data": {
      const plan = str(notice.plan);
      const phone = str(notice.phone);
      const day = str(notice.endsOn);
      return plan && phone && day ? T.dataNudge[lang](plan, phone, formatDay(day)) : undefined;
    }
    default:
      return undefined;
  }
}

/** A schedule's run that was not bought (api/services/schedules/notices.ts writes the same English). */
function scheduleNotice(notice: Notice, lang: Lang): string | undefined {
  const what = str(notice.what);
  const kobo = (v: unknown) => {
    const n = num(v);
    return n === undefined ? undefined : formatNaira(n);
  };
  const date = (v: unknown) => {
    const d = str(v);
    return d && /^\d{4}-\d{2}-\d{2}$/.test(d) ? formatLagosDate(d) : undefined;
  };
  if (!what) {
    return undefined;
  }
  switch (notice.kind) {
    case "waiting_funds": {
      const required = kobo(notice.requiredKobo);
      const hours = num(notice.hours);
      return required && hours ? T.scheduleWaitingFunds[lang](what, required, hours) : undefined;
    }
    case "skipped": {
      const day = date(notice.dueOn);
      const next = notice.nextDueOn === null ? T.scheduleNone[lang]() : date(notice.nextDueOn);
      return day && next ? T.scheduleSkipped[lang](what, day, next) : undefined;
    }
    case "paused_price": {
      const price = kobo(notice.priceKobo);
      const cap = kobo(notice.capKobo);
      const day = date(notice.dueOn);
      return price && cap && day ? T.schedulePausedPrice[lang](what, price, cap, day) : undefined;
    }
    case "paused_monthly": {
      const cap = kobo(notice.capKobo);
      const spent = kobo(notice.spentKobo);
      const day = date(notice.dueOn);
      return cap && spent && day ? T.schedulePausedMonthly[lang](what, cap, spent, day) : undefined;
    }
    case "paused_skips": {
      const day = date(notice.dueOn);
      const skips = num(notice.skips);
      return day && skips ? T.schedulePausedSkips[lang](what, day, skips) : undefined;
    }
    case "missed": {
      const days = Array.isArray(notice.dueOns) ? notice.dueOns.map(date) : [];
      if (days.length === 0 || days.some((d) => d === undefined)) {
        return undefined;
      }
      const text = T.scheduleMissed[lang](what, days.join(", "));
      if (notice.nextDueOn === undefined) {
        return text;
      }
      const next = notice.nextDueOn === null ? T.scheduleEnded[lang]() : date(notice.nextDueOn);
      return next ? `${text}${T.scheduleMissedNext[lang](next)}` : undefined;
    }
    case "run_failed": {
      // The reason is the service's own English message (DECISIONS §54: precise English over a
      // vague Pidgin guess); the sentence around it is in the person's language.
      const day = date(notice.dueOn);
      const reason = str(notice.message);
      return day && reason ? T.scheduleRunFailed[lang](what, day, reason) : undefined;
    }
    default:
      return undefined;
  }
}
