import type { ServiceContext } from "../context";
import { confirmTransfer } from "./bank-transfers";
import type { PaymentsRuntime } from "./runtime";

/** Gateway words for a transfer that brought no money: not worth a verify call. */
const DECLINED = new Set(["failed", "cancelled"]);

/**
 * W7 for bank transfers: webhooks get lost, so the gateway's own list of each account's recent
 * transfers (its tx_ref, since TRANSFER_RECONCILE_WINDOW_HOURS ago) is compared with what we
 * booked; each one we have not booked goes through the one path, confirmTransfer (verify by id,
 * book once). Accounts are visited least recently checked first, `limit` per run, so every account
 * is seen in turn however many there are. One account that throws is logged and the run goes on.
 */
export async function reconcileTransfers(args: {
  ctx: ServiceContext;
  payments: PaymentsRuntime;
  limit?: number;
}): Promise<{ accounts: number; found: number; credited: number; suspense: number; errors: number }> {
  const { ctx, payments } = args;
  const now = ctx.now();
  const since = new Date(now.getTime() - ctx.config.TRANSFER_RECONCILE_WINDOW_HOURS * 3_600_000);
  const accounts = await ctx.db
    .selectFrom("virtual_accounts")
    .select(["id", "tx_ref"])
    .where("gateway", "=", payments.gateway.code)
    .where((eb) =>
      eb.or([
        eb("status", "=", "active"),
        // Expired or closed lately: a transfer may still have come in just before (or after).
        eb.and([eb("status", "in", ["expired", "closed"]), eb("updated_at", ">=", since)]),
      ]),
    )
    .orderBy((eb) => eb.fn.coalesce("last_checked_at", eb.val(new Date(0))))
    .limit(args.limit ?? 200)
    .execute();
  const summary = { accounts: 0, found: 0, credited: 0, suspense: 0, errors: 0 };
  for (const account of accounts) {
    summary.accounts += 1;
    try {
      const listed = await payments.gateway.listPayments(account.tx_ref, { from: since });
      if (listed.found === "unknown") {
        summary.errors += 1;
        continue;
      }
      const ids = listed.attempts.filter((a) => !DECLINED.has(a.status)).map((a) => a.id);
      const booked = new Set(
        ids.length === 0
          ? []
          : (
              await ctx.db
                .selectFrom("bank_transfers")
                .select("gateway_tx_id")
                .where("gateway", "=", payments.gateway.code)
                .where("gateway_tx_id", "in", ids)
                .execute()
            ).map((r) => r.gateway_tx_id),
      );
      for (const id of ids.filter((i) => !booked.has(i))) {
        summary.found += 1;
        const { outcome } = await confirmTransfer({ ctx, payments, transactionId: id, source: "reconcile" });
        if (outcome === "credited") {
          summary.credited += 1;
        } else if (outcome === "suspense") {
          summary.suspense += 1;
        }
      }
      await ctx.db
        .updateTable("virtual_accounts")
        .set({ last_checked_at: now })
        .where("id", "=", account.id)
        .execute();
    } catch (err) {
      summary.errors += 1;
      ctx.logger.error(
        { err, virtualAccountId: account.id },
        "transfer reconciliation: this account failed; going on",
      );
    }
  }
  if (summary.found > 0 || summary.errors > 0) {
    ctx.logger.info(summary, "transfer reconciliation");
  }
  return summary;
}
