import { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { buyWithPoints, getPointsSummary, listPointStatement, redeemPoints } from "../../services/rewards";
import { AirtimeOrderInput, DataOrderInput, waitForOrderOutcome } from "../../services/vtu";
import { NETWORKS } from "../../services/vtu/provider";
import type { VtuRuntime } from "../../services/vtu/runtime";
import type { AppEnv } from "../context";
import { defineRoute, reply } from "../openapi/define-route";
import { PointStatementPage, PointsSummary, Redemption } from "../schemas/rewards";
import { Order } from "../schemas/vtu";

const points = z.number().int("a whole number of points").min(1).max(100_000_000);
const RedeemInput = z.discriminatedUnion("to", [
  z.strictObject({ to: z.literal("wallet"), points }),
  AirtimeOrderInput.extend({ to: z.literal("airtime"), network: z.enum(NETWORKS) }),
  DataOrderInput.extend({ to: z.literal("data") }),
]);
const StatementQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z
    .string()
    .regex(/^\d{1,18}$/, "the nextCursor of the page before")
    .optional(),
});

const TAGS = ["Rewards"];

/**
 * Loyalty points (issue 18 §2): the balance and what it is worth, the statement, and redemption:
 * to the wallet (`points`), or airtime/data bought with the points that cover its price (the same
 * body as POST /api/vtu/airtime or /data, with `to`). Idempotency-Key required on redemption.
 */
export function pointsRoutes(deps: { vtu: VtuRuntime; responseWaitMs: number }) {
  const app = new OpenAPIHono<AppEnv>();

  defineRoute(
    app,
    {
      method: "get",
      path: "/",
      tags: TAGS,
      summary: "Your points, what they are worth, and the rules",
      auth: "user",
      response: { description: "Your points.", schema: z.object({ points: PointsSummary }) },
    },
    async (c) => ({
      points: await getPointsSummary({ ctx: c.var.ctx, userId: c.var.principal.userId }),
    }),
  );

  defineRoute(
    app,
    {
      method: "get",
      path: "/statement",
      tags: TAGS,
      summary: "Your points statement, newest first",
      auth: "user",
      query: StatementQuery,
      response: { description: "A page of statement lines.", schema: PointStatementPage },
    },
    async (c, { query }) =>
      listPointStatement({
        ctx: c.var.ctx,
        userId: c.var.principal.userId,
        limit: query.limit,
        before: query.cursor,
      }),
  );

  // A redemption is a purchase: money into the wallet, or airtime/data bought with it.
  defineRoute(
    app,
    {
      method: "post",
      path: "/redeem",
      tags: TAGS,
      summary: "Redeem points into the wallet, or for airtime or data",
      description:
        "`to: wallet` turns `points` into wallet money at the published rate. `to: airtime` or `to: data` takes the body of " +
        "POST /api/vtu/airtime or /data (PIN included) and pays with the points that cover the price; the answer then has the `order` too.",
      auth: "user",
      scope: "purchase",
      idempotencyKey: "required",
      idempotencyPurpose: "never redeems twice",
      body: RedeemInput,
      bodyExample: { to: "wallet", points: 100 },
      response: {
        status: 201,
        description: "The redemption, and for airtime or data the order as far as it got.",
        schema: z.object({
          redemption: Redemption,
          order: Order.optional().meta({ description: "Airtime or data: the order the points paid for." }),
        }),
      },
      errors: [
        {
          status: 400,
          code: "POINTS_BELOW_MINIMUM",
          description: "Fewer points than a wallet redemption takes; `details.minPoints` says how many.",
        },
        { status: 404, code: "PRODUCT_NOT_FOUND", description: "No such plan; list the catalogue first." },
        {
          status: 409,
          code: "PIN_NOT_SET",
          description: "Set a transaction PIN first (POST /api/auth/pin).",
        },
        {
          status: 409,
          code: "IDEMPOTENCY_KEY_REUSED",
          description: "The Idempotency-Key was used for another redemption.",
        },
        { status: 422, code: "POINTS_INSUFFICIENT", description: "You have fewer points than this takes." },
        { status: 422, code: "INCORRECT_PIN", description: "The PIN is wrong; a few wrong tries lock it." },
        { status: 423, code: "PIN_LOCKED", description: "Too many wrong PINs; wait, or reset it." },
      ],
    },
    async (c, { body, idempotencyKey: key }) => {
      const idempotencyKey = key as string;
      const { ctx, principal } = c.var;
      const actor = `${principal.via === "api_key" ? "api_key" : "user"}:${principal.credentialId}`;
      const replayHeaders = { status: 200, headers: { "Idempotent-Replayed": "true" } } as const;
      if (body.to === "wallet") {
        const redemption = await redeemPoints({
          ctx,
          userId: principal.userId,
          points: body.points,
          idempotencyKey,
          actor,
        });
        return redemption.replayed ? reply({ redemption }, replayHeaders) : { redemption };
      }
      const order =
        body.to === "airtime"
          ? ({ service: "airtime", input: withoutTo(body) } as const)
          : ({ service: "data", input: withoutTo(body) } as const);
      const bought = await buyWithPoints({
        ctx,
        vtu: deps.vtu,
        userId: principal.userId,
        actor,
        channel: "api",
        idempotencyKey,
        order,
      });
      if (bought.replayed) {
        return reply({ redemption: bought.redemption, order: bought.order }, replayHeaders);
      }
      const settled = await waitForOrderOutcome({
        ctx,
        userId: principal.userId,
        orderId: bought.order.id,
        timeoutMs: deps.responseWaitMs,
        outcomes: deps.vtu.outcomes,
        placed: bought.order,
      });
      return { redemption: bought.redemption, order: settled };
    },
  );
  return app;
}

function withoutTo<T extends { to: string }>(body: T): Omit<T, "to"> {
  const { to: _to, ...rest } = body;
  return rest;
}
