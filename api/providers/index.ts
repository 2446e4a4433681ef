import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import type { Config } from "../config";
import { createProviderRegistry, type ProviderRegistry } from "../services/vtu/registry";
import { createInlomaxProvider } from "./inlomax/client";
import { createSandboxProvider, type SandboxOptions } from "./sandbox/provider";
import { createSmePlugProvider } from "./smeplug/client";

/**
 * The providers this deployment talks to, from the configuration alone: a key switches a real client
 * on (INLOMAX_API_KEY, SMEPLUG_SECRET_KEY); with no key at all, the two sandbox providers stand in
 * (primary "sandbox" like Inlomax, fallback "sandbox-b" like SME Plug) so failover is real too.
 */
export function createVtuProviders(args: {
  config: Config;
  db: Kysely<Database>;
  onSandboxWebhook?: SandboxOptions["onWebhook"];
  now?: () => Date;
}): ProviderRegistry {
  const { config } = args;
  const entries: Parameters<typeof createProviderRegistry>[0] = [];
  if (config.INLOMAX_API_KEY) {
    entries.push({
      name: "Inlomax",
      defaultPriority: 10,
      provider: createInlomaxProvider({
        baseUrl: config.INLOMAX_BASE_URL,
        apiKey: config.INLOMAX_API_KEY,
        purchaseTimeoutMs: config.INLOMAX_TIMEOUT_MS,
        readTimeoutMs: config.INLOMAX_READ_TIMEOUT_MS,
      }),
    });
  }
  if (config.SMEPLUG_SECRET_KEY) {
    entries.push({
      name: "SME Plug",
      defaultPriority: 20,
      provider: createSmePlugProvider({
        baseUrl: config.SMEPLUG_BASE_URL,
        secretKey: config.SMEPLUG_SECRET_KEY,
        purchaseTimeoutMs: config.SMEPLUG_TIMEOUT_MS,
        readTimeoutMs: config.SMEPLUG_READ_TIMEOUT_MS,
      }),
    });
  }
  if (entries.length === 0) {
    const common = {
      db: args.db,
      latencyMs: config.SANDBOX_LATENCY_MS,
      timeoutMs: config.SANDBOX_TIMEOUT_MS,
      pendingSeconds: config.SANDBOX_PENDING_SECONDS,
      onWebhook: args.onSandboxWebhook,
      now: args.now,
    };
    entries.push(
      {
        name: "Sandbox (primary)",
        defaultPriority: 10,
        provider: createSandboxProvider({ ...common, role: "primary" }),
      },
      {
        name: "Sandbox (fallback)",
        defaultPriority: 20,
        provider: createSandboxProvider({ ...common, role: "fallback" }),
      },
    );
  }
  return createProviderRegistry(entries);
}
