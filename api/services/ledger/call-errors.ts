import { InsufficientFundsError, NotFoundError } from "../errors";
import { keyReusedError } from "./idempotency";

/**
 * The money functions' own error codes (ledger_move_wallet, vtu_create_order,
 * vtu_insert_held_order) as the service's errors; anything else as it came. `missing` names what
 * TD404 could not find.
 */
export function ledgerCallError(error: unknown, missing = "Wallet"): unknown {
  const { code, detail } = (error ?? {}) as { code?: string; detail?: string };
  switch (code) {
    case "TD402": {
      const amounts = JSON.parse(detail ?? "{}") as { availableKobo?: number; requiredKobo?: number };
      return new InsufficientFundsError(amounts.availableKobo ?? 0, amounts.requiredKobo ?? 0);
    }
    case "TD409":
      return keyReusedError(detail ?? "");
    case "TD404":
      return new NotFoundError(missing);
    default:
      return error;
  }
}
