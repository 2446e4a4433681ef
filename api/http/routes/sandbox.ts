import { Hono } from "hono";
import { z } from "zod";
import { secretToken } from "../../services/ids";
import { SYSTEM_ACCOUNTS } from "../../services/ledger";
import { sweepCableReminders } from "../../services/renewals";
import { creditWallet } from "../../services/wallet";
import type { AppEnv } from "../context";
import { ok } from "../envelope";
import { requireUser } from "../middleware";
import { jsonBody, optionalIdempotencyKey } from "../validate";

/**
 * Sandbox only (mounted when SANDBOX_MODE is on): give yourself test money so the purchase
 * walk-through works before real funding exists. Booked from the promotions account like any other
 * credit, so the ledger stays exact. Never mounted in production.
 */
export function sandboxRoutes() {
  const app = new Hono<AppEnv>();
  app.post("/fund", requireUser({ scope: "purchase" }), async (c) => {
    const { amountKobo } = await jsonBody(
      c,
      z.strictObject({ amountKobo: z.number().int().min(100).max(10_000_000) }),
    );
    const { principal, ctx } = c.var;
    const result = await creditWallet({
      ctx,
      input: {
        userId: principal.userId,
        amountKobo,
        counterparty: SYSTEM_ACCOUNTS.promotions,
        description: "Sandbox test money",
        idempotencyKey: optionalIdempotencyKey(c) ?? secretToken("sbx", 12),
        actor: `user:${principal.userId}`,
      },
    });
    return ok(c, {
      balanceKobo: result.balanceKobo,
      availableKobo: result.availableKobo,
      creditedKobo: amountKobo,
    });
  });
  // Run the `sweep-cable-reminders` pass now instead of waiting for the worker's timer (README "Cable
  // renewal reminders"): the same verb, so a reminder sent here is not sent again by the worker.
  app.post("/cable-reminders/run", requireUser({ scope: "purchase" }), async (c) =>
    ok(c, await sweepCableReminders({ ctx: c.var.ctx })),
  );
  return app;
}
