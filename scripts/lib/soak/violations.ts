/**
 * What the soak found wrong. Each violation names the check that caught it (the letters of the
 * issue: ledger, balance, stuck, idempotency, reversal, http, ...) and carries the evidence a person
 * needs to reproduce it: ids, states, times, the response that was wrong.
 */
export type Violation = {
  check: string;
  message: string;
  evidence?: Record<string, unknown>;
};

export class Violations {
  readonly list: Violation[] = [];

  add(check: string, message: string, evidence?: Record<string, unknown>): void {
    this.list.push({ check, message, evidence });
  }

  get count(): number {
    return this.list.length;
  }

  /** One line per violation, evidence as compact JSON (long values cut so a line stays readable). */
  format(): string[] {
    return this.list.map(
      (v) => `VIOLATION [${v.check}] ${v.message}${v.evidence ? ` ${compact(v.evidence)}` : ""}`,
    );
  }

  byCheck(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const v of this.list) {
      counts[v.check] = (counts[v.check] ?? 0) + 1;
    }
    return counts;
  }
}

function compact(evidence: Record<string, unknown>): string {
  const text = JSON.stringify(evidence);
  return text.length > 1_500 ? `${text.slice(0, 1_500)}…` : text;
}
