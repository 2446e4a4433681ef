import { expect } from "vitest";
import type { Config } from "../../api/config";
import type { TelegramWebhook } from "../../api/http/routes/telegram";
import type { Logger } from "../../api/logger";
import { createPaymentGateway } from "../../api/providers/payment-gateway";
import type { CredentialCache } from "../../api/services/auth";
import type { LookupAll } from "../../api/services/callbacks";
import type { Db } from "../../api/services/context";
import { type PaymentsRuntime, webhookSecretHash } from "../../api/services/funding";
import { createProviderRegistry, type VtuRuntime } from "../../api/services/vtu";
import type { ChatSenders } from "../../bot/outbound";
import { createHttpApp } from "../../scripts/runtime/http";
import { captureLogger, testConfig } from "./context";
import { conformanceOf } from "./openapi-conformance";

export type TestApp = ReturnType<typeof createHttpApp>;

/** The real app on a test database. Its job-backend health probe is a fake a test can turn down; the real backends are tested in api/jobs. */
export function makeTestApp(
  db: Db,
  options: {
    config?: Config;
    logger?: Logger;
    jobsOk?: boolean;
    vtu?: VtuRuntime;
    payments?: PaymentsRuntime;
    telegramWebhook?: TelegramWebhook;
    chatSenders?: ChatSenders;
    /** DNS for callback URL checks outside sandbox mode. */
    callbackLookup?: LookupAll;
    /** A per-process credential cache, as `npm start` gives the API (absent: read every time). */
    credentials?: CredentialCache;
    now?: () => Date;
  } = {},
): { app: TestApp; logs: () => string } {
  const captured = captureLogger();
  const app = createHttpApp({
    db,
    config: options.config ?? testConfig(),
    logger: options.logger ?? captured.logger,
    vtu: options.vtu ?? { providers: createProviderRegistry([]), dispatch: async () => {} },
    payments: options.payments ?? {
      gateway: createPaymentGateway({ config: options.config ?? testConfig(), db }),
      webhookSecretHash: webhookSecretHash(options.config ?? testConfig()),
      dispatch: async () => {},
    },
    telegramWebhook: options.telegramWebhook,
    chatSenders: options.chatSenders,
    callbackLookup: options.callbackLookup,
    credentials: options.credentials,
    now: options.now,
    jobs: {
      kind: "postgres",
      check: async () => {
        if (options.jobsOk === false) {
          throw new Error("job backend down");
        }
      },
    },
  });
  return { app, logs: captured.text };
}

export type JsonResponse = {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely and assert on them.
  body: Record<string, unknown> & { data?: any };
  headers: Headers;
};

export async function call(
  app: TestApp,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string>; raw?: string } = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined || options.raw !== undefined) {
    headers["content-type"] ??= "application/json";
  }
  if (options.token) {
    headers.authorization = `Bearer ${options.token}`;
  }
  const response = await app.request(path, {
    method,
    headers,
    body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { nonJson: text };
  }
  // Every API answer a test sees is also checked against the app's own OpenAPI document.
  if (path.startsWith("/api/") && !("nonJson" in body)) {
    const problems = (await conformanceOf(app)).check(method, path, response.status, body);
    if (problems.length > 0) {
      throw new Error(
        `The answer does not match /openapi.json:\n${problems.join("\n")}\n${text.slice(0, 2000)}`,
      );
    }
  }
  return { status: response.status, body, headers: response.headers };
}

/** Assert the error envelope: { success: false, error, code, details?, timestamp, requestId }. */
export function expectErrorEnvelope(res: JsonResponse, status: number, code: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toMatchObject({
    success: false,
    code,
    error: expect.any(String),
    requestId: expect.any(String),
  });
  expect(Date.parse(String(res.body.timestamp))).not.toBeNaN();
  expect(Object.keys(res.body).sort()).toEqual(
    [
      "success",
      "error",
      "code",
      "timestamp",
      "requestId",
      ...("details" in res.body ? ["details"] : []),
    ].sort(),
  );
  expect(JSON.stringify(res.body)).not.toMatch(/\bat .+\.(ts|js):\d+/); // no stack traces
}

export async function registerAndLogin(
  app: TestApp,
  phone: string,
  password = "correct-horse-9",
): Promise<string> {
  const reg = await call(app, "POST", "/api/auth/register", { body: { phone, password } });
  expect(reg.status, JSON.stringify(reg.body)).toBe(201);
  const login = await call(app, "POST", "/api/auth/login", { body: { phone, password } });
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  return login.body.data.token as string;
}
