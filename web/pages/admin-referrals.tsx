import { formatNaira } from "../../api/services/money";
import type { ReferrerRow } from "../../api/services/rewards";
import type { AdminRole } from "../../db/database";
import { AdminShell } from "./admin-shell";

/**
 * Referrers (issue 18 §1), those who brought the most customers first: their code, how many joined
 * with it, the rewards paid and taken back, and what they earned. Support and admins may look.
 */
export function AdminReferralsPage(props: {
  sandbox: boolean;
  role?: AdminRole;
  rows: ReferrerRow[];
  rules: { rewardKobo: number; welcomeKobo: number; minPurchaseKobo: number; monthlyCap: number };
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
        </p>
        {props.rows.length === 0 ? (
          <p class="muted" data-testid="no-referrers">
            Nobody has joined with a referral code yet.
          </p>
        ) : (
          <table class="list">
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
          </table>
        )}
      </div>
    </AdminShell>
  );
}
