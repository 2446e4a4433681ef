import { formatNaira } from "../money";
import { formatLagosDate } from "./recurrence";

/**
 * What a schedule tells its customer about a run that was not bought (waiting for funds, skipped,
 * paused), as data: the service writes the English from it, and the outbox sender writes the
 * customer's language from the same notice (bot/outbox/notification-text.ts, kept in step by its
 * test). `what` is the schedule in words ("MTN airtime ₦500 for 0803…"), dates are Lagos dates.
 */
export type ScheduleNotice =
  | { kind: "waiting_funds"; what: string; requiredKobo: number; hours: number }
  | { kind: "skipped"; what: string; dueOn: string; nextDueOn: string | null }
  | { kind: "paused_price"; what: string; priceKobo: number; capKobo: number; dueOn: string }
  | { kind: "paused_monthly"; what: string; capKobo: number; spentKobo: number; dueOn: string }
  | { kind: "paused_skips"; what: string; dueOn: string; skips: number }
  /**
   * Runs not made while we were down, told together. `nextDueOn`: the next run (null: the schedule
   * has ended); left out when the message does not say it (a single run found late).
   */
  | { kind: "missed"; what: string; dueOns: string[]; nextDueOn?: string | null }
  /** A refusal that will not change by itself; `message` is the service's own (English) reason. */
  | { kind: "run_failed"; what: string; dueOn: string; code: string; message: string };

/** The English text of a notice (the outbox's fallback and the English reply). */
export function scheduleNoticeText(n: ScheduleNotice): string {
  switch (n.kind) {
    case "waiting_funds":
      return `Your schedule (${n.what}) is due but your wallet is short: it needs ${formatNaira(n.requiredKobo)}. Fund your wallet within ${n.hours} hours and it will buy at once; after that this run is skipped.`;
    case "skipped":
      return `Your schedule (${n.what}) skipped ${formatLagosDate(n.dueOn)}: your wallet was too low. Nothing was charged; the next run is ${n.nextDueOn ? formatLagosDate(n.nextDueOn) : "none"}.`;
    case "paused_price":
      return `Your schedule (${n.what}) is paused: it now costs ${formatNaira(n.priceKobo)}, more than the ${formatNaira(n.capKobo)} you authorised per run. Nothing was bought for ${formatLagosDate(n.dueOn)}. Reply "my schedules" to change the amount or resume.`;
    case "paused_monthly":
      return `Your schedule (${n.what}) is paused: this run would pass the ${formatNaira(n.capKobo)} monthly limit you authorised (${formatNaira(n.spentKobo)} spent this month). Nothing was bought for ${formatLagosDate(n.dueOn)}. Reply "my schedules" to resume.`;
    case "paused_skips":
      return `Your schedule (${n.what}) skipped ${formatLagosDate(n.dueOn)} (wallet too low) and is now paused after ${n.skips} skipped runs in a row. Reply "my schedules" to resume it.`;
    case "missed": {
      const text = `Your schedule (${n.what}) did not run on ${n.dueOns.map(formatLagosDate).join(", ")}: we were unavailable then, and it is too late to buy it now. Nothing was charged.`;
      if (n.nextDueOn === undefined) {
        return text;
      }
      return `${text} The next run is ${n.nextDueOn === null ? "none (the schedule has ended)" : formatLagosDate(n.nextDueOn)}.`;
    }
    case "run_failed":
      return `Your schedule (${n.what}) could not buy for ${formatLagosDate(n.dueOn)}: ${n.message} Nothing was charged.`;
  }
}
