import { OpenAPIHono } from "@hono/zod-openapi";
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
import { defineRoute, reply } from "../openapi/define-route";
import { listed, listWithLegacyName } from "../openapi/envelope-schemas";
import {
  Bank,
  FundingIntent,
  KycLink,
  ResolvedAccount,
  TransferFunding,
  VirtualAccount,
  Withdrawal,
} from "../schemas/wallet";

/** A one-time account number for this many kobo (the service checks the range and says it). */
const DynamicAccountInput = z.strictObject({ amountKobo: z.number().int() });
const RefParams = z.strictObject({
  ref: z
    .string()
    .min(1)
    .max(100)
    .meta({ description: "The intent's `id` or `txRef`.", example: "TADA-01JEXAMPLE" }),
});
const WithdrawalParams = z.strictObject({
  id: z.string().min(1).max(100).meta({ example: "wdr_01JEXAMPLE" }),
});
const TAGS = ["Wallet"];

const SUSPENDED = {
  status: 403,
  code: "ACCOUNT_SUSPENDED",
  description: "The account is suspended.",
} as const;
const AMOUNT_OUT_OF_RANGE = {
  status: 400,
  code: "AMOUNT_OUT_OF_RANGE",
  description: "The amount is outside what one funding or withdrawal may be; `details` has the range.",
} as const;
const FUNDING_LIMIT = {
  status: 422,
  code: "FUNDING_LIMIT",
  description: "Over the daily funding limit of your verification level.",
} as const;
const BANK_ERRORS = [
  { status: 422, code: "ACCOUNT_NOT_FOUND", description: "The bank knows no such account number." },
  {
    status: 503,
    code: "BANK_UNAVAILABLE",
    description: "The bank could not be reached; try again in a minute.",
  },
] as const;

/**
 * /api/wallet: funding through the payment gateway (card checkout, or bank transfer to a virtual
 * account) and withdrawals to a bank account.
 */
export function fundingRoutes(deps: { payments: PaymentsRuntime }) {
  const app = new OpenAPIHono<AppEnv>();
  const { payments } = deps;

  defineRoute(
    app,
    {
      method: "post",
      path: "/fund",
      tags: TAGS,
      summary: "Start a card or bank payment into your wallet",
      description:
        "Creates a checkout for `amountKobo` plus the funding fee; open `checkoutUrl` to pay. Only a payment the gateway confirms credits the wallet.",
      auth: "user",
      body: FundInput,
      bodyExample: { amountKobo: 500000 },
      response: {
        status: 201,
        description: "The funding request.",
        schema: z.object({ intent: FundingIntent }),
      },
      errors: [
        AMOUNT_OUT_OF_RANGE,
        SUSPENDED,
        FUNDING_LIMIT,
        {
          status: 503,
          code: "CHECKOUT_UNAVAILABLE",
          description: "The payment page could not be opened; nothing was charged.",
        },
      ],
    },
    async (c, { body }) => {
      const intent = await createFundingIntent({
        ctx: c.var.ctx,
        payments,
        userId: c.var.principal.userId,
        channel: "api",
        input: body,
      });
      return reply({ intent }, { message: "Open checkoutUrl to pay." });
    },
  );
  defineRoute(
    app,
    {
      method: "get",
      path: "/fund/:ref",
      tags: TAGS,
      summary: "One of your funding requests",
      auth: "user",
      params: RefParams,
      response: { description: "The funding request.", schema: z.object({ intent: FundingIntent }) },
      errors: [{ status: 404, code: "FUNDING_NOT_FOUND", description: "No such funding request of yours." }],
    },
    async (c, { params }) => ({
      intent: await getFundingIntent({ ctx: c.var.ctx, userId: c.var.principal.userId, ref: params.ref }),
    }),
  );

  // Bank transfer: the customer's own account number (or why there is none yet, and the rules).
  defineRoute(
    app,
    {
      method: "get",
      path: "/transfer-account",
      tags: TAGS,
      summary: "Your account number for funding by bank transfer, or why there is none yet",
      auth: "user",
      response: {
        description: "The account, your level and its limit, and the transfer fee.",
        schema: z.object({ transferAccount: TransferFunding }),
      },
    },
    async (c) => ({
      transferAccount: await getTransferFunding({ ctx: c.var.ctx, userId: c.var.principal.userId }),
    }),
  );
  // The one-time KYC page's link: the BVN is given there, never to this API.
  defineRoute(
    app,
    {
      method: "post",
      path: "/transfer-account/kyc-link",
      tags: TAGS,
      summary: "A one-time page to give your BVN and get a permanent account number",
      description: "The BVN is typed on that page, never sent to this API.",
      auth: "user",
      response: { status: 201, description: "The page's link.", schema: KycLink },
      errors: [
        SUSPENDED,
        {
          status: 403,
          code: "LEVEL_TOO_LOW",
          description: "Permanent account numbers are not available at your verification level.",
        },
        { status: 409, code: "ACCOUNT_NUMBER_EXISTS", description: "You have one, or it is being set up." },
      ],
    },
    async (c) => {
      const userId = c.var.principal.userId;
      const link = await createKycLink({ ctx: c.var.ctx, userId, channel: "api", userRef: userId });
      return reply(
        { url: link.url, expiresAt: link.expiresAt.toISOString() },
        { message: "Open url to give your BVN and get your account number. It works once." },
      );
    },
  );
  defineRoute(
    app,
    {
      method: "post",
      path: "/transfer-account/dynamic",
      tags: TAGS,
      summary: "A one-time account number for one transfer of a fixed amount",
      description:
        "Send exactly `totalKobo` (the amount plus the transfer fee) before `expiresAt`; `amountKobo` reaches the wallet.",
      auth: "user",
      body: DynamicAccountInput,
      bodyExample: { amountKobo: 500000 },
      response: {
        status: 201,
        description: "The account to pay into.",
        schema: z.object({ account: VirtualAccount }),
      },
      errors: [
        AMOUNT_OUT_OF_RANGE,
        SUSPENDED,
        FUNDING_LIMIT,
        {
          status: 503,
          code: "TRANSFER_ACCOUNT_UNAVAILABLE",
          description: "No account number could be had just now; nothing was charged.",
        },
      ],
    },
    async (c, { body }) => {
      const account = await createDynamicAccount({
        ctx: c.var.ctx,
        payments,
        userId: c.var.principal.userId,
        channel: "api",
        amountKobo: body.amountKobo,
      });
      return reply({ account }, { message: "Transfer exactly totalKobo to this account before expiresAt." });
    },
  );

  defineRoute(
    app,
    {
      method: "get",
      path: "/banks",
      tags: TAGS,
      summary: "Banks you can withdraw to",
      auth: "user",
      response: { description: "The banks and their codes.", schema: listWithLegacyName(Bank, "banks") },
    },
    async () => listed(await listBanks({ payments }), "banks"),
  );
  // Part of withdrawing: it reveals an account holder's name, so a key needs the withdraw scope.
  defineRoute(
    app,
    {
      method: "post",
      path: "/withdraw/resolve",
      tags: TAGS,
      summary: "The name on a bank account, to confirm before withdrawing",
      auth: "user",
      scope: "withdraw",
      body: ResolveAccountInput,
      bodyExample: { bankCode: "058", accountNumber: "0123456789" },
      response: {
        description: "The account and its holder's name.",
        schema: z.object({ account: ResolvedAccount }),
      },
      errors: [...BANK_ERRORS],
    },
    async (c, { body }) => ({ account: await resolveBankAccount({ ctx: c.var.ctx, payments, input: body }) }),
  );
  defineRoute(
    app,
    {
      method: "post",
      path: "/withdraw",
      tags: TAGS,
      summary: "Withdraw to a bank account",
      description:
        "Resolve the account first and send its `accountName` back to confirm who is paid. Amount + fee are held at once; " +
        "the transfer goes out in the background: read it again with GET /api/wallet/withdrawals/{id}.",
      auth: "user",
      scope: "withdraw",
      idempotencyKey: "required",
      idempotencyPurpose: "can never pay out twice",
      body: WithdrawInput,
      bodyExample: {
        bankCode: "058",
        accountNumber: "0123456789",
        accountName: "ADA OKAFOR",
        amountKobo: 500000,
        pin: "2580",
      },
      response: { status: 201, description: "The withdrawal.", schema: z.object({ withdrawal: Withdrawal }) },
      errors: [
        AMOUNT_OUT_OF_RANGE,
        {
          status: 400,
          code: "ACCOUNT_NAME_CONFIRMATION_REQUIRED",
          description: "Send the account's name as `accountName`; `details.accountName` has it.",
        },
        {
          status: 400,
          code: "ACCOUNT_NAME_MISMATCH",
          description: "The account belongs to someone else than `accountName`.",
        },
        SUSPENDED,
        {
          status: 409,
          code: "PIN_NOT_SET",
          description: "Set a transaction PIN first (POST /api/auth/pin).",
        },
        {
          status: 409,
          code: "IDEMPOTENCY_KEY_REUSED",
          description: "The Idempotency-Key was used for a different request.",
        },
        { status: 422, code: "INCORRECT_PIN", description: "The PIN is wrong; a few wrong tries lock it." },
        { status: 422, code: "INSUFFICIENT_FUNDS", description: "The wallet holds less than amount + fee." },
        {
          status: 422,
          code: "WITHDRAWAL_LIMIT",
          description: "Over the daily withdrawal limit of your verification level.",
        },
        { status: 423, code: "PIN_LOCKED", description: "Too many wrong PINs; wait, or reset it." },
        ...BANK_ERRORS,
      ],
    },
    async (c, { body, idempotencyKey }) => {
      const { withdrawal, replayed } = await createWithdrawal({
        ctx: c.var.ctx,
        payments,
        userId: c.var.principal.userId,
        idempotencyKey: idempotencyKey as string,
        input: body,
      });
      return replayed
        ? reply({ withdrawal }, { status: 200, headers: { "Idempotent-Replayed": "true" } })
        : { withdrawal };
    },
  );
  defineRoute(
    app,
    {
      method: "get",
      path: "/withdrawals/:id",
      tags: TAGS,
      summary: "One of your withdrawals",
      auth: "user",
      params: WithdrawalParams,
      response: { description: "The withdrawal.", schema: z.object({ withdrawal: Withdrawal }) },
      errors: [{ status: 404, code: "WITHDRAWAL_NOT_FOUND", description: "No such withdrawal of yours." }],
    },
    async (c, { params }) => ({
      withdrawal: await getWithdrawal({ ctx: c.var.ctx, userId: c.var.principal.userId, id: params.id }),
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
