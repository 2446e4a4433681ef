/**
 * The HTTP load generator of `npm run bench`, run as a child process by scripts/lib/http-load-client.ts
 * (`node --import tsx scripts/lib/http-load.ts`): fetch() clients buying sandbox airtime through
 * POST /api/vtu/airtime in a closed loop, and the gift-room claim storm on POST /api/gift-rooms/claim,
 * on an event loop of their own. Requests come as JSON lines on stdin, answers go as JSON lines on
 * stdout; stdin closing ends the process.
 */
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
      const response = await fetch(`${request.baseUrl}/api/vtu/airtime`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${client.token}`,
          "idempotency-key": `${request.keyPrefix}-${++keySeq}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({
          network: request.network,
          phone: client.phone,
          amountKobo: request.amountKobo,
          pin: request.pin,
        }),
        signal: AbortSignal.timeout(request.timeoutMs),
      });
      const text = await response.text();
      const body = parseJson(text) as ApiBody | null;
      if (response.status !== 201 || body?.success !== true) {
        throw httpError(response.status, body, text);
      }
      if (response.headers.get("idempotent-replayed")) {
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
      const response = await fetch(`${request.baseUrl}/api/gift-rooms/claim`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-device-id": `${request.deviceTag}-${caller}` },
        body: JSON.stringify({ token: request.roomToken, phone, network: "mtn" }),
        signal: AbortSignal.timeout(request.timeoutMs),
      });
      const text = await response.text();
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
