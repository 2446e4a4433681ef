import { SANDBOX_DELIVERIES, type SandboxDelivery } from "../../api/services/funding";
import { formatNaira } from "../../api/services/money";
import { Layout } from "../layout";

export type SandboxBankAccount = {
  accountNumber: string;
  bankName: string;
  accountName: string;
  status: string;
};

export type SandboxBankForm = {
  accountNumber?: string;
  amount?: string;
  senderName?: string;
  delivery?: SandboxDelivery;
};

/** What the last send did, in words. */
export type SandboxBankSent = {
  accountNumber: string;
  amountKobo: number;
  senderName: string;
  delivery: SandboxDelivery;
  transactionId: string;
  delivered: number;
};

const DELIVERY_WORDS: Record<SandboxDelivery, (sent: SandboxBankSent) => string> = {
  normal: () => "The webhook was delivered once, at once.",
  duplicate: (s) =>
    `The same webhook was delivered ${s.delivered} times at once; the wallet is credited once.`,
  late: () => "No webhook yet: it is delivered after the sandbox's pending delay (SANDBOX_PENDING_SECONDS).",
  missed: () =>
    "No webhook was sent (a missed webhook): the reconciliation job finds the transfer and credits it.",
};

/**
 * The sandbox bank (issue 17): the account numbers the sandbox gateway issued, and a form that plays
 * a payer's bank sending a transfer to one of them, with the webhook delivered the ways it goes in
 * life. Only mounted with the sandbox gateway; it says SANDBOX whatever the mode.
 */
export function SandboxBankPage(props: {
  accounts: SandboxBankAccount[];
  form?: SandboxBankForm;
  sent?: SandboxBankSent;
  error?: string;
}) {
  const form = props.form ?? {};
  const delivery = form.delivery ?? "normal";
  return (
    <Layout title="Sandbox bank — TADA VTU" sandbox={true}>
      <main class="card">
        <p class="badge wait">SANDBOX</p>
        <h1>Sandbox bank</h1>
        <p class="muted">
          Send a pretend bank transfer to an account number the sandbox gateway issued. No real money moves.
        </p>
        {props.sent ? (
          <div class="alert" role="status" data-testid="sandbox-sent">
            <p>
              Sent <strong>{formatNaira(props.sent.amountKobo)}</strong> from {props.sent.senderName} to{" "}
              <span class="mono">{props.sent.accountNumber}</span> (gateway transaction{" "}
              <span class="mono">{props.sent.transactionId}</span>).
            </p>
            <p>{DELIVERY_WORDS[props.sent.delivery](props.sent)}</p>
          </div>
        ) : null}
        {props.error ? (
          <p class="error" role="alert" data-testid="sandbox-error">
            {props.error}
          </p>
        ) : null}
        <form method="post" action="/sandbox/bank">
          <label for="account_number">Account number</label>
          <input
            id="account_number"
            name="account_number"
            class="field"
            list="issued-accounts"
            inputmode="numeric"
            autocomplete="off"
            required
            maxlength={20}
            value={form.accountNumber ?? ""}
          />
          <datalist id="issued-accounts">
            {props.accounts.map((a) => (
              <option value={a.accountNumber}>
                {a.accountName} ({a.status})
              </option>
            ))}
          </datalist>
          <label for="amount">Amount in naira</label>
          <input
            id="amount"
            name="amount"
            class="field"
            inputmode="decimal"
            placeholder="5,000"
            required
            maxlength={20}
            value={form.amount ?? ""}
          />
          <label for="sender_name">Sender name</label>
          <input
            id="sender_name"
            name="sender_name"
            class="field"
            maxlength={60}
            placeholder="SANDBOX PAYER"
            value={form.senderName ?? ""}
          />
          <fieldset>
            <legend>How the webhook arrives</legend>
            {(Object.keys(SANDBOX_DELIVERIES) as SandboxDelivery[]).map((key) => (
              <label>
                <input type="radio" name="delivery" value={key} checked={key === delivery} />{" "}
                {SANDBOX_DELIVERIES[key]}
              </label>
            ))}
          </fieldset>
          <button type="submit" class="primary">
            Send the transfer
          </button>
        </form>
        <h2>Account numbers the sandbox gateway issued</h2>
        {props.accounts.length === 0 ? (
          <p class="muted">None yet: ask the bot for your account number, or for a one-time one.</p>
        ) : (
          <table class="list">
            <thead>
              <tr>
                <th>Number</th>
                <th>Bank</th>
                <th>Name</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {props.accounts.map((a) => (
                <tr data-account={a.accountNumber}>
                  <td>
                    <a class="mono" href={`/sandbox/bank?account=${encodeURIComponent(a.accountNumber)}`}>
                      {a.accountNumber}
                    </a>
                  </td>
                  <td>{a.bankName}</td>
                  <td>{a.accountName}</td>
                  <td>{a.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </main>
    </Layout>
  );
}
