import { Hono } from "hono";
import type { Config } from "../api/config";
import type { ServiceContext } from "../api/services/context";
import {
  describeTransferFee,
  findOpenKycLink,
  type PaymentsRuntime,
  submitKyc,
} from "../api/services/funding";
import { boundedBody } from "../api/transport/body-limit";
import { chatReturnLinks } from "./chat-links";
import {
  COPY_SCRIPT_HASH,
  KYC_FORM_NAMES,
  KycFormPage,
  KycIssuedPage,
  KycLinkGonePage,
  KycPendingPage,
  KycProblemPage,
} from "./pages/kyc";

type Env = { Variables: { ctx: ServiceContext } };

/**
 * The page loads nothing from anywhere and runs one script: the copy button's, allowed by its hash.
 * (`img-src data:` is the layout's empty icon.)
 */
const KYC_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  `script-src ${COPY_SCRIPT_HASH}`,
  "img-src data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

/**
 * `/kyc/:token`, the one-time BVN page (issue 17), like the PIN page: GET shows the form and never
 * uses the link; POST hands the form to submitKyc, which holds every rule, and shows its outcome.
 * The BVN is read from the form and passed on, nothing else: it is not logged, not put back in a
 * page (a refused form comes back without it) and never in a URL.
 */
export function kycRoutes(deps: { config: Config; payments: PaymentsRuntime }) {
  const app = new Hono<Env>();
  const sandbox = deps.config.sandbox;
  // CHAT_RETURN_URL, else the bot's own link (chat-links.ts); none: the page says to close it.
  const chatUrl = chatReturnLinks(deps.config)[0]?.href;

  // The token in the URL is a secret: no cache may keep the page, no Referer may carry it away.
  app.use("*", async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
    c.header("Referrer-Policy", "no-referrer");
    c.header("Content-Security-Policy", KYC_CSP);
  });

  // GET never uses the link: link-preview fetchers and prefetching browsers open it too.
  app.get("/:token", async (c) => {
    const link = await findOpenKycLink({ ctx: c.var.ctx, token: c.req.param("token") });
    if (!link) {
      return c.html(<KycLinkGonePage sandbox={sandbox} chatUrl={chatUrl} />, 410);
    }
    return c.html(<KycFormPage sandbox={sandbox} />);
  });

  // A BVN and two names: a few hundred bytes. Nothing big is ever parsed.
  app.post(
    "/:token",
    boundedBody({
      maxSize: 8 * 1024,
      onError: (c) =>
        c.html(
          <KycFormPage
            sandbox={sandbox}
            error={{ field: "bvn", message: "That form is too large. Type your BVN and names again." }}
          />,
          413,
        ),
    }),
  );

  app.post("/:token", async (c) => {
    const ctx = c.var.ctx;
    const body = await c.req.parseBody();
    const text = (name: string) => {
      const value = body[name];
      return typeof value === "string" ? value : undefined;
    };
    const form = {
      bvn: text(KYC_FORM_NAMES.bvn),
      firstName: text(KYC_FORM_NAMES.firstName),
      lastName: text(KYC_FORM_NAMES.lastName),
    };
    const result = await submitKyc({ ctx, payments: deps.payments, token: c.req.param("token"), form });
    switch (result.outcome) {
      case "issued":
        return c.html(
          <KycIssuedPage
            sandbox={sandbox}
            account={result.account}
            bvnLast3={result.bvnLast3}
            fee={describeTransferFee(ctx.config)}
            chatUrl={chatUrl}
          />,
        );
      case "pending":
        return c.html(<KycPendingPage sandbox={sandbox} bvnLast3={result.bvnLast3} chatUrl={chatUrl} />);
      case "invalid":
        // The names come back so only the wrong one needs typing again; the BVN never does.
        return c.html(
          <KycFormPage
            sandbox={sandbox}
            values={{ firstName: form.firstName?.slice(0, 50), lastName: form.lastName?.slice(0, 50) }}
            error={{ field: result.field, message: result.message }}
          />,
          400,
        );
      case "refused":
        return c.html(
          <KycProblemPage sandbox={sandbox} heading="The bank did not accept this BVN" chatUrl={chatUrl}>
            <p>
              The bank said: {result.message}. We did not keep the BVN. Check it (dial *565*0# on the phone
              number linked to your bank), then ask for your account number in the chat again: you will get a
              new link.
            </p>
          </KycProblemPage>,
          422,
        );
      case "duplicate":
        return c.html(
          <KycProblemPage sandbox={sandbox} heading="This BVN is already in use" chatUrl={chatUrl}>
            <p>
              This BVN is already linked to another TADA account, and one BVN can have only one. If that
              account is yours, use it; if you did not open it, contact our support from the chat.
            </p>
          </KycProblemPage>,
          409,
        );
      case "not_allowed":
        return c.html(
          <KycProblemPage
            sandbox={sandbox}
            heading="We cannot open an account number for you"
            chatUrl={chatUrl}
          >
            <p>{result.message}</p>
          </KycProblemPage>,
          403,
        );
      default:
        return c.html(<KycLinkGonePage sandbox={sandbox} chatUrl={chatUrl} />, 410);
    }
  });

  return app;
}
