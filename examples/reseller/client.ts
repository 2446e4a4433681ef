import { randomInt, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import createClient from "openapi-fetch";
// Self-contained (node:crypto only): copy that file into your own receiver as it is.
import { verifyCallbackSignature } from "../../api/services/callbacks/verify";
import type { paths } from "./api-types";

/**
 * A reseller's whole first day against a sandbox deployment, typed end to end by the types
 * generated from /openapi.json (`npm run api:types`):
 *   sign up → set a PIN → create an API key (read + purchase) → fund the wallet (sandbox) →
 *   register a callback URL on the key → buy data with the key → receive the signed callback on a
 *   local server, verify its signature → read the key's delivery log.
 * Run: `npm start` in one terminal, then `npm run example:reseller` (TADA_BASE_URL, default
 * http://localhost:3000). It exits 0 only if every step did what it should.
 */

const BASE_URL = process.env.TADA_BASE_URL ?? "http://localhost:3000";
const PIN = "2580";
const CALLBACK_WAIT_MS = Number(process.env.TADA_CALLBACK_WAIT_MS ?? 60_000);
/** A sandbox number whose orders are delivered (README "Sandbox outcomes"). */
const RECIPIENT = "08031234567";

type Envelope<T> = { data?: T; error?: { code?: string; error?: string }; response: Response };

/** The data of a successful answer, or a thrown error that says which step failed and why. */
function must<T>(step: string, result: Envelope<{ data: T }>): T {
  if (!result.data) {
    const error = result.error ?? {};
    throw new Error(
      `${step}: HTTP ${result.response.status} ${error.code ?? ""} ${error.error ?? ""}`.trim(),
    );
  }
  return result.data.data;
}

function log(line: string): void {
  console.log(`reseller: ${line}`);
}

type Received = { event: string; orderId: string; deliveryId: string; verified: boolean };

/** A local HTTP server that verifies each callback and hands the first one for `orderId` over. */
async function startReceiver(secret: () => string | undefined) {
  const received: Received[] = [];
  const seen = new Set<string>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks);
      const check = verifyCallbackSignature({
        secret: secret() ?? "",
        header: req.headers["tada-signature"] as string | undefined,
        rawBody,
      });
      if (!check.ok) {
        log(`callback refused: ${check.reason}`);
        res.writeHead(400).end(check.reason);
        return;
      }
      const deliveryId = String(req.headers["tada-delivery-id"] ?? "");
      if (!seen.has(deliveryId)) {
        seen.add(deliveryId);
        const body = JSON.parse(rawBody.toString("utf8")) as { event: string; order: { id: string } };
        received.push({ event: body.event, orderId: body.order.id, deliveryId, verified: true });
      }
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/tada/callbacks`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function main(): Promise<void> {
  const api = createClient<paths>({ baseUrl: BASE_URL });

  // 1. An account with a login session (API keys are managed with a session only).
  const phone = `0803${String(randomInt(0, 10_000_000)).padStart(7, "0")}`;
  const password = `reseller-${randomUUID()}`;
  must("register", await api.POST("/api/auth/register", { body: { phone, password, name: "Example Shop" } }));
  const session = must("login", await api.POST("/api/auth/login", { body: { phone, password } }));
  const asUser = createClient<paths>({
    baseUrl: BASE_URL,
    headers: { authorization: `Bearer ${session.token}` },
  });
  must("set PIN", await asUser.POST("/api/auth/pin", { body: { pin: PIN } }));
  log(`signed up ${phone}`);

  // 2. A key that can read and buy (not withdraw), and money in the wallet (sandbox only).
  const key = must(
    "create API key",
    await asUser.POST("/api/api-keys", { body: { name: "Example shop", scopes: ["read", "purchase"] } }),
  );
  must("fund (sandbox)", await asUser.POST("/api/sandbox/fund", { body: { amountKobo: 500_000 } }));
  log(`API key ${key.prefix}… with scopes ${key.scopes.join(", ")}`);

  // 3. Callbacks for orders made with this key, to a local receiver that verifies each one.
  let secret: string | undefined;
  const receiver = await startReceiver(() => secret);
  try {
    const callback = must(
      "register callback",
      await asUser.PUT("/api/api-keys/{id}/callback", {
        params: { path: { id: key.id } },
        body: { url: receiver.url },
      }),
    );
    secret = callback.secret ?? undefined;
    if (!secret) {
      throw new Error("register callback: no secret in the first answer");
    }
    log(`callback registered at ${receiver.url}`);

    // 4. Buy the cheapest MTN data plan with the key.
    const asKey = createClient<paths>({ baseUrl: BASE_URL, headers: { authorization: `Bearer ${key.key}` } });
    const { items: plans } = must(
      "list plans",
      await asKey.GET("/api/vtu/plans/{network}", { params: { path: { network: "mtn" } } }),
    );
    const plan = [...plans].sort((a, b) => a.priceKobo - b.priceKobo)[0];
    if (!plan) {
      throw new Error("list plans: no MTN plans");
    }
    const { order } = must(
      "buy data",
      await asKey.POST("/api/vtu/data", {
        params: { header: { "Idempotency-Key": randomUUID() } },
        body: { network: "mtn", phone: RECIPIENT, planId: plan.id, pin: PIN },
      }),
    );
    log(`bought ${plan.name} for ${RECIPIENT}: order ${order.id}, ${order.state}, ₦${order.priceKobo / 100}`);

    // 5. The signed callback arrives when the order is final.
    const deadline = Date.now() + CALLBACK_WAIT_MS;
    let got: Received | undefined;
    while (!got && Date.now() < deadline) {
      got = receiver.received.find((r) => r.orderId === order.id);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (!got) {
      throw new Error(`no callback for ${order.id} within ${CALLBACK_WAIT_MS} ms`);
    }
    if (got.event !== "order.delivered") {
      throw new Error(`callback: expected order.delivered, got ${got.event}`);
    }
    log(`callback ${got.event} for ${got.orderId} — signature verified (delivery ${got.deliveryId})`);

    // 6. The key's delivery log says it was delivered.
    const deliveries = must(
      "delivery log",
      await asUser.GET("/api/api-keys/{id}/callbacks", {
        params: { path: { id: key.id }, query: { limit: 5 } },
      }),
    );
    const logged = deliveries.items.find((d) => d.id === got.deliveryId);
    if (logged?.status !== "delivered") {
      throw new Error(`delivery log: ${got.deliveryId} is ${logged?.status ?? "missing"}`);
    }
    log("delivery log: delivered");
    log("OK");
  } finally {
    await receiver.close();
  }
}

main().catch((error: unknown) => {
  console.error(`reseller: FAILED ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
