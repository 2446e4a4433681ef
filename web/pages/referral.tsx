import { formatNaira } from "../../api/services/money";
import type { StartLinks } from "../chat-links";
import { Layout } from "../layout";
import { StartButtons } from "./chat-links";

export type { StartLinks };

/**
 * `/r/<code>`: someone shared their referral link. The referrer's first name only (never a phone
 * or a last name), what the visitor gets, the ways to start with the code, and the code itself.
 */
export function ReferralPage(props: {
  firstName: string | null;
  code: string;
  welcomeKobo: number;
  minPurchaseKobo: number;
  links: StartLinks;
  sandbox: boolean;
}) {
  const inviter = props.firstName ?? "A friend";
  return (
    <Layout title={`${inviter} invited you to TADA VTU`} sandbox={props.sandbox}>
      <main class="card">
        <p class="muted">TADA VTU invitation</p>
        <h1 data-testid="referral-title">{inviter} invited you to TADA VTU</h1>
        <p>Buy airtime, data, cable TV and electricity from your chat, paid from one wallet.</p>
        {props.welcomeKobo > 0 ? (
          <p data-testid="referral-bonus">
            Join with this invitation and get a welcome bonus of{" "}
            <strong>{formatNaira(props.welcomeKobo)}</strong> in your wallet after your first purchase of at
            least {formatNaira(props.minPurchaseKobo)}.
          </p>
        ) : null}
        <StartButtons links={props.links} />
        <p data-testid="referral-code">
          Your invitation code: <strong class="mono selectall">{props.code}</strong>
        </p>
        <p class="muted">
          or register through the API with referralCode <span class="mono">{props.code}</span>
        </p>
      </main>
    </Layout>
  );
}

/** An unknown (or suspended) code: nothing to learn about which codes exist, but still a way in. */
export function ReferralNotFoundPage(props: { links: StartLinks; sandbox: boolean }) {
  return (
    <Layout title="Invitation not found — TADA VTU" sandbox={props.sandbox}>
      <main class="card">
        <p>
          <span class="badge bad">Not found</span>
        </p>
        <h1>This invitation link is not valid</h1>
        <p>Check that you opened the whole link you were sent. You can still start using TADA VTU:</p>
        <StartButtons links={props.links} />
      </main>
    </Layout>
  );
}
