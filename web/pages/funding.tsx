import type { FundingResult } from "../../api/services/funding";
import type { FundingIntentDto } from "../../api/services/funding/intents";
import { formatNaira } from "../../api/services/money";
import { Layout } from "../layout";

/** The sandbox gateway's hosted checkout: what a Flutterwave page would be, with "pay" and "fail". */
export function SandboxCheckoutPage(props: {
  intent: FundingIntentDto;
  open: boolean;
  /** A declined attempt leaves the checkout open for another try, as Flutterwave's page does. */
  lastAttemptFailed?: boolean;
  sandbox: boolean;
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
          <p>This checkout is already complete.</p>
        )}
        <PayByTransfer sandboxBank={true} />
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

/** Where the payer lands after the gateway: the verified outcome, the new balance, and the way back. */
export function FundingResultPage(props: {
  result: FundingResult;
  sandbox: boolean;
  /** The sandbox gateway runs: link its bank page. */
  sandboxBank?: boolean;
  chatUrl?: string;
}) {
  const { result } = props;
  const intent = result.intent;
  const credited = intent?.status === "credited";
  const heading = credited ? HEADINGS.credited : (HEADINGS[result.outcome] ?? HEADINGS.unknown);
  return (
    <Layout title={`${heading?.title ?? "Payment"} — TADA VTU`} sandbox={props.sandbox}>
      <main class="card">
        <p class={`badge ${heading?.tone ?? "wait"}`} data-testid="funding-status">
          {heading?.title}
        </p>
        {credited && intent ? (
          <>
            <h1 class="amount">{formatNaira(intent.amountKobo)}</h1>
            <p>has been added to your wallet.</p>
            {result.balanceKobo !== undefined ? (
              <p>
                New balance: <strong data-testid="balance">{formatNaira(result.balanceKobo)}</strong>
              </p>
            ) : null}
          </>
        ) : result.outcome === "failed" ? (
          <p>The payment did not go through and nothing was added. You can try again from the chat.</p>
        ) : result.outcome === "not_found" && !intent ? (
          <p>We could not find this payment. If you were charged, message us with the reference.</p>
        ) : (
          <p>
            Your bank has not confirmed it yet. We keep checking, and we will message you in the chat as soon
            as the money is in your wallet. You can close this page.
          </p>
        )}
        {intent ? <p class="muted mono">Reference {intent.txRef}</p> : null}
        {credited ? null : <PayByTransfer sandboxBank={props.sandboxBank ?? false} />}
        <p>
          <a class="button" href={props.chatUrl ?? "/"}>
            Back to the chat
          </a>
        </p>
      </main>
    </Layout>
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
