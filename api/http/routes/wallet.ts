import { OpenAPIHono } from "@hono/zod-openapi";
import { getWalletBalance, ListTransactionsInput, listWalletTransactions } from "../../services/wallet";
import type { AppEnv } from "../context";
import { defineRoute } from "../openapi/define-route";
import { WalletBalance, WalletTransactionPage } from "../schemas/wallet";

const TAGS = ["Wallet"];

export function walletRoutes() {
  const app = new OpenAPIHono<AppEnv>();
  // Auth per route (not app.use) so a wrong method on a real path is a 405, not a 401.
  defineRoute(
    app,
    {
      method: "get",
      path: "/balance",
      tags: TAGS,
      summary: "Your wallet balance",
      auth: "user",
      response: { description: "The balance, what is held, and what you can spend.", schema: WalletBalance },
    },
    async (c) => getWalletBalance({ ctx: c.var.ctx, userId: c.var.principal.userId }),
  );

  defineRoute(
    app,
    {
      method: "get",
      path: "/transactions",
      tags: TAGS,
      summary: "Your wallet statement, newest first",
      auth: "user",
      query: ListTransactionsInput,
      response: { description: "A page of statement lines.", schema: WalletTransactionPage },
    },
    async (c, { query }) =>
      listWalletTransactions({ ctx: c.var.ctx, userId: c.var.principal.userId, input: query }),
  );
  return app;
}
