import { ValidationError } from "./errors";

/**
 * Exact naira ⇄ kobo conversion. Providers speak naira as numbers ("620", 620.5) or strings with
 * thousands separators ("1,000.00"); we keep integer kobo. Anything with more than two decimals, a
 * sign, or junk is refused rather than rounded: a wrong price is worse than no price.
 */
export function nairaToKobo(value: string | number): number {
  const text = typeof value === "number" ? numberToPlainString(value) : value.trim().replace(/,/g, "");
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) {
    throw new ValidationError(`"${String(value)}" is not an amount in naira.`, { value }, "INVALID_AMOUNT");
  }
  const kobo = Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
  if (!Number.isSafeInteger(kobo)) {
    throw new ValidationError(`"${String(value)}" is too large.`, { value }, "INVALID_AMOUNT");
  }
  return kobo;
}

/** Kobo → naira as a decimal string for provider requests: 150050 → "1500.50", 50000 → "500". */
export function koboToNairaString(kobo: number): string {
  if (!Number.isSafeInteger(kobo) || kobo < 0) {
    throw new ValidationError(`${kobo} is not an amount in kobo.`, { kobo }, "INVALID_AMOUNT");
  }
  const naira = Math.floor(kobo / 100);
  const rest = kobo % 100;
  return rest === 0 ? String(naira) : `${naira}.${String(rest).padStart(2, "0")}`;
}

/** 150050 → "₦1,500.50"; whole naira drop the decimals. For people, never for computation. */
export function formatNaira(kobo: number): string {
  const sign = kobo < 0 ? "-" : "";
  const abs = Math.abs(kobo);
  const naira = Math.floor(abs / 100).toLocaleString("en-NG");
  const rest = abs % 100;
  return `${sign}₦${naira}${rest === 0 ? "" : `.${String(rest).padStart(2, "0")}`}`;
}

function numberToPlainString(value: number): string {
  if (!Number.isFinite(value) || value < 0) {
    return String(value);
  }
  // 620.5 → "620.5"; 0.1 + 0.2 style float noise shows up as more than two decimals and is refused.
  return String(value);
}
