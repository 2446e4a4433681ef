import { z } from "zod";
import { CABLE_PROVIDERS, DISCOS, METER_TYPES, NETWORKS } from "../../../api/services/vtu/provider";

/**
 * What a customer wants, in our vocabulary. Produced by the deterministic grammar (`grammar.ts`) and,
 * later, by the LLM's tool calls (validated with `IntentSchema`). Every slot is optional: an intent is
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

export const BalanceIntent = z.strictObject({ kind: z.literal("balance") });

export const FundIntent = z.strictObject({ kind: z.literal("fund"), amountKobo: Kobo.optional() });

export const AirtimeIntent = z.strictObject({
  kind: z.literal("airtime"),
  amountKobo: Kobo.optional(),
  phone: Phone.optional(),
  network: Network.optional(),
  networkSource: NetworkSource.optional(),
  /** "my number", "me", "myself": the recipient is the customer's own number. */
  forSelf: z.boolean().optional(),
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
});

export const CableIntent = z.strictObject({
  kind: z.literal("cable"),
  provider: z.enum(CABLE_PROVIDERS).optional(),
  /** DStv/GOtv smartcard or IUC (10 digits), StarTimes smartcard (11). */
  smartcard: z
    .string()
    .regex(/^\d{10,12}$/)
    .optional(),
  /** Canonical bouquet slug, as the catalogue names it: "compact", "compact-plus", "jinja". */
  bouquet: z
    .string()
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/)
    .optional(),
  /** renew: pay for the bouquet already on the card. change: move to another bouquet. */
  subscription: z.enum(["renew", "change"]).optional(),
});

export const ElectricityIntent = z.strictObject({
  kind: z.literal("electricity"),
  disco: z.enum(DISCOS).optional(),
  meterType: z.enum(METER_TYPES).optional(),
  meterNumber: z
    .string()
    .regex(/^\d{10,13}$/)
    .optional(),
  amountKobo: Kobo.optional(),
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
export const WithdrawIntent = z.strictObject({ kind: z.literal("withdraw"), amountKobo: Kobo.optional() });
/** A gift room (DESIGN §8): open a new one, or (`mine`) see and close the ones already open. */
export const GiftRoomIntent = z.strictObject({ kind: z.literal("gift_room"), mine: z.boolean().optional() });
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
