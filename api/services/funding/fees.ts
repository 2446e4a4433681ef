import type { Config } from "../../config";

/** The funding fee rule (FUNDING_FEE_*): basis points of the amount plus a flat part, capped; 0 = free. */
export function fundingFee(config: Config, amountKobo: number): number {
  const fee = Math.ceil((amountKobo * config.FUNDING_FEE_BPS) / 10_000) + config.FUNDING_FEE_FLAT_KOBO;
  return config.FUNDING_FEE_CAP_KOBO > 0 ? Math.min(fee, config.FUNDING_FEE_CAP_KOBO) : fee;
}
