/**
 * Small helpers for `npm run bench`: a closed-loop load runner (N callers, each awaiting its own
 * operation before starting the next), latency percentiles and table formatting.
 */

/** One operation of a workload; `caller` is 0..callers-1, so each caller can own its own row. */
export type Op = (caller: number) => Promise<void>;

export type RunResult = {
  /** Operations that resolved. */
  ok: number;
  /** Operations that threw, by error name/code. */
  failed: number;
  failures: Map<string, number>;
  /** One sample per successful operation, in milliseconds. */
  latenciesMs: Float64Array;
  /** From the start until the last caller finished its last operation. */
  elapsedMs: number;
};

export type RunOptions = {
  callers: number;
  durationMs: number;
  /** Stop each caller after this many operations, even before `durationMs` (default: no limit). */
  maxOpsPerCaller?: number;
};

/**
 * Run `op` from `callers` concurrent loops until `durationMs` has passed (or each caller has done
 * `maxOpsPerCaller`); no new op starts after that.
 */
export async function runClosedLoop(op: Op, options: RunOptions): Promise<RunResult> {
  const latencies: number[] = [];
  const failures = new Map<string, number>();
  let ok = 0;
  let failed = 0;
  const start = performance.now();
  const deadline = start + options.durationMs;
  const maxOps = options.maxOpsPerCaller ?? Number.POSITIVE_INFINITY;
  const caller = async (index: number) => {
    for (let done = 0; done < maxOps && performance.now() < deadline; done++) {
      const t0 = performance.now();
      try {
        await op(index);
        latencies.push(performance.now() - t0);
        ok++;
      } catch (error) {
        failed++;
        const label = errorLabel(error);
        failures.set(label, (failures.get(label) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: options.callers }, (_, i) => caller(i)));
  return {
    ok,
    failed,
    failures,
    latenciesMs: Float64Array.from(latencies),
    elapsedMs: performance.now() - start,
  };
}

/**
 * How a failure is counted: name, code and first line of the message. fetch() reports a refused,
 * reset or dropped connection as "TypeError: fetch failed" with the socket error as its cause, so the
 * cause's code (ECONNRESET, UND_ERR_SOCKET, …) is added: otherwise every network failure looks alike.
 */
export function errorLabel(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const message = error.message.split("\n")[0]?.slice(0, 120) ?? "";
    const cause = (error as { cause?: unknown }).cause;
    const causeCode =
      cause instanceof Error ? ((cause as { code?: unknown }).code ?? cause.message) : undefined;
    return (
      `${error.name}${typeof code === "string" ? ` ${code}` : ""}: ${message}` +
      (typeof causeCode === "string" ? ` (${causeCode.slice(0, 80)})` : "")
    );
  }
  return String(error);
}

/** A RunResult as JSON, to cross a process boundary (the load generators run in child processes). */
export type RunJson = {
  ok: number;
  failed: number;
  failures: [string, number][];
  latenciesMs: number[];
  elapsedMs: number;
};

export function toRunJson(run: RunResult): RunJson {
  return {
    ok: run.ok,
    failed: run.failed,
    failures: [...run.failures],
    latenciesMs: [...run.latenciesMs],
    elapsedMs: run.elapsedMs,
  };
}

export function fromRunJson(json: RunJson): RunResult {
  return {
    ok: json.ok,
    failed: json.failed,
    failures: new Map(json.failures),
    latenciesMs: Float64Array.from(json.latenciesMs),
    elapsedMs: json.elapsedMs,
  };
}

export type Summary = {
  opsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
};

export function summarize(run: RunResult): Summary {
  const sorted = Float64Array.from(run.latenciesMs).sort();
  return {
    opsPerSecond: run.elapsedMs > 0 ? run.ok / (run.elapsedMs / 1000) : 0,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length > 0 ? (sorted[sorted.length - 1] ?? Number.NaN) : Number.NaN,
  };
}

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sortedAscending: Float64Array, p: number): number {
  if (sortedAscending.length === 0) {
    return Number.NaN;
  }
  const rank = Math.ceil((p / 100) * sortedAscending.length);
  const index = Math.min(sortedAscending.length - 1, Math.max(0, rank - 1));
  return sortedAscending[index] ?? Number.NaN;
}

/** Milliseconds with a precision that suits their size: 0.84, 12.3, 145. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) {
    return "-";
  }
  if (ms < 10) {
    return ms.toFixed(2);
  }
  return ms < 100 ? ms.toFixed(1) : ms.toFixed(0);
}

/** Whole ops/s with thousands separators; one decimal below 100 (a bcrypt-bound run does ~5/s). */
export function formatRate(opsPerSecond: number): string {
  if (Number.isFinite(opsPerSecond) && opsPerSecond < 100) {
    return opsPerSecond.toFixed(1);
  }
  return Math.round(opsPerSecond).toLocaleString("en-US");
}

/** Left-align the first column, right-align the rest. */
export function formatTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((row) => (row[col] ?? "").length)));
  return all
    .map((row) =>
      row
        .map((cell, col) => (col === 0 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0)))
        .join("   ")
        .trimEnd(),
    )
    .join("\n");
}
