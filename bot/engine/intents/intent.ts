import { z } from "zod";
import { DATA_USAGE_WORDS } from "../../../api/services/catalogue/recommend-plans";
import { CABLE_PROVIDERS, DISCOS, METER_TYPES, NETWORKS } from "../../../api/services/vtu/provider";

/**
 * What a customer wants, in our vocabulary. Produced by the deterministic grammar (`grammar.ts`) and,
 * for what it cannot read, by a language model's tool calls (`llm-intent.ts`, validated with `IntentSchema`). Every slot is optional: an intent is
 * what was *said*, and the flow asks for whatever is missing, then shows everything back for
 * confirmation. Nothing here is ever executed without Confirm and the PIN (DESIGN §9).
 *
 * Money is integer kobo, phones are normalised to the 11-digit local form (08031234567), smartcards and meters are digit strings.
 */

/** Integer kobo, more than zero (₦500 = 50_000). */
const Kobo = z.int().positive().max(Number.MAX_SAFE_INTEGER);
/** The 11-digit local form (08031234567), as `normalizePhone` returns it. */
const Phone = z.string().regex(/^0[789][01]\d{8}$/);
const Network = z.enum(NETWORKS);

/**
 * Where `network` came from. `said`: the customer named it (it wins over the prefix). `prefix`: our
 * guess from the number's prefix, which must be confirmed because numbers are portable (DESIGN §6).
 */
const NetworkSource = z.enum(["said", "prefix"]);

/**
 * How many digits a meter and a smartcard have: the same rule the order service checks (meters
 * 6–13, as `create-order.ts` accepts; DStv/GOtv IUCs 10, StarTimes 11, older cards 8–12).
 */
export const METER_DIGITS = { min: 6, max: 13 } as const;
export const SMARTCARD_DIGITS = { min: 8, max: 12 } as const;

/** Which written value a problem is about. */
export const PROBLEM_SLOTS = ["amount", "phone", "size", "meter", "smartcard", "count"] as const;
/**
 * What is wrong with it, as far as the words show (issue 16: validation in words). Limits that
 * depend on configuration (the most airtime at once, the least funding) are checked by the flow,
 * which knows them; the grammar only says what no configuration could make right.
 */
export const PROBLEM_REASONS = [
  /** "-500": money is never negative. */
  "negative",
  /** "0", "0gb", "0 people". */
  "zero",
  /** "₦500.505": not a whole number of kobo; "1.5 people". */
  "fraction",
  /** "0803123456", "0803": a phone number started but not finished (11 digits expected). */
  "incomplete_phone",
  /** "080312345678": too many digits for a phone, or digits that are not a Nigerian mobile. */
  "not_a_phone",
  /** A meter or smartcard with the wrong number of digits. */
  "wrong_length",
] as const;

/**
 * A value the customer wrote that cannot be used. The flow quotes `written`, says what is allowed,
 * and asks again: it never substitutes a default for it (the own number, a rounded amount).
 */
export const Problem = z.strictObject({
  slot: z.enum(PROBLEM_SLOTS),
  written: z.string().min(1).max(40),
  reason: z.enum(PROBLEM_REASONS),
});
export type Problem = z.infer<typeof Problem>;
const Problems = z.array(Problem).min(1).max(4);

/** Words for how the data will be used, for plan recommendations (the ranking's own list). */
export const DATA_USAGES = DATA_USAGE_WORDS;

export const BalanceIntent = z.strictObject({ kind: z.literal("balance") });

export const FundIntent = z.strictObject({
  kind: z.literal("fund"),
  amountKobo: Kobo.optional(),
  problems: Problems.optional(),
});

export const AirtimeIntent = z.strictObject({
  kind: z.literal("airtime"),
  amountKobo: Kobo.optional(),
  phone: Phone.optional(),
  network: Network.optional(),
  networkSource: NetworkSource.optional(),
  /** "my number", "me", "myself": the recipient is the customer's own number. */
  forSelf: z.boolean().optional(),
  problems: Problems.optional(),
});

export const DataIntent = z.strictObject({
  kind: z.literal("data"),
  network: Network.optional(),
  networkSource: NetworkSource.optional(),
  /** Binary MB as the telcos sell it: 1GB = 1024. */
  sizeMb: z.int().positive().optional(),
  validityDays: z.int().positive().optional(),
  phone: Phone.optional(),
  forSelf: z.boolean().optional(),
  problems: Problems.optional(),
});

export const CableIntent = z.strictObject({
  kind: z.literal("cable"),
  provider: z.enum(CABLE_PROVIDERS).optional(),
  /** DStv/GOtv smartcard or IUC (10 digits), StarTimes smartcard (11). */
  smartcard: z
    .string()
    .regex(new RegExp(`^\\d{${SMARTCARD_DIGITS.min},${SMARTCARD_DIGITS.max}}$`))
    .optional(),
  /** Canonical bouquet slug, as the catalogue names it: "compact", "compact-plus", "jinja". */
  bouquet: z
    .string()
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/)
    .optional(),
  /** renew: pay for the bouquet already on the card. change: move to another bouquet. */
  subscription: z.enum(["renew", "change"]).optional(),
  problems: Problems.optional(),
});

export const ElectricityIntent = z.strictObject({
  kind: z.literal("electricity"),
  disco: z.enum(DISCOS).optional(),
  meterType: z.enum(METER_TYPES).optional(),
  meterNumber: z
    .string()
    .regex(new RegExp(`^\\d{${METER_DIGITS.min},${METER_DIGITS.max}}$`))
    .optional(),
  amountKobo: Kobo.optional(),
  problems: Problems.optional(),
});

export const HistoryIntent = z.strictObject({ kind: z.literal("history") });

export const ReceiptIntent = z.strictObject({
  kind: z.literal("receipt"),
  /** An order id as we print it (`ord_…`); absent means "the last one". */
  orderRef: z.string().min(1).max(64).optional(),
});

export const HelpIntent = z.strictObject({ kind: z.literal("help") });
export const CancelIntent = z.strictObject({ kind: z.literal("cancel") });
export const MenuIntent = z.strictObject({ kind: z.literal("menu") });
export const GreetingIntent = z.strictObject({ kind: z.literal("greeting") });
export const ChangePinIntent = z.strictObject({ kind: z.literal("change_pin") });
export const ResetPinIntent = z.strictObject({ kind: z.literal("reset_pin") });
export const LinkAccountIntent = z.strictObject({
  kind: z.literal("link_account"),
  /** The one-time code from the other chat ("link K7PQ2M9X"), upper case; absent asks for a new one. */
  code: z
    .string()
    .regex(/^[A-Z0-9]{6,12}$/)
    .optional(),
});
export const WithdrawIntent = z.strictObject({
  kind: z.literal("withdraw"),
  amountKobo: Kobo.optional(),
  /** The bank as the customer named it ("gtb", "opay"): the flow finds it in the gateway's list. */
  bank: z.string().min(2).max(40).optional(),
  /** A 10-digit NUBAN account number. */
  accountNumber: z
    .string()
    .regex(/^\d{10}$/)
    .optional(),
  problems: Problems.optional(),
});
/**
 * A gift room (DESIGN §8): open a new one, or (`mine`) see and close the ones already open. What
 * the message says of the new room is kept: "10 people 200 airtime each" → count 10, product
 * airtime, amountKobo 20_000 (per person); "1gb data to 5 people" → product data, sizeMb 1024.
 */
export const GiftRoomIntent = z.strictObject({
  kind: z.literal("gift_room"),
  mine: z.boolean().optional(),
  product: z.enum(["airtime", "data", "cash"]).optional(),
  /** How many people can receive. */
  count: z.int().positive().max(1_000_000).optional(),
  /** Airtime or cash per person, in kobo (kept when the product is not said yet). */
  amountKobo: Kobo.optional(),
  /** Data per person, binary MB. */
  sizeMb: z.int().positive().optional(),
  network: Network.optional(),
  problems: Problems.optional(),
});
/** "thank you", "thanks boss", "God bless you": answered kindly, never with the menu. */
export const ThanksIntent = z.strictObject({ kind: z.literal("thanks") });
/** "speak pidgin", "talk to me in English": the language of the replies from now on. */
export const LanguageIntent = z.strictObject({
  kind: z.literal("language"),
  language: z.enum(["en", "pcm"]),
});
/**
 * "which plan best for 2k?", "I dey use WhatsApp and small YouTube": data plan advice from the
 * catalogue. Every slot is what was said; the ranking fills in the rest from the customer's history.
 */
export const RecommendIntent = z.strictObject({
  kind: z.literal("recommend"),
  budgetKobo: Kobo.optional(),
  network: Network.optional(),
  usage: z.array(z.enum(DATA_USAGES)).min(1).max(DATA_USAGES.length).optional(),
  validityDays: z.int().positive().optional(),
});
/**
 * "my account number", "pay by transfer", "wetin be my account number": funding by bank transfer
 * (issue 17). The flow shows the customer's permanent account number, or how to get one (a BVN on
 * a secure page, never in the chat) and a one-time account number for `amountKobo`.
 */
export const AccountNumberIntent = z.strictObject({
  kind: z.literal("account_number"),
  amountKobo: Kobo.optional(),
  problems: Problems.optional(),
});
/**
 * "my referral link", "invite friends", "how I go refer person": the customer's own referral link
 * and how it pays. With `code` ("ref TADA7K2M9Q", "I was referred by …"): the code of the person
 * who invited them, to be applied (issue 18).
 */
export const ReferralIntent = z.strictObject({
  kind: z.literal("referral"),
  /** A referral code as `readReferralCode` normalises it: upper case, letters and digits. */
  code: z
    .string()
    .regex(/^[A-Z0-9]{4,20}$/)
    .optional(),
});
/**
 * "my points", "how many points I get", "redeem my points": the loyalty points balance and
 * statement, or (`action: "redeem"`) redeeming them to the wallet or for airtime (issue 18).
 */
export const PointsIntent = z.strictObject({
  kind: z.literal("points"),
  action: z.literal("redeem").optional(),
});
/**
 * "my tier", "what tier am I", "wetin be my level": the customer's tier, their delivered volume of
 * the last 30 days and what the next tier needs (issue 18 §3).
 */
export const TierIntent = z.strictObject({ kind: z.literal("tier") });
/**
 * How often a schedule buys: "every day", "every Friday" (weekday 0 = Sunday … 6 = Saturday),
 * "every month on the 1st" (day 31 or "month end": the month's last day), "every 3 days". A week
 * or month without its day is the day the schedule is made (the flow fills it in).
 */
export const ScheduleRecurrence = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("daily") }),
  z.strictObject({ kind: z.literal("weekly"), weekday: z.int().min(0).max(6).optional() }),
  z.strictObject({ kind: z.literal("monthly"), day: z.int().min(1).max(31).optional() }),
  z.strictObject({ kind: z.literal("every_n_days"), days: z.int().min(2).max(365) }),
]);
export type ScheduleRecurrence = z.infer<typeof ScheduleRecurrence>;

/**
 * "buy 1GB MTN for 0803… every month on the 1st", "every Friday ₦500 airtime for 0803…", "pay ₦5000
 * IKEDC prepaid 4512… every month on the 1st", "renew DStv 1234567890 every month on the 25th": a
 * recurring purchase (issue 19), with the purchase's own slots and how often. With `mine` ("my
 * schedules"): the customer's schedules, to pause, resume, skip or delete. With `fromLastOrder`
 * ("repeat my last order every month", "buy this again every Friday"): the customer's last delivered
 * order, on a schedule (DECISIONS §68). With `action: "change_amount"` ("change schedule 2 to ₦700",
 * "change my airtime schedule amount to 700"): a new amount for the schedule at `position` in "my
 * schedules" (1 = first), or the one of `service`.
 */
export const ScheduleIntent = z.strictObject({
  kind: z.literal("schedule"),
  mine: z.boolean().optional(),
  fromLastOrder: z.literal(true).optional(),
  action: z.literal("change_amount").optional(),
  position: z.int().min(1).max(99).optional(),
  service: z.enum(["airtime", "data", "electricity", "cable"]).optional(),
  disco: z.enum(DISCOS).optional(),
  meterType: z.enum(METER_TYPES).optional(),
  meterNumber: z
    .string()
    .regex(new RegExp(`^\\d{${METER_DIGITS.min},${METER_DIGITS.max}}$`))
    .optional(),
  provider: z.enum(CABLE_PROVIDERS).optional(),
  smartcard: z
    .string()
    .regex(new RegExp(`^\\d{${SMARTCARD_DIGITS.min},${SMARTCARD_DIGITS.max}}$`))
    .optional(),
  amountKobo: Kobo.optional(),
  phone: Phone.optional(),
  network: Network.optional(),
  networkSource: NetworkSource.optional(),
  forSelf: z.boolean().optional(),
  sizeMb: z.int().positive().optional(),
  validityDays: z.int().positive().optional(),
  recurrence: ScheduleRecurrence.optional(),
  problems: Problems.optional(),
});
/**
 * "my cable reminders", "my cards", "turn on reminders for 1234567890", "stop data reminders": the
 * customer's cable cards and purchase reminders (issue 19, DECISIONS §70), listed with a choice to
 * turn each on or off; with `action` (and a `topic` or a `smartcard`) that change is made at once.
 */
export const RemindersIntent = z.strictObject({
  kind: z.literal("reminders"),
  action: z.enum(["on", "off"]).optional(),
  topic: z.enum(["cable", "electricity", "data"]).optional(),
  smartcard: z
    .string()
    .regex(new RegExp(`^\\d{${SMARTCARD_DIGITS.min},${SMARTCARD_DIGITS.max}}$`))
    .optional(),
});
/** "same as last time", "buy am again": the customer's last purchase, shown back for Confirm + PIN. */
export const RepeatIntent = z.strictObject({ kind: z.literal("repeat") });
export const UnknownIntent = z.strictObject({ kind: z.literal("unknown") });

export const IntentSchema = z.discriminatedUnion("kind", [
  BalanceIntent,
  FundIntent,
  AirtimeIntent,
  DataIntent,
  CableIntent,
  ElectricityIntent,
  HistoryIntent,
  ReceiptIntent,
  HelpIntent,
  CancelIntent,
  MenuIntent,
  GreetingIntent,
  ChangePinIntent,
  ResetPinIntent,
  LinkAccountIntent,
  WithdrawIntent,
  GiftRoomIntent,
  ThanksIntent,
  LanguageIntent,
  RecommendIntent,
  RepeatIntent,
  AccountNumberIntent,
  ReferralIntent,
  PointsIntent,
  TierIntent,
  ScheduleIntent,
  RemindersIntent,
  UnknownIntent,
]);

export type Intent = z.infer<typeof IntentSchema>;
export type IntentKind = Intent["kind"];
/** The intent of one kind: `IntentOf<"airtime">`. */
export type IntentOf<K extends IntentKind> = Extract<Intent, { kind: K }>;

export const INTENT_KINDS = IntentSchema.options.map((option) => option.shape.kind.value) as IntentKind[];

/** Kinds that end in a purchase (confirmation + PIN). */
export const PURCHASE_KINDS = [
  "airtime",
  "data",
  "cable",
  "electricity",
] as const satisfies readonly IntentKind[];
