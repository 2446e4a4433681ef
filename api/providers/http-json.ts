import type { RawExchange } from "../services/vtu/provider";

/**
 * The JSON-over-HTTP transport the real provider clients share (Inlomax, SME Plug, Flutterwave).
 *
 * It does the plumbing and nothing else: send one request, read the answer, keep a `RawExchange` for
 * the attempt row, and scrub the secret from anything the provider echoes back. It never throws and
 * never judges an answer: what a 500, an empty body or an unexpected shape means for money is each
 * client's own classification, because the providers disagree.
 *
 * What it guarantees, per call:
 * - One `AbortSignal.timeout` covers connect, headers and body: a server that sends headers and then
 *   lets the body trickle in forever is a timeout too.
 * - The body is read as text, the secret is redacted from it, then it is parsed as JSON (a blank body
 *   is not parsed). `raw.body` is the parsed JSON, else the text as `keepText` keeps it.
 * - `raw.httpStatus` is set as soon as headers arrive; `raw.durationMs` when the exchange ends;
 *   `raw.error` (redacted) whenever `problem` is set.
 * - Keys travel only in headers, never in `raw.request`.
 * - A call may name more secrets (`JsonRequest.secrets`: a BVN its body carries): they are scrubbed
 *   like the key from that call's answer and error. Keeping them out of `raw.request` is the
 *   client's `recordRequest`.
 */

/** How much of a body that is not JSON is kept on `raw.body`. */
export const RAW_TEXT_LIMIT = 4000;

/** One request. `body` is sent as JSON (with `Content-Type`) when given; a GET has none. */
export type JsonRequest = {
  method: "GET" | "POST";
  /** Appended to `baseUrl` as is, query string included. */
  path: string;
  body?: Record<string, unknown>;
  timeoutMs: number;
  /** Sent after the transport's own headers, for this call only. */
  extraHeaders?: Record<string, string>;
  /**
   * More strings to scrub, for this call only (a BVN the body carries, which a provider may echo
   * back): redacted like the key from the body text and `raw.error`. Empty strings are ignored.
   */
  secrets?: readonly string[];
};

/**
 * One HTTP exchange. `raw` always goes back to the caller (it is what the attempt row stores).
 *
 * - No answer (timeout, network error, a body that failed mid-read): `problem` says why and there is
 *   no `text`; `httpStatus` is set only when headers had arrived.
 * - An answer: `httpStatus` and `text` (redacted) are set, and `json` whenever the body parsed as JSON,
 *   whatever the HTTP status. A blank or non-JSON body sets `problem` instead
 *   (`empty body (HTTP 200)`, `body is not JSON (HTTP 502)`).
 *
 * `problem` itself is not redacted (`raw.error` is): pass it through `redact` (with the call's
 * `secrets`) before echoing it.
 */
export type Exchange =
  | { raw: RawExchange; httpStatus?: number; text?: undefined; json?: undefined; problem: string }
  | { raw: RawExchange; httpStatus: number; text: string; json?: unknown; problem?: string };

export type JsonTransportOptions = {
  /** e.g. https://api.flutterwave.com/v3; trailing slashes are dropped. */
  baseUrl: string;
  /** The key sent in `headers`; redacted from every body text and error kept on `raw`. */
  secret: string;
  /** Sent on every call, in this order (Accept, the auth header); `Content-Type` is added for a body. */
  headers: Record<string, string>;
  fetch?: typeof fetch;
  /** What `raw.request` records. Default: the body as sent (undefined for a GET). */
  recordRequest?: (request: Pick<JsonRequest, "method" | "path" | "body">) => unknown;
  /** How a blank or non-JSON body is kept on `raw.body`. Default: `clipText`. */
  keepText?: (text: string) => string;
  /** How a timeout is worded. Default: "timed out after N ms". */
  describeTimeout?: (timeoutMs: number) => string;
};

export type JsonTransport = {
  /** Never throws: every failure comes back as an `Exchange` with `problem` set. */
  call(request: JsonRequest): Promise<Exchange>;
  /** Replaces every occurrence of the secret (and of each of `secrets`, if given) with "[redacted]". */
  redact(text: string, secrets?: readonly string[]): string;
};

export function createJsonTransport(options: JsonTransportOptions): JsonTransport {
  if (!options.secret) {
    // `"".split("")` would "redact" between every character.
    throw new Error("createJsonTransport needs a secret");
  }
  const doFetch = options.fetch ?? fetch;
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const recordRequest = options.recordRequest ?? (({ body }) => body);
  const keepText = options.keepText ?? clipText;

  function redact(text: string, secrets: readonly string[] = []): string {
    // Longest first, so a secret that contains another is scrubbed whole. Never "" (see above).
    const all = [options.secret, ...secrets.filter((secret) => secret !== "")];
    all.sort((a, b) => b.length - a.length);
    return all.reduce((scrubbed, secret) => scrubbed.split(secret).join("[redacted]"), text);
  }

  async function call({
    method,
    path,
    body,
    timeoutMs,
    extraHeaders,
    secrets,
  }: JsonRequest): Promise<Exchange> {
    const started = performance.now();
    const headers: Record<string, string> = { ...options.headers };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
    }
    Object.assign(headers, extraHeaders);
    const raw: RawExchange = { request: recordRequest({ method, path, body }), durationMs: 0 };
    const finish = (problem: string | undefined): void => {
      raw.durationMs = Math.round(performance.now() - started);
      if (problem !== undefined) {
        raw.error = redact(problem, secrets);
      }
    };
    let httpStatus: number;
    let text: string;
    try {
      const response = await doFetch(`${baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      httpStatus = response.status;
      raw.httpStatus = httpStatus;
      text = redact(await response.text(), secrets);
    } catch (error) {
      const problem = describeFetchError(error, timeoutMs, options.describeTimeout);
      finish(problem);
      return { httpStatus: raw.httpStatus, problem, raw };
    }
    const answer = readBody(text, httpStatus, raw, keepText);
    finish(answer.problem);
    return { httpStatus, text, ...answer, raw };
  }

  return { call, redact };
}

/** Puts the parsed body (or the kept text) on `raw`, and says why it is not usable JSON. */
function readBody(
  text: string,
  httpStatus: number,
  raw: RawExchange,
  keepText: (text: string) => string,
): { json?: unknown; problem?: string } {
  if (text.trim() === "") {
    raw.body = keepText(text);
    return { problem: `empty body (HTTP ${httpStatus})` };
  }
  try {
    const json = JSON.parse(text) as unknown;
    raw.body = json;
    return { json };
  } catch {
    raw.body = keepText(text);
    return { problem: `body is not JSON (HTTP ${httpStatus})` };
  }
}

/** The first `RAW_TEXT_LIMIT` characters, silently; a blank body is kept as "". */
export function clipText(text: string): string {
  return text.trim() === "" ? "" : text.slice(0, RAW_TEXT_LIMIT);
}

/** At most `limit` characters, saying how many were cut: "abc…[truncated 12 chars]". */
export function truncateText(text: string, limit = RAW_TEXT_LIMIT): string {
  return text.length > limit ? `${text.slice(0, limit)}…[truncated ${text.length - limit} chars]` : text;
}

/** A fetch failure in words: a timeout (as `describeTimeout` puts it), else the error and its cause. */
export function describeFetchError(
  error: unknown,
  timeoutMs: number,
  describeTimeout: (timeoutMs: number) => string = (ms) => `timed out after ${ms} ms`,
): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return describeTimeout(timeoutMs);
  }
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `network error: ${error instanceof Error ? error.message : String(error)}${cause}`;
}
