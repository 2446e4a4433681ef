import { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { secretToken } from "../../services/ids";
import { SYSTEM_ACCOUNTS } from "../../services/ledger";
import { sweepCableReminders } from "../../services/renewals";
import { creditWallet } from "../../services/wallet";
import type { AppEnv } from "../context";
import { defineRoute } from "../openapi/define-route";
import { ReminderSweep, SandboxCredit } from "../schemas/sandbox";

const TAGS = ["Sandbox"];

/**
 * Sandbox only (mounted when SANDBOX_MODE is on): give yourself test money so the purchase
 * walk-through works before real funding exists. Booked from the promotions account like any other
 * credit, so the ledger stays exact. Never mounted in production.
 */
export function sandboxRoutes() {
  const app = new OpenAPIHono<AppEnv>();
  defineRoute(
    app,
    {
      method: "post",
      path: "/fund",
      tags: TAGS,
      summary: "Give yourself test money (sandbox only)",
      description:
        "Credits the wallet from the promotions account, so the ledger stays exact. With an Idempotency-Key a retry credits once.",
      auth: "user",
      idempotencyKey: "optional",
      body: z.strictObject({ amountKobo: z.number().int().min(100).max(10_000_000) }),
      bodyExample: { amountKobo: 1000000 },
      response: { description: "The wallet after the credit.", schema: SandboxCredit },
    },
    async (c, { body, idempotencyKey }) => {
      const { principal, ctx } = c.var;
      const result = await creditWallet({
        ctx,
        input: {
          userId: principal.userId,
          amountKobo: body.amountKobo,
          counterparty: SYSTEM_ACCOUNTS.promotions,
          description: "Sandbox test money",
          idempotencyKey: idempotencyKey ?? secretToken("sbx", 12),
          actor: `user:${principal.userId}`,
        },
      });
      return {
        balanceKobo: result.balanceKobo,
        availableKobo: result.availableKobo,
        creditedKobo: body.amountKobo,
      };
    },
  );
  // Run the `sweep-cable-reminders` pass now instead of waiting for the worker's timer (README "Cable
  // renewal reminders"): the same verb, so a reminder sent here is not sent again by the worker.
  defineRoute(
    app,
    {
      method: "post",
      path: "/cable-reminders/run",
      tags: TAGS,
      summary: "Send due renewal reminders and nudges now (sandbox only)",
      description:
        "Runs the worker's reminder pass at once, for every customer: a reminder sent here is not sent again.",
      auth: "user",
      response: { description: "What the pass did.", schema: ReminderSweep },
    },
    async (c) => sweepCableReminders({ ctx: c.var.ctx }),
  );
  return app;
}
