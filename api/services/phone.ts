import { ValidationError } from "./errors";

/**
 * Normalise a Nigerian mobile number to `0XXXXXXXXXX` (11 digits). Accepts +234…, 234…, 0… and
 * spaces, dashes, dots or brackets between digits. Anything else is refused with a clear message.
 */
export function normalizePhone(input: string): string {
  const compact = input.trim().replace(/[\s\-.()]/g, "");
  let national: string | undefined;
  if (/^\+?234\d{10}$/.test(compact)) {
    national = `0${compact.slice(-10)}`;
  } else if (/^0\d{10}$/.test(compact)) {
    national = compact;
  } else if (/^[789]\d{9}$/.test(compact)) {
    national = `0${compact}`;
  }
  if (!national || !/^0[789][01]\d{8}$/.test(national)) {
    throw new ValidationError(
      "That is not a Nigerian mobile number. Use 11 digits like 08031234567 or +2348031234567.",
      { field: "phone" },
      "INVALID_PHONE",
    );
  }
  return national;
}

/** 08031234567 → 0803***4567, for anything a human or a log sees about someone else's number. */
export function maskPhone(phone: string): string {
  return phone.length === 11 ? `${phone.slice(0, 4)}***${phone.slice(7)}` : "***";
}
