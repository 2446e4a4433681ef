import { guessNetwork } from "../../../api/services/phone";
import type { Network } from "../../../api/services/vtu/provider";
import {
  bareWords,
  cleanText,
  findAccountNumbers,
  findAmountKobo,
  findBadDataSize,
  findBadPhones,
  findBouquet,
  findCableProvider,
  findDataSize,
  findDisco,
  findMeterType,
  findNetwork,
  findPhones,
  findValidity,
  METER_DIGITS,
  mask,
  mentionsSelf,
  readAmount,
  SMARTCARD_DIGITS,
  type Span,
  sizeAndValiditySpans,
} from "./extract";
import { DATA_USAGES, type Intent, type IntentKind, type IntentOf, type Problem } from "./intent";

/**
 * The deterministic understanding layer (DESIGN §9): commands, menu words and the common phrasings
 * of airtime, data, cable, electricity, wallet and account requests, in English and Nigerian Pidgin.
 * No I/O, no LLM, microseconds per message. Anything it is not sure about is `unknown`, so the LLM
 * (or the menu) gets it: a wrong guess costs a customer more than a question does.
 *
 * Rules run cheapest and most specific first; each is a small function for one intent family that
 * returns an intent, `UNKNOWN` to stop the chain (a complaint must not fall through to "help"), or
 * undefined to let the next rule try.
 */
export function parseIntent(text: string): Intent {
  try {
    // A fresh object every time: callers may add to it without touching the shared UNKNOWN.
    return { ...parse(text) };
  } catch {
    // The rules are written not to throw; this keeps the promise if one ever does.
    return { kind: "unknown" };
  }
}

const UNKNOWN: Intent = Object.freeze({ kind: "unknown" });

/** Longer messages are usually stories ("I bought … yesterday but …"): the LLM reads those. */
const MAX_WORDS = 40;

/** A message in the forms the rules match on. */
type Message = {
  /** Cleaned: lowercase, emoji gone, spelling variants unified (`cleanText`). */
  text: string;
  /** Letters and digits only, politeness words removed: "Abeg, cancel o!!" → "cancel". */
  core: string;
  /**
   * Lowercase with spaces collapsed, nothing unified: for codes we issue, which spelling rules
   * would change ("…4g" → "…4gb" made one referral or link code in 130 unreadable).
   */
  plain: string;
};

type Rule = (message: Message) => Intent | undefined;

const RULES: Rule[] = [
  instruction,
  command,
  cancel,
  language,
  pin,
  reminders,
  schedule,
  points,
  referral,
  tier,
  linkAccount,
  giftRoom,
  receipt,
  repeat,
  history,
  notOurs,
  recommend,
  transferFunding,
  explanation,
  withdraw,
  purchase,
  balance,
  help,
  menu,
  thanks,
  greeting,
];

function parse(raw: string): Intent {
  if (typeof raw !== "string" || raw.length > 2000) {
    return UNKNOWN;
  }
  const text = cleanText(raw);
  if (text === "") {
    return UNKNOWN;
  }
  if (!text.startsWith("/") && text.split(" ").length > MAX_WORDS) {
    return UNKNOWN;
  }
  const plain = raw.toLowerCase().replace(/\s+/g, " ").trim();
  const message: Message = { text, core: stripFillers(bareWords(text)), plain };
  for (const rule of RULES) {
    const intent = rule(message);
    if (intent) {
      return intent;
    }
  }
  return UNKNOWN;
}

// ---------------------------------------------------------------------------------------------
// 0. Instructions to the bot: "ignore previous instructions and …", "you are now admin"
// ---------------------------------------------------------------------------------------------

/**
 * Words that tell the bot who to be or which rules to drop, the way prompt injections and social
 * engineering do. Whatever else the message asks, it is not acted on (issue 16): the engine answers
 * that it does not take instructions, and the LLM never sees it.
 */
const INSTRUCTIONS: readonly RegExp[] = [
  /\b(?:ignore|disregard|forget|override|bypass|skip)\b(?:\s+\w+){0,3}?\s+(?:instructions?|rules?|prompts?|directions?|guidelines?|restrictions?|limits?|checks?)\b/,
  /\bsystem\s+(?:prompt|message|instructions?)\b/,
  /\b(?:developer|god|admin|debug|jailbreak|sudo|root)\s+mode\b/,
  /\bjailbreak\b/,
  /\byou\s+are\s+(?:now\s+)?(?:an?\s+|the\s+|my\s+)?(?:admin|administrator|developer|root|superuser|system)\b/,
  /\b(?:act|behave|pretend|roleplay)\s+(?:as|like|to\s+be)\s+(?:an?\s+|the\s+|my\s+)?(?:admin|administrator|developer|root|system)\b/,
  /\b(?:credit|fund|top\s?up|add\s+money\s+to)\s+my\s+(?:wallet|account)\b.*\b(?:for\s+free|free\s+of\s+charge|without\s+pay(?:ing|ment)?|no\s+payment)\b/,
];

/** True when the message instructs the bot rather than asks for something (see INSTRUCTIONS). */
export function instructsTheBot(raw: string): boolean {
  if (typeof raw !== "string" || raw.length > 2000) {
    return false;
  }
  const text = cleanText(raw);
  return INSTRUCTIONS.some((pattern) => pattern.test(text));
}

function instruction({ text }: Message): Intent | undefined {
  return INSTRUCTIONS.some((pattern) => pattern.test(text)) ? UNKNOWN : undefined;
}

// ---------------------------------------------------------------------------------------------
// Shared word lists
// ---------------------------------------------------------------------------------------------

/** Politeness and address words that carry no intent: "abeg", "pls", "oga", "sir", "o". */
const FILLERS = new Set([
  "abeg",
  "biko",
  "please",
  "pls",
  "plz",
  "plss",
  "kindly",
  "oga",
  "boss",
  "bros",
  "bro",
  "sir",
  "ma",
  "madam",
  "dear",
  "o",
  "oo",
  "ooo",
  "oh",
  "jare",
  "now",
  "nau",
  "na",
  "abi",
  "ehn",
  "ehen",
  "ok",
  "okay",
  "tada",
  "bot",
  "team",
  "just",
  "sharp",
]);

function stripFillers(words: string): string {
  return words
    .split(" ")
    .filter((word) => word !== "" && !FILLERS.has(word))
    .join(" ");
}

/**
 * Messages that mention a product but do not ask to buy it now: complaints ("why my data never
 * come", "I was debited twice"), refusals ("I don't want airtime"), stories about the past or plans
 * for later, explanations, and services we do not offer (airtime loans, airtime to cash). These go to
 * the LLM or support, never into a purchase flow.
 */
const COMPLAINT_WORDS = [
  // complaints and faults
  "why|refund|reverse|reversal|complain|complaint|wahala|problem|issue|scam|fraud|failed|fail|error|debited|deducted|don (?:take|go)",
  // negations
  "never|not|didn'?t|did not|haven'?t|hasn'?t|isn'?t|wasn'?t|don'?t|do not|dont|no wan|no want|no need|no (?:come|enter|work|reach|land|show|deliver)",
  // another time
  "yesterday|last week|later|tomorrow",
  // questions that want an explanation, not a flow
  "difference|explain|meaning",
  // things we do not sell
  "borrow|loan|owe|on credit|convert|swap|to cash|into cash|to money|into money|print|gift|giveaway|give away",
];
const COMPLAINT = new RegExp(String.raw`\b(?:${COMPLAINT_WORDS.join("|")})\b`);

/**
 * "I don't have credit", "not enough data on my line", "my airtime don finish": the reason for a
 * purchase, not a complaint or a refusal. Removed before looking for complaint words.
 */
const NEED =
  /\b(?:i\s+)?(?:don'?t|do not|dont|no|never)\s+(?:have|get|get any|have any)\s+(?:any\s+)?(?:credit|airtime|data|money|light|units?)\b|\bnot enough\s+(?:credit|airtime|data|units?)\b|\b(?:credit|airtime|data)\s+(?:don|has|have)\s+(?:finish|finished|run out|exhausted)\b/g;

/** Complaint words in the text, once the reasons for buying are set aside. */
function complains(text: string): boolean {
  return COMPLAINT.test(text.replace(NEED, " "));
}

/** "every month", "each Friday", "auto-renew": a schedule, which is not built yet (issue 19). */
const SCHEDULE =
  /\b(?:every|each)\s+(?:day|morning|night|week|weekend|month|year|monday|tuesday|wednesday|thursday|friday|saturday|sunday|\d+(?:st|nd|rd|th)?)\b|\bauto[\s-]?(?:renew|recharge|top\s?up|buy|debit)\b|\b(?:daily|weekly|monthly)\s+(?:recharge|top\s?up|topup|auto)\b|\bschedule\b/;

// ---------------------------------------------------------------------------------------------
// 1. Commands: "/balance", "/airtime 500 0803…", "/start@TadaBot"
// ---------------------------------------------------------------------------------------------

const COMMANDS: Record<string, IntentKind> = {
  start: "menu",
  menu: "menu",
  home: "menu",
  help: "help",
  balance: "balance",
  wallet: "balance",
  fund: "fund",
  deposit: "fund",
  addmoney: "fund",
  airtime: "airtime",
  recharge: "airtime",
  data: "data",
  cable: "cable",
  tv: "cable",
  dstv: "cable",
  gotv: "cable",
  startimes: "cable",
  electricity: "electricity",
  power: "electricity",
  light: "electricity",
  history: "history",
  orders: "history",
  transactions: "history",
  receipt: "receipt",
  receipts: "receipt",
  cancel: "cancel",
  stop: "cancel",
  pin: "change_pin",
  changepin: "change_pin",
  change_pin: "change_pin",
  setpin: "change_pin",
  resetpin: "reset_pin",
  reset_pin: "reset_pin",
  forgotpin: "reset_pin",
  link: "link_account",
  withdraw: "withdraw",
  cashout: "withdraw",
  gift: "gift_room",
  giftroom: "gift_room",
  giveaway: "gift_room",
  account: "account_number",
  accountnumber: "account_number",
  transfer: "account_number",
  refer: "referral",
  referral: "referral",
  invite: "referral",
  points: "points",
  redeem: "points",
  tier: "tier",
  level: "tier",
  schedules: "schedule",
  schedule: "schedule",
  reminders: "reminders",
  cards: "reminders",
};

/** A command picks the kind; its arguments fill the slots ("/airtime 500 08031234567"). */
function command({ text, plain }: Message): Intent | undefined {
  const match = /^\/([a-z_]+)(?:@\w+)?(?:\s|$)/.exec(text);
  if (!match) {
    return undefined;
  }
  const kind = COMMANDS[match[1] ?? ""];
  // A referral code is read as written (spelling rules would change it).
  return kind ? build(kind, kind === "referral" || kind === "link_account" ? plain : text) : UNKNOWN;
}

// ---------------------------------------------------------------------------------------------
// 2. Cancel: the whole message says stop ("cancel", "abeg leave am", "no")
// ---------------------------------------------------------------------------------------------

const CANCEL_PHRASES =
  /^(?:cancel|stop|abort|quit|exit|end|halt|nevermind|never mind|forget it|forget am|forget about it|leave it|leave am|no|nope|nah|comot|cancel it|cancel am|cancel that|cancel this|i no want again|i no wan again|i don t want again|i dont want again|i ve changed my mind|i have changed my mind|changed my mind|i change my mind|i don change my mind|no more|x)$/;

function cancel({ core }: Message): Intent | undefined {
  // "cancel" first ("cancel the order", "cancel am"), or a whole short refusal.
  return /^cancel\b/.test(core) || CANCEL_PHRASES.test(core) ? { kind: "cancel" } : undefined;
}

// ---------------------------------------------------------------------------------------------
// 3. PIN: "change pin", "forgot my pin", "my pin don lock"
// ---------------------------------------------------------------------------------------------

function pin({ text }: Message): Intent | undefined {
  // Recharge-card PINs ("e-pin", "card pin") are a product, not the transaction PIN.
  if (!/\b(?:pin|pincode|passcode|transaction pin)\b/.test(text) || /\b(?:e-?pin|card pins?)\b/.test(text)) {
    return undefined;
  }
  if (
    /\b(?:forgot|forget|forgotten|reset|lost|remember|recover|locked|lock|blocked|block|wrong)\b/.test(text)
  ) {
    return { kind: "reset_pin" };
  }
  if (/\b(?:change|update|new|set|setup|create|modify|edit)\b/.test(text)) {
    return { kind: "change_pin" };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// 3r. Reminders and cable cards: "my cable reminders", "my cards", "turn on reminders for 1234567890"
// ---------------------------------------------------------------------------------------------

/** The reminders we send (a renewal reminder, a nudge); "remind me to …" alone is not one. */
const REMINDER_WORDS = /\b(?:reminders?|reminding|nudges?|renewal alerts?|due date alerts?)\b/;
/** The whole message asks for the customer's cable cards: "my cards", "show my dstv smartcards". */
const MY_CARDS =
  /^(?:(?:show|list|see|check|view)(?: me)? )?(?:all )?(?:my|wetin be my) (?:cable |tv |dstv |gotv |startimes )?(?:cards?|smart ?cards?|decoders?|tv subscriptions?|cable subscriptions?)$/;
const TURN_ON =
  /\b(?:turn(?:ed)?|switch|put)\b.{0,30}?\bon\b|\b(?:resume|enable|activate|restart|unmute|start)\b|\b(?:put|bring|turn|switch) back\b|\bback on\b|\bon (?:for|again)\b|\bon$/;
const TURN_OFF =
  /\b(?:stop|off|disable|no more|don'?t|don t|dont|do not|unsubscribe|mute|cancel|block|no want|no wan|no need)\b/;

function reminders({ text }: Message): Intent | undefined {
  if (MY_CARDS.test(text.trim())) {
    return { kind: "reminders" };
  }
  if (!REMINDER_WORDS.test(text)) {
    return undefined;
  }
  // "I no want data reminders" is a refusal of the reminders; "why was I reminded twice" is support.
  if (
    complains(
      text.replace(new RegExp(TURN_OFF.source, "g"), " ").replace(/\b(?:again|anymore|any more)\b/g, " "),
    )
  ) {
    return UNKNOWN;
  }
  const action = TURN_ON.test(text) ? "on" : TURN_OFF.test(text) ? "off" : undefined;
  const digits = new RegExp(`\\b\\d{${SMARTCARD_DIGITS.min},${SMARTCARD_DIGITS.max}}\\b`).exec(text)?.[0];
  const topic = digits
    ? "cable"
    : /\b(?:data|internet|bundles?)\b/.test(text)
      ? "data"
      : /\b(?:electricity|light|nepa|meter|token|power|prepaid)\b/.test(text)
        ? "electricity"
        : /\b(?:cable|dstv|gotv|startimes|tv|cards?|smart ?cards?|decoders?|bouquets?|subscriptions?)\b/.test(
              text,
            )
          ? "cable"
          : undefined;
  return compact<IntentOf<"reminders">>({ kind: "reminders", action, topic, smartcard: digits });
}

// ---------------------------------------------------------------------------------------------
// 3a. Loyalty points: "my points", "how many points I get", "redeem my points"
// ---------------------------------------------------------------------------------------------

/** The points we give: "points", "loyalty", "reward points" (not "data points" or a PIN). */
const POINTS_WORDS = /\b(?:points?|pts|loyalty|loyalty points?|reward points?|bonus points?)\b/;
const REDEEM_WORDS =
  /\b(?:redeem|redeeming|redemption|use|spend|convert|cash ?out|change|turn|withdraw|swap|exchange|collect)\b/;

function points({ text }: Message): Intent | undefined {
  if (!POINTS_WORDS.test(text) || /\b(?:data points?|access points?|point of sale|pos)\b/.test(text)) {
    return undefined;
  }
  // "I never got my points for my last purchase": for support. (Points do turn into money.)
  if (complains(text.replace(/\b(?:convert|swap|(?:in)?to (?:cash|money))\b/g, " "))) {
    return UNKNOWN;
  }
  return REDEEM_WORDS.test(text) ? { kind: "points", action: "redeem" } : { kind: "points" };
}

// ---------------------------------------------------------------------------------------------
// 3b. Referrals: "my referral link", "invite friends", "ref TADA7K2M9Q", "I was referred by …"
// ---------------------------------------------------------------------------------------------

/** Words that say the message is about referring people (the own link, or being referred). */
const REFERRAL_WORDS =
  /\b(?:referrals?|referal|refferal|reffer?al|refer|reffer|referring|referred|referrer|referer|ref code|ref link|invite link|invitation link|invitation code|invite code)\b|\binvit(?:e|ing)\s+(?:(?:my|some|a|your|other|more|new)\s+)?(?:friends?|people|persons?|person|pesin|pipu|someone|somebody|family|contacts?)\b/;

/** Where a code follows: "referred by X", "code is X", "ref X", "referral code X". */
const GIVEN_CODE =
  /(?:\b(?:referred|invited) by\s+|\b(?:code|referral|ref) (?:is|na)\s+|^(?:my\s+)?(?:ref|referral|referal|ref code|referral code|invite code|invitation code)(?:\s+|\s*[:_-]\s*))([a-z0-9][a-z0-9_-]{3,24})$/;

/**
 * A code as written after those words: the codes we issue are "TADA" and six letters or digits, so
 * a token counts when it has a digit or that shape ("ref please", "referred by Ada" are not codes).
 */
function referralCodeToken(token: string): string | undefined {
  const code = token.replace(/^ref_/, "").replace(/[_-]/g, "").toUpperCase();
  if (!/^[A-Z0-9]{4,20}$/.test(code)) {
    return undefined;
  }
  return /\d/.test(code) || /^TADA[A-Z]{6}$/.test(code) ? code : undefined;
}

function referral({ text, plain }: Message): Intent | undefined {
  const tail =
    GIVEN_CODE.exec(plain.replace(/[.!?]+$/, "").trim()) ??
    GIVEN_CODE.exec(text.replace(/[.!?]+$/, "").trim());
  const given = tail?.[1] ? referralCodeToken(tail[1]) : undefined;
  if (given && (REFERRAL_WORDS.test(text) || /^ref\b|^ref_/.test(text))) {
    return { kind: "referral", code: given };
  }
  // "invite people to my gift room" is about the room.
  if (!REFERRAL_WORDS.test(text) || GIFT_ROOM_WORDS.test(text)) {
    return undefined;
  }
  // "I referred my friend but never got my bonus": for support, not the link.
  if (complains(text)) {
    return UNKNOWN;
  }
  return { kind: "referral" };
}

// ---------------------------------------------------------------------------------------------
// 3b'. Schedules: "every Friday ₦500 airtime for 0803…", "1GB MTN every month on the 1st", "my schedules"
// ---------------------------------------------------------------------------------------------

const WEEKDAY_WORDS = "sunday|monday|tuesday|wednesday|thursday|friday|saturday";
const WEEKDAY_INDEX = WEEKDAY_WORDS.split("|");
const EVERY = "(?:every|each|evry|everi)";

/** How often, and the words that said it (masked before the purchase is read). */
type FoundRecurrence = { recurrence: ScheduleRecurrenceIntent; span: Span };
type ScheduleRecurrenceIntent = NonNullable<IntentOf<"schedule">["recurrence"]>;

const RECURRENCES: readonly [RegExp, (m: RegExpExecArray) => ScheduleRecurrenceIntent | undefined][] = [
  [
    new RegExp(String.raw`\b${EVERY}\s+(\d{1,3})\s+(days?|weeks?)\b`),
    (m) => {
      const n = Number(m[1]) * (m[2]?.startsWith("week") ? 7 : 1);
      return n === 1
        ? { kind: "daily" }
        : n === 7
          ? { kind: "weekly" }
          : n >= 2 && n <= 365
            ? { kind: "every_n_days", days: n }
            : undefined;
    },
  ],
  [
    new RegExp(
      String.raw`\b${EVERY}\s+month\s*-?\s*end\b|\b(?:at\s+)?(?:the\s+)?end\s+of\s+(?:every|each|the)\s+month\b|\b(?:on\s+)?(?:the\s+)?last\s+day\s+of\s+(?:every|each|the)\s+month\b`,
    ),
    () => ({ kind: "monthly", day: 31 }),
  ],
  [
    new RegExp(
      String.raw`\b${EVERY}\s+month\s+(?:on\s+)?(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?\b(?!\s*(?:k|gb|mb|naira|days?))`,
    ),
    (m) => monthDay(m[1]),
  ],
  [
    /\b(?:on\s+)?(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)\s+(?:of\s+)?(?:every|each|the)\s+month\b/,
    (m) => monthDay(m[1]),
  ],
  [
    new RegExp(String.raw`\b${EVERY}\s+(\d{1,2})(?:st|nd|rd|th)\b(?:\s+of\s+(?:the\s+)?month)?`),
    (m) => monthDay(m[1]),
  ],
  [/\bmonthly\s+on\s+(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?\b/, (m) => monthDay(m[1])],
  [
    new RegExp(String.raw`\b${EVERY}\s+month\b|\bmonthly\s+(?:recharge|top\s?up|topup|auto)\b`),
    () => ({ kind: "monthly" }),
  ],
  [
    new RegExp(
      String.raw`\b${EVERY}\s+(?:week\s+)?(?:on\s+)?(${WEEKDAY_WORDS})s?\b|\bweekly\s+on\s+(${WEEKDAY_WORDS})s?\b`,
    ),
    (m) => ({ kind: "weekly", weekday: WEEKDAY_INDEX.indexOf(m[1] ?? m[2] ?? "") }),
  ],
  [
    new RegExp(String.raw`\b${EVERY}\s+week\b|\bweekly\s+(?:recharge|top\s?up|topup|auto)\b`),
    () => ({ kind: "weekly" }),
  ],
  [
    new RegExp(
      String.raw`\b${EVERY}\s+(?:day|morning|night|evening)\b|\beveryday\b|\bdaily\s+(?:recharge|top\s?up|topup|auto)\b`,
    ),
    () => ({ kind: "daily" }),
  ],
];

function monthDay(digits: string | undefined): ScheduleRecurrenceIntent | undefined {
  const day = Number(digits);
  return Number.isInteger(day) && day >= 1 && day <= 31 ? { kind: "monthly", day } : undefined;
}

function findRecurrence(text: string): FoundRecurrence | undefined {
  for (const [pattern, read] of RECURRENCES) {
    const m = pattern.exec(text);
    const recurrence = m ? read(m) : undefined;
    if (m && recurrence) {
      return { recurrence, span: { start: m.index, end: m.index + m[0].length } };
    }
  }
  return undefined;
}

const SCHEDULE_WORDS =
  /\bschedul(?:e|es|ed|ing)\b|\bauto[\s-]?(?:renew|recharge|top\s?up|buy|debit)s?\b|\brecurring\b/;
const MY_SCHEDULES =
  /\b(?:my|show|see|list|view|manage|check|all|wetin be my)\b.{0,24}\b(?:schedul(?:e|es|ed)|recurring|auto[\s-]?(?:recharges?|renewals?|top\s?ups?))\b|^schedul(?:e|es)$|^(?:my\s+)?(?:scheduled|recurring)\s+(?:purchases?|payments?|buys?|recharges?)$/;

/** "my last order", "the previous purchase": the order a schedule is to repeat (with SCHEDULE_WORDS). */
const LAST_ORDER =
  /\b(?:last|previous|latest)\s+(?:order|purchase|recharge|transaction|one|buy)\b|\bwetin i buy last\b/;

/**
 * "repeat my last order every month", "buy this again every Friday", "schedule my last order": the
 * customer's last delivered order on a schedule. Like the repeat rule, a product or number written
 * with it is a new purchase, not the last one.
 */
function namesLastOrder(rest: string): boolean {
  if (!REPEAT.test(rest) && !LAST_ORDER.test(rest)) {
    return false;
  }
  return !(findPhones(rest).length > 0 || findDataSize(rest) || readAmount(rest) || /\d{4,}/.test(rest));
}

/** Words that change something already there ("make", "set" also start new schedules: not here). */
const CHANGE_WORDS = /\b(?:change|update|adjust|increase|reduce|raise|lower|edit|modify|cut|switch)\b/;
/** "schedule 2", "schedule no 2", "number 2 schedule", "2nd schedule": a place in "my schedules". */
const SCHEDULE_POSITION =
  /\bschedule\s+(?:no\.?\s*|number\s+|num\s+|#\s*)?(\d{1,2})(?!\s*(?:k\b|naira|n\b|gb|mb|\d|,|\.\d))\b|\b(?:number|no\.?|#)\s*(\d{1,2})\s+schedule\b|\b(\d{1,2})(?:st|nd|rd|th)\s+schedule\b/;

/**
 * "change schedule 2 to ₦700", "change my airtime schedule amount to 700", "reduce my light schedule
 * to 3k": a new amount for one schedule (the flow asks Confirm and the PIN). A change of how often is
 * not offered in chat (delete and write a new one), so a recurrence here is left to the other rules.
 */
function changeScheduleAmount(text: string): Intent | undefined {
  if (!CHANGE_WORDS.test(text) || !/\bschedul(?:e|ed)\b/.test(text) || findRecurrence(text)) {
    return undefined;
  }
  if (complains(text)) {
    return UNKNOWN;
  }
  const position = SCHEDULE_POSITION.exec(text);
  const rest = position
    ? mask(text, [{ start: position.index, end: position.index + position[0].length }])
    : text;
  const amount = readAmount(rest);
  if (!position && !amount && !/\b(?:amount|price|how much)\b/.test(text)) {
    // "change my schedule": which one and to what is picked from the list.
    return { kind: "schedule", mine: true };
  }
  const families = (["airtime", "electricity", "data", "cable"] as const).filter((family) =>
    FAMILY_CUES[family](rest.replace(/\bto\s+\S+$/, " ")),
  );
  const at = Number(position?.[1] ?? position?.[2] ?? position?.[3]);
  return compact<IntentOf<"schedule">>({
    kind: "schedule",
    action: "change_amount",
    position: Number.isInteger(at) && at >= 1 ? at : undefined,
    service: families.length === 1 ? families[0] : undefined,
    amountKobo: amount?.amountKobo,
    problems: listed([amount?.problem]),
  });
}

/**
 * A purchase that repeats: the recurrence is read and masked, the rest is read as an airtime, data,
 * electricity or cable purchase, and both go into one schedule intent. "my schedules" lists them;
 * "repeat my last order every month" schedules the last order; "change schedule 2 to ₦700" changes an
 * amount. Wallet words in a recurring request are left without a service (the flow says what chat
 * can schedule); a complaint ("I buy data every day but…") is not a schedule.
 */
function schedule({ text }: Message): Intent | undefined {
  const change = changeScheduleAmount(text);
  if (change) {
    return change;
  }
  const found = findRecurrence(text);
  if (!found && !SCHEDULE_WORDS.test(text)) {
    return undefined;
  }
  if (complains(text)) {
    return UNKNOWN;
  }
  const rest = found ? mask(text, [found.span]) : text;
  if (namesLastOrder(rest)) {
    return compact<IntentOf<"schedule">>({
      kind: "schedule",
      fromLastOrder: true,
      recurrence: found?.recurrence,
    });
  }
  const families = (Object.keys(FAMILY_CUES) as Family[]).filter((family) => FAMILY_CUES[family](rest));
  if (!found && families.length === 0 && MY_SCHEDULES.test(text)) {
    return { kind: "schedule", mine: true };
  }
  if (families.length > 1) {
    return UNKNOWN;
  }
  const family = families[0] ?? (findPhones(rest).length > 0 && readAmount(rest) ? "airtime" : undefined);
  if (family === "electricity" || family === "cable") {
    return scheduleBill(family, rest, found?.recurrence);
  }
  if (family !== "airtime" && family !== "data") {
    return compact<IntentOf<"schedule">>({
      kind: "schedule",
      recurrence: found?.recurrence,
      service: undefined,
    });
  }
  const inner = family === "airtime" ? buildAirtime(rest) : buildData(rest);
  if (inner.kind !== "airtime" && inner.kind !== "data") {
    return UNKNOWN;
  }
  const { kind: _kind, ...slots } = inner;
  return compact<IntentOf<"schedule">>({
    kind: "schedule",
    service: family,
    ...slots,
    recurrence: found?.recurrence,
  });
}

/**
 * "pay ₦5000 IKEDC prepaid 4512… every month on the 1st", "renew DStv 1234567890 every month on the
 * 25th": the electricity or cable purchase's own slots. A cable schedule renews the bouquet on the
 * card (the flow verifies it), so a bouquet or "change" written with it is not kept.
 */
function scheduleBill(
  family: "electricity" | "cable",
  rest: string,
  recurrence: ScheduleRecurrenceIntent | undefined,
): Intent {
  if (family === "electricity") {
    const inner = buildElectricity(rest);
    if (inner.kind !== "electricity") {
      return UNKNOWN;
    }
    const { kind: _kind, ...slots } = inner;
    return compact<IntentOf<"schedule">>({ kind: "schedule", service: "electricity", ...slots, recurrence });
  }
  const inner = buildCable(rest);
  if (inner.kind !== "cable") {
    return UNKNOWN;
  }
  return compact<IntentOf<"schedule">>({
    kind: "schedule",
    service: "cable",
    provider: inner.provider,
    smartcard: inner.smartcard,
    problems: inner.problems,
    recurrence,
  });
}

// ---------------------------------------------------------------------------------------------
// 3c. Tiers: "my tier", "what tier am I", "wetin be my level", "how I go become reseller"
// ---------------------------------------------------------------------------------------------

/** The customer's tier or price level (not "my verification level": that is the KYC's). */
const TIER_WORDS =
  /\b(?:tiers?|price level|customer level|reseller (?:price|prices|level|status)|smart buyer)\b|\b(?:my|which|what|wetin be my|wetin be the)\s+level\b|\blevel (?:am i|i dey|i be|i am)\b|\bbecome (?:a )?(?:reseller|smart buyer)\b/;

function tier({ text }: Message): Intent | undefined {
  if (!TIER_WORDS.test(text)) {
    return undefined;
  }
  // "my tier price was wrong on my last order": for support, not the tier.
  return complains(text) ? UNKNOWN : { kind: "tier" };
}

// ---------------------------------------------------------------------------------------------
// 4. Link another channel: "link my whatsapp", "connect telegram"
// ---------------------------------------------------------------------------------------------

function linkAccount({ text, plain }: Message): Intent | undefined {
  // The code as written: spelling rules would change it ("…6G" is not "…6GB").
  const code = linkCode(plain) ?? linkCode(text);
  if (code) {
    return { kind: "link_account", code };
  }
  // The bare word (or the /link command) is the menu item's own name.
  if (/^\/?link(?:@\w+)?$/.test(text.trim())) {
    return { kind: "link_account" };
  }
  return /\b(?:link|linking|connect|merge|sync)\b/.test(text) &&
    /\b(?:whatsapp|telegram|wa|tg|account|accounts|channel|channels)\b/.test(text) &&
    !/\bbank\b/.test(text)
    ? { kind: "link_account" }
    : undefined;
}

/** Words that follow "link" but are not a code ("link whatsapp", "link account"). */
const NOT_CODES = /^(?:whatsapp|telegram|accounts?|channels?|my|phone|number|wallet)$/;

/**
 * "link K7PQ2M9X" or "/link K7PQ2M9X": the one-time code from the other chat. Codes use the
 * alphabet `humanCode` draws from (no 0/O, 1/I/L), which keeps most English words out.
 */
function linkCode(text: string): string | undefined {
  const token = /^\/?link(?:@\w+)?\s+([a-z0-9]{6,12})$/.exec(text)?.[1];
  return token && /^[2-9a-hjkmnp-z]+$/.test(token) && !NOT_CODES.test(token)
    ? token.toUpperCase()
    : undefined;
}

// ---------------------------------------------------------------------------------------------
// 4b. Gift rooms: "create gift room", "giveaway", "send airtime to my group", "my gift rooms"
// ---------------------------------------------------------------------------------------------

/** The room itself by name, or a bare "gift" (the menu word). */
const GIFT_ROOM_WORDS = /\bgift\s?rooms?\b|\bgive\s?aways?\b|^gift$/;
/** Airtime, data or money for many people at once: a group, followers, fans. */
const GIFT_AUDIENCE =
  /\b(?:group|groups|gc|followers|fans|community|members|customers|everyone in|people in)\b/;

function giftRoom({ text }: Message): Intent | undefined {
  const named = GIFT_ROOM_WORDS.test(text);
  const forGroup =
    /\b(?:gift|send|share|dash|give|drop|sponsor)\b/.test(text) &&
    /\b(?:airtime|data|money|cash|credit)\b/.test(text) &&
    GIFT_AUDIENCE.test(text);
  if (!named && !forGroup) {
    return undefined;
  }
  // COMPLAINT lists gifts as something we do not sell; here only the complaint part of it counts.
  if (COMPLAINT.test(text.replace(/\b(?:gift|gifts|giveaways?|give\s?away)\b/g, " "))) {
    return UNKNOWN;
  }
  const room = giftRoomFields(text);
  const describesNew = Object.keys(room).length > 1;
  const mine =
    !describesNew &&
    (/\b(?:wey i (?:don )?(?:open|create|make)|i (?:opened|created|made))\b/.test(text) ||
      (/\b(?:my|mine|show|list|see|check|close)\b/.test(text) &&
        !/\b(?:create|open|make|start|new|send|share|dash|give|drop|sponsor|set\s?up|do|run|host|organi[sz]e)\b/.test(
          text,
        )));
  return mine ? { kind: "gift_room", mine: true } : room;
}

/** "10 people", "for 5 persons", "50 winners": how many can receive. */
const GIFT_COUNT =
  /(?<![\d.,-])(-?\d+(?:\.\d+)?)\s*(?:people|persons?|pple|ppl|users?|winners?|recipients?|heads?|members?|friends?|followers?|slots?|spots?|guys|pipu|pesin)\b/;

/** "1k cash each", "money", "wallet", "transfer": a gift of wallet cash. */
const GIFT_CASH = /\b(?:cash|money|wallet|transfers?)\b/;

/**
 * Everything a gift room request says about the room (issue 16: fields are never dropped): the
 * product, how many people, and the airtime, data or cash each gets. "create gift room 10 people 200
 * airtime each" → airtime, 10, ₦200 each; "giveaway 1gb data to 5 people" → data, 1GB, 5.
 */
function giftRoomFields(text: string): Intent {
  const countMatch = GIFT_COUNT.exec(text);
  const countSpan: Span[] = countMatch
    ? [{ start: countMatch.index, end: countMatch.index + countMatch[0].length }]
    : [];
  const written = countMatch?.[1];
  const count = written !== undefined ? Number(written) : undefined;
  const countProblem: Problem | undefined =
    written === undefined || count === undefined
      ? undefined
      : written.startsWith("-")
        ? { slot: "count", written: countMatch?.[0] ?? written, reason: "negative" }
        : count === 0
          ? { slot: "count", written: countMatch?.[0] ?? written, reason: "zero" }
          : !Number.isInteger(count)
            ? { slot: "count", written: countMatch?.[0] ?? written, reason: "fraction" }
            : undefined;
  const rest = mask(text, countSpan);
  const badSize = findBadDataSize(rest);
  const sizeMb = badSize ? undefined : findDataSize(rest)?.sizeMb;
  const product =
    /\b(?:data|bundles?)\b/.test(text) || sizeMb !== undefined || badSize
      ? "data"
      : /\b(?:airtime|credit|recharge|card)\b/.test(text)
        ? "airtime"
        : GIFT_CASH.test(text)
          ? "cash"
          : undefined;
  const amount =
    product === "data"
      ? undefined
      : readAmount(mask(rest, [...findPhones(rest), ...sizeAndValiditySpans(rest)]));
  // An amount alone ("3 people 1k each") could be airtime or cash: the product is left unsaid, and
  // the flow asks which, keeping the amount.
  return compact<IntentOf<"gift_room">>({
    kind: "gift_room",
    product,
    count: countProblem || count === undefined ? undefined : count,
    amountKobo: amount?.amountKobo,
    sizeMb,
    network: findNetwork(text),
    problems: listed([countProblem, badSize?.problem, amount?.problem]),
  });
}

// ---------------------------------------------------------------------------------------------
// 5. Receipt: "last receipt", "resend my token", "receipt ord_01jh…"
// ---------------------------------------------------------------------------------------------

const ORDER_REF = /\bord_[0-9a-z]{6,40}\b/;

function receipt({ text }: Message): Intent | undefined {
  const wantsReceipt = /\b(?:receipts?|invoice|proof of (?:payment|purchase))\b/.test(text);
  // A lost electricity token: resending the receipt is exactly what helps.
  const lostToken =
    /\btokens?\b/.test(text) &&
    /\b(?:resend|send (?:\w+ )?(?:token )?again|again|where|no see|not see|didn'?t (?:get|see|receive)|did not (?:get|see|receive)|never (?:get|see|receive)|not (?:get|received)|no token|lost|missing|forgot|forget|retrieve|get back|show me)\b/.test(
      text,
    );
  const ref = ORDER_REF.exec(text)?.[0];
  // An order id written with anything else ("wetin dey happen to ord_…"): its receipt shows its state.
  if (!wantsReceipt && !lostToken && !ref) {
    return undefined;
  }
  return ref ? { kind: "receipt", orderRef: ref } : { kind: "receipt" };
}

// ---------------------------------------------------------------------------------------------
// 6. History: "history", "my transactions", "wetin I don buy"
// ---------------------------------------------------------------------------------------------

function history({ text }: Message): Intent | undefined {
  return /\b(?:history|transactions?|txns?|trxs?|statement|my orders|orders|past orders|recent orders|my purchases|purchases|recharges|wetin i (?:don |have |)(?:buy|bought|spend|spent)|what (?:i|have i|did i) (?:bought|buy|spent|spend)|what i (?:don )?spend|my spending)\b/.test(
    text,
  )
    ? { kind: "history" }
    : undefined;
}

// ---------------------------------------------------------------------------------------------
// 7. Things we do not sell but that look like our products: telco balances, transfers to people
// ---------------------------------------------------------------------------------------------

function notOurs({ text }: Message): Intent | undefined {
  // "check my data balance", "mtn balance": the telco's balance, which only the telco can show.
  if (/\b(?:data|airtime|mtn|airtel|glo|9mobile|sim|line)\s+balance\b/.test(text)) {
    return UNKNOWN;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// 7b'. Funding by bank transfer: "my account number", "pay by transfer", "where do I send money"
// ---------------------------------------------------------------------------------------------

/**
 * Ways of asking how to fund the wallet by bank transfer (issue 17): the account number itself,
 * transfer as the way to pay, or where to send the money. "account balance", "send to my account"
 * and "fund my account" are not among them: those are the balance, nothing, and card funding.
 */
const TRANSFER_FUNDING: readonly RegExp[] = [
  /\b(?:account|acct|acc|acount|accout)\s*(?:number|numbers|no|num|nos|details?|info)\b/,
  /\b(?:virtual|dedicated|permanent|static|personal|funding|wallet)\s+(?:bank\s+)?(?:account|acct)\b/,
  /\bbank\s+transfers?\b/,
  /\b(?:by|with|via|through|thru|using|use|do|take)\s+(?:a\s+)?(?:bank\s+)?transfer\b/,
  /\btransfer\s+(?:details?|info|information)\b/,
  /\btransfer(?:\s+(?:money|cash|funds?))?\s+(?:to|into|enter|inside)\s+(?:my\s+)?(?:wallet|tada)\b/,
  /\bwhere\s+(?:(?:do|can|should|will|shall|must)\s+)?(?:i|we)\s+(?:go\s+|fit\s+)?(?:send|transfer|pay)\b/,
  /\bwhere\s+(?:to|i fit)\s+(?:send|transfer|pay)\b/,
  /\bwhich\s+(?:account|acct|bank)\s+(?:(?:do|can|should|will)\s+)?(?:i|we)\s+(?:go\s+|fit\s+)?(?:send|transfer|pay)\b/,
  /\bbvn\b/,
];

/** Words of the other products: "pay for dstv by transfer" is about the product, not the account. */
const OTHER_PRODUCTS: readonly Family[] = ["electricity", "cable", "data", "airtime"];

function transferFunding({ text }: Message): Intent | undefined {
  if (!TRANSFER_FUNDING.some((pattern) => pattern.test(text))) {
    return undefined;
  }
  // Money going out to a bank, a number being given (an account, a BVN: the engine answers that),
  // a complaint, or another product: for the other rules.
  if (
    asksToWithdraw(text) ||
    /\d{10,}/.test(text.replace(/[\s-]/g, "")) ||
    complains(text) ||
    OTHER_PRODUCTS.some((family) => FAMILY_CUES[family](text))
  ) {
    return undefined;
  }
  return buildAccountNumber(text);
}

/** "pay 5k by transfer": the amount of a one-time account number, when one is written. */
function buildAccountNumber(text: string): Intent {
  const amount = readAmount(text);
  return compact<IntentOf<"account_number">>({
    kind: "account_number",
    amountKobo: amount?.amountKobo,
    problems: listed([amount?.problem]),
  });
}

// ---------------------------------------------------------------------------------------------
// 7c. Questions that want an explanation: "explain how I add money", "difference between sme and …"
// ---------------------------------------------------------------------------------------------

function explanation({ text }: Message): Intent | undefined {
  return /\b(?:explain|difference between|what(?:'s| is| be) the meaning|meaning of|how to buy \w+ with|can i pay (?:with|by|using|via))\b/.test(
    text,
  ) && !complains(text.replace(/\b(?:explain|difference|meaning)\b/g, " "))
    ? { kind: "help" }
    : undefined;
}

// ---------------------------------------------------------------------------------------------
// 8. Withdraw: "withdraw 5000", "cash out", "send 10k to my bank"
// ---------------------------------------------------------------------------------------------

function withdraw(message: Message): Intent | undefined {
  const { text } = message;
  if (!asksToWithdraw(text)) {
    return undefined;
  }
  return COMPLAINT.test(text) ? UNKNOWN : build("withdraw", text);
}

/** Money leaving the wallet for a bank: "withdraw", "cash out", "send 10k to my bank". */
function asksToWithdraw(text: string): boolean {
  return (
    /\b(?:withdraw|withdrawal|withdrw|cash\s?out|payout|pay out)\b/.test(text) ||
    (/\b(?:send|transfer|move|take|remove)\b/.test(text) &&
      /\b(?:to|into|for)\s+(?:my\s+)?(?:bank|bank account|account number|opay|palmpay|kuda|moniepoint|gtb|gtbank|access|zenith|uba|first\s?bank)\b/.test(
        text,
      ))
  );
}

// ---------------------------------------------------------------------------------------------
// 9. Purchases and funding: find the product family by its words, then fill the slots
// ---------------------------------------------------------------------------------------------

type Family = "fund" | "electricity" | "cable" | "data" | "airtime";

const FAMILY_CUES: Record<Family, (text: string) => boolean> = {
  // "fund 5k", "add money", "top up my wallet", "credit my account".
  fund: (text) =>
    /\b(?:fund|funding|deposit|add (?:money|funds?|cash)|put (?:money|cash)|(?:top\s?-?up|topup|load|credit|recharge|fill) (?:my |the |your )?(?:wallet|account|acct|acc|tada)|pay into (?:my )?wallet)\b/.test(
      text,
    ),
  // "light 5000", "nepa", "prepaid token", "ikedc", "meter".
  electricity: (text) =>
    /\b(?:electricity|electric|nepa|phcn|prepaid|postpaid|pre-paid|post-paid|meter|light|power(?!\s*bank)|units?|tokens?|disco|ekedc|ikedc|aedc|phed|phedc|ibedc|eedc|kedco|kaedco|bedc|jedc|yedc)\b/.test(
      text,
    ),
  // "dstv compact", "gotv", "decoder", "smartcard", "tv sub", or a bouquet only DStv/GOtv sells.
  cable: (text) =>
    /\b(?:dstv|gotv|startimes|cable|decoder|smart\s?card|iuc|bouquet|tv\s+(?:sub|subscription|bill|plan)|tv\s+(?:has\s+|don\s+)?(?:expired?|off)|renew|renewal)\b|^tv$/.test(
      text,
    ) || findBouquet(text, undefined)?.distinctive === true,
  // "2gb", "data", "bundle", "sme".
  data: (text) =>
    findDataSize(text) !== undefined ||
    /\b(?:data|bundles?|browsing|internet|sme|megabytes?)\b/.test(text) ||
    (/\bplans?\b/.test(text) && findNetwork(text) !== undefined),
  // "airtime", "credit" (not "credit my wallet"), "recharge card", "mtn card" (not a smartcard).
  airtime: (text) =>
    /\b(?:airtime|vtu|call credit)\b|\bcredit\b(?!\s+(?:my\s+|the\s+)?(?:wallet|account|acct|acc))|\b(?:recharge|airtime|mtn|airtel|glo|9mobile|buy)\s+cards?\b|\d\s*(?:k|naira|n)?\s+cards?\b/.test(
      text,
    ),
};

function purchase(message: Message): Intent | undefined {
  const { text } = message;
  const families = (Object.keys(FAMILY_CUES) as Family[]).filter((family) => FAMILY_CUES[family](text));
  if (SCHEDULE.test(text)) {
    return UNKNOWN;
  }
  if (families.length === 0) {
    return electricityByShape(message) ?? airtimeByShape(message);
  }
  if (complains(text)) {
    return UNKNOWN;
  }
  // "1GB data and 500 airtime", "fund wallet and pay DStv": two requests in one message.
  if (families.length > 1) {
    return UNKNOWN;
  }
  const family = families[0];
  return family ? build(family, text) : undefined;
}

/** "Eko 5k 0123 4567 890": a DisCo's name and a meter number, with no other product word. */
function electricityByShape({ text }: Message): Intent | undefined {
  return findDisco(text) && accountNumber(text, 10, 13) && !COMPLAINT.test(text)
    ? buildElectricity(text)
    : undefined;
}

/**
 * No product word, but the shape of an airtime order: an amount with a recharge verb ("abeg load
 * 500", "recharge 200 for 0701…"), or an amount with a recipient or network ("500 08031234567",
 * "mtn 500", "send 500 to my number"). Bank words mean a transfer, which we do not do.
 */
function airtimeByShape({ text }: Message): Intent | undefined {
  if (/\b(?:transfer|bank|account|acct)\b/.test(text) || complains(text)) {
    return undefined;
  }
  const intent = buildAirtime(text);
  if (intent.kind !== "airtime") {
    return undefined; // several recipients: not an order we can read, but maybe "hello everyone"
  }
  // A number written wrongly ("send 500 to 0803") still says who the airtime is for: the flow
  // quotes it and asks for the rest.
  const recipient =
    intent.phone !== undefined ||
    intent.network !== undefined ||
    intent.forSelf === true ||
    intent.problems?.some((problem) => problem.slot === "phone") === true;
  const rechargeVerb = /\b(?:recharge|load|top\s?-?up|topup|refill)\b/.test(text);
  if ((rechargeVerb && (intent.amountKobo !== undefined || recipient)) || (intent.amountKobo && recipient)) {
    return intent;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Slot filling, one builder per kind
// ---------------------------------------------------------------------------------------------

function build(kind: IntentKind, text: string): Intent {
  switch (kind) {
    case "airtime":
      return buildAirtime(text);
    case "data":
      return buildData(text);
    case "cable":
      return buildCable(text);
    case "electricity":
      return buildElectricity(text);
    case "fund":
    case "withdraw":
      return withAmount(kind, text);
    case "account_number":
      return buildAccountNumber(text);
    case "receipt":
      return receipt({ text, core: "", plain: text }) ?? { kind: "receipt" };
    case "link_account": {
      const code = linkCode(text);
      return code ? { kind, code } : { kind };
    }
    case "points":
      return /^\/redeem\b/.test(text) ? { kind, action: "redeem" } : { kind };
    case "schedule":
      return { kind, mine: true };
    case "referral": {
      const code = /^\/\w+(?:@\w+)?\s+(\S+)$/.exec(text)?.[1];
      const given = code ? referralCodeToken(code) : undefined;
      return given ? { kind, code: given } : { kind };
    }
    default:
      return { kind } as Intent;
  }
}

/** Words that make an order ambiguous for a one-shot rule: several recipients or networks. */
function isMultiple(text: string, phones: readonly string[]): boolean {
  const networks = new Set(text.match(/\b(?:mtn|airtel|glo|9mobile)\b/g) ?? []);
  return (
    new Set(phones).size > 1 ||
    networks.size > 1 ||
    /\b(?:each|per person|everybody|everyone|all my|both|lines)\b/.test(text)
  );
}

/** Recipient slots shared by airtime and data. */
type Recipient = {
  phone?: string;
  network?: Network;
  networkSource?: "said" | "prefix";
  forSelf?: boolean;
  /** Everything that is part of the recipient, masked before looking for money. */
  spans: Span[];
  /** Numbers written as phones that are not (never replaced by the customer's own number). */
  problems: Problem[];
};

/**
 * The number (any form, including 10 bare digits: a phone is expected here), the network the
 * customer named (it always wins) or else our prefix guess marked `prefix` so the flow asks to
 * confirm it, and "for me" when there is no number.
 */
function recipient(text: string): Recipient | "ambiguous" {
  const phones = findPhones(text);
  if (
    isMultiple(
      text,
      phones.map((found) => found.phone),
    )
  ) {
    return "ambiguous";
  }
  const phone = phones[0]?.phone;
  const said = findNetwork(text);
  const guessed = phone ? guessNetwork(phone).network : undefined;
  const bad = phone ? [] : findBadPhones(text, phones);
  const result: Recipient = { spans: [...phones, ...bad], problems: bad.map((found) => found.problem) };
  if (phone) {
    result.phone = phone;
  }
  if (said) {
    result.network = said;
    result.networkSource = "said";
  } else if (guessed) {
    result.network = guessed;
    result.networkSource = "prefix";
  }
  if (!phone && bad.length === 0 && mentionsSelf(text)) {
    result.forSelf = true;
  }
  return result;
}

/** "airtime 500 08031234567", "buy 1k glo credit", "abeg load 500 for my number". */
function buildAirtime(text: string): Intent {
  const who = recipient(text);
  if (who === "ambiguous") {
    return UNKNOWN;
  }
  const { spans, problems, ...slots } = who;
  const amount = readAmount(mask(text, [...spans, ...sizeAndValiditySpans(text)]));
  return compact<IntentOf<"airtime">>({
    kind: "airtime",
    amountKobo: amount?.amountKobo,
    ...slots,
    problems: listed([...problems, amount?.problem]),
  });
}

/** "2gb mtn for 0803…", "mtn 1.5gb 30 days", "data for my number". */
function buildData(text: string): Intent {
  const who = recipient(text);
  if (who === "ambiguous") {
    return UNKNOWN;
  }
  const { spans, problems, ...slots } = who;
  const rest = mask(text, spans);
  const badSize = findBadDataSize(rest);
  return compact<IntentOf<"data">>({
    kind: "data",
    sizeMb: badSize ? undefined : findDataSize(rest)?.sizeMb,
    validityDays: findValidity(rest)?.validityDays,
    ...slots,
    problems: listed([...problems, badSize?.problem]),
  });
}

/** "dstv compact 1234567890", "renew my gotv 7012345678", "startimes nova". */
function buildCable(text: string): Intent {
  // "dstv or gotv, which one better?": a comparison, not an order.
  if (new Set(text.match(/\b(?:dstv|gotv|startimes)\b/g) ?? []).size > 1) {
    return UNKNOWN;
  }
  const named = findCableProvider(text);
  const bouquet = findBouquet(text, named);
  // A bouquet only one provider sells names the provider ("jinja" is GOtv); "max" alone does not.
  const provider = named ?? (bouquet?.distinctive ? bouquet.provider : undefined);
  const renew =
    /\b(?:renew|renewal|re-?new|resubscribe|re-?subscribe|same (?:plan|package|bouquet|sub)|extend|subscribe again|expired?)\b/.test(
      text,
    );
  const change = /\b(?:change|upgrade|downgrade|switch|move)\b/.test(text);
  const named_ = accountNumber(text, 10, 12) ?? numberAfterWord(text, CARD_WORDS);
  const smartcard = named_ && fits(named_.digits, SMARTCARD_DIGITS) ? named_ : undefined;
  const badCard = named_ && !smartcard ? wrongLength("smartcard", named_) : undefined;
  return compact<IntentOf<"cable">>({
    kind: "cable",
    provider,
    smartcard: smartcard?.digits,
    problems: listed([badCard]),
    bouquet: provider && bouquet && bouquet.provider === provider ? bouquet.slug : undefined,
    subscription: renew && !change ? "renew" : change && !renew ? "change" : undefined,
  });
}

/** "light 5000 ikeja 4512…", "buy prepaid token 10k eko meter 0123…". */
function buildElectricity(text: string): Intent {
  const written = accountNumber(text, 10, 13) ?? numberAfterWord(text, METER_WORDS);
  const meter = written && fits(written.digits, METER_DIGITS) ? written : undefined;
  const badMeter = written && !meter ? wrongLength("meter", written) : undefined;
  const phones = findPhones(text).filter((found) => !found.bare);
  const spans: Span[] = [...phones, ...(written ? [written] : [])];
  const amount = readAmount(mask(text, spans));
  return compact<IntentOf<"electricity">>({
    kind: "electricity",
    disco: findDisco(text),
    meterType: findMeterType(text),
    meterNumber: meter?.digits,
    amountKobo: amount?.amountKobo,
    problems: listed([badMeter, amount?.problem]),
  });
}

/**
 * The smartcard or meter: the first digit string of the right length that is not a mobile number.
 * "light 5k, my number 08031234567" has no meter; the flow asks for it rather than vend to a phone.
 */
function accountNumber(text: string, min: number, max: number) {
  return findAccountNumbers(text, min, max).find((found) => !found.looksLikePhone);
}

/** "fund 5k", "withdraw 20000". A phone number in the message is never the amount. */
function withAmount(kind: "fund" | "withdraw", text: string): Intent {
  const spans: Span[] = [...findPhones(text), ...findAccountNumbers(text, 10, 13)];
  const amount = readAmount(mask(text, spans));
  const base = { kind, amountKobo: amount?.amountKobo, problems: listed([amount?.problem]) };
  if (kind === "fund") {
    return compact<IntentOf<"fund">>({ ...base, kind });
  }
  // "withdraw 5k to my gtb 0123456789": the bank and the account are kept too (issue 16).
  return compact<IntentOf<"withdraw">>({
    ...base,
    kind,
    bank: BANK_WORDS.exec(text)?.[0],
    accountNumber: findAccountNumbers(text, 10, 10)[0]?.digits,
  });
}

/** Banks customers name in a message; the withdraw flow finds the one meant in the gateway's list. */
const BANK_WORDS =
  /\b(?:gtb|gtbank|guaranty trust|access|zenith|uba|first\s?bank|fcmb|fidelity|union bank|sterling|stanbic|wema|polaris|keystone|ecobank|opay|palmpay|kuda|moniepoint|providus|jaiz|unity bank|heritage)\b/;

/** The problems found, or undefined when there are none (so the slot is left out). */
function listed(problems: readonly (Problem | undefined)[]): Problem[] | undefined {
  const found = problems.filter((problem): problem is Problem => problem !== undefined).slice(0, 4);
  return found.length > 0 ? found : undefined;
}

const METER_WORDS = String.raw`meter(?:\s*(?:number|no|num|#))?`;
const CARD_WORDS = String.raw`(?:smart\s?card|iuc|decoder|card)(?:\s*(?:number|no|num|#))?`;

/**
 * The digits right after "meter" or "smartcard" ("meter 12345", "iuc: 7012 3456 78"), whatever their
 * length: a number the customer named as one, to be used when its length fits and quoted back when
 * it does not, never read as an amount.
 */
function numberAfterWord(
  text: string,
  words: string,
): (Span & { digits: string; written: string }) | undefined {
  const match = new RegExp(String.raw`\b${words}\s*:?\s*(\d[\d -]*\d|\d)`).exec(text);
  const written = match?.[1]?.trim();
  if (!match || !written) {
    return undefined;
  }
  const start = match.index + match[0].length - (match[1]?.length ?? 0);
  return { start, end: start + written.length, digits: written.replace(/\D/g, ""), written };
}

function fits(digits: string, range: { min: number; max: number }): boolean {
  return digits.length >= range.min && digits.length <= range.max;
}

function wrongLength(slot: "meter" | "smartcard", found: { digits: string; written?: string }): Problem {
  return { slot, written: (found.written ?? found.digits).slice(0, 40), reason: "wrong_length" };
}

/** Drop undefined slots, so intents compare and print cleanly. */
function compact<T extends Intent>(intent: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(intent).filter(([, value]) => value !== undefined)) as T;
}

// ---------------------------------------------------------------------------------------------
// 10. Balance: "my balance", "how much I get", "wetin remain for my wallet"
// ---------------------------------------------------------------------------------------------

function balance({ text }: Message): Intent | undefined {
  // A price question without a product, or money moving somewhere ("transfer 2k from my wallet to
  // …"): not a balance enquiry, and not something to guess at.
  const aboutWallet = /\b(?:wallet|account|acct|balance)\b/.test(text);
  if (
    (/\bhow much\b.*\b(?:pay|cost|price|be|is it|for)\b/.test(text) && !aboutWallet) ||
    findAmountKobo(text) !== undefined
  ) {
    return undefined;
  }
  if (COMPLAINT.test(text)) {
    return UNKNOWN; // "my wallet has not been credited": support, not a balance
  }
  return /\b(?:balance|how much (?:i|do i|i dey|money|remain|is (?:left|remaining|in)|dey|i have|have i|left)|wetin remain|wetin i get|how much (?:remain|i get|i have|dey) (?:for|in|inside) (?:my )?(?:wallet|account|acct)|wetin dey (?:my|for my|inside my) (?:wallet|account)|check (?:my )?(?:wallet|account)|my wallet|money (?:remain|left)|funds? (?:left|remaining))\b/.test(
    text,
  )
    ? { kind: "balance" }
    : undefined;
}

// ---------------------------------------------------------------------------------------------
// 2b. Language: "speak pidgin", "reply me in English", "I no sabi English"
// ---------------------------------------------------------------------------------------------

function language({ text, core }: Message): Intent | undefined {
  const pidgin = /\b(?:pidgin|pigin|pidgen|broken english|broken)\b/.test(text);
  const english = /\b(?:english|oyinbo|proper english)\b/.test(text.replace(/\bpidgin english\b/g, "pidgin"));
  if (/^(?:pidgin|pidgin please|english|english please|in english|in pidgin)$/.test(core)) {
    return { kind: "language", language: pidgin ? "pcm" : "en" };
  }
  const asked =
    /\b(?:speak|talk|reply|answer|respond|use|write|yarn|chat|switch to|change to|communicate)\s+(?:to\s+)?(?:me\s+|us\s+)?(?:in\s+|with\s+)?(pidgin|english)\b/.exec(
      text,
    )?.[1];
  if (asked) {
    return { kind: "language", language: asked === "pidgin" ? "pcm" : "en" };
  }
  const verb =
    /\b(?:speak|talk|reply|answer|respond|use|write|yarn|chat|switch|change|communicate|understand|sabi|know|in)\b/.test(
      text,
    );
  if (!verb || (!pidgin && !english)) {
    return undefined;
  }
  // "I no sabi English", "I don't understand English well": they want Pidgin.
  if (
    english &&
    /\b(?:no sabi|don'?t (?:understand|know|speak)|do not (?:understand|know|speak)|no understand|no too sabi)\b/.test(
      text,
    )
  ) {
    return { kind: "language", language: "pcm" };
  }
  if (
    pidgin &&
    /\b(?:no sabi|don'?t (?:understand|know)|do not (?:understand|know)|no understand)\b/.test(text)
  ) {
    return { kind: "language", language: "en" };
  }
  return { kind: "language", language: pidgin ? "pcm" : "en" };
}

// ---------------------------------------------------------------------------------------------
// 5b. Repeat: "same as last time", "buy am again", "repeat my last order"
// ---------------------------------------------------------------------------------------------

/** "for my brother", "to my wife": a recipient other than the one last time. */
const SOMEONE_ELSE_WORDS =
  /\b(?:for|to)\s+(?:my\s+)?(?:wife|husband|sister|brother|mum|mom|mama|mother|dad|father|papa|son|daughter|friend|customer|aunty|uncle|cousin)\b/g;

const REPEAT =
  /\b(?:same (?:as|like) (?:last|before|yesterday|the last|last time|last month|last week)|same (?:thing|one|order|purchase|package|plan|recharge|as usual)(?: again)?|(?:the )?usual|repeat(?: my| the)?(?: last| previous)?(?: order| purchase| transaction| recharge| one)?|(?:buy|do|send|load|get|run|redo) (?:am|it|that|this|the last one|that one|the same|my last order|the last order|d same|the same thing) again|do (?:am|it|that) again|last (?:one|order|purchase) again|again like (?:before|last time)|(?:that |the )?same (?:data|airtime|recharge|bouquet|token|light) again|(?:the )?(?:one|thing|order) (?:wey )?i (?:did|do|bought|buy|made|make)\b.*\bagain)\b/;

function repeat({ text }: Message): Intent | undefined {
  if (!REPEAT.test(text)) {
    return undefined;
  }
  // A product or number written with it is a new order, read by the purchase rules; "for me" and
  // "for my brother" together ask for the same thing for someone else.
  if (findPhones(text).length > 0 || findDataSize(text) || readAmount(text) || /\d{4,}/.test(text)) {
    return undefined;
  }
  if (mentionsSelf(text.replace(SOMEONE_ELSE_WORDS, " ")) && SOMEONE_ELSE_WORDS.test(text)) {
    return undefined;
  }
  return COMPLAINT.test(text.replace(/\byesterday\b/g, " ")) ? undefined : { kind: "repeat" };
}

// ---------------------------------------------------------------------------------------------
// 7b. Recommendations: "which plan best for 2k?", "I dey use WhatsApp and small YouTube"
// ---------------------------------------------------------------------------------------------

/** Usage words → the usage they describe, in `DATA_USAGES` order. */
const USAGE_WORDS: Record<(typeof DATA_USAGES)[number], RegExp> = {
  whatsapp: /\b(?:whatsapp|whatsap|watsapp|wassap|wa status|chatting|chat)\b/,
  social: /\b(?:facebook|fb|instagram|insta|ig|tiktok|tik tok|twitter|x app|snapchat|social media|socials)\b/,
  youtube: /\b(?:youtube|yt|you tube)\b/,
  streaming: /\b(?:netflix|showmax|movies?|films?|stream|streaming|prime video|series)\b/,
  browsing: /\b(?:brows(?:e|ing)|google|surf(?:ing)?|news|reading)\b/,
  work: /\b(?:zoom|meetings?|google meet|teams|email|emails|work|office|remote)\b/,
  gaming: /\b(?:gaming|games?|cod|pubg|free fire|fifa|efootball)\b/,
};

const ADVICE =
  /\b(?:which|wetin|what|recommend|recommendation|suggest|suggestion|advise|advice|best|cheapest|cheap|good|better|fit|enough|last me|go last|reach)\b/;
const PLAN_WORDS = /\b(?:plans?|data|bundles?|sub|subscription|package|option)\b/;
const USAGE_CUE =
  /\b(?:i (?:dey |do |mostly |only |just )?(?:use|watch|browse|stream|play)|for (?:my )?(?:use|usage)|mostly|only|usage)\b/;

function recommend({ text }: Message): Intent | undefined {
  const usage = DATA_USAGES.filter((word) => USAGE_WORDS[word].test(text));
  const asksAdvice =
    (ADVICE.test(text) &&
      PLAN_WORDS.test(text) &&
      /\b(?:which|wetin|what|recommend|suggest|advise|advice|best|cheapest|good|better)\b/.test(text)) ||
    /\b(?:recommend|suggest|advise)\b/.test(text);
  const describesUsage = usage.length > 0 && (USAGE_CUE.test(text) || PLAN_WORDS.test(text));
  if (!asksAdvice && !describesUsage) {
    return undefined;
  }
  // A size or a phone means a data order ("best 2gb for 0803…"): the purchase rules read it.
  if (findDataSize(text) || findPhones(text).length > 0 || COMPLAINT.test(text)) {
    return undefined;
  }
  if (/\b(?:dstv|gotv|startimes|cable|electricity|light|meter|airtime)\b/.test(text)) {
    return undefined;
  }
  const validity = findValidity(text)?.validityDays;
  const amount = readAmount(mask(text, sizeAndValiditySpans(text)))?.amountKobo;
  return compact<IntentOf<"recommend">>({
    kind: "recommend",
    budgetKobo: amount,
    network: findNetwork(text),
    usage: usage.length > 0 ? usage : undefined,
    validityDays: validity,
  });
}

// ---------------------------------------------------------------------------------------------
// 10b. Thanks: "thank you", "thanks boss", "God bless you"
// ---------------------------------------------------------------------------------------------

const THANKS =
  /\b(?:thank you|thank u|thanks|thankss|thanx|tanx|tanks|thx|tnx|tnks|ty|tyvm|thank|bless you|god bless|appreciate(?: it| you)?|much appreciated|nagode|daalu|ese|e se|well done|weldone|nice one|you too much|una too much|you try|una try)\b/;

function thanks({ text }: Message): Intent | undefined {
  if (!THANKS.test(text) || COMPLAINT.test(text) || text.split(" ").length > 12) {
    return undefined;
  }
  return { kind: "thanks" };
}

// ---------------------------------------------------------------------------------------------
// 11. Help, menu, greeting: whole short messages
// ---------------------------------------------------------------------------------------------

function help({ text, core }: Message): Intent | undefined {
  return /^\?+$/.test(text) ||
    /\b(?:help|assist|assistance|support|customer care|customer service|how (?:does this|do i use this|to use|e dey) work|how (?:do i|to) use|what can you do|wetin you fit do|wetin una fit do|how this thing (?:dey )?work|commands|guide|tutorial|faq|instructions?)\b/.test(
      core,
    )
    ? { kind: "help" }
    : undefined;
}

function menu({ core }: Message): Intent | undefined {
  return /^(?:menu|main menu|show menu|open menu|show me the menu|the menu|menu please|home|start|restart|begin|options|show options|services|your services|products|back|go back|main|what do you sell|what do you offer|wetin una dey sell|wetin una get|wetin you get|wetin you dey sell)$/.test(
    core,
  )
    ? { kind: "menu" }
    : undefined;
}

/** Greeting phrases, longest first; a greeting is a message made only of these (and fillers). */
const GREETINGS = [
  "compliments of the season",
  "assalamu alaikum",
  "good morning",
  "good afternoon",
  "good evening",
  "good day",
  "good night",
  "how you dey",
  "how una dey",
  "how are you",
  "how is it going",
  "how r u",
  "how far",
  "how body",
  "wetin dey",
  "what s up",
  "whats up",
  "hello there",
  "hey there",
  "hi there",
  "happy new year",
  "merry christmas",
  "e ku aaro",
  "e ku irole",
  "e ku ale",
  "e ku ile",
  "sannu da zuwa",
  "da zuwa",
  "e kaaro",
  "ekaaro",
  "ekasan",
  "ekaale",
  "kedu",
  "sannu",
  "ndewo",
  "bawo",
  "salam",
  "howfar",
  "wassup",
  "whatsup",
  "sup",
  "morning",
  "afternoon",
  "evening",
  "gm",
  "hi",
  "hii",
  "hiii",
  "hiya",
  "hello",
  "helo",
  "hallo",
  "hey",
  "heyy",
  "howdy",
  "yo",
  "greetings",
  "una",
  "you",
  "u",
  "all",
  "everyone",
  "guys",
  "and",
  "my",
  "friend",
  "padi",
  "fine",
];

const FIRST_COMPANION_WORD = GREETINGS.indexOf("una");
const GREETING_PATTERNS = GREETINGS.map((phrase) => new RegExp(`\\b${phrase}\\b`, "g"));

function greeting({ core }: Message): Intent | undefined {
  let rest = core;
  let greeted = false;
  for (const [index, pattern] of GREETING_PATTERNS.entries()) {
    const before = rest;
    rest = rest.replace(pattern, " ");
    // Words such as "you" and "my" are only allowed around a real greeting.
    if (rest !== before && index < FIRST_COMPANION_WORD) {
      greeted = true;
    }
  }
  return greeted && rest.trim() === "" ? { kind: "greeting" } : undefined;
}
