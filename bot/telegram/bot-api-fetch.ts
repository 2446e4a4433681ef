import http from "node:http";
import https from "node:https";

/** What grammY's API client passes to its `fetch` (node-fetch's options; see grammy/out/core/client.js). */
type BotApiInit = {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal;
  agent?: http.Agent;
};

/** The part of a fetch Response grammY's API client reads: it calls `json()` and nothing else. */
type BotApiResponse = { ok: boolean; status: number; json(): Promise<unknown> };

/**
 * The `fetch` grammY's API client calls for every Bot API method: its JSON body goes out through
 * node:http on grammY's own keep-alive agent. The bot sends text only; a file upload (grammY's
 * form-data stream) is refused with a clear error rather than half-supported.
 *
 * Why: node-fetch builds a WHATWG Request, Headers and a body stream around every call, and in
 * the Telegram bench that was about a fifth of the bot process's CPU per answer (profile,
 * DECISIONS §49). A Bot API call is a small JSON POST whose answer is small JSON: this is all of
 * the protocol it needs. Abort (grammY's timeout, the poller's stop) destroys the request.
 */
export function botApiFetch(url: string, init: BotApiInit): Promise<BotApiResponse> {
  if (init.body !== undefined && typeof init.body !== "string") {
    return Promise.reject(new Error("file uploads to the Bot API are not supported by this bot"));
  }
  return post(url, init);
}

function post(url: string, init: BotApiInit): Promise<BotApiResponse> {
  return new Promise((resolve, reject) => {
    const signal = init.signal;
    if (signal?.aborted) {
      reject(abortError());
      return;
    }
    // A string body goes out in the same write as the headers (node:http joins them).
    const body = typeof init.body === "string" ? init.body : undefined;
    const headers: Record<string, string | number> = { ...init.headers };
    if (body !== undefined) {
      headers["content-length"] = Buffer.byteLength(body);
    }
    const request = (url.startsWith("https:") ? https : http).request(
      url,
      { method: init.method ?? "GET", headers, agent: init.agent },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", fail);
        response.on("end", () => {
          signal?.removeEventListener("abort", onAbort);
          const text = Buffer.concat(chunks).toString();
          const status = response.statusCode ?? 0;
          resolve({
            ok: status >= 200 && status < 300,
            status,
            // As fetch's json(): a body that is not JSON rejects (grammY reports it as an HttpError).
            json: () => new Promise((done) => done(JSON.parse(text))),
          });
        });
      },
    );
    function fail(error: Error) {
      signal?.removeEventListener("abort", onAbort);
      reject(error);
    }
    function onAbort() {
      request.destroy(abortError());
    }
    signal?.addEventListener("abort", onAbort);
    request.on("error", fail);
    request.end(body, "utf8");
  });
}

function abortError(): Error {
  const error = new Error("The Bot API request was aborted");
  error.name = "AbortError";
  return error;
}
