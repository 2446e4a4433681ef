import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * What the provider emulators (inlomax-emulator.ts, smeplug-emulator.ts) share:
 * - `startEmulatorServer`: the HTTP plumbing. A server on 127.0.0.1 (a free port) that collects each
 *   request's body, hands the request to the emulator (log, authorize, route) and sends back what the
 *   emulator decided, including the two ways a slow provider misbehaves: answer late, or hang and drop.
 * - `faultModes`: the switches a test flips to choose a fault mode (default, per recipient, per path)
 *   and how long the hanging modes hang.
 * - `gatewayFault`: the fault modes in front of a provider's app, which every emulator has.
 * - `matchesRequest`, `json`, `safeJson`: small helpers.
 * The emulators keep everything provider-specific: paths, envelopes, auth scheme, what each mode does.
 */

/** An HTTP answer: JSON unless `contentType` says otherwise. */
export type Reply = { status: number; body: string; contentType?: string };

/**
 * What the emulator does with a request: answer now, answer after the hang (`hang`), or hold the
 * request for the hang and then drop the connection without answering (`hangThenDrop`).
 */
export type Outcome = Reply | { hang: Reply } | { hangThenDrop: true };

/** One request as the emulator sees it. */
export type EmulatorCall = {
  method: string;
  /** Path below `basePath`, without the query, e.g. "/airtime"; "/" for the base itself. */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON body, the raw text when it was not JSON, undefined when there was none. */
  body: unknown;
  /** A request header by lower-case name (the first value when repeated). */
  header: (name: string) => string | undefined;
};

export type EmulatorServerOptions = {
  /** Path prefix of the API, e.g. "/api": stripped from `EmulatorCall.path`, part of `url`. */
  basePath: string;
  /** How long `hang` and `hangThenDrop` outcomes hold a request; read when the hold starts. */
  hangMs: () => number;
  /** Sees every request first, authorized or not (the emulator's request log). */
  record: (call: EmulatorCall) => void;
  /** The refusal to send, or undefined to go on to `route`. */
  authorize: (call: EmulatorCall) => Reply | undefined;
  route: (call: EmulatorCall) => Outcome;
};

export type EmulatorServer = {
  /** Base URL, e.g. http://127.0.0.1:41234/api */
  readonly url: string;
  /** Cancels held requests, drops open connections and stops listening. */
  close(): Promise<void>;
};

export async function startEmulatorServer(options: EmulatorServerOptions): Promise<EmulatorServer> {
  const timers = new Set<NodeJS.Timeout>();

  function hold(action: () => void): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, options.hangMs());
    timers.add(timer);
  }

  function send(res: http.ServerResponse, reply: Reply): void {
    if (res.destroyed || res.writableEnded) {
      return;
    }
    res.writeHead(reply.status, { "content-type": reply.contentType ?? "application/json" });
    res.end(reply.body);
  }

  function deliver(res: http.ServerResponse, outcome: Outcome): void {
    if ("hangThenDrop" in outcome) {
      hold(() => res.destroy());
    } else if ("hang" in outcome) {
      hold(() => send(res, outcome.hang));
    } else {
      send(res, outcome);
    }
  }

  const server = http.createServer((req, res) => {
    res.on("error", () => {
      // The client gave up (timeout modes); nothing to do.
    });
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const url = new URL(req.url ?? "/", "http://emulator");
      const call: EmulatorCall = {
        method: req.method ?? "GET",
        path: url.pathname.startsWith(options.basePath)
          ? url.pathname.slice(options.basePath.length) || "/"
          : url.pathname,
        query: Object.fromEntries(url.searchParams),
        body: rawBody === "" ? undefined : (safeJson(rawBody) ?? rawBody),
        header: (name) => header(req, name),
      };
      options.record(call);
      deliver(res, options.authorize(call) ?? options.route(call));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${options.basePath}`,
    close: async () => {
      for (const timer of timers) {
        clearTimeout(timer);
      }
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The fault-mode switches a test flips; part of each emulator's API. */
export type FaultModeSwitches<M extends string> = {
  /** Default mode. */
  setMode(mode: M): void;
  /** Mode for one recipient (phone, IUC or meter number); overrides the default. */
  setModeFor(recipient: string, mode: M): void;
  /** Fault an endpoint as a whole (which endpoints heed it is the emulator's call); undefined clears. */
  setPathMode(path: string, mode: M | undefined): void;
  /** How long the hanging modes hold a request (default 2000 ms). */
  setHangMs(ms: number): void;
};

export type FaultModes<M extends string> = {
  /** For the emulator's API. */
  switches: FaultModeSwitches<M>;
  /** The recipient's own mode, else the default. */
  modeFor(recipient: string | undefined): M;
  /** The mode set for a path, if any. */
  pathMode(path: string): M | undefined;
  hangMs(): number;
  /** Back to `defaultMode`, no recipient or path modes, the default hang. */
  reset(): void;
};

const DEFAULT_HANG_MS = 2000;

export function faultModes<M extends string>(defaultMode: M): FaultModes<M> {
  const byRecipient = new Map<string, M>();
  const byPath = new Map<string, M>();
  let globalMode = defaultMode;
  let hangMs = DEFAULT_HANG_MS;
  return {
    switches: {
      setMode: (mode) => {
        globalMode = mode;
      },
      setModeFor: (recipient, mode) => {
        byRecipient.set(recipient, mode);
      },
      setPathMode: (path, mode) => {
        if (mode === undefined) {
          byPath.delete(path);
        } else {
          byPath.set(path, mode);
        }
      },
      setHangMs: (ms) => {
        hangMs = ms;
      },
    },
    modeFor: (recipient) => (recipient !== undefined ? byRecipient.get(recipient) : undefined) ?? globalMode,
    pathMode: (path) => byPath.get(path),
    hangMs: () => hangMs,
    reset: () => {
      globalMode = defaultMode;
      byRecipient.clear();
      byPath.clear();
      hangMs = DEFAULT_HANG_MS;
    },
  };
}

/** A provider's answer when its app crashed (`http_500`, as JSON) and its gateway's error page (`html_503`). */
export type GatewayPages = { http500: unknown; html503: string };

/**
 * The faults in front of a provider's app, alike in every emulator and on every endpoint: the gateway
 * holds the request and drops it (`timeout_before_processing`), the app crashed before doing anything
 * (`http_500`), the gateway answers with its error page (`html_503`). Undefined for any other mode.
 */
export function gatewayFault(mode: string, pages: GatewayPages): Outcome | undefined {
  switch (mode) {
    case "timeout_before_processing":
      return { hangThenDrop: true };
    case "http_500":
      return json(500, pages.http500);
    case "html_503":
      return { status: 503, contentType: "text/html", body: pages.html503 };
    default:
      return undefined;
  }
}

/**
 * Whether a logged request passes a `countRequests` filter: a predicate, or fields that must all match.
 * `path` (exactly) and `method` (any case) are checked here, the emulator's own fields by `matchesRest`.
 */
export function matchesRequest<R extends { method: string; path: string }, F extends PathMethodFilter>(
  request: R,
  filter: F | ((request: R) => boolean) | undefined,
  matchesRest: (request: R, filter: F) => boolean,
): boolean {
  if (filter === undefined) {
    return true;
  }
  if (typeof filter === "function") {
    return filter(request);
  }
  if (filter.path !== undefined && request.path !== filter.path) {
    return false;
  }
  if (filter.method !== undefined && request.method !== filter.method.toUpperCase()) {
    return false;
  }
  return matchesRest(request, filter);
}

type PathMethodFilter = { path?: string; method?: string };

/** A JSON reply. */
export function json(status: number, body: unknown): Reply {
  return { status, body: JSON.stringify(body) };
}

/** The parsed JSON, or undefined when `body` is not JSON. */
export function safeJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
