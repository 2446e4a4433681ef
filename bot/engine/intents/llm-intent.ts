import type { z } from "zod";
import {
  bouquetSlug,
  parseCableName,
  parseDataSizeMb,
  parseDiscoName,
  parseNetworkName,
  parseValidityDays,
} from "../../../api/services/catalogue/normalize";
import { normalizePhone } from "../../../api/services/phone";
import type { CableProvider, Disco, Network } from "../../../api/services/vtu/provider";
import { type Intent, IntentSchema } from "./intent";
import { INTENT_TOOLS, isToolName, type ToolName } from "./llm-tools";

/**
 * A model's tool call → an `Intent`, trusting nothing the model says: the arguments are parsed with
 * the tool's zod schema, names are normalised with the catalogue's own parsers, amounts are
 * converted to kobo here (never by the model), every phone, meter, smartcard, amount, size and order
 * reference must be visible in the customer's own message, and the intent must pass `IntentSchema`
 * like the grammar's. A number the model made up is a problem, so the customer gets the menu
 * instead of a purchase. Problems name the field, never its value: they end up in logs.
 */

/** Amounts above ₦10,000,000 are not amounts anyone buys airtime with: a misread number. */
export const MAX_AMOUNT_KOBO = 1_000_000_000;
const DETAIL_LIMIT = 300;

export type ToolCallReading = { intent: Intent } | { problem: string };

/** `message` is the customer's text the values must come from. */
export function toIntent(
  call: { name: string; arguments: Record<string, unknown> },
  message: string,
): ToolCallReading {
  const { name } = call;
  if (!isToolName(name)) {
    return { problem: `unknown tool "${name.slice(0, 40)}"` };
  }
  const tool = INTENT_TOOLS[name];
  const parsed = tool.args.safeParse(given(call.arguments));
  if (!parsed.success) {
    return { problem: `${name}: ${issuesOf(parsed.error)}` };
  }
  const slots = slotsOf(name, parsed.data, message);
  if ("problem" in slots) {
    return { problem: `${name}: ${slots.problem}` };
  }
  const intent = IntentSchema.safeParse({ kind: tool.kind, ...slots.value });
  return intent.success ? { intent: intent.data } : { problem: `${name}: ${issuesOf(intent.error)}` };
}

/** Arguments with null and "" values dropped: models send them for "unknown". */
function given(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(args).filter(
      ([, field]) => field !== null && !(typeof field === "string" && field.trim() === ""),
    ),
  );
}

type Slots = { value: Record<string, unknown> } | { problem: string };
type ArgsOf<N extends ToolName> = z.infer<(typeof INTENT_TOOLS)[N]["args"]>;

/** The intent's slots from a tool's parsed arguments; tools without arguments have none. */
function slotsOf(name: ToolName, args: Record<string, unknown>, message: string): Slots {
  const read = SLOTS[name] as ((args: Record<string, unknown>, message: string) => Slots) | undefined;
  return read ? read(args, message) : { value: {} };
}

const amountOnly = (args: { amount?: string | number }, message: string): Slots =>
  slots({ amountKobo: amountFrom(args.amount, evidenceIn(message)) });

const SLOTS: { [N in ToolName]?: (args: ArgsOf<N>, message: string) => Slots } = {
  fund_wallet: amountOnly,
  fund_by_transfer: amountOnly,
  withdraw: amountOnly,
  buy_airtime: (args, message) => {
    const evidence = evidenceIn(message);
    return slots(
      {
        amountKobo: amountFrom(args.amount, evidence),
        phone: phoneFrom(args.phone, evidence),
        ...networkSlots(args.network, message),
      },
      { forSelf: args.for_self },
    );
  },
  buy_data: (args, message) => {
    const evidence = evidenceIn(message);
    return slots(
      {
        ...networkSlots(args.network, message),
        sizeMb: sizeFrom(args.size, evidence),
        validityDays: validityFrom(args.validity),
        phone: phoneFrom(args.phone, evidence),
      },
      { forSelf: args.for_self },
    );
  },
  pay_cable: (args, message) => {
    const evidence = evidenceIn(message);
    const provider = cableFrom(args.provider);
    return slots(
      {
        provider,
        smartcard: identifierFrom("smartcard", args.smartcard, 10, 12, evidence),
        bouquet: bouquetFrom(args.bouquet, value(provider)),
      },
      { subscription: args.subscription },
    );
  },
  buy_electricity: (args, message) => {
    const evidence = evidenceIn(message);
    return slots(
      {
        disco: discoFrom(args.disco),
        meterNumber: identifierFrom("meter_number", args.meter_number, 10, 13, evidence),
        amountKobo: amountFrom(args.amount, evidence),
      },
      { meterType: args.meter_type },
    );
  },
  get_receipt: (args, message) => slots({ orderRef: orderRefFrom(args.order_ref, message) }),
  recommend_data_plan: (args, message) =>
    slots(
      {
        budgetKobo: amountFrom(args.budget, evidenceIn(message)),
        // A recommendation's network is only a filter: it needs no "said" source.
        network: networkFrom(args.network, message),
        validityDays: validityFrom(args.validity),
      },
      { usage: args.usage ? [...new Set(args.usage)] : undefined },
    ),
  gift_room: (args) => slots({}, { mine: args.mine || undefined }),
  // The schedule's details are read by the grammar from the customer's own words; the model only
  // says which conversation it is (the flow shows how to write a schedule).
  scheduled_purchases: (args) => slots({}, { mine: args.mine || undefined }),
  loyalty_points: (args) => slots({}, { action: args.redeem ? "redeem" : undefined }),
  // A smartcard is read by the grammar from the customer's own words, never from the model.
  reminder_settings: (args) => slots({}, { action: args.action, topic: args.topic }),
};

// ---------------------------------------------------------------------------------------------
// Fields. Each gives `{ value }` (undefined when the model left it out) or `{ problem }`. Problems
// name the field, never its value: details end up in logs, and values are phone and meter numbers.
// ---------------------------------------------------------------------------------------------

type Field<T> = { value: T | undefined } | { problem: string };

function value<T>(field: Field<T>): T | undefined {
  return "value" in field ? field.value : undefined;
}

/** The checked fields (the first problem wins) and plain ones, without the ones left out. */
function slots(checked: Record<string, Field<unknown>>, plain: Record<string, unknown> = {}): Slots {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(checked)) {
    if ("problem" in field) {
      return field;
    }
    if (field.value !== undefined) {
      out[key] = field.value;
    }
  }
  for (const [key, given] of Object.entries(plain)) {
    if (given !== undefined) {
      out[key] = given;
    }
  }
  return { value: out };
}

function amountFrom(raw: string | number | undefined, evidence: Evidence): Field<number> {
  if (raw === undefined) {
    return { value: undefined };
  }
  const kobo = parseNairaAmount(raw);
  if (kobo === undefined) {
    return { problem: "amount is not a positive amount in naira" };
  }
  if (!evidence.amountsKobo.has(kobo)) {
    return { problem: "amount is not in the customer's message" };
  }
  return { value: kobo };
}

function phoneFrom(raw: string | undefined, evidence: Evidence): Field<string> {
  if (raw === undefined) {
    return { value: undefined };
  }
  let phone: string;
  try {
    phone = normalizePhone(raw);
  } catch {
    return { problem: "phone is not a Nigerian mobile number" };
  }
  // The last ten digits: "+234 803…" in the message and "0803…" from the model are the same line.
  if (!evidence.digitRuns.some((run) => run.includes(phone.slice(1)))) {
    return { problem: "phone is not in the customer's message" };
  }
  return { value: phone };
}

function identifierFrom(
  field: string,
  raw: string | undefined,
  minDigits: number,
  maxDigits: number,
  evidence: Evidence,
): Field<string> {
  if (raw === undefined) {
    return { value: undefined };
  }
  const digits = raw.replace(/[\s-]/g, "");
  if (!/^\d+$/.test(digits) || digits.length < minDigits || digits.length > maxDigits) {
    return { problem: `${field} is not ${minDigits} to ${maxDigits} digits` };
  }
  if (!evidence.digitRuns.some((run) => run.includes(digits))) {
    return { problem: `${field} is not in the customer's message` };
  }
  return { value: digits };
}

/**
 * The network only when the customer named it: a model that "knows" 0803 is MTN is guessing from the
 * prefix, and numbers are portable, so that guess is left to the engine, which asks to confirm it.
 */
function networkFrom(raw: string | undefined, message: string): Field<Network> {
  if (raw === undefined) {
    return { value: undefined };
  }
  const network = parseNetworkName(raw);
  if (!network) {
    return { problem: "network is not one we know" };
  }
  return { value: parseNetworkName(message) === network ? network : undefined };
}

/** A network the customer named (see `networkFrom`), so its source is "said". */
function networkSlots(raw: string | undefined, message: string): Record<string, Field<unknown>> {
  const network = networkFrom(raw, message);
  return value(network) ? { network, networkSource: { value: "said" } } : { network };
}

function cableFrom(raw: string | undefined): Field<CableProvider> {
  if (raw === undefined) {
    return { value: undefined };
  }
  const cable = parseCableName(raw);
  return cable ? { value: cable } : { problem: "provider is not a cable provider we know" };
}

function discoFrom(raw: string | undefined): Field<Disco> {
  if (raw === undefined) {
    return { value: undefined };
  }
  const disco = parseDiscoName(raw);
  return disco ? { value: disco } : { problem: "disco is not a DisCo we know" };
}

/** The catalogue's bouquet slug ("DStv Compact Plus" → "compact-plus"). */
function bouquetFrom(raw: string | undefined, provider: CableProvider | undefined): Field<string> {
  if (raw === undefined) {
    return { value: undefined };
  }
  const cable = provider ?? parseCableName(raw);
  const slug = cable
    ? bouquetSlug(cable, raw)
    : raw
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "");
  return slug === "" ? { problem: "bouquet is not a bouquet name" } : { value: slug };
}

function sizeFrom(raw: string | undefined, evidence: Evidence): Field<number> {
  if (raw === undefined) {
    return { value: undefined };
  }
  const sizeMb = parseDataSizeMb(raw);
  if (sizeMb === undefined) {
    return { problem: "size is not a data size with a unit" };
  }
  const number = /\d+(?:\.\d+)?/.exec(raw.replace(/,/g, ""))?.[0];
  if (number === undefined || !evidence.numbers.has(Number(number))) {
    return { problem: "size is not in the customer's message" };
  }
  return { value: sizeMb };
}

function validityFrom(raw: string | undefined): Field<number> {
  if (raw === undefined) {
    return { value: undefined };
  }
  const days = parseValidityDays(raw);
  return days === undefined ? { problem: "validity is not a number of days" } : { value: days };
}

function orderRefFrom(raw: string | undefined, message: string): Field<string> {
  if (raw === undefined) {
    return { value: undefined };
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/.test(raw)) {
    return { problem: "order_ref is not a reference" };
  }
  if (!message.toLowerCase().includes(raw.toLowerCase())) {
    return { problem: "order_ref is not in the customer's message" };
  }
  return { value: raw };
}

// ---------------------------------------------------------------------------------------------
// Evidence: what numbers the customer actually wrote
// ---------------------------------------------------------------------------------------------

type Evidence = {
  /** Runs of digits with the spaces, dashes, dots and brackets inside them removed ("0803 123 4567"). */
  digitRuns: string[];
  /** Every amount the message could mean ("1.5k", "1,500", "₦500"), in kobo. */
  amountsKobo: Set<number>;
  /** Every plain number in the message ("1.5" in "1.5gb"). */
  numbers: Set<number>;
};

function evidenceIn(message: string): Evidence {
  const compact = message.replace(/(?<=\d)[\s\-.()]+(?=[\d(])/g, "").replace(/[()]/g, "");
  const digitRuns = compact.match(/\d+/g) ?? [];
  const amountsKobo = new Set<number>();
  for (const match of message.matchAll(/(\d[\d,]*(?:\.\d+)?)(?:\s*([km])(?![a-z]))?/gi)) {
    const kobo = parseNairaAmount(`${match[1]}${match[2] ?? ""}`);
    if (kobo !== undefined) {
      amountsKobo.add(kobo);
    }
  }
  const numbers = new Set((message.replace(/,/g, "").match(/\d+(?:\.\d+)?/g) ?? []).map(Number));
  return { digitRuns, amountsKobo, numbers };
}

/**
 * Naira as people write it → integer kobo: "1.5k" → 150000, "₦1,500" → 150000, "1500 naira",
 * "N500", 1500, "2m". Undefined for anything else: zero, negatives, more precision than a kobo,
 * misplaced commas, or more than MAX_AMOUNT_KOBO.
 */
export function parseNairaAmount(input: string | number): number | undefined {
  if (typeof input === "number" && (!Number.isFinite(input) || input <= 0)) {
    return undefined;
  }
  const text = String(input)
    .trim()
    .toLowerCase()
    .replace(/^(?:₦|ngn|n)\s*/, "")
    .replace(/\s*(?:naira|ngn)$/, "")
    .replace(/\s+/g, "");
  const match = /^(\d{1,3}(?:,\d{3})+|\d{1,13})(?:\.(\d{1,6}))?([km])?$/.exec(text);
  if (!match?.[1]) {
    return undefined;
  }
  const fraction = match[2] ?? "";
  const multiplier = match[3] === "k" ? 1_000n : match[3] === "m" ? 1_000_000n : 1n;
  const scaled = BigInt(match[1].replace(/,/g, "") + fraction) * multiplier * 100n;
  const divisor = 10n ** BigInt(fraction.length);
  if (scaled % divisor !== 0n) {
    return undefined;
  }
  const kobo = scaled / divisor;
  return kobo > 0n && kobo <= BigInt(MAX_AMOUNT_KOBO) ? Number(kobo) : undefined;
}

function issuesOf(error: z.ZodError): string {
  const text = error.issues
    .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
  return text.length > DETAIL_LIMIT ? `${text.slice(0, DETAIL_LIMIT)}…` : text;
}
