import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { z } from "zod";
import {
  listAirtimeNetworks,
  listCableBouquets,
  listDataPlans,
  listDiscos,
} from "../../services/catalogue/listings";
import type { TierPricing } from "../../services/catalogue/offers";
import { NotFoundError } from "../../services/errors";
import { guessNetwork, normalizePhone } from "../../services/phone";
import { listCableCards, setCardReminders } from "../../services/renewals";
import { getCustomerTier, REGULAR_TIER, tierPricing } from "../../services/rewards/tiers";
import {
  AirtimeOrderInput,
  CableOrderInput,
  createOrder,
  DataOrderInput,
  ElectricityOrderInput,
  getOrder,
  ListOrdersInput,
  type OrderInput,
  resendOrderReceipt,
  VerifyAccountInput,
  verifyAccount,
  waitForOrderOutcome,
} from "../../services/vtu";
import { listOrders } from "../../services/vtu/get-orders";
import type { VtuRuntime } from "../../services/vtu/runtime";
import type { AppEnv } from "../context";
import { defineRoute, reply } from "../openapi/define-route";
import { listed, listWithLegacyName } from "../openapi/envelope-schemas";
import {
  AirtimeNetwork,
  Bouquet,
  CableCardSchema,
  DataPlan,
  Disco,
  NetworkGuess,
  Order,
  OrderPage,
  VerifiedAccountSchema,
} from "../schemas/vtu";

const CardRemindersInput = z.strictObject({ on: z.boolean() });
const CardParams = z.strictObject({ id: z.string().max(30) });
const CardId = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const OrderParams = z.strictObject({ id: z.string().min(1).max(100) });
const NetworkParams = z.strictObject({ network: z.string().max(20).meta({ example: "mtn" }) });
const TAGS = ["VTU"];

const ORDER_NOT_FOUND = {
  status: 404,
  code: "ORDER_NOT_FOUND",
  description: "No such order of yours.",
} as const;
const PURCHASE_ERRORS = [
  {
    status: 401,
    code: "PIN_INCORRECT",
    description: "The transaction PIN is wrong; a few wrong tries lock it for a while.",
  },
  {
    status: 422,
    code: "INSUFFICIENT_FUNDS",
    description: "The wallet holds less than the price; fund it and retry.",
  },
  {
    status: 409,
    code: "IDEMPOTENCY_KEY_REUSED",
    description: "The Idempotency-Key was used for a different request.",
  },
  {
    status: 404,
    code: "PRODUCT_NOT_FOUND",
    description: "No such plan or bouquet; list the catalogue first.",
  },
] as const;

/**
 * /api/vtu: the catalogue (public), purchases (Idempotency-Key required, PIN in the body), account
 * verification, and the caller's orders. Handlers only translate HTTP to service verbs.
 */
export function vtuRoutes(deps: { vtu: VtuRuntime; responseWaitMs: number }) {
  const app = new OpenAPIHono<AppEnv>();

  defineRoute(
    app,
    {
      method: "get",
      path: "/networks",
      tags: TAGS,
      summary: "Airtime networks and their amount limits",
      auth: "none",
      response: {
        description: "The networks we sell airtime on.",
        schema: listWithLegacyName(AirtimeNetwork, "networks"),
      },
    },
    async (c) => listed(await listAirtimeNetworks({ ctx: c.var.ctx }), "networks"),
  );
  // Public; a caller with a session or API key sees their tier's prices (what an order charges).
  defineRoute(
    app,
    {
      method: "get",
      path: "/plans/:network",
      tags: TAGS,
      summary: "Data plans of a network, priced for the caller's tier",
      auth: "optional",
      params: NetworkParams,
      response: {
        description: "The plans, cheapest first.",
        schema: listWithLegacyName(DataPlan, "plans").extend({ tier: z.string() }),
      },
    },
    async (c, { params }) => {
      const tier = await callerTier(c);
      const plans = await listDataPlans({ ctx: c.var.ctx, network: params.network, tier: tier.pricing });
      return { tier: tier.code, ...listed(plans, "plans") };
    },
  );
  defineRoute(
    app,
    {
      method: "get",
      path: "/cable/bouquets",
      tags: TAGS,
      summary: "Cable TV bouquets, priced for the caller's tier",
      auth: "optional",
      query: z.strictObject({ provider: z.string().max(20).optional().meta({ example: "dstv" }) }),
      response: {
        description: "The bouquets.",
        schema: listWithLegacyName(Bouquet, "bouquets").extend({ tier: z.string() }),
      },
    },
    async (c, { query }) => {
      const tier = await callerTier(c);
      const bouquets = await listCableBouquets({
        ctx: c.var.ctx,
        provider: query.provider,
        tier: tier.pricing,
      });
      return { tier: tier.code, ...listed(bouquets, "bouquets") };
    },
  );
  defineRoute(
    app,
    {
      method: "get",
      path: "/electricity/discos",
      tags: TAGS,
      summary: "Electricity distribution companies",
      auth: "none",
      response: { description: "The discos.", schema: listWithLegacyName(Disco, "discos") },
    },
    async (c) => listed(await listDiscos({ ctx: c.var.ctx }), "discos"),
  );
  defineRoute(
    app,
    {
      method: "get",
      path: "/network-guess",
      tags: TAGS,
      summary: "Guess a phone number's network from its prefix",
      description: "Numbers move between networks (porting): show the guess and let the customer confirm it.",
      auth: "none",
      query: z.strictObject({ phone: z.string().min(1).max(30).meta({ example: "08031234567" }) }),
      response: { description: "The guess.", schema: NetworkGuess },
    },
    async (_c, { query }) => {
      const normalized = normalizePhone(query.phone);
      return { phone: normalized, ...guessNetwork(normalized) };
    },
  );

  const purchase = <S extends OrderInput["service"]>(service: S, schema: z.ZodType, example: unknown) =>
    defineRoute(
      app,
      {
        method: "post",
        path: `/${service}`,
        tags: TAGS,
        summary: `Buy ${service === "cable" ? "a cable TV subscription" : service}`,
        description:
          "Charges the wallet and sends the order to the network. The answer waits a few seconds for the outcome; " +
          "if the order is not final yet (`final: false`), read it again with GET /api/vtu/orders/{id} or receive it by callback.",
        auth: "user",
        scope: "purchase",
        idempotencyKey: "required",
        idempotencyPurpose: "can never buy twice",
        body: schema,
        bodyExample: example,
        response: {
          status: 201,
          description: "The order, as far as it got.",
          schema: z.object({ order: Order }),
        },
        errors: [...PURCHASE_ERRORS],
      },
      async (c, { body, idempotencyKey }) => {
        const { principal, ctx } = c.var;
        const { order, replayed } = await createOrder({
          ctx,
          vtu: deps.vtu,
          userId: principal.userId,
          actor: `${principal.via === "api_key" ? "api_key" : "user"}:${principal.credentialId}`,
          channel: "api",
          idempotencyKey: idempotencyKey as string,
          order: { service, input: body } as OrderInput,
        });
        if (replayed) {
          return reply({ order }, { status: 200, headers: { "Idempotent-Replayed": "true" } });
        }
        const settled = await waitForOrderOutcome({
          ctx,
          userId: principal.userId,
          orderId: order.id,
          timeoutMs: deps.responseWaitMs,
          outcomes: deps.vtu.outcomes,
          placed: order,
        });
        return { order: settled };
      },
    );
  purchase("airtime", AirtimeOrderInput, {
    network: "mtn",
    phone: "08031234567",
    amountKobo: 50000,
    pin: "2580",
  });
  purchase("data", DataOrderInput, {
    network: "mtn",
    phone: "08031234567",
    planId: "mtn-sme-1gb-30d",
    pin: "2580",
  });
  purchase("cable", CableOrderInput, {
    provider: "dstv",
    smartcard: "7023456789",
    subscription: "renew",
    pin: "2580",
  });
  purchase("electricity", ElectricityOrderInput, {
    disco: "ikeja-electric",
    meterType: "prepaid",
    meterNumber: "45012345678",
    amountKobo: 200000,
    pin: "2580",
  });

  defineRoute(
    app,
    {
      method: "post",
      path: "/verify",
      tags: TAGS,
      summary: "Look up a smartcard or meter before paying",
      description:
        "Shows the name on the account (and for cable the bouquet, renewal amount and due date) so the customer can confirm it.",
      auth: "user",
      body: VerifyAccountInput,
      bodyExample: { kind: "smartcard", provider: "dstv", number: "7023456789" },
      response: {
        description: "The account at the provider.",
        schema: z.object({ account: VerifiedAccountSchema }),
      },
      errors: [
        { status: 422, code: "ACCOUNT_NOT_FOUND", description: "The provider does not know that number." },
      ],
    },
    async (c, { body }) => ({
      account: await verifyAccount({
        ctx: c.var.ctx,
        vtu: deps.vtu,
        input: body,
        userId: c.var.principal.userId,
      }),
    }),
  );

  // The customer's smartcards with their due dates (renewal reminders, DECISIONS §66).
  defineRoute(
    app,
    {
      method: "get",
      path: "/cable/cards",
      tags: TAGS,
      summary: "Your smartcards with due dates and renewal amounts",
      auth: "user",
      response: {
        description: "The cards.",
        schema: listWithLegacyName(CableCardSchema, "cards"),
      },
    },
    async (c) => listed(await listCableCards(c.var.ctx, c.var.principal.userId), "cards"),
  );

  // Renewal reminders for one of the customer's cards turned on or off (DECISIONS §70).
  defineRoute(
    app,
    {
      method: "post",
      path: "/cable/cards/:id/reminders",
      tags: TAGS,
      summary: "Turn renewal reminders for a smartcard on or off",
      auth: "user",
      params: CardParams,
      body: CardRemindersInput,
      bodyExample: { on: false },
      response: { description: "The card.", schema: z.object({ card: CableCardSchema }) },
      errors: [{ status: 404, code: "CARD_NOT_FOUND", description: "No such card of yours." }],
    },
    async (c, { params, body }) => {
      const id = CardId.safeParse(params.id);
      const card = id.success
        ? await setCardReminders(c.var.ctx, { userId: c.var.principal.userId, cardId: id.data, on: body.on })
        : undefined;
      if (!card) {
        throw new NotFoundError("The card", "CARD_NOT_FOUND");
      }
      return { card };
    },
  );

  defineRoute(
    app,
    {
      method: "get",
      path: "/orders",
      tags: TAGS,
      summary: "Your orders, newest first",
      auth: "user",
      query: ListOrdersInput,
      response: { description: "A page of orders.", schema: OrderPage },
    },
    async (c, { query }) => {
      const { orders, nextCursor } = await listOrders({
        ctx: c.var.ctx,
        userId: c.var.principal.userId,
        input: query,
      });
      return { items: orders, nextCursor, orders };
    },
  );
  defineRoute(
    app,
    {
      method: "post",
      path: "/orders/:id/resend",
      tags: TAGS,
      summary: "Send a delivered order's receipt to the chat again",
      auth: "user",
      scope: "read",
      params: OrderParams,
      response: {
        status: 202,
        description: "The receipt is queued for the customer's chat.",
        schema: z.object({ queued: z.literal(true), orderId: z.string() }),
      },
      errors: [
        ORDER_NOT_FOUND,
        { status: 409, code: "ORDER_NOT_DELIVERED", description: "Only a delivered order has a receipt." },
      ],
    },
    async (c, { params }) =>
      reply(
        await resendOrderReceipt({ ctx: c.var.ctx, userId: c.var.principal.userId, orderId: params.id }),
        {
          message: "The receipt is on its way to your chat.",
        },
      ),
  );
  defineRoute(
    app,
    {
      method: "get",
      path: "/orders/:id",
      tags: TAGS,
      summary: "One of your orders",
      auth: "user",
      params: OrderParams,
      response: { description: "The order.", schema: z.object({ order: Order }) },
      errors: [ORDER_NOT_FOUND],
    },
    async (c, { params }) => ({
      order: await getOrder({ ctx: c.var.ctx, userId: c.var.principal.userId, orderId: params.id }),
    }),
  );
  return app;
}

/** The tier whose prices a catalogue answer shows: the signed-in caller's, else Regular. */
async function callerTier(c: Context<AppEnv>): Promise<{ code: string; pricing: TierPricing | null }> {
  const principal = c.get("principal");
  if (!principal) {
    return { code: REGULAR_TIER, pricing: null };
  }
  const tier = await getCustomerTier(c.var.ctx.db, principal.userId);
  return { code: tier.code, pricing: tierPricing(tier) };
}
