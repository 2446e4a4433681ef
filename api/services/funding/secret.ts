import { hkdfSync } from "node:crypto";
import type { Config } from "../../config";

/**
 * The secret hash webhooks must carry. Real accounts set FLUTTERWAVE_SECRET_HASH (the value typed
 * into the Flutterwave dashboard); the sandbox gateway signs with one derived from the PIN pepper, so
 * its webhooks go through exactly the same check.
 */
export function webhookSecretHash(config: Config): string {
  if (config.FLUTTERWAVE_SECRET_HASH) {
    return config.FLUTTERWAVE_SECRET_HASH;
  }
  return Buffer.from(
    hkdfSync("sha256", config.pinPepper, "tada-vtu", "sandbox-flutterwave-secret-hash", 24),
  ).toString("base64url");
}
