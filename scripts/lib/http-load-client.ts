/**
 * The bench's side of the HTTP load generator (scripts/lib/http-load.ts): sandbox purchases and the
 * gift-room claim storm are sent from a child process, so the HTTP clients never share the event
 * loop (or the CPU accounting) of the server being measured. One JSON object per line each way:
 * requests on the child's stdin, answers (and a first "ready" line) on its stdout; its stderr is ours.
 */
import { fromRunJson, type RunJson, type RunResult } from "./bench-stats";
import { startJsonChild } from "./json-child";

/** One purchasing customer: the API key it sends and the number it buys airtime for. */
export type PurchaseClient = { token: string; phone: string };

export type PurchasesRequest = {
  cmd: "purchases";
  baseUrl: string;
  /** Client i is caller i of the closed loop: one request at a time each. */
  clients: PurchaseClient[];
  /** Idempotency keys are `${keyPrefix}-${n}`: a prefix per run keeps them fresh. */
  keyPrefix: string;
  network: string;
  amountKobo: number;
  pin: string;
  durationMs: number;
  /** Stop each client after this many purchases, even before `durationMs`. */
  maxOpsPerClient?: number;
  /** A purchase not answered within this long is a failure. */
  timeoutMs: number;
};

export type ClaimsRequest = {
  cmd: "claims";
  baseUrl: string;
  roomToken: string;
  /** Device ids are `${deviceTag}-${i}`: one device (and one number) per claimant. */
  deviceTag: string;
  claimants: number;
  /** A claim not answered within this long is a failure. */
  timeoutMs: number;
};

type WithId<T> = T & { id: number };
export type HttpLoadRequest = WithId<PurchasesRequest> | WithId<ClaimsRequest>;

export type PurchasesAnswer = { run: RunJson; states: [string, number][] };
export type ClaimsAnswer = { run: RunJson; winners: number; full: number };

export type HttpLoadAnswer =
  | { type: "ready" }
  | { type: "answer"; id: number; ok: false; error: string }
  | ({ type: "answer"; id: number; ok: true } & (PurchasesAnswer | ClaimsAnswer));

export type HttpLoad = {
  /**
   * A closed loop of purchases; every answer other than 201 with `success: true` (another status, a
   * replay, a reset connection, a timeout) is counted as failed with its reason. `states`: the order
   * states of the 201 responses.
   */
  purchases(request: Omit<PurchasesRequest, "cmd">): Promise<{ run: RunResult; states: Map<string, number> }>;
  /**
   * `claimants` claims sent at once, one each. A 201 is a winner, a 409 ROOM_FULL a clean "all taken";
   * anything else is a failure.
   */
  claims(request: Omit<ClaimsRequest, "cmd">): Promise<{ run: RunResult; winners: number; full: number }>;
  close(): Promise<void>;
};

/** Start the load generator in a child process. */
export async function startHttpLoad(): Promise<HttpLoad> {
  const child = await startJsonChild<{ type: "ready" }>({
    script: "http-load.ts",
    name: "HTTP load generator",
  });
  return {
    async purchases(body) {
      const answer = await child.request<PurchasesAnswer>({ cmd: "purchases", ...body });
      return { run: fromRunJson(answer.run), states: new Map(answer.states) };
    },
    async claims(body) {
      const answer = await child.request<ClaimsAnswer>({ cmd: "claims", ...body });
      return { run: fromRunJson(answer.run), winners: answer.winners, full: answer.full };
    },
    close: () => child.close(),
  };
}
