import type { Kysely } from "kysely";
import type { Database } from "../../../db/database";
import type {
  Bank,
  PaymentAttempts,
  PaymentGateway,
  TransferResult,
  VerifiedPayment,
} from "../../services/funding/gateway";
import type { RawExchange } from "../../services/vtu/provider";

/**
 * A payment gateway that plays Flutterwave for the embedded default: checkout links open a local page
 * (/fund/sandbox/:txRef) where the payer chooses pay or fail; verify answers from its own books
 * (`sandbox_gateway_payments`: one row per attempt; the first is the checkout itself), so the real
 * webhook → verify → credit path runs unchanged. Like Flutterwave's hosted page, a declined attempt
 * leaves the checkout open for another try; once one attempt is paid it is closed. Bank accounts
 * ending 0000 do not resolve; transfers end by the account's last four digits (README).
 *
 * Virtual accounts (bank-transfer funding): it issues 10-digit numbers at "TADA Sandbox Bank" (a
 * BVN ending 000 is refused as invalid, to try that path), and `sandbox.sendTransfer` plays a payer's
 * bank: a successful `bank_transfer` attempt on the account's tx_ref, like Flutterwave reports one.
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

export const SANDBOX_BANK_NAME = "TADA Sandbox Bank";
/** Sandbox dynamic accounts take transfers this long, like Flutterwave's (about an hour). */
const DYNAMIC_ACCOUNT_MINUTES = 60;

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

  async function verify(id: number): Promise<VerifiedPayment> {
    const row = await db
      .selectFrom("sandbox_gateway_payments")
      .selectAll()
      .where("id", "=", id)
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
      paymentType: row.payment_type,
      payer:
        row.payment_type === "bank_transfer"
          ? {
              name: row.payer_name ?? undefined,
              bank: row.payer_bank ?? undefined,
              narration: row.narration ?? undefined,
            }
          : undefined,
      raw: raw({ status: "success", data: row }),
    };
  }

  /** Like Flutterwave's list: every attempt the payer made, newest first (an untouched checkout is none). */
  async function listPayments(txRef: string, options?: { from?: Date }): Promise<PaymentAttempts> {
    const from = options?.from;
    const rows = await db
      .selectFrom("sandbox_gateway_payments")
      .select(["id", "tx_ref", "status"])
      .where("tx_ref", "=", txRef)
      .where("status", "<>", "pending")
      .$if(from !== undefined, (q) => q.where("paid_at", ">=", from as Date))
      .orderBy("id", "desc")
      .execute();
    return {
      found: true,
      attempts: rows.map((r) => ({ id: String(r.id), txRef: r.tx_ref, status: r.status })),
      raw: raw({ status: "success", message: "Transactions fetched", data: rows }),
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
        notFound: true,
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
      // One checkout per tx_ref (an intent asks once); its row is the first attempt, still pending.
      const existing = await db
        .selectFrom("sandbox_gateway_payments")
        .select("id")
        .where("tx_ref", "=", input.txRef)
        .executeTakeFirst();
      if (!existing) {
        await db
          .insertInto("sandbox_gateway_payments")
          .values({
            tx_ref: input.txRef,
            amount_kobo: input.amountKobo,
            customer_email: input.customer.email,
          })
          .execute();
      }
      const link = `${options.publicBaseUrl}/fund/sandbox/${encodeURIComponent(input.txRef)}`;
      return { link, raw: raw({ status: "success", message: "Hosted Link", data: { link } }) };
    },
    verifyById: (id) =>
      /^\d{1,15}$/.test(id) ? verify(Number(id)) : Promise.resolve({ found: false, raw: raw({}) }),
    listPayments,
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
    async createVirtualAccount(input) {
      if (input.permanent && !/^\d{11}$/.test(input.bvn ?? "")) {
        return {
          outcome: "refused",
          message: "A BVN of 11 digits is required",
          raw: raw({ status: "error" }),
        };
      }
      if (input.permanent && input.bvn?.endsWith("000")) {
        return { outcome: "refused", message: "BVN is invalid", raw: raw({ status: "error" }) };
      }
      if (!input.permanent && !(input.amountKobo && input.amountKobo > 0)) {
        return { outcome: "refused", message: "amount is required", raw: raw({ status: "error" }) };
      }
      // Asked again with the same tx_ref (our answer was lost): the same account, like a retry should get.
      const existing = await db
        .selectFrom("sandbox_gateway_accounts")
        .selectAll()
        .where("tx_ref", "=", input.txRef)
        .executeTakeFirst();
      const row =
        existing ??
        (await db.transaction().execute(async (trx) => {
          const inserted = await trx
            .insertInto("sandbox_gateway_accounts")
            .values({
              tx_ref: input.txRef,
              order_ref: `URF_SBX_${input.txRef}`,
              account_number: `pending-${input.txRef}`,
              bank_name: SANDBOX_BANK_NAME,
              account_name: input.narration,
              permanent: input.permanent,
              amount_kobo: input.permanent ? null : (input.amountKobo ?? null),
              expires_at: input.permanent
                ? null
                : new Date(now().getTime() + DYNAMIC_ACCOUNT_MINUTES * 60_000),
            })
            .returning("id")
            .executeTakeFirstOrThrow();
          // 10 digits from the row id: unique, and easy to read out on the sandbox bank page.
          return trx
            .updateTable("sandbox_gateway_accounts")
            .set({ account_number: `8${String(inserted.id).padStart(9, "0")}` })
            .where("id", "=", inserted.id)
            .returningAll()
            .executeTakeFirstOrThrow();
        }));
      return {
        outcome: "created",
        account: {
          accountNumber: row.account_number,
          bankName: row.bank_name,
          accountName: row.account_name,
          orderRef: row.order_ref,
          flwRef: `FLW-SBX-${row.id}`,
          expiresAt: row.expires_at ?? undefined,
          amountKobo: row.amount_kobo ?? undefined,
        },
        raw: raw({ status: "success", message: "Virtual account created", data: { ...row } }),
      };
    },
    async closeVirtualAccount(orderRef) {
      await db
        .updateTable("sandbox_gateway_accounts")
        .set({ status: "inactive" })
        .where("order_ref", "=", orderRef)
        .execute();
      return "closed";
    },
    sandbox: {
      async sendTransfer(input) {
        const account = await db
          .selectFrom("sandbox_gateway_accounts")
          .select(["tx_ref"])
          .where("account_number", "=", input.accountNumber)
          .executeTakeFirst();
        if (!account) {
          throw new Error(`sandbox bank: no account ${input.accountNumber}`);
        }
        const row = await db
          .insertInto("sandbox_gateway_payments")
          .values({
            tx_ref: account.tx_ref,
            amount_kobo: input.amountKobo,
            status: "successful",
            payment_type: "bank_transfer",
            payer_name: input.senderName,
            payer_bank: input.senderBank ?? SANDBOX_BANK_NAME,
            narration: input.narration ?? null,
            paid_at: now(),
            webhook_due_at: input.webhookAt ?? null,
          })
          .returning(["id"])
          .executeTakeFirstOrThrow();
        return { transactionId: String(row.id), txRef: account.tx_ref, amountKobo: input.amountKobo };
      },
      async takeDueWebhooks(limit) {
        const rows = await db
          .updateTable("sandbox_gateway_payments")
          .set({ webhook_due_at: null })
          .where(
            "id",
            "in",
            db
              .selectFrom("sandbox_gateway_payments")
              .select("id")
              .where("webhook_due_at", "<=", now())
              .limit(limit)
              .forUpdate()
              .skipLocked(),
          )
          .returning(["id", "tx_ref", "amount_kobo"])
          .execute();
        return rows.map((r) => ({ transactionId: String(r.id), txRef: r.tx_ref, amountKobo: r.amount_kobo }));
      },
      async listVirtualAccounts(limit) {
        const rows = await db
          .selectFrom("sandbox_gateway_accounts")
          .select([
            "account_number",
            "bank_name",
            "account_name",
            "tx_ref",
            "status",
            "permanent",
            "expires_at",
          ])
          .orderBy("id", "desc")
          .limit(limit)
          .execute();
        return rows.map((r) => ({
          accountNumber: r.account_number,
          bankName: r.bank_name,
          accountName: r.account_name,
          txRef: r.tx_ref,
          status:
            r.status === "inactive" ? "closed" : r.expires_at && r.expires_at <= now() ? "expired" : "active",
        }));
      },
      /**
       * One attempt: the untouched checkout row becomes it, or, after a declined attempt, a new row
       * (a retry on the same tx_ref). A paid checkout is closed: pressing again answers that payment.
       * The checkout's rows are locked, so two presses at once are two attempts in order, one paid.
       */
      async settleCheckout(txRef, action) {
        const status = action === "pay" ? "successful" : "failed";
        const row = await db.transaction().execute(async (trx) => {
          const rows = await trx
            .selectFrom("sandbox_gateway_payments")
            .selectAll()
            .where("tx_ref", "=", txRef)
            .orderBy("id")
            .forUpdate()
            .execute();
          const [checkout] = rows;
          if (!checkout) {
            throw new Error(`sandbox gateway: no checkout with tx_ref ${txRef}`);
          }
          const paid = rows.find((r) => r.status === "successful");
          if (paid) {
            return paid;
          }
          const untouched = rows.find((r) => r.status === "pending");
          return untouched
            ? trx
                .updateTable("sandbox_gateway_payments")
                .set({ status, paid_at: now() })
                .where("id", "=", untouched.id)
                .returningAll()
                .executeTakeFirstOrThrow()
            : trx
                .insertInto("sandbox_gateway_payments")
                .values({
                  tx_ref: txRef,
                  amount_kobo: checkout.amount_kobo,
                  currency: checkout.currency,
                  customer_email: checkout.customer_email,
                  status,
                  paid_at: now(),
                })
                .returningAll()
                .executeTakeFirstOrThrow();
        });
        return {
          transactionId: String(row.id),
          amountKobo: row.amount_kobo,
          status: row.status === "successful" ? "successful" : "failed",
        };
      },
      /** The checkout's amount, and `successful` once paid, else how its latest attempt ended. */
      async getCheckout(txRef) {
        const rows = await db
          .selectFrom("sandbox_gateway_payments")
          .select(["amount_kobo", "status"])
          .where("tx_ref", "=", txRef)
          .orderBy("id")
          .execute();
        const [checkout] = rows;
        if (!checkout) {
          return undefined;
        }
        const paid = rows.some((r) => r.status === "successful");
        return {
          amountKobo: checkout.amount_kobo,
          status: paid ? "successful" : (rows.at(-1)?.status ?? "pending"),
        };
      },
    },
  };
}
