import { Hono } from "hono";
import { z } from "zod";
import { buyWithPoints, getPointsSummary, listPointStatement, redeemPoints } from "../../services/rewards";
import { AirtimeOrderInput, DataOrderInput, waitForOrderOutcome } from "../../services/vtu";
import { NETWORKS } from "../../services/vtu/provider";
import type { VtuRuntime } from "../../services/vtu/runtime";
import type { AppEnv } from "../context";
import { ok } from "../envelope";
import { requireUser } from "../middleware";
import { jsonBody, queryParams, idempotencyKey as requireIdempotencyKey } from "../validate";

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

/**
 * Loyalty points (issue 18 §2): the balance and what it is worth, the statement, and redemption:
 * to the wallet (`points`), or airtime/data bought with the points that cover its price (the same
 * body as POST /api/vtu/airtime or /data, with `to`). Idempotency-Key required on redemption.
 */
export function pointsRoutes(deps: { vtu: VtuRuntime; responseWaitMs: number }) {
  const app = new Hono<AppEnv>();

  app.get("/", requireUser({ scope: "read" }), async (c) =>
    ok(c, { points: await getPointsSummary({ ctx: c.var.ctx, userId: c.var.principal.userId }) }),
  );

  app.get("/statement", requireUser({ scope: "read" }), async (c) => {
    const query = queryParams(c, StatementQuery);
    return ok(
      c,
      await listPointStatement({
        ctx: c.var.ctx,
        userId: c.var.principal.userId,
        limit: query.limit,
        before: query.cursor,
      }),
    );
  });

  app.post("/redeem", requireUser({ scope: "purchase" }), async (c) => {
    const idempotencyKey = requireIdempotencyKey(c, "never redeems twice");
    const body = await jsonBody(c, RedeemInput);
    const { ctx, principal } = c.var;
    const actor = `${principal.via === "api_key" ? "api_key" : "user"}:${principal.credentialId}`;
    if (body.to === "wallet") {
      const redemption = await redeemPoints({
        ctx,
        userId: principal.userId,
        points: body.points,
        idempotencyKey,
        actor,
      });
      if (redemption.replayed) {
        c.header("Idempotent-Replayed", "true");
      }
      return ok(c, { redemption }, { status: redemption.replayed ? 200 : 201 });
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
    const settled = bought.replayed
      ? bought.order
      : await waitForOrderOutcome({
          ctx,
          userId: principal.userId,
          orderId: bought.order.id,
          timeoutMs: deps.responseWaitMs,
          outcomes: deps.vtu.outcomes,
          placed: bought.order,
        });
    if (bought.replayed) {
      c.header("Idempotent-Replayed", "true");
    }
    return ok(c, { redemption: bought.redemption, order: settled }, { status: bought.replayed ? 200 : 201 });
  });
  return app;
}

function withoutTo<T extends { to: string }>(body: T): Omit<T, "to"> {
  const { to: _to, ...rest } = body;
  return rest;
}
