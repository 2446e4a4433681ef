import type { Kysely } from "kysely";
import type { Database } from "../../../db/database";
import type { Bank, PaymentGateway, TransferResult, VerifiedPayment } from "../../services/funding/gateway";
import type { RawExchange } from "../../services/vtu/provider";

/**
 * A payment gateway that plays Flutterwave for the embedded default: checkout links open a local page
 * (/fund/sandbox/:txRef) where the payer chooses pay or fail; verify answers from its own books
 * (`sandbox_gateway_payments`), so the real webhook → verify → credit path runs unchanged. Bank
 * accounts ending 0000 do not resolve; transfers end by the account's last four digits (README).
 */
export type SandboxGatewayOptions = {
  db: Kysely<Database>;
  publicBaseUrl: string;
  /** How long a "pending" transfer takes to complete. */
  pendingSeconds: number;
  now?: () => Date;
  /** Like Flutterwave's transfer.completed webhook: told when a pending transfer completes. */
  onTransferCompleted?: (transfer: {
    id: string;
    reference: string;
    status: "SUCCESSFUL" | "FAILED";
    amountKobo: number;
  }) => void;
};

export const SANDBOX_BANKS: Bank[] = [
  { code: "044", name: "Access Bank" },
  { code: "058", name: "Guaranty Trust Bank" },
  { code: "057", name: "Zenith Bank" },
  { code: "033", name: "United Bank for Africa" },
  { code: "50211", name: "Kuda Microfinance Bank" },
  { code: "999", name: "TADA Sandbox Bank" },
];

const raw = (body: unknown): RawExchange => ({ httpStatus: 200, body, durationMs: 0 });

export function createSandboxGateway(options: SandboxGatewayOptions): PaymentGateway {
  const { db } = options;
  const now = options.now ?? (() => new Date());

  async function verify(where: { id?: number; txRef?: string }): Promise<VerifiedPayment> {
    const row = await db
      .selectFrom("sandbox_gateway_payments")
      .selectAll()
      .$if(where.id !== undefined, (q) => q.where("id", "=", where.id ?? 0))
      .$if(where.txRef !== undefined, (q) => q.where("tx_ref", "=", where.txRef ?? ""))
      .executeTakeFirst();
    if (!row) {
      return { found: false, raw: raw({ status: "error", message: "No transaction was found" }) };
    }
    return {
      found: true,
      id: String(row.id),
      txRef: row.tx_ref,
      status: row.status,
      currency: row.currency,
      amountKobo: row.amount_kobo,
      raw: raw({ status: "success", data: row }),
    };
  }

  async function transferResult(reference: string): Promise<TransferResult> {
    const row = await db
      .selectFrom("sandbox_gateway_transfers")
      .selectAll()
      .where("reference", "=", reference)
      .executeTakeFirst();
    if (!row) {
      return {
        outcome: "unknown",
        message: "No transfer with that reference",
        raw: raw({ status: "error" }),
      };
    }
    let status = row.status;
    if (status === "NEW" && row.resolve_at && row.resolve_at <= now()) {
      status = row.final_status === "FAILED" ? "FAILED" : "SUCCESSFUL";
      await db
        .updateTable("sandbox_gateway_transfers")
        .set({ status, resolve_at: null })
        .where("id", "=", row.id)
        .execute();
    }
    const outcome = status === "SUCCESSFUL" ? "successful" : status === "FAILED" ? "failed" : "pending";
    return {
      outcome,
      id: String(row.id),
      message: `Transfer ${status}`,
      raw: raw({ status: "success", data: { ...row, status } }),
    };
  }

  return {
    code: "sandbox",
    async createCheckout(input) {
      await db
        .insertInto("sandbox_gateway_payments")
        .values({ tx_ref: input.txRef, amount_kobo: input.amountKobo, customer_email: input.customer.email })
        .onConflict((oc) => oc.column("tx_ref").doNothing())
        .execute();
      const link = `${options.publicBaseUrl}/fund/sandbox/${encodeURIComponent(input.txRef)}`;
      return { link, raw: raw({ status: "success", message: "Hosted Link", data: { link } }) };
    },
    verifyById: (id) =>
      /^\d+$/.test(id) ? verify({ id: Number(id) }) : Promise.resolve({ found: false, raw: raw({}) }),
    verifyByReference: (txRef) => verify({ txRef }),
    listBanks: async () => SANDBOX_BANKS,
    async resolveAccount({ bankCode, accountNumber }) {
      if (!SANDBOX_BANKS.some((b) => b.code === bankCode) || accountNumber.endsWith("0000")) {
        return undefined;
      }
      return { accountName: "ADAEZE OKAFOR (SANDBOX)" };
    },
    async createTransfer(input) {
      const tail = input.accountNumber.slice(-4);
      const at = now();
      const later = new Date(at.getTime() + options.pendingSeconds * 1000);
      const plan =
        tail === "0001"
          ? { status: "FAILED" as const, final: null, resolveAt: null }
          : tail === "0002"
            ? { status: "NEW" as const, final: "SUCCESSFUL", resolveAt: later }
            : tail === "0003"
              ? { status: "NEW" as const, final: "FAILED", resolveAt: later }
              : { status: "SUCCESSFUL" as const, final: null, resolveAt: null };
      const inserted = await db
        .insertInto("sandbox_gateway_transfers")
        .values({
          reference: input.reference,
          bank_code: input.bankCode,
          account_number: input.accountNumber,
          amount_kobo: input.amountKobo,
          status: plan.status,
          final_status: plan.final,
          resolve_at: plan.resolveAt,
        })
        .onConflict((oc) => oc.column("reference").doNothing())
        .returning("id")
        .executeTakeFirst();
      if (!inserted) {
        // Flutterwave refuses a reused reference; what happened to the first one is a requery away.
        return {
          outcome: "unknown",
          message: "A transfer with this reference already exists",
          raw: raw({ status: "error" }),
        };
      }
      if (plan.resolveAt && options.onTransferCompleted) {
        const notify = options.onTransferCompleted;
        const id = String(inserted.id);
        setTimeout(
          async () => {
            const result = await transferResult(input.reference).catch(() => undefined);
            if (result && result.outcome !== "pending") {
              notify({
                id,
                reference: input.reference,
                status: result.outcome === "successful" ? "SUCCESSFUL" : "FAILED",
                amountKobo: input.amountKobo,
              });
            }
          },
          options.pendingSeconds * 1000 + 50,
        ).unref();
      }
      return transferResult(input.reference);
    },
    getTransfer: ({ reference }) => transferResult(reference),
    sandbox: {
      async settleCheckout(txRef, action) {
        const row = await db
          .updateTable("sandbox_gateway_payments")
          .set({ status: action === "pay" ? "successful" : "failed", paid_at: now() })
          .where("tx_ref", "=", txRef)
          .where("status", "=", "pending")
          .returningAll()
          .executeTakeFirst();
        const current =
          row ??
          (await db
            .selectFrom("sandbox_gateway_payments")
            .selectAll()
            .where("tx_ref", "=", txRef)
            .executeTakeFirstOrThrow());
        return {
          transactionId: String(current.id),
          amountKobo: current.amount_kobo,
          status: current.status === "successful" ? "successful" : "failed",
        };
      },
      async getCheckout(txRef) {
        const row = await db
          .selectFrom("sandbox_gateway_payments")
          .select(["amount_kobo", "status"])
          .where("tx_ref", "=", txRef)
          .executeTakeFirst();
        return row ? { amountKobo: row.amount_kobo, status: row.status } : undefined;
      },
    },
  };
}
