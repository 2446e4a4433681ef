import os from "node:os";
import path from "node:path";

/** `npm run soak -- --ops 5000 --kill-every 500 --seed 42 --concurrency 8 --data-dir /tmp/x` */
export type SoakOptions = {
  ops: number;
  killEvery: number;
  seed: number;
  concurrency: number;
  users: number;
  dataDir: string;
  /** After a kill, in-flight orders must leave held/submitting within this long of /healthz (issue 13, item 7). */
  recoveryBudgetSeconds: number;
  settleTimeoutSeconds: number;
  keep: boolean;
  report?: string;
};

const USAGE = `usage: npm run soak -- [--ops N] [--kill-every K] [--seed S] [--concurrency C] [--users U]
                       [--data-dir DIR] [--recovery-budget SECONDS] [--settle-timeout SECONDS]
                       [--keep] [--report FILE]
  --ops N              operations in the mixed workload (default 5000)
  --kill-every K       kill -9 the whole app every K operations, then restart it (default 500; 0 = never)
  --seed S             the operation sequence (default: from the clock; printed, same seed = same sequence)
  --concurrency C      operations in flight at once (default 8)
  --users U            customers the operations pick from (default max(12, 3 × C))
  --data-dir DIR       the app's DATA_DIR (default: a fresh folder under ${os.tmpdir()})
  --recovery-budget S  seconds after /healthz for orders in flight at a kill to move on (default 15)
  --settle-timeout S   how long to wait at the end for every order to settle (default 420)
  --keep               keep DATA_DIR (it is kept anyway when there are violations)
  --report FILE        write the whole result as JSON`;

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${USAGE}`);
    this.name = "UsageError";
  }
}

export function parseSoakArgs(argv: string[]): SoakOptions {
  const values = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--help" || arg === "-h") {
      throw new UsageError("");
    }
    if (!arg.startsWith("--")) {
      throw new UsageError(`unexpected argument "${arg}"`);
    }
    const [name, inline] = arg.slice(2).split("=", 2) as [string, string | undefined];
    if (name === "keep") {
      values.set(name, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith("--")) {
      throw new UsageError(`--${name} needs a value`);
    }
    values.set(name, value);
  }
  const known = [
    "ops",
    "kill-every",
    "seed",
    "concurrency",
    "users",
    "data-dir",
    "recovery-budget",
    "settle-timeout",
    "keep",
    "report",
  ];
  for (const name of values.keys()) {
    if (!known.includes(name)) {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = values.get(name);
    if (raw === undefined) {
      return fallback;
    }
    const n = Number(raw);
    if (typeof raw !== "string" || !Number.isInteger(n) || n < min || n > max) {
      throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got ${String(raw)})`);
    }
    return n;
  };
  const ops = int("ops", 5_000, 1, 10_000_000);
  const concurrency = int("concurrency", 8, 1, 256);
  const seed = int("seed", Date.now() % 1_000_000_000, 0, 2 ** 31 - 1);
  const dataDir = values.get("data-dir");
  const report = values.get("report");
  return {
    ops,
    killEvery: int("kill-every", 500, 0, 10_000_000),
    seed,
    concurrency,
    users: int("users", Math.max(12, 3 * concurrency), 2, 10_000),
    // Not mkdtemp: its 0700 folder would stop the embedded PostgreSQL (user postgres) from entering.
    dataDir: path.resolve(
      typeof dataDir === "string" ? dataDir : path.join(os.tmpdir(), `tada-soak-${seed}-${process.pid}`),
    ),
    recoveryBudgetSeconds: int("recovery-budget", 15, 1, 3_600),
    settleTimeoutSeconds: int("settle-timeout", 420, 10, 24 * 3_600),
    keep: values.get("keep") === true,
    report: typeof report === "string" ? path.resolve(report) : undefined,
  };
}
