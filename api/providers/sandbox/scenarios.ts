/**
 * The sandbox decides what happens from the last four digits of the recipient (phone, smartcard or
 * meter number), so every path can be walked by hand. The README's "Sandbox outcomes" table is this.
 */
export const SANDBOX_SCENARIOS = {
  "0001": "failed",
  "0002": "pending_then_success",
  "0003": "pending_then_failed",
  "0004": "timeout_after_success",
  "0005": "timeout_before_processing",
  "0006": "garbage_body",
  "0007": "out_of_float",
  "0008": "success_then_reversed",
} as const;

export type SandboxScenario = (typeof SANDBOX_SCENARIOS)[keyof typeof SANDBOX_SCENARIOS] | "success";

export function scenarioFor(recipient: string): SandboxScenario {
  const tail = recipient.slice(-4) as keyof typeof SANDBOX_SCENARIOS;
  return SANDBOX_SCENARIOS[tail] ?? "success";
}

/** Smartcards and meters ending in 0000 do not exist. */
export function isInvalidAccount(number: string): boolean {
  return number.endsWith("0000");
}

/**
 * How many days from today a sandbox smartcard's subscription ends (README "Cable renewal
 * reminders"): a card `3DD…` (3, then two digits) is due in DD days — `3031234567` in 3 days,
 * `3011234567` tomorrow, `3001234567` today — so a reminder is reachable at once; a card starting
 * 99 has no due date (the provider says none); any other card is due in 14 days.
 */
export function sandboxDueInDays(smartcard: string): number | undefined {
  if (smartcard.startsWith("99")) {
    return undefined;
  }
  const days = /^3(\d\d)/.exec(smartcard);
  return days ? Number(days[1]) : 14;
}
