import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Config } from "../../config";
import type { AppEnv } from "../context";

export const API_VERSION = "1.0.0";

const TAGS = [
  { name: "Auth", description: "Sign up, log in, sessions, PIN." },
  { name: "Wallet", description: "Balance, transactions, funding and withdrawals." },
  {
    name: "VTU",
    description: "The catalogue, purchases (airtime, data, cable TV, electricity), verification and orders.",
  },
  { name: "Gift rooms", description: "Send airtime or data to many people through one link." },
  { name: "API keys", description: "Reseller keys, their scopes and order callbacks." },
  {
    name: "Schedules",
    description: "Recurring purchases and cable auto-renew under a PIN-approved authorisation.",
  },
  { name: "Rewards", description: "Referrals, points and customer tiers." },
  {
    name: "Sandbox",
    description: "Sandbox-only helpers: present only when the deployment runs in sandbox mode.",
  },
  { name: "Admin", description: "The admin API, with an admin API key (`tadm_…`)." },
  { name: "Health", description: "Liveness and readiness." },
];

/** The OpenAPI 3.1 document of every route registered with defineRoute under `app`. */
export function openApiDocument(app: OpenAPIHono<AppEnv>, config: Config, origin: string) {
  const document = app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "TADA VTU API",
      version: API_VERSION,
      description: [
        "Airtime, data, cable TV and electricity for Nigeria, from a wallet.",
        "",
        "- Every answer is a JSON envelope: `{ success: true, data, message?, timestamp, requestId }` or `{ success: false, error, code, details?, timestamp, requestId }`. Branch on `code`.",
        "- Money is integer kobo (₦1 = 100 kobo) in fields ending `Kobo`; times are ISO 8601 with an offset.",
        "- Money-moving POSTs need an `Idempotency-Key` header: a retry with the same key is answered with the first result and `Idempotent-Replayed: true`, never applied twice.",
        "- Lists answer `{ items, nextCursor }`; pass `cursor=<nextCursor>` for the next page.",
        "- Authenticate with `Authorization: Bearer <session token or API key>`. API keys carry scopes (`read`, `purchase`, `withdraw`, `gift`) and a rate limit reported in `RateLimit-*` headers.",
        "- `/api/v1/…` is the same API as `/api/…`; see the README's API versioning policy.",
        config.sandbox
          ? "\n**Sandbox:** this deployment moves no real money; “Try it out” runs against it."
          : "\n**Live:** requests here move real money.",
      ].join("\n"),
    },
    servers: [{ url: config.PUBLIC_BASE_URL ?? origin, description: config.sandbox ? "Sandbox" : "Live" }],
    tags: TAGS,
  });
  document.components = {
    ...document.components,
    securitySchemes: {
      bearer: {
        type: "http",
        scheme: "bearer",
        description: "A login session token (from POST /api/auth/login) or a reseller API key (`tvk_…`).",
      },
      adminKey: { type: "http", scheme: "bearer", description: "An admin API key (`tadm_…`)." },
    },
  };
  return document;
}
