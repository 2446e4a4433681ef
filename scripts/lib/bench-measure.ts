/**
 * One row of the bench's results table: a run's timings and, measured between two cost snapshots
 * around the run alone (never its warm-up), what each of its operations cost.
 */
import type { Cost, CostMeter, CostSnapshot } from "./bench-cost";
import { type Op, type RunResult, runClosedLoop, type Summary, summarize } from "./bench-stats";

export type Measured = { name: string; warmup: RunResult; run: RunResult; summary: Summary; cost?: Cost };

export const NO_RUN: RunResult = {
  ok: 0,
  failed: 0,
  failures: new Map(),
  latenciesMs: new Float64Array(),
  elapsedMs: 0,
};

/** Every operation a run finished, failed ones included: each cost something. */
export function opsOf(run: RunResult): number {
  return run.ok + run.failed;
}

export function measured(name: string, run: RunResult, options: { warmup?: RunResult; cost?: Cost } = {}) {
  return { name, warmup: options.warmup ?? NO_RUN, run, summary: summarize(run), cost: options.cost };
}

/** A warm-up of `op`: connections opened, statements prepared, code paths compiled. Not measured. */
export function warmUp(op: Op, callers: number, warmupMs: number): Promise<RunResult> {
  return runClosedLoop(op, { callers, durationMs: warmupMs });
}

/**
 * `op` from `callers` closed loops for `seconds`, between the snapshot `before` and a new one, which
 * is returned too: the next run may start from it when its warm-up is already done.
 */
export async function runMetered(args: {
  meter: CostMeter;
  before: CostSnapshot;
  name: string;
  op: Op;
  callers: number;
  seconds: number;
  warmup?: RunResult;
}): Promise<{ row: Measured; after: CostSnapshot }> {
  const run = await runClosedLoop(args.op, { callers: args.callers, durationMs: args.seconds * 1000 });
  const after = await args.meter.snapshot();
  const cost = args.meter.diff(args.before, after, opsOf(run));
  return { row: measured(args.name, run, { warmup: args.warmup, cost }), after };
}

/**
 * `op` from `callers` closed loops: a warm-up of `warmupMs` (with `warmupCallers`, default all), then
 * `seconds` measured between two cost snapshots.
 */
export async function measureClosedLoop(args: {
  meter: CostMeter;
  name: string;
  op: Op;
  callers: number;
  seconds: number;
  warmupMs: number;
  warmupCallers?: number;
  progress(message: string): void;
}): Promise<Measured> {
  const warmupCallers = Math.min(args.callers, args.warmupCallers ?? args.callers);
  args.progress(
    `${args.name}: ${args.warmupMs / 1000} s warm-up${warmupCallers === args.callers ? "" : ` (${warmupCallers} callers)`}, ` +
      `then ${args.seconds} s measured`,
  );
  const warmup = await warmUp(args.op, warmupCallers, args.warmupMs);
  const before = await args.meter.snapshot();
  const { row } = await runMetered({ ...args, before, warmup });
  return row;
}

/** Per-operation numbers with a precision that suits their size: 0.84, 12.3, 145; "-" when unknown. */
export function formatPerOp(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) {
    return "-";
  }
  if (value < 10) {
    return value.toFixed(2);
  }
  return value < 100 ? value.toFixed(1) : value.toFixed(0);
}

/** The cost columns of a row: stmts/op, commits/op, Node CPU ms/op, PG CPU ms/op. */
export function costCells(cost: Cost | undefined): string[] {
  if (!cost) {
    return ["-", "-", "-", "-"];
  }
  return [
    // Evicted pg_stat_statements entries took calls with them: the count is a lower bound.
    `${cost.statementsComplete ? "" : "≥"}${formatPerOp(cost.statements)}`,
    formatPerOp(cost.commits),
    formatPerOp(cost.nodeCpuMs),
    formatPerOp(cost.pgCpuMs),
  ];
}
