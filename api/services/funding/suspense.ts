import { z } from "zod";
import type { BankTransferRow } from "../../../db/database";
import { hasRole, type SignedInAdmin } from "../admins/sessions";
import { recordAudit } from "../audit";
import { type ServiceContext, withTransaction } from "../context";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../errors";
import {
  getSystemAccountId,
  getWalletAccountId,
  postEntry,
  SYSTEM_ACCOUNTS,
  systemAccountFor,
} from "../ledger";
import { formatNaira } from "../money";
import { queueNotification } from "../notifications";
import { SUSPENSE_REASONS, type SuspenseReason } from "./bank-transfers";
import { transferFee } from "./fees";

/**
 * The admin queue of bank transfers held in system:transfer_suspense (issue 17). An admin decides
 * each one, with a reason, audited: credit it to a customer (the account's owner, or another one
 * when the payer got in touch), less the transfer fee; or record that it was returned to the payer
 * (refunded through the gateway's dashboard), which books the money back out of suspense. A
 * transfer is decided once: its row is locked and must still be in suspense.
 */
export type SuspenseTransferDto = {
  id: string;
  gatewayTxId: string;
  status: BankTransferRow["status"];
  reason: string | null;
  reasonText: string | null;
  paidKobo: number;
  currency: string;
  payerName: string | null;
  payerBank: string | null;
  accountNumber: string | null;
  userId: string | null;
  receivedAt: string;
  resolvedBy: string | null;
  resolution: string | null;
  resolvedAt: string | null;
};

export async function listTransfersForAdmin(args: {
  ctx: ServiceContext;
  status?: BankTransferRow["status"];
  id?: string;
  limit?: number;
}): Promise<SuspenseTransferDto[]> {
  const rows = await args.ctx.db
    .selectFrom("bank_transfers as t")
    .leftJoin("virtual_accounts as v", "v.id", "t.virtual_account_id")
    .selectAll("t")
    .select("v.account_number")
    .$if(args.status !== undefined, (q) => q.where("t.status", "=", args.status as BankTransferRow["status"]))
    .$if(args.id !== undefined, (q) => q.where("t.id", "=", args.id as string))
    .orderBy("t.received_at", "desc")
    .limit(Math.min(args.limit ?? 100, 500))
    .execute();
  return rows.map((r) => ({
    id: r.id,
    gatewayTxId: r.gateway_tx_id,
    status: r.status,
    reason: r.suspense_reason,
    reasonText: r.suspense_reason
      ? (SUSPENSE_REASONS[r.suspense_reason as SuspenseReason] ?? r.suspense_reason)
      : null,
    paidKobo: r.paid_kobo,
    currency: r.currency,
    payerName: r.payer_name,
    payerBank: r.payer_bank,
    accountNumber: r.account_number,
    userId: r.user_id,
    receivedAt: r.received_at.toISOString(),
    resolvedBy: r.resolved_by,
    resolution: r.resolution_reason,
    resolvedAt: r.resolved_at?.toISOString() ?? null,
  }));
}

export const ResolveSuspenseInput = z.discriminatedUnion("action", [
  z.strictObject({
    action: z.literal("credit"),
    /** Who gets it; default the owner of the account it was sent to. */
    userId: z.string().trim().min(1).max(64).optional(),
    reason: z.string().trim().min(3).max(500),
  }),
  z.strictObject({ action: z.literal("return"), reason: z.string().trim().min(3).max(500) }),
]);
export type ResolveSuspenseInput = z.input<typeof ResolveSuspenseInput>;

export async function resolveSuspenseTransfer(args: {
  ctx: ServiceContext;
  admin: Pick<SignedInAdmin, "id" | "role">;
  transferId: string;
  input: ResolveSuspenseInput;
}): Promise<SuspenseTransferDto> {
  const { ctx, admin } = args;
  if (!hasRole(admin, "admin")) {
    throw new ForbiddenError("Support can look, not change: ask an admin to do this.", "ROLE_REQUIRED");
  }
  const parsed = ResolveSuspenseInput.safeParse(args.input);
  if (!parsed.success) {
    throw new ValidationError("Choose credit or return, and give a reason of at least 3 characters.", {
      issues: parsed.error.issues.map((i) => i.message),
    });
  }
  const input = parsed.data;
  await withTransaction(ctx, async (trx) => {
    const transfer = await trx
      .selectFrom("bank_transfers")
      .selectAll()
      .where("id", "=", args.transferId)
      .forUpdate()
      .executeTakeFirst();
    if (!transfer) {
      throw new NotFoundError("That transfer", "TRANSFER_NOT_FOUND");
    }
    if (transfer.status !== "suspense") {
      throw new ConflictError(
        `This transfer was already decided (${transfer.status}).`,
        "TRANSFER_ALREADY_RESOLVED",
      );
    }
    const now = ctx.now();
    const suspense = await getSystemAccountId(trx, SYSTEM_ACCOUNTS.transferSuspense);
    const actor = `admin:${admin.id}`;
    const metadata = {
      bankTransferId: transfer.id,
      gatewayTxId: transfer.gateway_tx_id,
      resolvedBy: admin.id,
    };
    if (input.action === "return") {
      const entryId = await postEntry(trx, {
        type: "transfer",
        description: `Bank transfer returned to the payer (${transfer.gateway_tx_id})`,
        actor,
        reason: input.reason,
        postings: [
          { accountId: suspense, amount: -transfer.paid_kobo },
          {
            accountId: await getSystemAccountId(trx, SYSTEM_ACCOUNTS.paymentClearing),
            amount: transfer.paid_kobo,
          },
        ],
        metadata,
      });
      await trx
        .updateTable("bank_transfers")
        .set({
          status: "returned",
          resolve_entry_id: entryId,
          resolved_by: admin.id,
          resolution_reason: input.reason,
          resolved_at: now,
        })
        .where("id", "=", transfer.id)
        .execute();
    } else {
      const userId = input.userId ?? transfer.user_id;
      if (!userId) {
        throw new ValidationError(
          "Nobody owns the account this was sent to: give the customer id to credit.",
          { field: "userId" },
          "USER_REQUIRED",
        );
      }
      const user = await trx.selectFrom("users").select(["id"]).where("id", "=", userId).executeTakeFirst();
      if (!user) {
        throw new NotFoundError("That customer", "USER_NOT_FOUND");
      }
      const fee = transferFee(ctx.config, transfer.paid_kobo);
      const creditKobo = transfer.paid_kobo - fee;
      const walletId = await getWalletAccountId(trx, userId);
      const revenue = await systemAccountFor(ctx, trx, SYSTEM_ACCOUNTS.feesRevenue, walletId);
      const entryId = await postEntry(trx, {
        type: "wallet_credit",
        description: `Bank transfer credited after review (${transfer.gateway_tx_id})`,
        actor,
        reason: input.reason,
        postings: [
          { accountId: suspense, amount: -transfer.paid_kobo },
          ...(creditKobo > 0 ? [{ accountId: walletId, amount: creditKobo }] : []),
          ...(fee > 0 ? [{ accountId: revenue, amount: fee }] : []),
        ],
        metadata,
      });
      await trx
        .updateTable("bank_transfers")
        .set({
          status: "credited",
          user_id: userId,
          fee_kobo: fee,
          credit_kobo: creditKobo,
          resolve_entry_id: entryId,
          resolved_by: admin.id,
          resolution_reason: input.reason,
          resolved_at: now,
          credited_at: now,
        })
        .where("id", "=", transfer.id)
        .execute();
      await queueNotification(trx, {
        userId,
        kind: "wallet.transfer_received",
        body: `${formatNaira(transfer.paid_kobo)} bank transfer checked by our team: ${formatNaira(creditKobo)} added to your wallet.`,
        payload: {
          bankTransferId: transfer.id,
          notice: { paidKobo: transfer.paid_kobo, creditKobo, feeKobo: fee, payerName: transfer.payer_name },
        },
      });
    }
    await recordAudit(trx, {
      actorType: "admin",
      actorId: admin.id,
      action: `transfer.${input.action}`,
      targetType: "bank_transfer",
      targetId: transfer.id,
      before: { status: "suspense", reason: transfer.suspense_reason, userId: transfer.user_id },
      after: {
        status: input.action === "return" ? "returned" : "credited",
        userId: input.action === "credit" ? (input.userId ?? transfer.user_id) : null,
      },
      reason: input.reason,
    });
  });
  const [dto] = await listTransfersForAdmin({ ctx, id: args.transferId });
  if (!dto) {
    throw new NotFoundError("That transfer", "TRANSFER_NOT_FOUND");
  }
  return dto;
}
