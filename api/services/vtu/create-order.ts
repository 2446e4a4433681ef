import { sql } from "kysely";
import { z } from "zod";
import type { VtuOrderRow } from "../../../db/database";
import type { Config } from "../../config";
import { bouquetSlug } from "../catalogue/normalize";
import { type Offer, type ProductRow, priceOffer, type TierPricing } from "../catalogue/offers";
import { type CatalogueCache, offersFor, ruleFor } from "../catalogue/order-cache";
import type { ServiceContext } from "../context";
import { ServiceError, ValidationError } from "../errors";
import { newId } from "../ids";
import { assertIdempotencyKey, findIdempotentReplay, fingerprintOf, ledgerCallError } from "../ledger";
import { formatNaira } from "../money";
import { guessNetwork, maskPhone, normalizePhone } from "../phone";
import { knownPinHash, verifyPin } from "../pins";
import { REGULAR_TIER, tierPricingFor } from "../rewards/tiers";
import { getOrder } from "./get-orders";
import { type OrderDto, toOrderDto } from "./order-dto";
import { runOrderChecks } from "./order-prechecks";
import { CABLE_PROVIDERS, DISCOS, METER_TYPES, NETWORKS, type Network, type VtuService } from "./provider";
import type { VtuRuntime } from "./runtime";
import { verifyAccount } from "./verify-account";

const pin = z.string().min(1, "Send your transaction PIN as `pin`.").max(12);
const kobo = z
  .number()
  .int("must be a whole number of kobo")
  .positive("must be more than zero")
  .max(Number.MAX_SAFE_INTEGER);
const phone = z.string().min(1).max(30);

export const AirtimeOrderInput = z.strictObject({
  network: z.enum(NETWORKS).optional(),
  phone,
  amountKobo: kobo,
  pin,
});
export const DataOrderInput = z.strictObject({
  network: z.enum(NETWORKS).optional(),
  phone,
  planId: z.string().min(1).max(100),
  pin,
});
export const CableOrderInput = z.strictObject({
  provider: z.enum(CABLE_PROVIDERS),
  smartcard: z.string().regex(/^\d{8,12}$/, "must be the 8–12 digit smartcard/IUC number"),
  subscription: z.enum(["renew", "change"]),
  /** Required for "change": the bouquet to switch to (GET /api/vtu/cable/bouquets). */
  bouquetId: z.string().min(1).max(100).optional(),
  phone: phone.optional(),
  pin,
});
export const ElectricityOrderInput = z.strictObject({
  disco: z.enum(DISCOS),
  meterType: z.enum(METER_TYPES),
  meterNumber: z.string().regex(/^\d{6,13}$/, "must be the 6–13 digit meter number"),
  amountKobo: kobo,
  phone: phone.optional(),
  pin,
});

export type OrderInput =
  | { service: "airtime"; input: z.input<typeof AirtimeOrderInput> }
  | { service: "data"; input: z.input<typeof DataOrderInput> }
  | { service: "cable"; input: z.input<typeof CableOrderInput> }
  | { service: "electricity"; input: z.input<typeof ElectricityOrderInput> };

/** Everything needed to write the order row, decided before any money moves. */
type PlannedOrder = {
  service: VtuService;
  product: ProductRow;
  offer: Offer;
  recipient: string;
  network: Network | null;
  meterType: "prepaid" | "postpaid" | null;
  subscription: "renew" | "change" | null;
  contactPhone: string | null;
  customerName: string | null;
  faceAmountKobo: number;
  priceKobo: number;
  /** The customer tier the price is for (gift claims: Regular, the room pays). */
  priceTier: string;
  description: string;
  /** What must match on an idempotent replay (never the PIN). */
  fingerprint: Record<string, unknown>;
  /**
   * The boot of the process that will dispatch the submit job (processes.ts). Recorded as the held
   * order's lease owner, so if that process dies before its job runs, the sweeper sends the order at
   * once instead of after the 15 s grace.
   */
  dispatcher: string | null;
};

/**
 * Buy something from the wallet (airtime, data, cable, electricity). Order of work:
 *   1. a replayed Idempotency-Key returns the existing order (no PIN, no provider call, no money);
 *      with it, in one statement, the account's status, the rate limit and the open-orders cap
 *      (order-prechecks.ts);
 *   2. the PIN is checked; 3. the product is priced and, for cable/electricity, the account verified;
 *   4. one statement (`vtu_create_order`): idempotency key + hold + order row (state `held`);
 *   5. after commit, a submit-order job is triggered (if that fails, the sweeper finds the order).
 * For airtime and data with a PIN this process saw match moments ago, 1, 2 and 4 are one statement
 * (`vtu_checked_create_order`, DECISIONS §47); the answer is built from the row written, not read.
 */
export async function createOrder(args: {
  ctx: ServiceContext;
  vtu: VtuRuntime;
  userId: string;
  actor: string;
  channel: string;
  idempotencyKey: string;
  order: OrderInput;
  /** Set only by createAuthorisedOrder: no PIN now, a price ceiling instead. */
  authorisation?: StandingAuthorisation;
}): Promise<{ order: OrderDto; replayed: boolean }> {
  const { ctx, userId, authorisation } = args;
  const parsed = parseOrder(args.order);
  const scope = `user:${userId}`;
  const operation = `vtu.${args.order.service}`;
  const request = { scope, key: args.idempotencyKey, operation, params: preliminaryFingerprint(parsed) };
  assertIdempotencyKey(args.idempotencyKey);
  const replay = async (orderId: string) => ({
    order: await getOrder({ ctx, userId, orderId }),
    replayed: true,
  });

  try {
    precheck(ctx.config, parsed);
    await assertWholeNairaWhereNeeded(ctx, args.vtu, parsed);
  } catch (error) {
    // A replay returns what the first request got, even if the rules changed since.
    const existing = await findIdempotentReplay<{ orderId?: string } | null>(ctx.db, request);
    if (existing?.orderId) {
      return replay(existing.orderId);
    }
    throw error;
  }
  const write = {
    ctx,
    userId,
    scope,
    key: args.idempotencyKey,
    operation,
    channel: args.channel,
    apiKeyId: apiKeyIdOf(args.actor),
  };
  const fingerprint = fingerprintOf(operation, request.params);

  // A PIN this process saw match moments ago: the checks, the PIN and the order in one statement.
  // Airtime and data only, whose planning asks no provider (cable and electricity verify the account
  // first, which must not happen for a wrong PIN).
  const knownHash =
    !authorisation && (parsed.service === "airtime" || parsed.service === "data")
      ? knownPinHash(ctx.config, userId, parsed.input.pin)
      : undefined;
  const quickPlan = knownHash
    ? await planOrder(ctx, args.vtu, parsed, userId).catch(() => undefined)
    : undefined;
  const quickRow =
    quickPlan &&
    plannedOrderRow(ctx, { planned: quickPlan, userId, channel: args.channel, apiKeyId: write.apiKeyId });
  const checks = await runOrderChecks(ctx, {
    userId,
    scope,
    key: args.idempotencyKey,
    operation,
    fingerprint,
    order:
      quickPlan && quickRow && knownHash
        ? { row: quickRow, description: quickPlan.description, pinHash: knownHash }
        : undefined,
  });
  if (checks.kind === "replayed") {
    return replay(checks.orderId);
  }
  if (checks.kind === "created" && quickPlan && quickRow) {
    return placed(args.vtu, write, quickPlan, quickRow);
  }
  if (checks.kind !== "check-pin") {
    throw new Error("an order was made without its plan");
  }
  // The rate slot is counted; now the PIN, from the row the checks read (a standing authorisation
  // was given with the PIN earlier: its ceiling is checked on the price instead).
  if (!authorisation) {
    await verifyPin({ ctx, userId, pin: parsed.input.pin, firstRead: checks.pin });
  }
  const planned = quickPlan ?? (await planOrder(ctx, args.vtu, parsed, userId));
  if (authorisation && planned.priceKobo > authorisation.maxPriceKobo) {
    throw new ServiceError(
      "unprocessable",
      "PRICE_ABOVE_AUTHORISED",
      `${planned.description} now costs ${formatNaira(planned.priceKobo)}, more than the ${formatNaira(authorisation.maxPriceKobo)} authorised.`,
      { priceKobo: planned.priceKobo, maxPriceKobo: authorisation.maxPriceKobo },
    );
  }
  const written = await writeOrder(write, planned);
  return written.replayed ? replay(written.orderId) : placed(args.vtu, write, planned, written.row);
}

/**
 * A standing authorisation the customer gave earlier with their PIN (a schedule, DECISIONS §65):
 * the order is placed without a PIN, but never for more than `maxPriceKobo`.
 */
export type StandingAuthorisation = { kind: "schedule"; scheduleId: string; maxPriceKobo: number };

type WithoutPin<T> = T extends { service: infer S; input: infer I }
  ? { service: S; input: Omit<I, "pin"> }
  : never;
export type AuthorisedOrderInput = WithoutPin<OrderInput>;

/**
 * An order under a standing authorisation: everything createOrder does (idempotency key, account
 * checks, rate and open-order limits, pricing, the hold and the order row in one statement, the
 * submit job) except asking for the PIN; a price above the authorised ceiling is refused with
 * PRICE_ABOVE_AUTHORISED before any money moves.
 */
export function createAuthorisedOrder(args: {
  ctx: ServiceContext;
  vtu: VtuRuntime;
  userId: string;
  actor: string;
  channel: string;
  idempotencyKey: string;
  order: AuthorisedOrderInput;
  authorisation: StandingAuthorisation;
}): Promise<{ order: OrderDto; replayed: boolean }> {
  // The PIN field only satisfies the schema: the authorisation stands in for it (never compared).
  const order = { service: args.order.service, input: { ...args.order.input, pin: "-" } } as OrderInput;
  return createOrder({ ...args, order });
}

type OrderWrite = {
  ctx: ServiceContext;
  userId: string;
  scope: string;
  key: string;
  operation: string;
  channel: string;
  apiKeyId: string | null;
};

/**
 * The API key an order is placed with, from the actor the route names (`api_key:<key id>`): the
 * order keeps it, so its final state can be called back to the key's URL (DECISIONS §71).
 */
function apiKeyIdOf(actor: string): string | null {
  return actor.startsWith("api_key:") ? actor.slice("api_key:".length) || null : null;
}

/** Write the key, hold and order in one statement (`vtu_create_order`). */
async function writeOrder(
  write: OrderWrite,
  planned: PlannedOrder,
): Promise<{ orderId: string; replayed: boolean; row: VtuOrderRow }> {
  const { ctx } = write;
  const row = plannedOrderRow(ctx, {
    planned,
    userId: write.userId,
    channel: write.channel,
    apiKeyId: write.apiKeyId,
  });
  let created: { order_id: string; replayed: boolean } | undefined;
  try {
    const { rows } = await sql<{ order_id: string; replayed: boolean }>`
      SELECT order_id, replayed FROM vtu_create_order(
        ${write.scope}, ${write.key}, ${write.operation}, ${fingerprintOf(write.operation, planned.fingerprint)},
        ${write.userId}, ${ctx.config.SYSTEM_ACCOUNT_SHARDS}::integer, ${planned.description},
        ${JSON.stringify(row)}::jsonb)`.execute(ctx.db);
    created = rows[0];
  } catch (error) {
    throw ledgerCallError(error);
  }
  if (!created) {
    throw new Error("vtu_create_order returned no row");
  }
  return { orderId: created.order_id, replayed: created.replayed, row };
}

/** A new order: its submit job dispatched, and the answer built from the row as written. */
async function placed(
  vtu: VtuRuntime,
  write: OrderWrite,
  planned: PlannedOrder,
  row: VtuOrderRow,
): Promise<{ order: OrderDto; replayed: boolean }> {
  await vtu
    .dispatch({
      name: "submit-order",
      orderId: row.id,
      plan: { service: row.service, productId: row.product_id, faceAmountKobo: row.face_amount_kobo },
    })
    .catch((err) =>
      write.ctx.logger.warn({ err, orderId: row.id }, "could not enqueue submit-order; the sweeper will"),
    );
  // Nothing else can have changed the row that the customer must see now (a later state arrives
  // through waitForOrderOutcome).
  return {
    order: toOrderDto(write.ctx.config, { ...row, product_name: planned.product.name }),
    replayed: false,
  };
}

/**
 * The order row a plan becomes (state held; the hold and key ids are the database's to fill in),
 * as `vtu_insert_held_order` takes it: purchases here, gift claims in gift_claim_order.
 */
export function plannedOrderRow(
  ctx: ServiceContext,
  args: { planned: PlannedOrder; userId: string; channel: string; apiKeyId?: string | null },
): VtuOrderRow {
  const { planned } = args;
  const now = ctx.now();
  return {
    id: newId("ord", now.getTime()),
    user_id: args.userId,
    service: planned.service,
    product_id: planned.product.id,
    state: "held",
    recipient: planned.recipient,
    network: planned.network,
    meter_type: planned.meterType,
    subscription: planned.subscription,
    contact_phone: planned.contactPhone,
    customer_name: planned.customerName,
    face_amount_kobo: planned.faceAmountKobo,
    price_kobo: planned.priceKobo,
    cost_kobo: null,
    provider: planned.offer.provider,
    hold_id: 0,
    settle_entry_id: null,
    reversal_entry_id: null,
    idempotency_key_id: null,
    channel: args.channel,
    token_encrypted: null,
    units: null,
    message: null,
    requery_count: 0,
    // If the submit job is lost, the sweeper sends it after this (or at once, once the process
    // that was to dispatch it is known to be gone).
    next_check_at: new Date(now.getTime() + 15_000),
    unresolved_since: null,
    delivered_at: null,
    failed_at: null,
    reversed_at: null,
    verify_due_at: null,
    verify_count: 0,
    lease_owner: planned.dispatcher,
    webhook_requery_at: null,
    price_tier: planned.priceTier,
    api_key_id: args.apiKeyId ?? null,
    created_at: now,
    updated_at: now,
  };
}

/** An airtime or data order paid by someone other than the recipient (a gift): no PIN. */
export type PaidForOrderInput =
  | { service: "airtime"; input: Omit<z.input<typeof AirtimeOrderInput>, "pin"> }
  | { service: "data"; input: Omit<z.input<typeof DataOrderInput>, "pin"> };

/** Price and check an airtime or data order with the same rules as a purchase (ranges, networks, plans). */
export async function planPaidForOrder(
  ctx: ServiceContext,
  vtu: VtuRuntime,
  order: PaidForOrderInput,
): Promise<PlannedOrder> {
  // The PIN was the payer's business when the money moved; here it only satisfies the schema.
  const parsed = parseOrder({ service: order.service, input: { ...order.input, pin: "-" } } as OrderInput);
  // Regular prices: the room pays, not the claimer (DECISIONS §62).
  return planOrder(ctx, vtu, parsed, null);
}

export type { PlannedOrder };

type ParsedOrder =
  | { service: "airtime"; input: z.output<typeof AirtimeOrderInput>; phone: string }
  | { service: "data"; input: z.output<typeof DataOrderInput>; phone: string }
  | { service: "cable"; input: z.output<typeof CableOrderInput>; phone: string | null }
  | { service: "electricity"; input: z.output<typeof ElectricityOrderInput>; phone: string | null };

function parseOrder(order: OrderInput): ParsedOrder {
  const fail = (error: z.ZodError): never => {
    const issue = error.issues[0];
    const field = issue?.path.join(".") || undefined;
    throw new ValidationError(
      issue?.code === "unrecognized_keys"
        ? `Unknown field(s): ${issue.keys.join(", ")}.`
        : `${field ?? "body"}: ${issue?.message ?? "is invalid"}.`,
      { field, issues: error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) },
    );
  };
  const optionalPhone = (p: string | undefined) => (p === undefined ? null : normalizePhone(p));
  switch (order.service) {
    case "airtime": {
      const r = AirtimeOrderInput.safeParse(order.input);
      return r.success
        ? { service: "airtime", input: r.data, phone: normalizePhone(r.data.phone) }
        : fail(r.error);
    }
    case "data": {
      const r = DataOrderInput.safeParse(order.input);
      return r.success
        ? { service: "data", input: r.data, phone: normalizePhone(r.data.phone) }
        : fail(r.error);
    }
    case "cable": {
      const r = CableOrderInput.safeParse(order.input);
      return r.success
        ? { service: "cable", input: r.data, phone: optionalPhone(r.data.phone) }
        : fail(r.error);
    }
    case "electricity": {
      const r = ElectricityOrderInput.safeParse(order.input);
      return r.success
        ? { service: "electricity", input: r.data, phone: optionalPhone(r.data.phone) }
        : fail(r.error);
    }
  }
}

/** The request as the customer sent it (minus the PIN): what a replay must repeat exactly. */
function preliminaryFingerprint(parsed: ParsedOrder): Record<string, unknown> {
  const { pin: _pin, ...rest } = parsed.input;
  return { ...rest, ...(parsed.phone ? { phone: parsed.phone } : {}) };
}

/** Mistakes we can point out before asking for the PIN (the full checks run again in planOrder). */
function precheck(config: Config, parsed: ParsedOrder): void {
  if (parsed.service === "airtime") {
    assertRange(config, "airtime", parsed.input.amountKobo);
    confirmedNetwork(parsed.phone, parsed.input.network);
  } else if (parsed.service === "electricity") {
    assertRange(config, "electricity", parsed.input.amountKobo);
  }
}

/** The product an airtime or electricity order is for, with its face amount. */
function faceAmountOf(parsed: ParsedOrder): { productId: string; amountKobo: number } | undefined {
  if (parsed.service === "airtime") {
    return parsed.input.network
      ? { productId: `airtime:${parsed.input.network}`, amountKobo: parsed.input.amountKobo }
      : undefined;
  }
  if (parsed.service === "electricity") {
    return { productId: `electricity:${parsed.input.disco}`, amountKobo: parsed.input.amountKobo };
  }
  return undefined;
}

/**
 * Inlomax and SME Plug take airtime (Inlomax electricity too) in whole naira. An amount with kobo in
 * it would go out as 50.5 and be refused, rounded or misread there; and any provider that could serve
 * the order may end up serving it (failover), so the amount must suit every one of them.
 */
async function assertWholeNairaWhereNeeded(
  ctx: ServiceContext,
  vtu: VtuRuntime,
  parsed: ParsedOrder,
): Promise<void> {
  const face = faceAmountOf(parsed);
  if (!face || face.amountKobo % 100 === 0) {
    return;
  }
  const { offers } = await offersFor(vtu.catalogue, ctx.db, face.productId).catch(() => ({
    offers: [] as Offer[],
  }));
  const strict = offers.some((offer) =>
    vtu.providers.get(offer.provider)?.wholeNairaServices.includes(parsed.service),
  );
  if (strict) {
    const lower = Math.floor(face.amountKobo / 100) * 100;
    throw new ValidationError(
      `${parsed.service === "airtime" ? "Airtime" : "Electricity"} is sold in whole naira: ${formatNaira(face.amountKobo)} has kobo in it. Send amountKobo ${lower} (${formatNaira(lower)}) or ${lower + 100} (${formatNaira(lower + 100)}).`,
      { field: "amountKobo", amountKobo: face.amountKobo },
      "AMOUNT_NOT_WHOLE_NAIRA",
    );
  }
}

/**
 * Price and check an order. `buyer` is the customer whose tier prices it (read once, here: the price
 * goes into the row and the hold, so a later change of tier does not touch it), or null for Regular
 * prices (a gift claim).
 */
async function planOrder(
  ctx: ServiceContext,
  vtu: VtuRuntime,
  parsed: ParsedOrder,
  buyer: string | null,
): Promise<PlannedOrder> {
  const [, tier] = await Promise.all([
    assertWholeNairaWhereNeeded(ctx, vtu, parsed),
    buyer === null ? null : tierPricingFor(vtu.catalogue, ctx.db, buyer),
  ]);
  const fingerprint = preliminaryFingerprint(parsed);
  const common = {
    priceTier: tier?.code ?? REGULAR_TIER,
    meterType: null,
    subscription: null,
    customerName: null,
    fingerprint,
    dispatcher: vtu.owner ?? null,
  } as const;
  switch (parsed.service) {
    case "airtime": {
      const { input } = parsed;
      assertRange(ctx.config, "airtime", input.amountKobo);
      const network = confirmedNetwork(parsed.phone, input.network);
      const { product, offer, priced } = await priceProduct(
        ctx,
        `airtime:${network}`,
        "airtime",
        input.amountKobo,
        vtu.catalogue,
        tier,
      );
      return {
        ...common,
        service: "airtime",
        product,
        offer,
        recipient: parsed.phone,
        network,
        contactPhone: parsed.phone,
        ...priced,
        description: `${product.name} ${formatNaira(input.amountKobo)} for ${maskPhone(parsed.phone)}`,
      };
    }
    case "data": {
      const { input } = parsed;
      const { product, offer, priced } = await priceProduct(
        ctx,
        input.planId,
        "data",
        undefined,
        vtu.catalogue,
        tier,
      );
      const planNetwork = product.network as Network;
      if (input.network && input.network !== planNetwork) {
        throw new ValidationError(
          `Plan ${input.planId} is a ${planNetwork} plan but you chose ${input.network}. Pick a ${input.network} plan from GET /api/vtu/plans/${input.network}.`,
          { field: "planId" },
          "PLAN_NETWORK_MISMATCH",
        );
      }
      if (!input.network) {
        // Choosing a plan confirms its network, unless the number clearly belongs to another one.
        const guess = guessNetwork(parsed.phone);
        if (guess.network && guess.network !== planNetwork) {
          throw networkConfirmation(
            parsed.phone,
            `${parsed.phone} looks like a ${guess.network} number but this is a ${planNetwork} plan.`,
          );
        }
      }
      assertRange(ctx.config, "data", priced.priceKobo);
      return {
        ...common,
        service: "data",
        product,
        offer,
        recipient: parsed.phone,
        network: planNetwork,
        contactPhone: parsed.phone,
        ...priced,
        description: `${product.name} for ${maskPhone(parsed.phone)}`,
      };
    }
    case "cable": {
      const { input } = parsed;
      const verified = await verifyAccount({
        ctx,
        vtu,
        input: { kind: "smartcard", provider: input.provider, number: input.smartcard },
      });
      let productId: string;
      if (input.subscription === "change") {
        if (!input.bouquetId) {
          throw new ValidationError(
            "To change bouquet, send `bouquetId` (see GET /api/vtu/cable/bouquets).",
            { field: "bouquetId" },
          );
        }
        productId = input.bouquetId;
      } else {
        if (!verified.currentBouquet) {
          throw new ValidationError(
            'We could not tell which bouquet this card is on, so it cannot be renewed. Choose `subscription: "change"` with a `bouquetId`.',
            { field: "subscription" },
            "RENEW_UNAVAILABLE",
          );
        }
        productId = `cable:${input.provider}:${bouquetSlug(input.provider, verified.currentBouquet)}`;
      }
      const { product, offer, priced } = await priceProduct(
        ctx,
        productId,
        "cable",
        undefined,
        vtu.catalogue,
        tier,
      );
      if (product.biller !== input.provider) {
        throw new ValidationError(
          `${productId} is not a ${input.provider} bouquet.`,
          { field: "bouquetId" },
          "BOUQUET_PROVIDER_MISMATCH",
        );
      }
      assertRange(ctx.config, "cable", priced.priceKobo);
      return {
        ...common,
        service: "cable",
        product,
        offer,
        recipient: input.smartcard,
        network: null,
        subscription: input.subscription,
        contactPhone: parsed.phone,
        customerName: verified.customerName,
        ...priced,
        description: `${product.name} (${input.subscription}) for card ${input.smartcard}`,
      };
    }
    case "electricity": {
      const { input } = parsed;
      assertRange(ctx.config, "electricity", input.amountKobo);
      const verified = await verifyAccount({
        ctx,
        vtu,
        input: { kind: "meter", disco: input.disco, meterType: input.meterType, number: input.meterNumber },
      });
      const { product, offer, priced } = await priceProduct(
        ctx,
        `electricity:${input.disco}`,
        "electricity",
        input.amountKobo,
        vtu.catalogue,
        tier,
      );
      return {
        ...common,
        service: "electricity",
        product,
        offer,
        recipient: input.meterNumber,
        network: null,
        meterType: input.meterType,
        contactPhone: parsed.phone,
        customerName: verified.customerName,
        ...priced,
        description: `${product.name} ${input.meterType} ${formatNaira(input.amountKobo)} for meter ${input.meterNumber}`,
      };
    }
  }
}

/** The best offer for a product and what the customer pays for it (face amount for airtime/electricity). */
export async function priceProduct(
  ctx: ServiceContext,
  productId: string,
  service: VtuService,
  faceAmountKobo?: number,
  catalogue?: CatalogueCache,
  tier?: TierPricing | null,
) {
  const { product, offers } = await offersFor(catalogue, ctx.db, productId);
  if (product.service !== service) {
    throw new ValidationError(`${productId} is not a ${service} product.`, { productId }, "WRONG_PRODUCT");
  }
  const offer = offers[0];
  if (!offer) {
    throw new ServiceError(
      "unavailable",
      "PRODUCT_UNAVAILABLE",
      `${product.name} is not available from any provider right now. Try again later or choose another.`,
    );
  }
  const rule = await ruleFor(catalogue, ctx.db, service);
  const { faceAmountKobo: face, priceKobo } = priceOffer({ service, offer, rule, faceAmountKobo, tier });
  return { product, offer, priced: { faceAmountKobo: face, priceKobo } };
}

function confirmedNetwork(phone: string, chosen: Network | undefined): Network {
  if (chosen) {
    return chosen;
  }
  throw networkConfirmation(phone);
}

/** The guess is only a guess (portability): the caller must send `network` to confirm or override it. */
function networkConfirmation(phone: string, lead?: string): ServiceError {
  const guess = guessNetwork(phone);
  const text = guess.network
    ? `${lead ?? ""} Confirm the network: send "network": "${guess.network}" (our guess from the prefix) or the right one. ${guess.note}`
    : `${lead ?? ""} We cannot tell the network of ${phone} from its prefix. Send "network" (one of ${NETWORKS.join(", ")}).`;
  return new ValidationError(
    text.trim(),
    { field: "network", guessedNetwork: guess.network ?? null, confidence: guess.confidence },
    "NETWORK_CONFIRMATION_REQUIRED",
  );
}

const LIMITS = {
  airtime: (c: Config) => [c.VTU_AIRTIME_MIN_KOBO, c.VTU_AIRTIME_MAX_KOBO],
  data: (c: Config) => [1, c.VTU_DATA_MAX_KOBO],
  cable: (c: Config) => [1, c.VTU_CABLE_MAX_KOBO],
  electricity: (c: Config) => [c.VTU_ELECTRICITY_MIN_KOBO, c.VTU_ELECTRICITY_MAX_KOBO],
} satisfies Record<VtuService, (c: Config) => number[]>;

/** Per-service amount limits from the configuration, with the limits in the message. */
export function assertRange(config: Config, service: VtuService, amountKobo: number): void {
  const [min = 1, max = Number.MAX_SAFE_INTEGER] = LIMITS[service](config);
  if (amountKobo < min || amountKobo > max) {
    throw new ValidationError(
      `${service[0]?.toUpperCase()}${service.slice(1)} purchases must be between ${formatNaira(min)} and ${formatNaira(max)} (amountKobo ${min}–${max}).`,
      { field: "amountKobo", minKobo: min, maxKobo: max },
      "AMOUNT_OUT_OF_RANGE",
    );
  }
}
