import { type Context, Hono } from "hono";
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
import { ok } from "../envelope";
import { optionalUser, requireUser } from "../middleware";
import { jsonBody, queryParams, idempotencyKey as requireIdempotencyKey } from "../validate";

const CardRemindersInput = z.strictObject({ on: z.boolean() });
const CardId = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/**
 * /api/vtu: the catalogue (public), purchases (Idempotency-Key required, PIN in the body), account
 * verification, and the caller's orders. Handlers only translate HTTP to service verbs.
 */
export function vtuRoutes(deps: { vtu: VtuRuntime; responseWaitMs: number }) {
  const app = new Hono<AppEnv>();

  app.get("/networks", async (c) => ok(c, { networks: await listAirtimeNetworks({ ctx: c.var.ctx }) }));
  // Public; a caller with a session or API key sees their tier's prices (what an order charges).
  app.get("/plans/:network", optionalUser(), async (c) => {
    const tier = await callerTier(c);
    const plans = await listDataPlans({
      ctx: c.var.ctx,
      network: c.req.param("network"),
      tier: tier.pricing,
    });
    return ok(c, { tier: tier.code, plans });
  });
  app.get("/cable/bouquets", optionalUser(), async (c) => {
    const { provider } = queryParams(c, z.strictObject({ provider: z.string().max(20).optional() }));
    const tier = await callerTier(c);
    const bouquets = await listCableBouquets({ ctx: c.var.ctx, provider, tier: tier.pricing });
    return ok(c, { tier: tier.code, bouquets });
  });
  app.get("/electricity/discos", async (c) => ok(c, { discos: await listDiscos({ ctx: c.var.ctx }) }));
  app.get("/network-guess", (c) => {
    const { phone } = queryParams(c, z.strictObject({ phone: z.string().min(1).max(30) }));
    const normalized = normalizePhone(phone);
    return ok(c, { phone: normalized, ...guessNetwork(normalized) });
  });

  const purchase = <S extends OrderInput["service"]>(service: S, schema: z.ZodType) =>
    app.post(`/${service}`, requireUser({ scope: "purchase" }), async (c) => {
      const idempotencyKey = requireIdempotencyKey(c, "can never buy twice");
      const input = await jsonBody(c, schema);
      const { principal, ctx } = c.var;
      const { order, replayed } = await createOrder({
        ctx,
        vtu: deps.vtu,
        userId: principal.userId,
        actor: `${principal.via === "api_key" ? "api_key" : "user"}:${principal.credentialId}`,
        channel: "api",
        idempotencyKey,
        order: { service, input } as OrderInput,
      });
      const settled = replayed
        ? order
        : await waitForOrderOutcome({
            ctx,
            userId: principal.userId,
            orderId: order.id,
            timeoutMs: deps.responseWaitMs,
            outcomes: deps.vtu.outcomes,
            placed: order,
          });
      if (replayed) {
        c.header("Idempotent-Replayed", "true");
      }
      return ok(c, { order: settled }, { status: replayed ? 200 : 201 });
    });
  purchase("airtime", AirtimeOrderInput);
  purchase("data", DataOrderInput);
  purchase("cable", CableOrderInput);
  purchase("electricity", ElectricityOrderInput);

  app.post("/verify", requireUser({ scope: "purchase" }), async (c) => {
    const input = await jsonBody(c, VerifyAccountInput);
    return ok(c, {
      account: await verifyAccount({ ctx: c.var.ctx, vtu: deps.vtu, input, userId: c.var.principal.userId }),
    });
  });

  // The customer's smartcards with their due dates (renewal reminders, DECISIONS §66).
  app.get("/cable/cards", requireUser({ scope: "read" }), async (c) =>
    ok(c, { cards: await listCableCards(c.var.ctx, c.var.principal.userId) }),
  );

  // Renewal reminders for one of the customer's cards turned on or off (DECISIONS §70).
  app.post("/cable/cards/:id/reminders", requireUser({ scope: "purchase" }), async (c) => {
    const input = await jsonBody(c, CardRemindersInput);
    const id = CardId.safeParse(c.req.param("id"));
    const card = id.success
      ? await setCardReminders(c.var.ctx, { userId: c.var.principal.userId, cardId: id.data, on: input.on })
      : undefined;
    if (!card) {
      throw new NotFoundError("The card", "CARD_NOT_FOUND");
    }
    return ok(c, { card });
  });

  app.get("/orders", requireUser({ scope: "read" }), async (c) =>
    ok(
      c,
      await listOrders({
        ctx: c.var.ctx,
        userId: c.var.principal.userId,
        input: queryParams(c, ListOrdersInput),
      }),
    ),
  );
  app.post("/orders/:id/resend", requireUser({ scope: "purchase" }), async (c) =>
    ok(
      c,
      await resendOrderReceipt({
        ctx: c.var.ctx,
        userId: c.var.principal.userId,
        orderId: c.req.param("id"),
      }),
      { status: 202, message: "The receipt is on its way to your chat." },
    ),
  );
  app.get("/orders/:id", requireUser({ scope: "read" }), async (c) =>
    ok(c, {
      order: await getOrder({ ctx: c.var.ctx, userId: c.var.principal.userId, orderId: c.req.param("id") }),
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
