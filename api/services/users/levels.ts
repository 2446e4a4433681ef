import type { Config } from "../../config";

/**
 * Verification (KYC) levels, the seed's basic / verified / premium plus one for businesses. The
 * number is what `users.verification_level` stores; the name is what people read. A level decides
 * the daily funding and withdrawal limits (config, per level) and whether a permanent account
 * number can be issued (VIRTUAL_ACCOUNT_MIN_LEVEL). Giving a BVN that the gateway accepts raises
 * basic to verified; premium and business are set by an admin (audited).
 */
export const VERIFICATION_LEVELS = ["basic", "verified", "premium", "business"] as const;
export type VerificationLevelName = (typeof VERIFICATION_LEVELS)[number];

/** The level as stored, clamped to 0–3. */
export function levelNumber(level: number): 0 | 1 | 2 | 3 {
  return Math.min(Math.max(Math.trunc(level), 0), 3) as 0 | 1 | 2 | 3;
}

export function levelName(level: number): VerificationLevelName {
  return VERIFICATION_LEVELS[levelNumber(level)];
}

/** What a level allows, from the configuration. */
export function levelLimits(config: Config, level: number) {
  const n = levelNumber(level);
  return {
    level: n,
    name: levelName(n),
    fundingDailyKobo: config.FUNDING_DAILY_LIMITS_KOBO[n],
    withdrawalDailyKobo: config.WITHDRAWAL_DAILY_LIMITS_KOBO[n],
    permanentAccount: n >= config.VIRTUAL_ACCOUNT_MIN_LEVEL,
  };
}
