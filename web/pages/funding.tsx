import type { FundingResult } from "../../api/services/funding";
import type { FundingIntentDto } from "../../api/services/funding/intents";
import { formatNaira } from "../../api/services/money";
import type { ChatLink } from "../chat-links";
import { Layout } from "../layout";
import { BackToChat } from "./chat-links";

/** The sandbox gateway's hosted checkout: what a Flutterwave page would be, with "pay" and "fail". */
export function SandboxCheckoutPage(props: {
  intent: FundingIntentDto;
  open: boolean;
  /** A declined attempt leaves the checkout open for another try, as Flutterwave's page does. */
  lastAttemptFailed?: boolean;
  sandbox: boolean;
  /** Where "back to the chat" goes once it is paid. */
  chatLinks: ChatLink[];
}) {
  const { intent } = props;
  return (
    <Layout title="Pay — TADA VTU sandbox checkout" sandbox={props.sandbox}>
      <main class="card">
        <p class="muted">TADA VTU wallet top-up</p>
        <h1 class="amount">{formatNaira(intent.totalKobo)}</h1>
        <dl class="rows">
          <dt>To your wallet</dt>
          <dd>{formatNaira(intent.amountKobo)}</dd>
          <dt>Fee</dt>
          <dd>{formatNaira(intent.feeKobo)}</dd>
          <dt>Reference</dt>
          <dd class="mono">{intent.txRef}</dd>
        </dl>
        {props.open ? (
          <form method="post">
            {props.lastAttemptFailed ? (
              <p data-testid="last-attempt-failed">The last attempt was declined. You can try again.</p>
            ) : null}
            <p class="muted">This is the sandbox gateway: no card is charged. Choose what the payer does.</p>
            <button type="submit" name="action" value="pay" class="primary">
              Pay {formatNaira(intent.totalKobo)}
            </button>
            <button type="submit" name="action" value="fail" class="secondary">
              Fail the payment
            </button>
          </form>
        ) : (
          <PaidAlready intent={intent} chatLinks={props.chatLinks} />
        )}
        {props.open ? <PayByTransfer sandboxBank={true} /> : null}
      </main>
    </Layout>
  );
}

const HEADINGS: Record<string, { title: string; tone: "ok" | "wait" | "bad" }> = {
  credited: { title: "Payment received", tone: "ok" },
  already_credited: { title: "Payment received", tone: "ok" },
  pending: { title: "Payment pending", tone: "wait" },
  unknown: { title: "Checking your payment", tone: "wait" },
  failed: { title: "Payment failed", tone: "bad" },
  mismatch: { title: "We are checking this payment", tone: "wait" },
  not_found: { title: "Payment not found", tone: "bad" },
};

/**
 * A paid checkout opened again (the link from the chat, a back button): what happened, that nothing
 * more is due, and where to go, never a second "Pay".
 */
function PaidAlready(props: { intent: FundingIntentDto; chatLinks: ChatLink[] }) {
  const receipt = `/fund/callback?${new URLSearchParams({ tx_ref: props.intent.txRef }).toString()}`;
  return (
    <section data-testid="already-paid">
      <p>
        <span class="badge ok">Already paid</span>
      </p>
      <p>
        This payment is complete: {formatNaira(props.intent.amountKobo)} went to your TADA VTU wallet. There
        is nothing more to pay on this link.
      </p>
      <a class="button secondary" href={receipt}>
        See the payment result
      </a>
      <BackToChat links={props.chatLinks} />
    </section>
  );
}

/** The heading is the badge: the size and spacing of the paragraph it was. */
const RESULT_CSS = "h1.badge{font-size:1rem;margin:1rem 0}";

/** Where the payer lands after the gateway: the verified outcome, the new balance, and the way back. */
export function FundingResultPage(props: {
  result: FundingResult;
  sandbox: boolean;
  /** The sandbox gateway runs: link its bank page. */
  sandboxBank?: boolean;
  /** Where "back to the chat" goes (chat-links.ts): never a developer page. */
  chatLinks: ChatLink[];
}) {
  const { result } = props;
  const intent = result.intent;
  const credited = intent?.status === "credited";
  const heading = credited ? HEADINGS.credited : (HEADINGS[result.outcome] ?? HEADINGS.unknown);
  return (
    <Layout title={`${heading?.title ?? "Payment"} — TADA VTU`} sandbox={props.sandbox} css={RESULT_CSS}>
      <main class="card">
        {/* The outcome is the page's one heading, in every state (shown as its badge). */}
        <h1 class={`badge ${heading?.tone ?? "wait"}`} data-testid="funding-status">
          {heading?.title}
        </h1>
        {credited && intent ? (
          <>
            <p class="amount">{formatNaira(intent.amountKobo)}</p>
            <p>has been added to your wallet.</p>
            {result.balanceKobo !== undefined ? (
              <p>
                New balance: <strong data-testid="balance">{formatNaira(result.balanceKobo)}</strong>
              </p>
            ) : null}
          </>
        ) : result.outcome === "failed" ? (
          <Declined retryUrl={result.retryUrl} />
        ) : result.outcome === "not_found" && !intent ? (
          <p>We could not find this payment. If you were charged, message us with the reference.</p>
        ) : (
          <p>
            Your bank has not confirmed it yet. We keep checking, and we will message you in the chat as soon
            as the money is in your wallet.
          </p>
        )}
        {intent ? <p class="muted mono">Reference {intent.txRef}</p> : null}
        {credited ? null : <PayByTransfer sandboxBank={props.sandboxBank ?? false} />}
        <BackToChat links={props.chatLinks} secondary={result.retryUrl !== undefined} />
      </main>
    </Layout>
  );
}

/** A declined payment: the same checkout again while it is open, else a new top-up where it began. */
function Declined(props: { retryUrl?: string }) {
  return props.retryUrl ? (
    <>
      <p>The payment did not go through and nothing was added. You can try again now.</p>
      <a class="button" href={props.retryUrl} data-testid="try-again">
        Try again
      </a>
      <p class="muted">
        If the payment page says it is closed, start a new top-up where you began this one (the chat, or your
        app).
      </p>
    </>
  ) : (
    <p>
      The payment did not go through and nothing was added. This payment link has closed: start a new top-up
      where you began this one (the chat, or your app).
    </p>
  );
}

/** Card or transfer: the other way to add money, on every funding page. */
function PayByTransfer(props: { sandboxBank: boolean }) {
  return (
    <p class="muted" data-testid="pay-by-transfer">
      Prefer a bank transfer? Ask the bot for your account number.
      {props.sandboxBank ? (
        <>
          {" "}
          In the sandbox, send one from the <a href="/sandbox/bank">sandbox bank</a>.
        </>
      ) : null}
    </p>
  );
}
