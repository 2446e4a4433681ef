import type { EmulatorCall, Outcome, Reply } from "./emulator-server";
import { json, startEmulatorServer } from "./emulator-server";

/**
 * A local Groq on 127.0.0.1 for tests: the OpenAI-compatible chat-completions endpoint that groq-sdk
 * calls (`POST {baseURL}/openai/v1/chat/completions`, `Authorization: Bearer <key>`), answering with
 * the same body shapes as the real API. Tests program what "the model" says next (a tool call, plain
 * text, Groq's own "tool_use_failed" 400) or how the service misbehaves (a garbage body, a 5xx, a
 * late answer, a hang), and read the request log to check what we sent (model, temperature, tools,
 * and that no secret ever reaches the prompt).
 *
 * `url` is the base URL to give groq-sdk; the SDK appends the `/openai/v1/...` path itself.
 */

export const GROQ_CHAT_COMPLETIONS_PATH = "/openai/v1/chat/completions";

/** What the emulator does with the next chat-completions request. */
export type GroqReply =
  /** The model calls one tool. `arguments` is sent verbatim when a string, else JSON-encoded. */
  | { kind: "tool_call"; name: string; arguments: string | Record<string, unknown>; content?: string }
  /** The model calls several tools at once. */
  | { kind: "tool_calls"; calls: { name: string; arguments: string | Record<string, unknown> }[] }
  /** The model answers in words and calls no tool. */
  | { kind: "text"; content: string; finishReason?: string }
  /** A 200 whose message carries a refusal (OpenAI-style `refusal`, finish_reason "content_filter"). */
  | { kind: "refusal"; refusal: string }
  /** Groq's 400 when the model produced a tool call that does not fit the tool's schema. */
  | { kind: "tool_use_failed"; failedGeneration: string }
  /** A 200 with a JSON body of any shape (e.g. `{}` or `{ choices: [] }`). */
  | { kind: "json"; status?: number; body: unknown }
  /** A 200 whose body is not JSON at all (truncated, HTML, …). */
  | { kind: "garbage"; body?: string; contentType?: string }
  /** An HTTP error with Groq's error envelope (500 unless `status` says otherwise). */
  | { kind: "http_error"; status?: number; message?: string }
  /** Holds the request for `hangMs`, then answers with `reply`. */
  | { kind: "slow"; reply: GroqReply }
  /** Holds the request for `hangMs`, then drops the connection without answering. */
  | { kind: "hang" };

export type GroqEmulatorRequest = {
  method: string;
  /** The full path, e.g. "/openai/v1/chat/completions". */
  path: string;
  /** Parsed JSON body, the raw text when it was not JSON, undefined when there was none. */
  body: unknown;
  /** The body as one string, for "this secret never appears" assertions. */
  bodyText: string;
  headers: { authorization?: string; contentType?: string; userAgent?: string };
  /** Convenience views of a chat-completions body (undefined when absent or not a chat request). */
  model?: string;
  temperature?: unknown;
  toolChoice?: unknown;
  toolNames: string[];
  messages: { role: string; content: string }[];
  at: number;
};

export type GroqEmulatorOptions = {
  /** The key the emulator accepts (default "test-groq-key"). */
  apiKey?: string;
};

export type GroqEmulator = {
  /** Base URL for groq-sdk, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly apiKey: string;
  /** What every request gets unless a queued reply or a responder says otherwise (default: plain text). */
  setReply(reply: GroqReply): void;
  /** Replies used once each, in order, before the default. */
  queueReplies(...replies: GroqReply[]): void;
  /** Compute the reply from the request (wins over queued and default replies); undefined clears. */
  setResponder(responder: ((request: GroqEmulatorRequest) => GroqReply) | undefined): void;
  /** How long `slow` and `hang` hold a request (default 2000 ms). */
  setHangMs(ms: number): void;
  /** Default reply, no queue, no responder, the default hang (the request log is kept). */
  reset(): void;
  /** Empty the request log. */
  clearRequests(): void;
  readonly requests: readonly GroqEmulatorRequest[];
  close(): Promise<void>;
};

const DEFAULT_REPLY: GroqReply = { kind: "text", content: "How can I help you today?" };
const DEFAULT_HANG_MS = 2000;

export async function startGroqEmulator(options: GroqEmulatorOptions = {}): Promise<GroqEmulator> {
  const apiKey = options.apiKey ?? "test-groq-key";
  const requests: GroqEmulatorRequest[] = [];
  let defaultReply: GroqReply = DEFAULT_REPLY;
  let queue: GroqReply[] = [];
  let responder: ((request: GroqEmulatorRequest) => GroqReply) | undefined;
  let hangMs = DEFAULT_HANG_MS;
  let sequence = 0;

  function nextReply(request: GroqEmulatorRequest): GroqReply {
    if (responder) {
      return responder(request);
    }
    return queue.shift() ?? defaultReply;
  }

  function outcomeFor(reply: GroqReply, request: GroqEmulatorRequest): Outcome {
    sequence += 1;
    const model = request.model ?? "unknown-model";
    switch (reply.kind) {
      case "tool_call":
        return json(
          200,
          completion(sequence, model, {
            message: {
              role: "assistant",
              content: reply.content ?? null,
              tool_calls: [toolCall(sequence, 0, reply.name, reply.arguments)],
            },
            finishReason: "tool_calls",
          }),
        );
      case "tool_calls":
        return json(
          200,
          completion(sequence, model, {
            message: {
              role: "assistant",
              content: null,
              tool_calls: reply.calls.map((call, index) =>
                toolCall(sequence, index, call.name, call.arguments),
              ),
            },
            finishReason: "tool_calls",
          }),
        );
      case "text":
        return json(
          200,
          completion(sequence, model, {
            message: { role: "assistant", content: reply.content },
            finishReason: reply.finishReason ?? "stop",
          }),
        );
      case "refusal":
        return json(
          200,
          completion(sequence, model, {
            message: { role: "assistant", content: null, refusal: reply.refusal },
            finishReason: "content_filter",
          }),
        );
      case "tool_use_failed":
        return json(400, {
          error: {
            message:
              "Failed to call a function. Please adjust your prompt. See 'failed_generation' for more details.",
            type: "invalid_request_error",
            code: "tool_use_failed",
            failed_generation: reply.failedGeneration,
          },
        });
      case "json":
        return json(reply.status ?? 200, reply.body);
      case "garbage":
        return {
          status: 200,
          contentType: reply.contentType ?? "application/json",
          body: reply.body ?? '{"id":"chatcmpl-trunc","choices":[{"index":0,"message":{"role":"assis',
        };
      case "http_error": {
        const status = reply.status ?? 500;
        return json(status, {
          error: { message: reply.message ?? "Internal Server Error", type: "internal_server_error" },
        });
      }
      case "slow": {
        const late = outcomeFor(reply.reply, request);
        return "status" in late ? { hang: late } : late;
      }
      case "hang":
        return { hangThenDrop: true };
    }
  }

  const server = await startEmulatorServer({
    basePath: "",
    hangMs: () => hangMs,
    record: (call) => {
      requests.push(toRequest(call));
    },
    authorize: (call) =>
      call.header("authorization") === `Bearer ${apiKey}`
        ? undefined
        : json(401, {
            error: { message: "Invalid API Key", type: "invalid_request_error", code: "invalid_api_key" },
          }),
    route: (call): Outcome => {
      if (call.method !== "POST" || call.path !== GROQ_CHAT_COMPLETIONS_PATH) {
        return notFound(call);
      }
      const request = requests[requests.length - 1];
      if (!request) {
        return json(500, { error: { message: "emulator lost the request" } });
      }
      return outcomeFor(nextReply(request), request);
    },
  });

  return {
    url: server.url,
    apiKey,
    setReply: (reply) => {
      defaultReply = reply;
    },
    queueReplies: (...replies) => {
      queue.push(...replies);
    },
    setResponder: (next) => {
      responder = next;
    },
    setHangMs: (ms) => {
      hangMs = ms;
    },
    reset: () => {
      defaultReply = DEFAULT_REPLY;
      queue = [];
      responder = undefined;
      hangMs = DEFAULT_HANG_MS;
    },
    clearRequests: () => {
      requests.length = 0;
    },
    requests,
    close: () => server.close(),
  };
}

/** An OpenAI-shaped chat completion, as Groq sends it (with its `x_groq` and usage timings). */
function completion(
  sequence: number,
  model: string,
  choice: { message: Record<string, unknown>; finishReason: string },
): Record<string, unknown> {
  return {
    id: `chatcmpl-emulator-${sequence}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: choice.message, logprobs: null, finish_reason: choice.finishReason }],
    usage: {
      queue_time: 0.01,
      prompt_tokens: 900,
      prompt_time: 0.05,
      completion_tokens: 30,
      completion_time: 0.03,
      total_tokens: 930,
      total_time: 0.08,
    },
    system_fingerprint: "fp_emulator",
    x_groq: { id: `req_emulator_${sequence}` },
  };
}

function toolCall(
  sequence: number,
  index: number,
  name: string,
  args: string | Record<string, unknown>,
): Record<string, unknown> {
  return {
    id: `call_emulator_${sequence}_${index}`,
    type: "function",
    function: { name, arguments: typeof args === "string" ? args : JSON.stringify(args) },
  };
}

function notFound(call: EmulatorCall): Reply {
  return json(404, {
    error: {
      message: `Unknown request URL: ${call.method} ${call.path}. Please check the URL for typos, or see the docs at https://console.groq.com/docs/`,
      type: "invalid_request_error",
      code: "unknown_url",
    },
  });
}

function toRequest(call: EmulatorCall): GroqEmulatorRequest {
  const body = call.body;
  const chat = isRecord(body) ? body : {};
  const request: GroqEmulatorRequest = {
    method: call.method,
    path: call.path,
    body,
    bodyText: body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body),
    headers: {
      authorization: call.header("authorization"),
      contentType: call.header("content-type"),
      userAgent: call.header("user-agent"),
    },
    toolNames: Array.isArray(chat.tools)
      ? chat.tools.flatMap((tool) =>
          isRecord(tool) && isRecord(tool.function) && typeof tool.function.name === "string"
            ? [tool.function.name]
            : [],
        )
      : [],
    messages: Array.isArray(chat.messages)
      ? chat.messages.flatMap((message) =>
          isRecord(message) && typeof message.role === "string"
            ? [{ role: message.role, content: typeof message.content === "string" ? message.content : "" }]
            : [],
        )
      : [],
    at: Date.now(),
  };
  if (typeof chat.model === "string") {
    request.model = chat.model;
  }
  if ("temperature" in chat) {
    request.temperature = chat.temperature;
  }
  if ("tool_choice" in chat) {
    request.toolChoice = chat.tool_choice;
  }
  return request;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
