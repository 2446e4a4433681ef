import type { PaymentGateway } from "./gateway";

/** A request to run payment work soon; the state lives in PostgreSQL, the queue only triggers. */
export type PaymentJob =
  | { name: "process-payment-event"; eventId: number }
  | { name: "submit-withdrawal"; withdrawalId: string; dedupe?: string }
  | { name: "requery-withdrawal"; withdrawalId: string; dedupe?: string };

/** What the funding and withdrawal verbs need beyond the ServiceContext. */
export type PaymentsRuntime = {
  gateway: PaymentGateway;
  /** The secret hash webhooks must carry (FLUTTERWAVE_SECRET_HASH, or the sandbox's own). */
  webhookSecretHash: string;
  dispatch(job: PaymentJob): Promise<void>;
};
