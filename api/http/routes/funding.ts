import { Hono } from "hono";
import { z } from "zod";
import {
  createDynamicAccount,
  createFundingIntent,
  createKycLink,
  createWithdrawal,
  FundInput,
  getFundingIntent,
  getTransferFunding,
  getWithdrawal,
  listBanks,
  type PaymentsRuntime,
  ResolveAccountInput,
  receivePaymentWebhook,
  resolveBankAccount,
  WithdrawInput,
} from "../../services/funding";
import type { AppEnv } from "../context";
import { fail, ok } from "../envelope";
import { requireUser } from "../middleware";
import { jsonBody, idempotencyKey as requireIdempotencyKey } from "../validate";

/** A one-time account number for this many kobo (the service checks the range and says it). */
const DynamicAccountInput = z.strictObject({ amountKobo: z.number().int() });

/**
 * /api/wallet: funding through the payment gateway (card checkout, or bank transfer to a virtual
 * account) and withdrawals to a bank account.
 */
export function fundingRoutes(deps: { payments: PaymentsRuntime }) {
  const app = new Hono<AppEnv>();
  const { payments } = deps;

  app.post("/fund", requireUser({ scope: "purchase" }), async (c) => {
    const input = await jsonBody(c, FundInput);
    const intent = await createFundingIntent({
      ctx: c.var.ctx,
      payments,
      userId: c.var.principal.userId,
      channel: "api",
      input,
    });
    return ok(c, { intent }, { status: 201, message: "Open checkoutUrl to pay." });
  });
  app.get("/fund/:ref", requireUser({ scope: "read" }), async (c) =>
    ok(c, {
      intent: await getFundingIntent({
        ctx: c.var.ctx,
        userId: c.var.principal.userId,
        ref: c.req.param("ref"),
      }),
    }),
  );

  // Bank transfer: the customer's own account number (or why there is none yet, and the rules).
  app.get("/transfer-account", requireUser({ scope: "read" }), async (c) =>
    ok(c, {
      transferAccount: await getTransferFunding({ ctx: c.var.ctx, userId: c.var.principal.userId }),
    }),
  );
  // The one-time KYC page's link: the BVN is given there, never to this API.
  app.post("/transfer-account/kyc-link", requireUser({ scope: "purchase" }), async (c) => {
    const userId = c.var.principal.userId;
    const link = await createKycLink({ ctx: c.var.ctx, userId, channel: "api", userRef: userId });
    return ok(
      c,
      { url: link.url, expiresAt: link.expiresAt.toISOString() },
      { status: 201, message: "Open url to give your BVN and get your account number. It works once." },
    );
  });
  app.post("/transfer-account/dynamic", requireUser({ scope: "purchase" }), async (c) => {
    const { amountKobo } = await jsonBody(c, DynamicAccountInput);
    const account = await createDynamicAccount({
      ctx: c.var.ctx,
      payments,
      userId: c.var.principal.userId,
      channel: "api",
      amountKobo,
    });
    return ok(
      c,
      { account },
      { status: 201, message: "Transfer exactly totalKobo to this account before expiresAt." },
    );
  });

  app.get("/banks", requireUser({ scope: "read" }), async (c) =>
    ok(c, { banks: await listBanks({ payments }) }),
  );
  app.post("/withdraw/resolve", requireUser({ scope: "withdraw" }), async (c) => {
    const input = await jsonBody(c, ResolveAccountInput);
    return ok(c, { account: await resolveBankAccount({ ctx: c.var.ctx, payments, input }) });
  });
  app.post("/withdraw", requireUser({ scope: "withdraw" }), async (c) => {
    const idempotencyKey = requireIdempotencyKey(c, "can never pay out twice");
    const input = await jsonBody(c, WithdrawInput);
    const { withdrawal, replayed } = await createWithdrawal({
      ctx: c.var.ctx,
      payments,
      userId: c.var.principal.userId,
      idempotencyKey,
      input,
    });
    if (replayed) {
      c.header("Idempotent-Replayed", "true");
    }
    return ok(c, { withdrawal }, { status: replayed ? 200 : 201 });
  });
  app.get("/withdrawals/:id", requireUser({ scope: "read" }), async (c) =>
    ok(c, {
      withdrawal: await getWithdrawal({
        ctx: c.var.ctx,
        userId: c.var.principal.userId,
        id: c.req.param("id"),
      }),
    }),
  );
  return app;
}

/**
 * POST /api/webhooks/flutterwave. The raw bytes are read before any parsing (W9: an HMAC is over
 * the bytes as sent); a bad or missing signature is a 401; anything authenticated is stored and
 * answered 200 at once, and decided later by our own verify call.
 */
export function paymentWebhookRoutes(deps: { payments: PaymentsRuntime }) {
  const app = new Hono<AppEnv>();
  app.post("/flutterwave", async (c) => {
    const rawBody = Buffer.from(await c.req.arrayBuffer());
    const receipt = await receivePaymentWebhook({
      ctx: c.var.ctx,
      payments: deps.payments,
      headers: { verifHash: c.req.header("verif-hash"), signature: c.req.header("flutterwave-signature") },
      rawBody,
    });
    if (receipt.status === 401) {
      return fail(c, 401, "INVALID_SIGNATURE", "This webhook is not signed with our secret hash.");
    }
    return ok(c, { received: true, outcome: receipt.outcome });
  });
  return app;
}
