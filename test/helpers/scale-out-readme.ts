import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../../api/config";

/**
 * The README's scale-out block ("Scale-out mode", the ```sh block that runs `npm run migrate`),
 * read into the steps the scale-out test runs, so CI runs what an operator pastes: the SQL given
 * to psql, the redis-server flags, the exported variables, migrate, and each `npm start` with its
 * own PORT and ROLE. Lines the test cannot run as written (apt-get, service) are listed so a new
 * kind of line fails the parse instead of being silently skipped.
 */
export type ScaleOutSteps = {
  /** Statements run as the `postgres` OS user through psql. */
  sql: string[];
  /** redis-server's arguments as written (the test swaps port and dir for its own). */
  redisArgs: string[];
  /** Variables every process gets (`$(openssl rand -hex 32)` evaluated). */
  env: Record<string, string>;
  migrate: boolean;
  /** One entry per `npm start &` line: its own variables (PORT, ROLE). */
  starts: Record<string, string>[];
};

const RUN_BY_THE_SYSTEM = [
  /^SUDO=/,
  /^\$SUDO apt-get (update|install )/,
  /^\$SUDO service postgresql start$/,
  /^mkdir -p /,
];

export function readScaleOutSteps(
  readme = readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8"),
): ScaleOutSteps {
  const section = readme.split(/^## Scale-out mode$/m)[1]?.split(/^## /m)[0];
  if (!section) {
    throw new Error('README.md has no "## Scale-out mode" section');
  }
  const block = [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
    .map((m) => m[1] ?? "")
    .find((b) => b.includes("npm run migrate"));
  if (!block) {
    throw new Error('README.md "Scale-out mode" has no ```sh block with `npm run migrate`');
  }
  const steps: ScaleOutSteps = { sql: [], redisArgs: [], env: {}, migrate: false, starts: [] };
  for (const raw of block.split("\n")) {
    const line = raw.replace(/\s+#.*$/, "").trim();
    if (line === "" || line.startsWith("#") || RUN_BY_THE_SYSTEM.some((re) => re.test(line))) {
      continue;
    }
    const psql = /^\$SUDO runuser -u postgres -- psql -c "(.+)"$/.exec(line);
    if (psql?.[1]) {
      steps.sql.push(psql[1]);
      continue;
    }
    if (line.startsWith("redis-server ")) {
      steps.redisArgs = line.split(/\s+/).slice(1);
      continue;
    }
    if (line.startsWith("export ")) {
      const rest = line.slice("export ".length);
      const pairs = [...rest.matchAll(/([A-Z_]+)=(\$\([^)]*\)|\S+)/g)];
      if (pairs.map((m) => m[0]).join(" ") !== rest.replace(/\s+/g, " ")) {
        throw new Error(`README scale-out block: cannot read: ${line}`);
      }
      for (const [, name, value] of pairs) {
        if (name && value) {
          steps.env[name] = value === "$(openssl rand -hex 32)" ? randomBytes(32).toString("hex") : value;
        }
      }
      continue;
    }
    if (line === "npm run migrate") {
      steps.migrate = true;
      continue;
    }
    const start = /^((?:[A-Z_]+=\S+\s+)*)npm start &$/.exec(line);
    if (start) {
      const vars: Record<string, string> = {};
      for (const pair of (start[1] ?? "").trim().split(/\s+/).filter(Boolean)) {
        const [name, value] = pair.split("=");
        if (name && value !== undefined) {
          vars[name] = value;
        }
      }
      steps.starts.push(vars);
      continue;
    }
    throw new Error(`README scale-out block: the test does not know how to run: ${line}`);
  }
  return steps;
}

/** The value of `--flag` in redis-server's arguments. */
export function redisFlag(args: string[], flag: string): string | undefined {
  const i = args.indexOf(`--${flag}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** redis-server's arguments with `--flag value…` replaced (or dropped when `value` is undefined). */
export function withRedisFlag(args: string[], flag: string, value: string | undefined): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${flag}`) {
      i++;
      while (i + 1 < args.length && !args[i + 1]?.startsWith("--")) {
        i++;
      }
      continue;
    }
    out.push(args[i] ?? "");
  }
  return value === undefined ? out : [...out, `--${flag}`, value];
}

/** A URL from the README with its port swapped for the test's own. */
export function withPort(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.port = String(port);
  return parsed.toString();
}
