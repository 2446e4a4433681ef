import { type Config, loadConfig } from "../../api/config";
import { createApiApp } from "../../api/http/app";
import { openApiDocument } from "../../api/http/openapi/document";
import { createLogger } from "../../api/logger";
import { createPaymentGateway } from "../../api/providers/payment-gateway";
import { webhookSecretHash } from "../../api/services/funding";
import { createProviderRegistry } from "../../api/services/vtu";
import { createDb } from "../../db/client";

/**
 * The OpenAPI document of a sandbox deployment at `origin`, built without a server or a database
 * connection (the routes only describe themselves here): what `npm run api:types` generates the
 * example client's types from.
 */
export function sandboxOpenApiDocument(origin = "http://localhost:3000") {
  const config: Config = loadConfig({
    NODE_ENV: "development",
    SANDBOX_MODE: "on",
    PUBLIC_BASE_URL: origin,
    // Never connected: pg connects on the first query, and describing routes runs none.
    DATABASE_URL: "postgres://describe-only@127.0.0.1:1/none",
    PIN_PEPPER: "describe-only-pepper-0123456789abcdef",
    LOG_LEVEL: "silent",
  });
  const db = createDb(config.DATABASE_URL ?? "");
  const app = createApiApp({
    db,
    config,
    logger: createLogger({ level: "silent" }),
    jobs: { kind: "postgres", check: async () => {} },
    vtu: { providers: createProviderRegistry([]), dispatch: async () => {} },
    payments: {
      gateway: createPaymentGateway({ config, db }),
      webhookSecretHash: webhookSecretHash(config),
      dispatch: async () => {},
    },
  });
  const document = openApiDocument(app, config, origin);
  return { document, close: () => db.destroy() };
}
