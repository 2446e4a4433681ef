import type { Config } from "../../config";
import { formatNaira } from "../money";

/** Basis points of the amount (100 = 1%) plus a flat part in kobo, capped at capKobo (0 = no cap). */
export type FeeRule = { bps: number; flatKobo: number; capKobo: number };

/** Basis points of the amount plus a flat part, capped (cap 0 = no cap); all zero = free. */
function feeOf(rule: FeeRule, amountKobo: number): number {
  const fee = Math.ceil((amountKobo * rule.bps) / 10_000) + rule.flatKobo;
  return rule.capKobo > 0 ? Math.min(fee, rule.capKobo) : fee;
}

/** The card funding fee (FUNDING_FEE_*), added to what the payer is charged at checkout. */
export function fundingFee(config: Config, amountKobo: number): number {
  return feeOf(
    {
      bps: config.FUNDING_FEE_BPS,
      flatKobo: config.FUNDING_FEE_FLAT_KOBO,
      capKobo: config.FUNDING_FEE_CAP_KOBO,
    },
    amountKobo,
  );
}

/** The bank-transfer fee rule (TRANSFER_FEE_*), as numbers an API client can compute with. */
export function transferFeeRule(config: Config): FeeRule {
  return {
    bps: config.TRANSFER_FEE_BPS,
    flatKobo: config.TRANSFER_FEE_FLAT_KOBO,
    capKobo: config.TRANSFER_FEE_CAP_KOBO,
  };
}

/** The bank-transfer fee (TRANSFER_FEE_*), taken from what arrived before it reaches the wallet. */
export function transferFee(config: Config, paidKobo: number): number {
  return Math.min(feeOf(transferFeeRule(config), paidKobo), paidKobo);
}

/**
 * A dynamic account asks the payer for the amount plus the fee, so the wallet gets exactly what
 * they asked for: the smallest total whose fee leaves `amountKobo` (the fee grows with the total).
 */
export function transferTotalFor(config: Config, amountKobo: number): { totalKobo: number; feeKobo: number } {
  const rule = transferFeeRule(config);
  // total - (total * bps + flat) = amount, solved for total, then the cap; rounding fixed below.
  let total = Math.ceil(((amountKobo + rule.flatKobo) * 10_000) / (10_000 - rule.bps));
  if (rule.capKobo > 0) {
    total = Math.min(total, amountKobo + rule.capKobo);
  }
  while (total - transferFee(config, total) < amountKobo) {
    total += 1;
  }
  while (total - 1 >= amountKobo && total - 1 - transferFee(config, total - 1) >= amountKobo) {
    total -= 1;
  }
  return { totalKobo: total, feeKobo: total - amountKobo };
}

/** The transfer fee in words, for the customer before they pay ("no fee", "1% (at most ₦200)"). */
export function describeTransferFee(config: Config): string {
  const { bps, flatKobo, capKobo } = transferFeeRule(config);
  if (bps === 0 && flatKobo === 0) {
    return "no fee";
  }
  const parts = [
    bps > 0 ? `${(bps / 100).toLocaleString("en-NG", { maximumFractionDigits: 2 })}%` : undefined,
    flatKobo > 0 ? formatNaira(flatKobo) : undefined,
  ].filter(Boolean);
  const cap = capKobo > 0 ? ` (at most ${formatNaira(capKobo)})` : "";
  return `a fee of ${parts.join(" + ")}${cap}`;
}
