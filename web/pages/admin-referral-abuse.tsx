import { formatNaira } from "../../api/services/money";
import type { AbuseGroup } from "../../api/services/rewards";
import type { AdminRole } from "../../db/database";
import { AdminShell, ScrollTable } from "./admin-shell";

const SIGNALS: Record<AbuseGroup["signal"], string> = {
  device: "one device (gift pages)",
  card: "one funding card",
  bvn: "one BVN",
};

/**
 * Possible referral abuse (issue 18 §5; DECISIONS §64): referees who share a device, a funding
 * card or a BVN with each other or with their referrer. For a person to judge; nothing here acts.
 */
export function AdminReferralAbusePage(props: { sandbox: boolean; role?: AdminRole; groups: AbuseGroup[] }) {
  return (
    <AdminShell title="Possible referral abuse" sandbox={props.sandbox} role={props.role}>
      <p>
        <a href="/admin/referrals">← Referrals</a>
      </p>
      <div class="card">
        <h1>Possible referral abuse</h1>
        <p class="muted">
          Referees who share one device (the gift pages' device cookie), one funding card (BIN, last 4 and
          expiry from the gateway) or one BVN — with each other or with their referrer. Those with rewards
          still paid come first. Phones are masked; open a customer to see more.
        </p>
        {props.groups.length === 0 ? (
          <p class="muted" data-testid="no-abuse">
            No referees share a device, a card or a BVN.
          </p>
        ) : (
          props.groups.map((g) => (
            <section class="card" data-abuse-group={g.key} data-signal={g.signal}>
              <h2>
                {SIGNALS[g.signal]}: <span class="mono">{g.shared}</span>
              </h2>
              <p>
                {g.referees.length} referee{g.referees.length === 1 ? "" : "s"}
                {g.acrossReferrers ? ` of ${g.referrers.length} referrers` : ""}; rewards still paid:{" "}
                <strong data-testid="abuse-paid">{formatNaira(g.paidKobo)}</strong>.
              </p>
              <p>
                Referrer{g.referrers.length === 1 ? "" : "s"}:{" "}
                {g.referrers.map((r, i) => (
                  <>
                    {i > 0 ? ", " : ""}
                    <a href={`/admin/users/${r.userId}`}>{r.name || r.userId}</a>{" "}
                    <span class="mono">{r.code}</span>
                    {r.sharesIt ? <strong> (shares it with their referee)</strong> : null}
                  </>
                ))}
              </p>
              <ScrollTable label="Referees sharing it">
                <thead>
                  <tr>
                    <th>Referee</th>
                    <th>Phone</th>
                    <th>Reward</th>
                    <th class="num">Paid</th>
                  </tr>
                </thead>
                <tbody>
                  {g.referees.map((r) => (
                    <tr data-referee={r.userId}>
                      <td>
                        <a href={`/admin/users/${r.userId}`}>{r.name || r.userId}</a>
                      </td>
                      <td class="mono">{r.phone ?? "—"}</td>
                      <td>{r.reward.replace("_", " ")}</td>
                      <td class="num">{formatNaira(r.rewardKobo + r.welcomeKobo)}</td>
                    </tr>
                  ))}
                </tbody>
              </ScrollTable>
            </section>
          ))
        )}
      </div>
    </AdminShell>
  );
}
