import { formatNaira, koboToNairaString } from "../../api/services/money";
import type { ReferralRules, ReferrerRow } from "../../api/services/rewards";
import type { AdminRole } from "../../db/database";
import { AdminShell, ScrollTable } from "./admin-shell";

/**
 * Referrers (issue 18 §1), those who brought the most customers first: their code, how many joined
 * with it, the rewards paid and taken back, and what they earned. Support and admins may look.
 */
export function AdminReferralsPage(props: {
  sandbox: boolean;
  role?: AdminRole;
  rows: ReferrerRow[];
  rules: ReferralRules;
  /** Only for a super admin: the rules form is shown. */
  csrf?: string;
  notice?: string;
  error?: string;
}) {
  const { rules } = props;
  return (
    <AdminShell title="Referrals" sandbox={props.sandbox} role={props.role}>
      <div class="card">
        <h1>Referrals</h1>
        <p class="muted">
          A referee's first purchase of at least {formatNaira(rules.minPurchaseKobo)} pays the referrer{" "}
          {formatNaira(rules.rewardKobo)} and the referee {formatNaira(rules.welcomeKobo)}, at most{" "}
          {rules.monthlyCap} rewards per referrer a month. A reward whose purchase is reversed is taken back.
          {rules.updatedBy ? ` Rules set by ${rules.updatedBy}.` : " These are the configuration's defaults."}
        </p>
        {props.notice ? (
          <p class="badge ok" role="status">
            {props.notice}
          </p>
        ) : null}
        {props.error ? (
          <p class="error" role="alert">
            {props.error}
          </p>
        ) : null}
        <p>
          <a href="/admin/referrals/abuse">Possible abuse</a>: referees sharing a device, a funding card or a
          BVN.
        </p>
        {props.csrf ? <RulesForm rules={rules} csrf={props.csrf} /> : null}
        {props.rows.length === 0 ? (
          <p class="muted" data-testid="no-referrers">
            Nobody has joined with a referral code yet.
          </p>
        ) : (
          <ScrollTable label="Referrers">
            <thead>
              <tr>
                <th>Referrer</th>
                <th>Code</th>
                <th class="num">Referees</th>
                <th class="num">Rewards paid</th>
                <th class="num">Clawbacks</th>
                <th class="num">Earned</th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map((r) => (
                <tr data-referrer={r.userId}>
                  <td>
                    <a href={`/admin/users/${r.userId}`}>{r.name || r.userId}</a>
                  </td>
                  <td class="mono">{r.code}</td>
                  <td class="num" data-testid="referees">
                    {r.referees}
                  </td>
                  <td class="num" data-testid="paid">
                    {r.paid}
                  </td>
                  <td class="num" data-testid="clawed-back">
                    {r.clawedBack}
                  </td>
                  <td class="num" data-testid="earned">
                    {formatNaira(r.earnedKobo)}
                  </td>
                </tr>
              ))}
            </tbody>
          </ScrollTable>
        )}
      </div>
    </AdminShell>
  );
}

/** The rules, in naira, for a super admin; saved with a reason (audited). */
function RulesForm(props: { rules: ReferralRules; csrf: string }) {
  const { rules } = props;
  return (
    <details>
      <summary>Change the rules</summary>
      <form method="post" action="/admin/referrals/rules">
        <input type="hidden" name="csrf" value={props.csrf} />
        <label>
          Referrer's reward (₦)
          <input
            class="field"
            name="reward"
            inputmode="decimal"
            required
            value={koboToNairaString(rules.rewardKobo)}
          />
        </label>
        <label>
          Welcome bonus for the referee (₦, 0 for none)
          <input
            class="field"
            name="welcome"
            inputmode="decimal"
            required
            value={koboToNairaString(rules.welcomeKobo)}
          />
        </label>
        <label>
          Smallest qualifying first purchase (₦, face value)
          <input
            class="field"
            name="minPurchase"
            inputmode="decimal"
            required
            value={koboToNairaString(rules.minPurchaseKobo)}
          />
        </label>
        <label>
          Paid rewards per referrer per month
          <input
            class="field"
            name="monthlyCap"
            inputmode="numeric"
            required
            value={String(rules.monthlyCap)}
          />
        </label>
        <label>
          Reason (goes into the audit log)
          <input class="field" name="reason" required minlength={3} maxlength={500} />
        </label>
        <button class="primary" type="submit">
          Save the rules
        </button>
      </form>
    </details>
  );
}
