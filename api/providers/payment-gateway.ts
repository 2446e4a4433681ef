import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import type { Config } from "../config";
import type { PaymentGateway } from "../services/funding/gateway";
import { createFlutterwaveGateway } from "./flutterwave/client";
import { createSandboxGateway, type SandboxGatewayOptions } from "./sandbox-gateway/gateway";

/**
 * The payment gateway from the configuration alone: FLUTTERWAVE_SECRET_KEY switches the real
 * Flutterwave client on; without it the sandbox gateway serves its local checkout page.
 */
export function createPaymentGateway(args: {
  config: Config;
  db: Kysely<Database>;
  now?: () => Date;
  onSandboxTransferCompleted?: SandboxGatewayOptions["onTransferCompleted"];
}): PaymentGateway {
  const { config } = args;
  if (config.FLUTTERWAVE_SECRET_KEY) {
    return createFlutterwaveGateway({
      baseUrl: config.FLUTTERWAVE_BASE_URL,
      secretKey: config.FLUTTERWAVE_SECRET_KEY,
      timeoutMs: config.FLUTTERWAVE_TIMEOUT_MS,
    });
  }
  return createSandboxGateway({
    db: args.db,
    publicBaseUrl: config.publicBaseUrl,
    pendingSeconds: config.SANDBOX_PENDING_SECONDS,
    now: args.now,
    onTransferCompleted: args.onSandboxTransferCompleted,
  });
}
