import type { SoakResult } from "./embedded-soak";
import type { FaultRecord } from "./run";

/**
 * The one summary line (what a CI log or an issue note quotes):
 * `soak seed=42 ops=5000 kills=9 orders=1912 delivered=… failed=… reversed=… manual_review=…
 *  pending=… restart_max=6.1s recovery_max=12.0s violations=0`
 * `pending` counts every order not in a final state (held, submitting, pending, unknown).
 * `recovery_max` is the slowest kill's recovery; `>Ns` means some orders never recovered while tracked.
 */
export function summaryLine(
  result: Pick<SoakResult, "seed" | "ops" | "kills" | "verdict" | "violations">,
  name = "soak",
): string {
  const c = result.verdict.counts;
  const orders = Object.values(c).reduce((sum, n) => sum + n, 0);
  const pending = (c.held ?? 0) + (c.submitting ?? 0) + (c.pending ?? 0) + (c.unknown ?? 0);
  return [
    name,
    `seed=${result.seed}`,
    `ops=${result.ops}`,
    `kills=${result.kills.length}`,
    `orders=${orders}`,
    `delivered=${c.delivered ?? 0}`,
    `failed=${c.failed ?? 0}`,
    `reversed=${c.reversed ?? 0}`,
    `manual_review=${c.manual_review ?? 0}`,
    `pending=${pending}`,
    `restart_max=${maxOf(result.kills.map((k) => k.restartSeconds))}s`,
    `recovery_max=${recoveryMax(result.kills)}`,
    `violations=${result.violations.count}`,
  ].join(" ");
}

export function recoveryMax(records: FaultRecord[]): string {
  const unfinished = records.filter((r) => r.recoverySeconds === undefined && r.inFlight > 0);
  const seconds = maxOf(records.map((r) => r.recoverySeconds));
  return unfinished.length > 0 ? `>${seconds}s(${unfinished.length} unfinished)` : `${seconds}s`;
}

function maxOf(values: (number | undefined)[]): number {
  return values.reduce<number>((max, v) => (v !== undefined && v > max ? v : max), 0);
}

/** Everything, for --report: counts, kills, answers by route, violations with evidence. */
export function reportJson(result: SoakResult): string {
  return JSON.stringify(
    {
      summary: summaryLine(result),
      seed: result.seed,
      ops: result.ops,
      plan: result.fingerprint,
      seconds: result.seconds,
      users: result.users,
      rooms: result.rooms,
      orders: result.verdict.counts,
      settle: result.verdict.settle,
      balancesChecked: result.verdict.balancesChecked,
      ledger: result.verdict.ledger,
      kills: result.kills,
      http: {
        ...result.http,
        byStatus: Object.fromEntries(result.http.byStatus),
        byLabel: Object.fromEntries(
          [...result.http.byLabel].map(([label, t]) => [
            label,
            { n: t.n, avgMs: Math.round(t.totalMs / t.n), maxMs: t.maxMs },
          ]),
        ),
      },
      answers: Object.fromEntries(
        [...result.workload.answers].map(([label, byAnswer]) => [label, Object.fromEntries(byAnswer)]),
      ),
      retriedOps: result.workload.retriedOps,
      violationsByCheck: result.violations.byCheck(),
      violations: result.violations.list,
    },
    null,
    2,
  );
}
