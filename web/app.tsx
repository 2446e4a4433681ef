import { Hono } from "hono";
import type { Config } from "../api/config";
import type { ServiceContext } from "../api/services/context";
import { ServiceError } from "../api/services/errors";
import {
  completeSandboxCheckout,
  getSandboxCheckout,
  type PaymentsRuntime,
  showFundingResult,
} from "../api/services/funding";
import type { VtuRuntime } from "../api/services/vtu";
import { adminRoutes } from "./admin-routes";
import { type ChatLink, chatReturnLinks, startLinks } from "./chat-links";
import { giftRoutes } from "./gift-routes";
import { kycRoutes } from "./kyc-routes";
import { Layout } from "./layout";
import { BackToChat } from "./pages/chat-links";
import { FundingResultPage, SandboxCheckoutPage } from "./pages/funding";
import { HomePage } from "./pages/home";
import { type PinChat, pinRoutes } from "./pin-routes";
import { referralRoutes } from "./referral-routes";
import { sandboxBankRoutes } from "./sandbox-bank-routes";
import { schedulePageRoutes } from "./schedule-routes";

/**
 * Server-rendered pages: the funding checkout and result pages, the one-time KYC (BVN) page that
 * opens an account number, and the one-time PIN page (it hands the PIN to the chat through `pinChat`)
 * and the gift claim page (the VTU runtime sends the gifts), the referral landing page, and the admin
 * panel. With the sandbox gateway: its checkout page and the sandbox bank.
 */
export function createWebApp(deps: {
  config: Config;
  payments: PaymentsRuntime;
  vtu?: VtuRuntime;
  /** The chat, for the PIN page: wired by the composition root (scripts/runtime/http.ts). */
  pinChat?: PinChat;
}) {
  // The service context is set per request by the API app's middleware, which wraps this app.
  const app = new Hono<{ Variables: { ctx: ServiceContext } }>();
  const sandbox = deps.config.sandbox;
  const sandboxBank = deps.payments.gateway.sandbox !== undefined;

  // Flutterwave (or the sandbox page) sends the payer here; the query is untrusted, we verify.
  app.get("/fund/callback", async (c) => {
    const result = await showFundingResult({
      ctx: c.var.ctx,
      payments: deps.payments,
      txRef: c.req.query("tx_ref"),
      transactionId: c.req.query("transaction_id"),
    });
    return c.html(
      <FundingResultPage
        result={result}
        sandbox={sandbox}
        sandboxBank={sandboxBank}
        chatLinks={chatReturnLinks(deps.config, result.channel)}
      />,
    );
  });

  app.route("/admin", adminRoutes(deps));
  app.route("/kyc", kycRoutes(deps));
  app.route("/r", referralRoutes({ config: deps.config }));

  if (deps.payments.gateway.sandbox) {
    app.get("/fund/sandbox/:txRef", async (c) => {
      const found = await getSandboxCheckout({
        ctx: c.var.ctx,
        payments: deps.payments,
        txRef: c.req.param("txRef"),
      }).catch(notFoundAsUndefined);
      if (!found) {
        return c.html(missingCheckout(sandbox, chatReturnLinks(deps.config)), 404);
      }
      return c.html(
        <SandboxCheckoutPage
          intent={found.intent}
          open={found.checkoutStatus !== "successful"}
          lastAttemptFailed={found.checkoutStatus === "failed"}
          sandbox={sandbox}
          chatLinks={chatReturnLinks(deps.config, found.channel)}
        />,
      );
    });
    app.post("/fund/sandbox/:txRef", async (c) => {
      const form = await c.req.parseBody();
      const action = form.action === "fail" ? "fail" : "pay";
      const done = await completeSandboxCheckout({
        ctx: c.var.ctx,
        payments: deps.payments,
        txRef: c.req.param("txRef"),
        action,
      }).catch(notFoundAsUndefined);
      if (!done) {
        return c.html(missingCheckout(sandbox, chatReturnLinks(deps.config)), 404);
      }
      return c.redirect(done.redirectTo, 303);
    });
    app.route("/sandbox", sandboxBankRoutes(deps));
  }

  if (deps.pinChat) {
    app.route("/pin", pinRoutes({ config: deps.config, pinChat: deps.pinChat }));
  }
  if (deps.vtu) {
    app.route("/gift", giftRoutes({ config: deps.config, vtu: deps.vtu }));
    app.route("/schedules", schedulePageRoutes({ config: deps.config, vtu: deps.vtu }));
  }

  app.get("/", (c) => c.html(<HomePage sandbox={deps.config.sandbox} start={startLinks(deps.config)} />));
  return app;
}

function notFoundAsUndefined(error: unknown): undefined {
  if (error instanceof ServiceError && error.kind === "not_found") {
    return undefined;
  }
  throw error;
}

function missingCheckout(sandbox: boolean, chatLinks: ChatLink[]) {
  return (
    <Layout title="Checkout not found — TADA VTU" sandbox={sandbox}>
      <main class="card">
        <h1>Checkout not found</h1>
        <p>This payment link is not valid. Start again from the chat.</p>
        <BackToChat links={chatLinks} />
      </main>
    </Layout>
  );
}
