import { Hono } from "hono";
import type { Config } from "../api/config";
import type { ServiceContext } from "../api/services/context";
import { findReferrer, telegramReferralLink, whatsappReferralLink } from "../api/services/rewards";
import { startLinks } from "./chat-links";
import { ReferralNotFoundPage, ReferralPage } from "./pages/referral";

type Env = { Variables: { ctx: ServiceContext } };

/**
 * `/r/:code`, a customer's referral link (issue 18 §1): who invited the visitor (first name only),
 * the welcome bonus, and the ways to start the bot with the code. Like the gift pages: no cache, no
 * Referer, nothing loaded from anywhere, no JavaScript.
 */
export function referralRoutes(deps: { config: Config }) {
  const app = new Hono<Env>();
  const { config } = deps;

  app.use("*", async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
    c.header("Referrer-Policy", "no-referrer");
    c.header(
      "Content-Security-Policy",
      // img-src data: lets the layout's empty data: favicon load (without it, a console error per load).
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
    );
  });

  app.get("/:code", async (c) => {
    const referrer = await findReferrer(c.var.ctx, c.req.param("code"));
    if (!referrer) {
      return c.html(<ReferralNotFoundPage links={startLinks(config)} sandbox={config.sandbox} />, 404);
    }
    return c.html(
      <ReferralPage
        firstName={referrer.firstName}
        code={referrer.code}
        welcomeKobo={config.REFERRAL_WELCOME_KOBO}
        minPurchaseKobo={config.REFERRAL_MIN_PURCHASE_KOBO}
        links={{
          telegram: telegramReferralLink(config, referrer.code),
          whatsapp: whatsappReferralLink(config, referrer.code),
        }}
        sandbox={config.sandbox}
      />,
    );
  });
  return app;
}
