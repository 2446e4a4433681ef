import { Hono } from "hono";
import type { ServiceContext } from "../api/services/context";
import { ServiceError } from "../api/services/errors";
import {
  type PaymentsRuntime,
  SANDBOX_DELIVERIES,
  type SandboxDelivery,
  sendSandboxTransfer,
} from "../api/services/funding";
import { nairaToKobo } from "../api/services/money";
import { boundedBody } from "../api/transport/body-limit";
import { type SandboxBankForm, SandboxBankPage } from "./pages/sandbox-bank";

type Env = { Variables: { ctx: ServiceContext } };

const isDelivery = (value: string): value is SandboxDelivery => Object.hasOwn(SANDBOX_DELIVERIES, value);

/**
 * `/sandbox/bank` (issue 17 §5): the sandbox bank page. Mounted only with the sandbox gateway. GET
 * lists the accounts it issued and the form; POST reads the form (the naira amount by the exact
 * money rule), hands it to sendSandboxTransfer and says what was sent, or what was wrong.
 */
export function sandboxBankRoutes(deps: { payments: PaymentsRuntime }) {
  const app = new Hono<Env>();
  const sandbox = deps.payments.gateway.sandbox;

  const accounts = async () => (sandbox ? await sandbox.listVirtualAccounts(50) : []);

  app.get("/bank", async (c) => {
    c.header("Cache-Control", "no-store");
    const account = (c.req.query("account") ?? "").slice(0, 20);
    return c.html(<SandboxBankPage accounts={await accounts()} form={{ accountNumber: account }} />);
  });

  app.post(
    "/bank",
    boundedBody({
      maxSize: 8 * 1024,
      onError: async (c) =>
        c.html(<SandboxBankPage accounts={await accounts()} error="That form is too large." />, 413),
    }),
  );

  app.post("/bank", async (c) => {
    c.header("Cache-Control", "no-store");
    const body = await c.req.parseBody();
    const text = (name: string) => {
      const value = body[name];
      return typeof value === "string" ? value.trim() : "";
    };
    const delivery = text("delivery");
    const form: SandboxBankForm = {
      accountNumber: text("account_number").slice(0, 20),
      amount: text("amount").slice(0, 20),
      senderName: text("sender_name").slice(0, 60),
      delivery: isDelivery(delivery) ? delivery : undefined,
    };
    const refuse = async (error: string, status: 400 | 404 = 400) =>
      c.html(<SandboxBankPage accounts={await accounts()} form={form} error={error} />, status);
    if (!form.delivery) {
      return refuse("Choose how the webhook arrives.");
    }
    if (!/^\d{10}$/.test(form.accountNumber ?? "")) {
      return refuse("An account number is 10 digits: pick one from the list below.");
    }
    try {
      // "5000", "5,000", "₦5,000.50": the exact naira → kobo rule every money path uses.
      const amountKobo = nairaToKobo((form.amount ?? "").replace(/[₦\s]/g, ""));
      const sent = await sendSandboxTransfer({
        ctx: c.var.ctx,
        payments: deps.payments,
        accountNumber: form.accountNumber ?? "",
        amountKobo,
        senderName: form.senderName ?? "",
        delivery: form.delivery,
      });
      return c.html(
        <SandboxBankPage
          accounts={await accounts()}
          form={{ accountNumber: form.accountNumber, delivery: form.delivery }}
          sent={{
            accountNumber: form.accountNumber ?? "",
            amountKobo,
            senderName: form.senderName || "SANDBOX PAYER",
            delivery: form.delivery,
            ...sent,
          }}
        />,
      );
    } catch (error) {
      if (error instanceof ServiceError) {
        const message =
          error.code === "INVALID_AMOUNT"
            ? `"${form.amount}" is not an amount in naira: type it like 5000, 5,000 or 5000.50.`
            : error.code === "ACCOUNT_NOT_FOUND"
              ? `The sandbox gateway never issued ${form.accountNumber}: pick a number from the list below.`
              : error.message;
        return refuse(message, error.kind === "not_found" ? 404 : 400);
      }
      throw error;
    }
  });

  return app;
}
