/**
 * The payment gateway as the funding services need it (DESIGN §7, providers.md §4). The services own
 * this interface; `api/providers/flutterwave` implements it for real and `api/providers/sandbox-gateway`
 * for the embedded default. Clients classify what the gateway said; they never decide to credit.
 * Amounts are integer kobo here; clients convert to and from Flutterwave's naira exactly.
 */
import type { RawExchange } from "../vtu/provider";

export type CheckoutRequest = {
  txRef: string;
  /** What the payer is charged (intent amount + fee). */
  amountKobo: number;
  redirectUrl: string;
  customer: { email: string; name?: string; phone?: string };
  title: string;
  description: string;
};

/** A payment as the gateway's verify endpoint reports it. */
export type VerifiedPayment =
  | {
      found: true;
      /** The gateway's transaction id (Flutterwave `data.id`, as a string). */
      id: string;
      txRef: string;
      /** "successful", "pending", "failed", or whatever else the gateway says (never trusted beyond "successful"). */
      status: string;
      currency: string;
      /** `data.amount` in kobo: what was charged for the order. */
      amountKobo: number;
      raw: RawExchange;
    }
  | { found: false; raw: RawExchange }
  /** Timeout, 5xx, garbage: we could not ask. Try again later; never a reason to credit or fail. */
  | { found: "unknown"; raw: RawExchange };

/**
 * One charge attempt on a tx_ref as the gateway's transaction list reports it. A hosted checkout lets
 * the payer try again after a declined card, so one tx_ref can carry a failed attempt and a paid one.
 * The list is only a pointer: money is decided by verifying the attempt by its id.
 */
export type PaymentAttempt = {
  /** The gateway's transaction id (what verifyById takes). */
  id: string;
  txRef: string;
  /** What the list says ("successful", "failed", "pending", …; "" when it says nothing). */
  status: string;
};

/** Every attempt the gateway has for one tx_ref, or "unknown" when we could not ask (never "none"). */
export type PaymentAttempts =
  | { found: true; attempts: PaymentAttempt[]; raw: RawExchange }
  | { found: "unknown"; raw: RawExchange };

export type TransferRequest = {
  /** Ours, unique, committed before the call; Flutterwave refuses a second transfer with it. */
  reference: string;
  bankCode: string;
  accountNumber: string;
  amountKobo: number;
  narration: string;
};

export type TransferResult = {
  /** successful: money left. failed: definitely not sent. pending: accepted, in progress. unknown: we cannot tell. */
  outcome: "successful" | "failed" | "pending" | "unknown";
  /** The gateway's transfer id, when known. */
  id?: string;
  message: string;
  /**
   * Only on a requery by reference (outcome unknown): the gateway answered properly and has no
   * transfer with this reference. The send may not have reached it; see the resend rule.
   */
  notFound?: true;
  raw: RawExchange;
};

export type Bank = { code: string; name: string };

export type PaymentGateway = {
  readonly code: "flutterwave" | "sandbox";
  createCheckout(input: CheckoutRequest): Promise<{ link: string; raw: RawExchange }>;
  verifyById(id: string): Promise<VerifiedPayment>;
  /**
   * Every attempt on a tx_ref (Flutterwave: `GET /v3/transactions?tx_ref=`, all pages). Not
   * `verify_by_reference`: that answers one transaction, which may be the declined attempt.
   */
  listPayments(txRef: string): Promise<PaymentAttempts>;
  listBanks(): Promise<Bank[]>;
  /** The account holder's name, or undefined when the account does not exist. Throws when the gateway cannot answer. */
  resolveAccount(input: {
    bankCode: string;
    accountNumber: string;
  }): Promise<{ accountName: string } | undefined>;
  createTransfer(input: TransferRequest): Promise<TransferResult>;
  /** Look a transfer up by our reference (requery). */
  getTransfer(input: { reference: string; id?: string }): Promise<TransferResult>;
  /**
   * Only the sandbox gateway has this: what the payer does on its local checkout page. It returns
   * the gateway transaction; the caller then delivers the webhook the gateway would send.
   */
  readonly sandbox?: {
    settleCheckout(
      txRef: string,
      action: "pay" | "fail",
    ): Promise<{ transactionId: string; amountKobo: number; status: "successful" | "failed" }>;
    /** The checkout as the sandbox page shows it. */
    getCheckout(txRef: string): Promise<{ amountKobo: number; status: string } | undefined>;
  };
};
