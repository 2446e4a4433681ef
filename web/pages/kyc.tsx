import { createHash } from "node:crypto";
import type { Child } from "hono/jsx";
import { maskedBvn, type VirtualAccountDto } from "../../api/services/funding";
import { Layout } from "../layout";

export type KycField = "bvn" | "firstName" | "lastName";

/** The form's fields: the HTML name, the label, and what the browser may help with. */
const FIELDS: Record<KycField, { name: string; label: string; autocomplete: string }> = {
  bvn: { name: "bvn", label: "BVN (Bank Verification Number)", autocomplete: "off" },
  firstName: { name: "first_name", label: "First name", autocomplete: "given-name" },
  lastName: { name: "last_name", label: "Last name (surname)", autocomplete: "family-name" },
};

/** The form's HTML names, for the route that reads them. */
export const KYC_FORM_NAMES = {
  bvn: FIELDS.bvn.name,
  firstName: FIELDS.firstName.name,
  lastName: FIELDS.lastName.name,
} as const;

/**
 * The KYC form (issue 17): a BVN and the names the bank has, posted once. A plain POST form that
 * works without JavaScript. A field the service refused is marked (aria-invalid, its message tied
 * to it by aria-describedby, focused); the names come back, the BVN never does.
 */
export function KycFormPage(props: {
  sandbox: boolean;
  values?: { firstName?: string; lastName?: string };
  error?: { field: KycField; message: string };
}) {
  const error = props.error;
  const input = (field: KycField, extra: Record<string, unknown>) => {
    const spec = FIELDS[field];
    const invalid = error?.field === field;
    const described = [field === "bvn" ? "bvn-hint" : undefined, invalid ? `${field}-error` : undefined]
      .filter(Boolean)
      .join(" ");
    return (
      <>
        <label for={field}>{spec.label}</label>
        <input
          id={field}
          name={spec.name}
          class="field"
          autocomplete={spec.autocomplete}
          required
          aria-invalid={invalid ? "true" : undefined}
          aria-describedby={described || undefined}
          autofocus={invalid || (!error && field === "bvn")}
          {...extra}
        />
        {field === "bvn" ? (
          <p id="bvn-hint" class="muted hint">
            Dial *565*0# to see your BVN
          </p>
        ) : null}
        {invalid ? (
          <p id={`${field}-error`} class="error" data-testid="field-error">
            {error.message}
          </p>
        ) : null}
      </>
    );
  };
  return (
    <Layout title="Your account number — TADA VTU" sandbox={props.sandbox}>
      <main class="card">
        <p class="muted">TADA VTU</p>
        <h1>Get your own account number</h1>
        <p>
          Give your BVN once and you get a bank account number of your own: any transfer to it adds money to
          your wallet.
        </p>
        <form method="post">
          {input("bvn", {
            type: "text",
            inputmode: "numeric",
            spellcheck: "false",
            maxlength: 20,
          })}
          {input("firstName", { type: "text", value: props.values?.firstName ?? "", maxlength: 50 })}
          {input("lastName", { type: "text", value: props.values?.lastName ?? "", maxlength: 50 })}
          <button type="submit" class="primary">
            Get my account number
          </button>
        </form>
        <p class="muted">
          This page works once. We keep your BVN encrypted, show only its last 3 digits, and never ask for it
          in the chat.
        </p>
      </main>
    </Layout>
  );
}

/** Unknown, used and expired links look the same: nothing to learn by probing tokens. */
export function KycLinkGonePage(props: { sandbox: boolean; chatUrl?: string }) {
  return (
    <Layout title="Link expired — TADA VTU" sandbox={props.sandbox}>
      <main class="card" data-testid="kyc-outcome">
        <h1>This link has expired or was already used</h1>
        <p>
          Go back to the chat and ask for your account number again: you will get a new link. Nothing was
          saved from this one.
        </p>
        <BackToChat chatUrl={props.chatUrl} />
      </main>
    </Layout>
  );
}

/**
 * The copy button's script: shown only when scripts run (without them the number is still
 * select-all text). Allowed by the page's CSP through its hash, so no other script can run.
 */
const COPY_SCRIPT = `(function(){var b=document.getElementById("copy-account"),n=document.getElementById("account-number"),s=document.getElementById("copy-status");if(!b||!n||!s){return}b.hidden=false;b.addEventListener("click",function(){var t=(n.textContent||"").trim();var sel=window.getSelection();if(sel){sel.selectAllChildren(n)}var say=function(m){s.textContent=m};if(navigator.clipboard&&navigator.clipboard.writeText){navigator.clipboard.writeText(t).then(function(){say("Copied "+t)},function(){say("Selected: copy it from your phone's menu")})}else{say("Selected: copy it from your phone's menu")}})})();`;

/** The CSP source that allows exactly COPY_SCRIPT. */
export const COPY_SCRIPT_HASH = `'sha256-${createHash("sha256").update(COPY_SCRIPT).digest("base64")}'`;

/** The account number is ready: what to send money to, and the way back. */
export function KycIssuedPage(props: {
  sandbox: boolean;
  account: VirtualAccountDto;
  bvnLast3: string;
  fee: string;
  chatUrl?: string;
}) {
  const { account } = props;
  return (
    <Layout title="Your account number — TADA VTU" sandbox={props.sandbox}>
      <main class="card" data-testid="kyc-outcome">
        <p class="badge ok">Account number ready</p>
        <h1>Your TADA account number</h1>
        <p class="muted">Account number</p>
        <p id="account-number" class="mono amount selectall" data-testid="account-number">
          {account.accountNumber}
        </p>
        <dl class="rows">
          <dt>Bank</dt>
          <dd data-testid="bank">{account.bankName}</dd>
          <dt>Account name</dt>
          <dd data-testid="account-name">{account.accountName}</dd>
          <dt>BVN</dt>
          <dd data-testid="bvn">{maskedBvn(props.bvnLast3)}</dd>
        </dl>
        <button type="button" id="copy-account" class="secondary" hidden>
          Copy account number
        </button>
        <p id="copy-status" class="muted" role="status" aria-live="polite"></p>
        <p>
          Any transfer to this account adds money to your wallet automatically ({props.fee}). We also sent
          these details to your chat.
        </p>
        <BackToChat chatUrl={props.chatUrl} />
        <script dangerouslySetInnerHTML={{ __html: COPY_SCRIPT }} />
      </main>
    </Layout>
  );
}

/** The BVN was taken; the bank has not answered yet. */
export function KycPendingPage(props: { sandbox: boolean; bvnLast3: string; chatUrl?: string }) {
  return (
    <Layout title="Being set up — TADA VTU" sandbox={props.sandbox}>
      <main class="card" data-testid="kyc-outcome">
        <p class="badge wait">Being set up</p>
        <h1>Your account number is being set up</h1>
        <p>
          We have your details (BVN {maskedBvn(props.bvnLast3)}). The bank is still opening the account; we'll
          message you in the chat with the number as soon as it is ready. You can close this page.
        </p>
        <BackToChat chatUrl={props.chatUrl} />
      </main>
    </Layout>
  );
}

/** Refused, duplicate, not allowed: what happened, in words, and what to do next. */
export function KycProblemPage(props: {
  sandbox: boolean;
  heading: string;
  children: Child;
  chatUrl?: string;
}) {
  return (
    <Layout title={`${props.heading} — TADA VTU`} sandbox={props.sandbox}>
      <main class="card" data-testid="kyc-outcome">
        <p class="badge bad">No account number</p>
        <h1>{props.heading}</h1>
        {props.children}
        <p class="muted">You can still add money by card from the chat.</p>
        <BackToChat chatUrl={props.chatUrl} />
      </main>
    </Layout>
  );
}

function BackToChat(props: { chatUrl?: string }) {
  return props.chatUrl ? (
    <a class="button" href={props.chatUrl}>
      Go back to the chat
    </a>
  ) : (
    <p class="muted">Go back to the chat: you can close this page.</p>
  );
}
