/**
 * The HTTP load generator of `npm run bench`, run as a child process by scripts/lib/http-load-client.ts
 * (`node --import tsx scripts/lib/http-load.ts`): HTTP clients buying sandbox airtime through
 * POST /api/vtu/airtime in a closed loop, and the gift-room claim storm on POST /api/gift-rooms/claim,
 * on an event loop of their own. Requests come as JSON lines on stdin, answers go as JSON lines on
 * stdout; stdin closing ends the process.
 *
 * The clients are plain node:http requests on a keep-alive agent, not fetch(): undici's fetch costs
 * several times the CPU per request, and in the claim storm the load process, not the server, was
 * the bottleneck (the server sat idle 44 % of the storm; DECISIONS §51). A load generator must not
 * be what a bench measures.
 */
import http, { type IncomingHttpHeaders } from "node:http";
import { createInterface } from "node:readline";
import { runClosedLoop, toRunJson } from "./bench-stats";
import type {
  ClaimsAnswer,
  ClaimsRequest,
  HttpLoadAnswer,
  HttpLoadRequest,
  PurchasesAnswer,
  PurchasesRequest,
} from "./http-load-client";

type ApiBody = { success?: boolean; code?: string; error?: string; data?: { order?: { state?: string } } };

async function purchases(request: PurchasesRequest): Promise<PurchasesAnswer> {
  const states = new Map<string, number>();
  let keySeq = 0;
  const run = await runClosedLoop(
    async (caller) => {
      const client = request.clients[caller];
      if (!client) {
        throw new Error(`no purchase client ${caller} (have ${request.clients.length})`);
      }
      const response = await postJson(
        `${request.baseUrl}/api/vtu/airtime`,
        {
          authorization: `Bearer ${client.token}`,
          "idempotency-key": `${request.keyPrefix}-${++keySeq}`,
        },
        JSON.stringify({
          network: request.network,
          phone: client.phone,
          amountKobo: request.amountKobo,
          pin: request.pin,
        }),
        request.timeoutMs,
      );
      const { text } = response;
      const body = parseJson(text) as ApiBody | null;
      if (response.status !== 201 || body?.success !== true) {
        throw httpError(response.status, body, text);
      }
      if (response.headers["idempotent-replayed"]) {
        throw new Error("a fresh Idempotency-Key was answered as a replay");
      }
      const state = body.data?.order?.state ?? "(no order in the response)";
      states.set(state, (states.get(state) ?? 0) + 1);
    },
    {
      callers: request.clients.length,
      durationMs: request.durationMs,
      maxOpsPerCaller: request.maxOpsPerClient,
    },
  );
  return { run: toRunJson(run), states: [...states] };
}

async function claims(request: ClaimsRequest): Promise<ClaimsAnswer> {
  let winners = 0;
  let full = 0;
  const run = await runClosedLoop(
    async (caller) => {
      // Distinct numbers whose last four digits are the sandbox's plain success (≥ 1000).
      const phone = `0813${String(1_000_000 + caller * 10 + 1000)
        .padStart(7, "0")
        .slice(-7)}`;
      const response = await postJson(
        `${request.baseUrl}/api/gift-rooms/claim`,
        { "x-device-id": `${request.deviceTag}-${caller}` },
        JSON.stringify({ token: request.roomToken, phone, network: "mtn" }),
        request.timeoutMs,
      );
      const { text } = response;
      const body = parseJson(text) as ApiBody | null;
      if (response.status === 201) {
        winners++;
      } else if (response.status === 409 && body?.code === "ROOM_FULL") {
        full++;
      } else {
        throw httpError(response.status, body, text);
      }
    },
    // Every claimant sends once, all at the same moment; the deadline only bounds the start.
    { callers: request.claimants, durationMs: request.timeoutMs, maxOpsPerCaller: 1 },
  );
  return { run: toRunJson(run), winners, full };
}

/** Keep-alive, no socket limit: each closed-loop caller keeps its own connection. */
const agent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

type HttpAnswer = { status: number; headers: IncomingHttpHeaders; text: string };

/**
 * POST a JSON body and read the whole answer. A request that fails at the socket is an error named
 * by its code (ECONNRESET, ECONNREFUSED, …), one with no answer in `timeoutMs` is a TimeoutError:
 * the bench counts and prints both as failures.
 */
function postJson(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<HttpAnswer> {
  const payload = Buffer.from(body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: "POST",
        agent,
        headers: { ...headers, "content-type": "application/json", "content-length": payload.length },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", fail);
        response.on("end", () => {
          clearTimeout(timer);
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          });
        });
      },
    );
    const timer = setTimeout(() => {
      const error = new Error(`no answer within ${timeoutMs} ms`);
      error.name = "TimeoutError";
      request.destroy(error);
    }, timeoutMs);
    function fail(cause: NodeJS.ErrnoException) {
      clearTimeout(timer);
      if (cause.name === "TimeoutError") {
        reject(cause);
        return;
      }
      const error = new Error(`request failed: ${cause.message}`);
      error.name = cause.code ?? cause.name;
      reject(error);
    }
    request.on("error", fail);
    request.end(payload);
  });
}

function httpError(status: number, body: ApiBody | null, text: string): Error {
  const error = new Error(body?.error ?? text.slice(0, 120));
  error.name = `HTTP ${status}${body?.code ? ` ${body.code}` : ""}`;
  return error;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function handle(request: HttpLoadRequest): Promise<PurchasesAnswer | ClaimsAnswer> {
  switch (request.cmd) {
    case "purchases":
      return purchases(request);
    case "claims":
      return claims(request);
  }
}

function send(answer: HttpLoadAnswer): void {
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  let request: HttpLoadRequest;
  try {
    request = JSON.parse(line) as HttpLoadRequest;
  } catch {
    process.stderr.write(`http load: not a request: ${line.slice(0, 200)}\n`);
    return;
  }
  handle(request).then(
    (result) => send({ type: "answer", id: request.id, ok: true, ...result }),
    (error: unknown) =>
      send({
        type: "answer",
        id: request.id,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      }),
  );
});
lines.on("close", () => process.exit(0));

send({ type: "ready" });
