import Groq, { APIConnectionTimeoutError, APIError } from "groq-sdk";
import type { ChatCompletionTool } from "groq-sdk/resources/chat/completions";
import { z } from "zod";

/**
 * Groq with tool calling, as a vendor: one message and a set of function tools in, the one tool the
 * model called out (its name and its arguments as an object), or why there is none. What the tools
 * mean and whether the arguments can be believed is the caller's business (the chat engine's intent
 * rules, bot/engine/intents/llm-intent.ts); this file knows the SDK, the wire format, retries and
 * time limits.
 *
 * `callTool` never throws: Groq slow, failing or answering without exactly one tool call is an
 * `ok: false`. `timeoutMs` bounds the whole call, retries included. The API key only travels in the
 * Authorization header and never appears in a result.
 */

export type GroqToolCallClientOptions = {
  apiKey: string;
  /** Groq's base URL without the `/openai/v1` path (the SDK adds it); the SDK default when absent. */
  baseURL?: string;
  model: string;
  /** The whole `callTool` call, retries included. */
  timeoutMs: number;
  /** Retries of a 408/409/429/5xx or connection failure within `timeoutMs` (default 1). */
  maxRetries?: number;
};

/** A function tool as the model is shown it: `parameters` is a JSON schema of an object. */
export type GroqTool = { name: string; description: string; parameters: Record<string, unknown> };

export type GroqToolCallRequest = {
  /** The system prompt. */
  system: string;
  /** The customer's message: sent as the user message, and only as data. */
  message: string;
  tools: GroqTool[];
};

export type GroqFailureReason = "timeout" | "error" | "no_tool_call" | "invalid_arguments" | "refused";

export type GroqToolCall =
  | { ok: true; call: { name: string; arguments: Record<string, unknown> }; raw: unknown }
  | { ok: false; reason: GroqFailureReason; detail: string };

export type GroqToolCallClient = { callTool(request: GroqToolCallRequest): Promise<GroqToolCall> };

/** Longer messages are not sent: nobody types a purchase that long, and tokens cost money. */
export const MAX_MESSAGE_CHARS = 1000;
/** Enough for one tool call, with room for the hidden reasoning of a reasoning model. */
const MAX_COMPLETION_TOKENS = 512;
const DEFAULT_MAX_RETRIES = 1;
const DETAIL_LIMIT = 300;

/** The response, as far as we read it. */
const completionSchema = z.object({
  id: z.string().nullish(),
  model: z.string().nullish(),
  choices: z
    .array(
      z.object({
        finish_reason: z.string().nullish(),
        message: z.object({
          content: z.string().nullish(),
          refusal: z.string().nullish(),
          tool_calls: z
            .array(z.object({ function: z.object({ name: z.string(), arguments: z.unknown() }) }))
            .nullish(),
        }),
      }),
    )
    .min(1),
  usage: z.unknown().optional(),
});

const DEADLINE = Symbol("deadline");

export function createGroqToolCallClient(options: GroqToolCallClientOptions): GroqToolCallClient {
  const timeoutMs = Math.max(1, Math.round(options.timeoutMs));
  const groq = new Groq({
    apiKey: options.apiKey,
    // null, not undefined: undefined would make the SDK read GROQ_BASE_URL from the environment.
    baseURL: options.baseURL ?? null,
    timeout: timeoutMs,
    maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
    // The SDK's debug log prints requests; ours decides what is logged.
    logLevel: "off",
    // S13: no redirects to other hosts.
    fetchOptions: { redirect: "error" },
  });
  const redact = (detail: string) => redactSecret(detail, options.apiKey);

  async function callTool(request: GroqToolCallRequest): Promise<GroqToolCall> {
    const message = request.message.trim();
    if (message === "") {
      return { ok: false, reason: "no_tool_call", detail: "empty message: nothing to send" };
    }
    if (message.length > MAX_MESSAGE_CHARS) {
      return {
        ok: false,
        reason: "error",
        detail: `message of ${message.length} characters not sent (limit ${MAX_MESSAGE_CHARS})`,
      };
    }

    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    // The SDK's timeout covers one attempt up to the response headers; this covers everything.
    const deadline = new Promise<typeof DEADLINE>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve(DEADLINE);
      }, timeoutMs);
    });
    try {
      const completion = groq.chat.completions.create(
        {
          model: options.model,
          temperature: 0,
          max_completion_tokens: MAX_COMPLETION_TOKENS,
          messages: [
            { role: "system", content: request.system },
            { role: "user", content: message },
          ],
          tools: request.tools.map(
            (tool): ChatCompletionTool => ({
              type: "function",
              function: { name: tool.name, description: tool.description, parameters: tool.parameters },
            }),
          ),
          tool_choice: "auto",
          parallel_tool_calls: false,
        },
        { signal: controller.signal },
      );
      // Whichever of request and deadline loses the race must not become an unhandled rejection.
      completion.catch(() => undefined);
      const response: unknown = await Promise.race([completion, deadline]);
      if (response === DEADLINE) {
        return timedOut(timeoutMs);
      }
      return interpret(response);
    } catch (error) {
      if (controller.signal.aborted || error instanceof APIConnectionTimeoutError) {
        return timedOut(timeoutMs);
      }
      if (isToolUseFailed(error)) {
        // Not the failed_generation itself: it holds the customer's numbers.
        return {
          ok: false,
          reason: "invalid_arguments",
          detail: "Groq rejected the model's tool call (tool_use_failed)",
        };
      }
      return { ok: false, reason: "error", detail: redact(describeError(error)) };
    } finally {
      clearTimeout(timer);
    }
  }

  /** The completion's one tool call, its arguments parsed from the JSON string the wire carries. */
  function interpret(response: unknown): GroqToolCall {
    const parsed = completionSchema.safeParse(response);
    if (!parsed.success) {
      return { ok: false, reason: "error", detail: `unexpected response shape: ${issuesOf(parsed.error)}` };
    }
    const completion = parsed.data;
    // min(1) above.
    const choice = completion.choices[0] as (typeof completion.choices)[number];
    const raw = {
      id: completion.id ?? undefined,
      model: completion.model ?? undefined,
      finishReason: choice.finish_reason ?? undefined,
      toolCalls: (choice.message.tool_calls ?? []).map((call) => call.function),
      usage: completion.usage,
    };
    if (choice.message.refusal || choice.finish_reason === "content_filter") {
      return {
        ok: false,
        reason: "refused",
        detail: `the model declined (finish_reason ${choice.finish_reason})`,
      };
    }
    const calls = choice.message.tool_calls ?? [];
    if (calls.length === 0) {
      return {
        ok: false,
        reason: "no_tool_call",
        detail: `the model answered in words (finish_reason ${choice.finish_reason ?? "none"}, ${choice.message.content?.length ?? 0} characters)`,
      };
    }
    if (calls.length > 1) {
      return {
        ok: false,
        reason: "invalid_arguments",
        detail: `${calls.length} tool calls (${calls.map((call) => call.function.name).join(", ")}); expected one`,
      };
    }
    const call = (calls[0] as (typeof calls)[number]).function;
    const args = parseArguments(call.arguments);
    if ("problem" in args) {
      return { ok: false, reason: "invalid_arguments", detail: `${call.name.slice(0, 40)}: ${args.problem}` };
    }
    return {
      ok: true,
      call: { name: call.name, arguments: args.value },
      raw: redactDeep(raw, options.apiKey),
    };
  }

  return { callTool };
}

/** The arguments JSON string as an object ("" is no arguments). */
function parseArguments(value: unknown): { value: Record<string, unknown> } | { problem: string } {
  if (typeof value !== "string") {
    return { problem: `arguments are a ${typeOf(value)}, not a JSON string` };
  }
  if (value.trim() === "") {
    return { value: {} };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return { problem: "arguments are not valid JSON" };
  }
  if (!isRecord(parsed)) {
    return { problem: `arguments are a ${typeOf(parsed)}, not an object` };
  }
  return { value: parsed };
}

function timedOut(timeoutMs: number): GroqToolCall {
  return { ok: false, reason: "timeout", detail: `no answer from Groq within ${timeoutMs} ms` };
}

function describeError(error: unknown): string {
  if (error instanceof APIError && error.status !== undefined) {
    const { code, message } = groqErrorOf(error);
    return truncate(`HTTP ${error.status}${code ? ` ${code}` : ""}${message ? `: ${message}` : ""}`);
  }
  if (error instanceof APIError) {
    // "Connection error." → "Connection error: fetch failed: connect ECONNREFUSED 127.0.0.1:1"
    return truncate([error.message.replace(/\.$/, ""), ...causesOf(error)].join(": "));
  }
  if (error instanceof SyntaxError) {
    return "unreadable response body (not JSON)";
  }
  return truncate(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
}

function causesOf(error: Error): string[] {
  const causes: string[] = [];
  let cause = error.cause;
  while (cause instanceof Error && causes.length < 3) {
    causes.push(cause.message);
    cause = cause.cause;
  }
  return causes;
}

/** Groq's error envelope `{ error: { message, type, code } }`, as the SDK keeps it on `APIError.error`. */
function groqErrorOf(error: APIError): { code?: string; message?: string } {
  const body = error.error;
  const inner = isRecord(body) && isRecord(body.error) ? body.error : body;
  if (!isRecord(inner)) {
    return {};
  }
  return {
    ...(typeof inner.code === "string" ? { code: inner.code } : {}),
    ...(typeof inner.message === "string" ? { message: inner.message } : {}),
  };
}

/**
 * Groq checks tool calls against the tool's schema itself and answers 400 `tool_use_failed` when the
 * model's call does not fit: the same thing as arguments the caller rejects, so it is reported so.
 */
function isToolUseFailed(error: unknown): boolean {
  return error instanceof APIError && error.status === 400 && groqErrorOf(error).code === "tool_use_failed";
}

function issuesOf(error: z.ZodError): string {
  return truncate(
    error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; "),
  );
}

function truncate(text: string): string {
  return text.length > DETAIL_LIMIT ? `${text.slice(0, DETAIL_LIMIT)}…` : text;
}

function redactSecret(text: string, secret: string): string {
  return secret === "" ? text : text.split(secret).join("[redacted]");
}

function redactDeep(value: unknown, secret: string): unknown {
  if (secret === "") {
    return value;
  }
  return JSON.parse(JSON.stringify(value ?? null), (_key, field: unknown) =>
    typeof field === "string" ? redactSecret(field, secret) : field,
  ) as unknown;
}

function typeOf(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
