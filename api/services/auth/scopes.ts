/**
 * What an API key may do (DECISIONS §72). Each API route that takes a bearer credential names the
 * one scope it needs; a login session holds them all.
 * - read: every GET (balance, orders, catalogue, statements)
 * - purchase: buying (VTU, verify, points redemption, schedules) and the account's other writes the
 *   API offers (PIN, funding checkout, referral code, reminders, receipts)
 * - withdraw: bank withdrawals (and the account-name lookup before one)
 * - gift: gift rooms (create, close, claim, join)
 */
export const API_KEY_SCOPES = ["read", "purchase", "withdraw", "gift"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** A new key's scopes unless the caller names them: a leaked key can buy, never withdraw. */
export const DEFAULT_API_KEY_SCOPES: readonly ApiKeyScope[] = ["read", "purchase"];

/** Scopes in their canonical order, each once. */
export function sortedScopes(scopes: readonly ApiKeyScope[]): ApiKeyScope[] {
  return API_KEY_SCOPES.filter((scope) => scopes.includes(scope));
}
