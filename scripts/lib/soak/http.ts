import type { FaultLog, Gate } from "./faults";
import type { Violations } from "./violations";

export type Reply = {
  status: number;
  /** The parsed JSON envelope (undefined for HTML pages and empty bodies). */
  body: Envelope | undefined;
  text: string;
  headers: Headers;
  ms: number;
};

/** The API's one envelope (README "The API"). */
export type Envelope = {
  success: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: the soak reads many response shapes and checks them itself
  data?: any;
  error?: string;
  code?: string;
  requestId?: string;
};

export type Request = {
  method: "GET" | "POST" | "DELETE";
  path: string;
  token?: string;
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /** Which API process to talk to (scale-out has several); default: round robin. */
  base?: number;
  /** A short name for the statistics (the route, not the path with ids). */
  label: string;
};

/**
 * A request that failed because of an injected fault (or an unexplained one, already recorded as a
 * violation): the operation is retried with the same idempotency keys once the server is back.
 */
export class RetryableFailure extends Error {
  constructor(
    message: string,
    readonly excused: boolean,
  ) {
    super(message);
    this.name = "RetryableFailure";
  }
}

/**
 * The soak's HTTP client: the public API only, as a customer's app would call it. Every 5xx and
 * every transport error is judged against the fault log: inside a fault window it is expected
 * (the operation is retried), anywhere else it is a violation with the response as evidence.
 */
export class SoakHttp {
  private turn = 0;
  readonly stats = {
    requests: 0,
    byStatus: new Map<number, number>(),
    transportErrors: 0,
    excused: 0,
    unexpected5xx: 0,
    slowestMs: 0,
    /** Per route label: requests, total and worst latency (ms). */
    byLabel: new Map<string, { n: number; totalMs: number; maxMs: number }>(),
  };

  constructor(
    private readonly deps: {
      baseUrls: () => string[];
      gate: Gate;
      faults: FaultLog;
      violations: Violations;
      timeoutMs?: number;
    },
  ) {}

  baseUrl(index?: number): string {
    const urls = this.deps.baseUrls();
    const i = index ?? this.turn++;
    const url = urls[i % urls.length];
    if (!url) {
      throw new Error("no API base URL");
    }
    return url;
  }

  async call(request: Request): Promise<Reply> {
    await this.deps.gate.pass();
    const base = this.baseUrl(request.base);
    const headers: Record<string, string> = { ...request.headers };
    let body: string | undefined;
    if (request.token) {
      headers.authorization = `Bearer ${request.token}`;
    }
    if (request.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(request.json);
    } else if (request.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(request.form).toString();
    }
    const started = Date.now();
    this.stats.requests++;
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${base}${request.path}`, {
        method: request.method,
        headers,
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(this.deps.timeoutMs ?? 30_000),
      });
      text = await response.text();
    } catch (error) {
      const ended = Date.now();
      this.stats.transportErrors++;
      const cause = describeError(error);
      const fault = this.deps.faults.excuse(started, ended, { transport: true });
      if (fault) {
        this.stats.excused++;
        throw new RetryableFailure(`${request.label}: ${cause} during ${fault.kind}`, true);
      }
      this.deps.violations.add(
        "http",
        `${request.method} ${request.label} failed without any injected fault: ${cause}`,
        {
          base,
          path: redact(request.path),
          startedAt: new Date(started).toISOString(),
          ms: ended - started,
        },
      );
      throw new RetryableFailure(`${request.label}: ${cause}`, false);
    }
    const ms = Date.now() - started;
    this.stats.slowestMs = Math.max(this.stats.slowestMs, ms);
    const timing = this.stats.byLabel.get(request.label) ?? { n: 0, totalMs: 0, maxMs: 0 };
    timing.n++;
    timing.totalMs += ms;
    timing.maxMs = Math.max(timing.maxMs, ms);
    this.stats.byLabel.set(request.label, timing);
    this.stats.byStatus.set(response.status, (this.stats.byStatus.get(response.status) ?? 0) + 1);
    const parsed = parseEnvelope(text);
    if (response.status >= 500) {
      const fault = this.deps.faults.excuse(started, Date.now(), {
        transport: false,
        status: response.status,
      });
      if (fault) {
        this.stats.excused++;
        throw new RetryableFailure(`${request.label}: ${response.status} during ${fault.kind}`, true);
      }
      this.stats.unexpected5xx++;
      this.deps.violations.add("http", `${request.method} ${request.label} answered ${response.status}`, {
        base,
        path: redact(request.path),
        code: parsed?.code,
        error: parsed?.error ?? text.slice(0, 200),
        requestId: parsed?.requestId ?? response.headers.get("x-request-id"),
        at: new Date(started).toISOString(),
      });
      throw new RetryableFailure(`${request.label}: ${response.status}`, false);
    }
    return { status: response.status, body: parsed, text, headers: response.headers, ms };
  }
}

function parseEnvelope(text: string): Envelope | undefined {
  if (!text.startsWith("{")) {
    return undefined;
  }
  try {
    return JSON.parse(text) as Envelope;
  } catch {
    return undefined;
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? error.name ?? error.message;
  }
  return String(error);
}

/** Gift tokens are the only key to a room: never print them. */
function redact(path: string): string {
  return path.replace(/\/gift\/[A-Za-z0-9_-]{20,}/, "/gift/[token]");
}
