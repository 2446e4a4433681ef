import http from "node:http";
import type { AddressInfo } from "node:net";

/** One callback as a reseller's server received it: headers and the raw body bytes. */
export type ReceivedCallback = {
  path: string;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  json: Record<string, unknown>;
};

/** A status (with a short text body), a status and the exact body, or no answer at all. */
type Answer = number | { status: number; body: string | Buffer } | "hang";

/**
 * A reseller's callback endpoint in miniature: a real HTTP server on 127.0.0.1 that keeps every
 * request and answers with the status `respond` chooses (200 unless told), so a test can make it
 * fail, recover, or hang past the sender's timeout.
 */
export async function startCallbackReceiver() {
  const received: ReceivedCallback[] = [];
  let respond: (n: number) => Answer = () => 200;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(rawBody) as Record<string, unknown>;
      } catch {
        // kept raw; the test asserts on it
      }
      received.push({ path: req.url ?? "/", headers: req.headers, rawBody, json });
      const answer = respond(received.length);
      if (answer === "hang") {
        return; // never answered: the sender's timeout ends it
      }
      const status = typeof answer === "number" ? answer : answer.status;
      res.writeHead(status, { "content-type": "text/plain" });
      res.end(typeof answer === "number" ? (status >= 300 ? `receiver said ${status}` : "ok") : answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/tada/callbacks`,
    received,
    /** Choose the answer to the nth request (1-based, counted over the receiver's life). */
    answer(fn: (n: number) => Answer) {
      respond = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type CallbackReceiver = Awaited<ReturnType<typeof startCallbackReceiver>>;
