import { Hono } from "hono";
import { getWalletBalance, ListTransactionsInput, listWalletTransactions } from "../../services/wallet";
import type { AppEnv } from "../context";
import { ok } from "../envelope";
import { requireUser } from "../middleware";
import { queryParams } from "../validate";

export function walletRoutes() {
  const app = new Hono<AppEnv>();
  // Auth per route (not app.use) so a wrong method on a real path is a 405, not a 401.
  app.get("/balance", requireUser({ scope: "read" }), async (c) =>
    ok(c, await getWalletBalance({ ctx: c.var.ctx, userId: c.var.principal.userId })),
  );

  app.get("/transactions", requireUser({ scope: "read" }), async (c) =>
    ok(
      c,
      await listWalletTransactions({
        ctx: c.var.ctx,
        userId: c.var.principal.userId,
        input: queryParams(c, ListTransactionsInput),
      }),
    ),
  );
  return app;
}
