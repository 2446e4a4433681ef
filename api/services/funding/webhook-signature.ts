import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";

/**
 * Flutterwave webhook authentication and parsing (providers.md §4, reliability W1, W9, W10): pure
 * functions the webhook route runs on the raw request before anything else.
 */
// Bounded: the event name and id make the inbox's UNIQUE key, and an index entry has a size limit.
const idSchema = z
  .union([z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER), z.string().regex(/^\d{1,20}$/)])
  .transform(String);

export type WebhookSignatureResult =
  | { ok: true; scheme: "verif-hash" | "flutterwave-signature" }
  | { ok: false; reason: string };

/**
 * Is this delivery from Flutterwave? Either header may carry proof (providers.md §4): `verif-hash`
 * is the dashboard's static secret hash; `flutterwave-signature` is base64(HMAC-SHA256(raw body,
 * secret hash)). The HMAC is over the raw bytes as received (W9): re-serialised JSON differs. Both
 * comparisons are constant time (W1). Accepting either is safe because neither can be made without
 * the secret, and the body is never trusted anyway (W2: we credit only after our own verify call).
 */
export function verifyWebhookSignature(input: {
  headers: { verifHash?: string; signature?: string };
  rawBody: Buffer | string;
  secretHash: string;
}): WebhookSignatureResult {
  if (!input.secretHash) {
    return { ok: false, reason: "no webhook secret hash is configured" };
  }
  const { verifHash, signature } = input.headers;
  if (!verifHash && !signature) {
    return { ok: false, reason: "missing verif-hash and flutterwave-signature headers" };
  }
  if (signature) {
    const expected = createHmac("sha256", input.secretHash).update(input.rawBody).digest("base64");
    if (constantTimeEqual(signature, expected)) {
      return { ok: true, scheme: "flutterwave-signature" };
    }
  }
  if (verifHash && constantTimeEqual(verifHash, input.secretHash)) {
    return { ok: true, scheme: "verif-hash" };
  }
  const wrong = [verifHash ? "verif-hash" : undefined, signature ? "flutterwave-signature" : undefined];
  return { ok: false, reason: `wrong ${wrong.filter(Boolean).join(" and ")}` };
}

/**
 * Compares SHA-256 digests so the buffers always have equal length (timingSafeEqual throws
 * otherwise) and the time taken says nothing about the secret's length or contents.
 */
function constantTimeEqual(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b);
}

export type FlutterwaveWebhookEvent = {
  /** Known events, or any other string (the route ignores what it does not handle). */
  event: "charge.completed" | "transfer.completed" | (string & Record<never, never>);
  data: {
    /** Flutterwave's transaction or transfer id, as a string. */
    id: string;
    tx_ref?: string;
    reference?: string;
    status?: string;
    amount?: number;
    currency?: string;
  };
};

/**
 * Optional fields fall back to undefined when odd rather than rejecting the event: they are only
 * hints (W2), and an event we refuse to read is an event we might drop (W6). The id is required: it
 * is what we verify and de-duplicate on.
 */
const optionalString = z.string().optional().catch(undefined);
const webhookEventSchema = z.object({
  event: z.string().min(1).max(100),
  data: z.object({
    id: idSchema,
    tx_ref: optionalString,
    reference: optionalString,
    status: optionalString,
    amount: z.number().optional().catch(undefined),
    currency: optionalString,
  }),
});

/**
 * A v3 webhook body (`{ event, data: { id: <number>, … } }`), or undefined for shapes it does not
 * know. v4 bodies (`{ type, data: { id: "chg_…" } }`) are deliberately not read with this schema
 * (providers.md §4): they fail on the missing `event` and the non-numeric id.
 */
export function parseWebhookEvent(json: unknown): FlutterwaveWebhookEvent | undefined {
  const parsed = webhookEventSchema.safeParse(json);
  if (!parsed.success) {
    return undefined;
  }
  const { data } = parsed.data;
  const out: FlutterwaveWebhookEvent["data"] = { id: data.id };
  for (const key of ["tx_ref", "reference", "status", "currency"] as const) {
    const value = data[key];
    if (value !== undefined) {
      out[key] = value;
    }
  }
  if (data.amount !== undefined) {
    out.amount = data.amount;
  }
  return { event: parsed.data.event, data: out };
}
