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
      /** `data.payment_type` ("card", "bank_transfer", …), when the gateway says. */
      paymentType?: string;
      /** Who sent a bank transfer, as the gateway reports it (display only; never used to match). */
      payer?: PayerDetails;
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

/** The sender of a bank transfer (Flutterwave `meta`/`meta_data`: originatorname, bankname, …). */
export type PayerDetails = {
  name?: string;
  bank?: string;
  /** As the gateway gives it: usually masked. */
  accountNumber?: string;
  narration?: string;
};

/**
 * A virtual account to create (providers.md §4a). `txRef` is ours and unique: the gateway returns it
 * on every transfer into the account, so it names the account (and its owner), never one payment.
 */
export type VirtualAccountRequest = {
  txRef: string;
  /** Static (permanent, needs a BVN) or dynamic (one payment of `amountKobo`, expires). */
  permanent: boolean;
  email: string;
  phone?: string;
  firstName?: string;
  lastName?: string;
  /** The account name a payer sees when their bank resolves the number. */
  narration: string;
  /** 11 digits; permanent accounts only. Never logged or recorded: clients redact it from `raw`. */
  bvn?: string;
  /** Dynamic accounts: what the payer must send, in kobo. */
  amountKobo?: number;
};

export type IssuedVirtualAccount = {
  accountNumber: string;
  bankName: string;
  /** The name the account resolves to, when the gateway says (else the request's narration). */
  accountName?: string;
  /** The gateway's handle on the account (Flutterwave `order_ref`): fetch, update, deactivate. */
  orderRef: string;
  flwRef?: string;
  /** Dynamic accounts: when it stops taking transfers. */
  expiresAt?: Date;
  /** Dynamic accounts: what the gateway asks the payer to send (it may be grossed up), in kobo. */
  amountKobo?: number;
};

export type VirtualAccountResult =
  | { outcome: "created"; account: IssuedVirtualAccount; raw: RawExchange }
  /** The gateway answered and said no (a bad BVN, a missing field): nothing was created. */
  | { outcome: "refused"; message: string; raw: RawExchange }
  /** Timeout, 5xx, garbage: we cannot tell whether it was created. Ask again with the same txRef. */
  | { outcome: "unknown"; message: string; raw: RawExchange };

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
  listPayments(txRef: string, options?: { from?: Date }): Promise<PaymentAttempts>;
  /** A static or dynamic bank account that pays into our merchant balance (providers.md §4a). */
  createVirtualAccount(input: VirtualAccountRequest): Promise<VirtualAccountResult>;
  /**
   * Stop an account taking transfers (Flutterwave: deactivate by order_ref). "closed" when the
   * gateway confirmed it; "unknown" when we could not tell (ask again later).
   */
  closeVirtualAccount(orderRef: string): Promise<"closed" | "unknown">;
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
    /**
     * Someone pays into a virtual account by bank transfer (the sandbox bank page). Like a bank, it
     * accepts any account the sandbox gateway issued, closed or expired ones included (what happens
     * to such money is our side's job). Returns the gateway transaction and the account's tx_ref;
     * the caller delivers the webhook (or, to play a missed webhook, does not).
     */
    sendTransfer(input: {
      accountNumber: string;
      amountKobo: number;
      senderName: string;
      senderBank?: string;
      narration?: string;
      /** Play a late webhook: the gateway sends it then (the payments sweeper delivers it). */
      webhookAt?: Date;
    }): Promise<{ transactionId: string; txRef: string; amountKobo: number }>;
    /** Late webhooks whose time has come, each handed out once (the row's due time is cleared). */
    takeDueWebhooks(limit: number): Promise<{ transactionId: string; txRef: string; amountKobo: number }[]>;
    /** Accounts the sandbox gateway issued, newest first (the sandbox bank page lists them). */
    listVirtualAccounts(
      limit: number,
    ): Promise<
      { accountNumber: string; bankName: string; accountName: string; txRef: string; status: string }[]
    >;
    /** The checkout as the sandbox page shows it. */
    getCheckout(txRef: string): Promise<{ amountKobo: number; status: string } | undefined>;
  };
};
