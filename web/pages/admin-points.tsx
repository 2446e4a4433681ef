import { randomBytes } from "node:crypto";
import { formatNaira, koboToNairaString } from "../../api/services/money";
import type {
  PointHolder,
  PointStatementLine,
  PointsLiabilityReport,
  PointsRules,
  PointsSummary,
  RecentPointRow,
} from "../../api/services/rewards";
import type { AdminRole } from "../../db/database";
import { compactNaira, LineChart } from "./admin-charts";
import { AdminShell, lagosTime, Notices, PersonCell, ScrollTable } from "./admin-shell";

const points = (n: number) => n.toLocaleString("en-NG");

/**
 * Loyalty points (issue 18 §2, §5): what the business owes for points now and day by day, who holds
 * the most, the latest rows; the rules (a super admin changes them, audited; everyone else reads
 * them) and a bonus form (admins: the role that acts on customers' accounts).
 */
export function AdminPointsPage(props: {
  sandbox: boolean;
  role?: AdminRole;
  report: PointsLiabilityReport;
  holders: PointHolder[];
  recent: RecentPointRow[];
  rules: PointsRules;
  /** Only for a super admin: the rules form. */
  rulesCsrf?: string;
  /** Admins and super admins: the bonus form. */
  bonusCsrf?: string;
  notice?: string;
  error?: string;
}) {
  const { report, rules } = props;
  return (
    <AdminShell title="Points" sandbox={props.sandbox} role={props.role}>
      <div class="card">
        <h1>Loyalty points</h1>
        <Notices notice={props.notice} error={props.error} />
        <dl class="rows" data-testid="liability-now">
          <dt>Points outstanding</dt>
          <dd data-testid="outstanding">{points(report.outstandingPoints)}</dd>
          <dt>Customers holding points</dt>
          <dd data-testid="holders">{report.holders}</dd>
          <dt>Liability (the ledger)</dt>
          <dd data-testid="liability">{formatNaira(report.liabilityKobo)}</dd>
          <dt>Value at today's rate</dt>
          <dd data-testid="value-now">
            {formatNaira(report.valueAtCurrentRateKobo)} ({formatNaira(report.pointValueKobo)} a point)
          </dd>
          {report.pointsInDebt > 0 ? (
            <>
              <dt>Points owed back</dt>
              <dd>{points(report.pointsInDebt)} (reversed after they were redeemed)</dd>
            </>
          ) : null}
        </dl>
        <LineChart
          name="points-liability"
          title={`Points liability at the end of each day, last ${report.days.length} days (Lagos)`}
          labels={report.days.map((d) => d.day.slice(5))}
          series={[{ name: "Liability", values: report.days.map((d) => d.liabilityKobo) }]}
          format={formatNaira}
          axisFormat={compactNaira}
          tickStep={100}
          unit="₦"
        />
        <h2>Day by day</h2>
        <ScrollTable label="Points day by day" testid="points-days">
          <thead>
            <tr>
              <th>Day (Lagos)</th>
              <th class="num">Earned</th>
              <th class="num">Bonus</th>
              <th class="num">Redeemed</th>
              <th class="num">Expired</th>
              <th class="num">Reversed</th>
              <th class="num">Liability at the end</th>
            </tr>
          </thead>
          <tbody>
            {[...report.days].reverse().map((d) => (
              <tr data-day={d.day}>
                <td>{d.day}</td>
                <td class="num">{points(d.earned)}</td>
                <td class="num">{points(d.bonus)}</td>
                <td class="num">{points(d.redeemed)}</td>
                <td class="num">{points(d.expired)}</td>
                <td class="num">{points(d.reversed)}</td>
                <td class="num" data-testid="day-liability">
                  {formatNaira(d.liabilityKobo)}
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      </div>
      <div class="card">
        <h2>Rules</h2>
        <p class="muted" data-testid="points-rules">
          Purchases earn {rules.earnPer100Naira.airtime} (airtime), {rules.earnPer100Naira.data} (data),{" "}
          {rules.earnPer100Naira.cable} (cable) and {rules.earnPer100Naira.electricity} (electricity) points
          per ₦100; a paid referral earns {points(rules.referralPoints)}. A point is worth{" "}
          {formatNaira(rules.pointValueKobo)}; redemptions start at {points(rules.minRedeemPoints)} points;
          points expire after {rules.expiryDays} days.
          {rules.updatedBy ? ` Rules set by ${rules.updatedBy}.` : " These are the configuration's defaults."}
        </p>
        {props.rulesCsrf ? <PointsRulesForm rules={rules} csrf={props.rulesCsrf} /> : null}
        {props.bonusCsrf ? (
          <>
            <h2>Give bonus points</h2>
            <BonusPointsForm action="/admin/points/bonus" csrf={props.bonusCsrf} askCustomer />
          </>
        ) : null}
      </div>
      <div class="card">
        <h2>Top holders</h2>
        {props.holders.length === 0 ? (
          <p class="muted">Nobody holds points yet.</p>
        ) : (
          <ScrollTable label="Top point holders" testid="point-holders">
            <thead>
              <tr>
                <th>Customer</th>
                <th class="num">Points</th>
                <th class="num">Worth today</th>
              </tr>
            </thead>
            <tbody>
              {props.holders.map((h) => (
                <tr data-holder={h.userId}>
                  <td>
                    <PersonCell id={h.userId} person={h} />
                  </td>
                  <td class="num">{points(h.balance)}</td>
                  <td class="num">{formatNaira(h.valueKobo)}</td>
                </tr>
              ))}
            </tbody>
          </ScrollTable>
        )}
        <h2>Latest point rows</h2>
        {props.recent.length === 0 ? (
          <p class="muted">No points have been written yet.</p>
        ) : (
          <ScrollTable label="Latest point rows" testid="recent-points">
            <thead>
              <tr>
                <th>When (Lagos)</th>
                <th>Customer</th>
                <th>What</th>
                <th class="num">Points</th>
                <th class="num">Liability change</th>
                <th>By</th>
              </tr>
            </thead>
            <tbody>
              {props.recent.map((r) => (
                <tr data-point-row={r.id}>
                  <td>{lagosTime(r.createdAt)}</td>
                  <td>
                    <a href={`/admin/users/${r.userId}/points`}>{r.name || r.userId}</a>
                  </td>
                  <td>
                    {r.kind}
                    {r.reason ? `: ${r.reason}` : ""}
                    {r.orderId ? (
                      <>
                        {" "}
                        <a class="muted mono" href={`/admin/orders/${r.orderId}`}>
                          {r.orderId}
                        </a>
                      </>
                    ) : null}
                  </td>
                  <td class="num">{signed(r.points, points)}</td>
                  <td class="num">{signed(r.valueKobo, formatNaira)}</td>
                  <td class="mono">{r.actor}</td>
                </tr>
              ))}
            </tbody>
          </ScrollTable>
        )}
      </div>
    </AdminShell>
  );
}

function signed(n: number, format: (n: number) => string): string {
  return n > 0 ? `+${format(n)}` : n < 0 ? `−${format(-n)}` : format(0);
}

/** The rules for a super admin: the point's worth in naira; saved with a reason (audited). */
function PointsRulesForm(props: { rules: PointsRules; csrf: string }) {
  const { rules } = props;
  const whole = (name: string, label: string, value: number) => (
    <label>
      {label}
      <input class="field" name={name} inputmode="numeric" required value={String(value)} />
    </label>
  );
  return (
    <details>
      <summary>Change the rules</summary>
      <form method="post" action="/admin/points/rules">
        <input type="hidden" name="csrf" value={props.csrf} />
        {whole("earnAirtime", "Points per ₦100 of airtime", rules.earnPer100Naira.airtime)}
        {whole("earnData", "Points per ₦100 of data", rules.earnPer100Naira.data)}
        {whole("earnCable", "Points per ₦100 of cable TV", rules.earnPer100Naira.cable)}
        {whole("earnElectricity", "Points per ₦100 of electricity", rules.earnPer100Naira.electricity)}
        {whole("referralPoints", "Points per paid referral", rules.referralPoints)}
        <label>
          What a point is worth (₦)
          <input
            class="field"
            name="pointValue"
            inputmode="decimal"
            required
            value={koboToNairaString(rules.pointValueKobo)}
          />
        </label>
        {whole("minRedeemPoints", "Fewest points a redemption takes", rules.minRedeemPoints)}
        {whole("expiryDays", "Days before points expire", rules.expiryDays)}
        <label>
          Reason (goes into the audit log)
          <input class="field" name="reason" required minlength={3} maxlength={500} />
        </label>
        <button class="primary" type="submit">
          Save the points rules
        </button>
      </form>
    </details>
  );
}

/** Bonus points for one customer (with a reason the customer and the audit log see). */
export function BonusPointsForm(props: { action: string; csrf: string; askCustomer?: boolean }) {
  return (
    <form method="post" action={props.action} data-testid="bonus-form">
      <input type="hidden" name="csrf" value={props.csrf} />
      {/* One form, one bonus: a double click or a resubmission repeats this key. */}
      <input type="hidden" name="nonce" value={randomBytes(12).toString("hex")} />
      {props.askCustomer ? (
        <label>
          Customer (user id or phone)
          <input class="field" name="customer" required maxlength={100} />
        </label>
      ) : null}
      <label>
        Bonus points
        <input class="field" name="points" inputmode="numeric" required />
      </label>
      <label>
        Reason for the bonus (the customer sees it)
        <input class="field" name="reason" required minlength={3} maxlength={500} />
      </label>
      <button class="secondary" type="submit">
        Give the bonus points
      </button>
    </form>
  );
}

/** The customer page's points: balance, worth, the last lines and a link to the whole statement. */
export function CustomerPointsSection(props: { userId: string; summary: PointsSummary; bonusCsrf?: string }) {
  const { summary } = props;
  return (
    <section data-testid="customer-points">
      <h2>Loyalty points</h2>
      <p>
        <span data-testid="points-balance">{points(summary.balance)}</span> points, worth{" "}
        <span data-testid="points-value">{formatNaira(summary.valueKobo)}</span>
        {summary.expiringSoon > 0 ? ` (${points(summary.expiringSoon)} expire within 30 days)` : ""}; earned{" "}
        {points(summary.lifetimeEarned)} in all.{" "}
        <a href={`/admin/users/${props.userId}/points`}>Full points statement</a>
      </p>
      <PointLines lines={summary.recent} />
      {props.bonusCsrf ? (
        <details>
          <summary>Give bonus points</summary>
          <BonusPointsForm action={`/admin/users/${props.userId}/points/bonus`} csrf={props.bonusCsrf} />
        </details>
      ) : null}
    </section>
  );
}

export function PointLines(props: { lines: PointStatementLine[] }) {
  if (props.lines.length === 0) {
    return <p class="muted">No points yet.</p>;
  }
  return (
    <ScrollTable label="Point lines" testid="point-lines">
      <thead>
        <tr>
          <th>When (Lagos)</th>
          <th>What</th>
          <th class="num">Points</th>
          <th class="num">Balance after</th>
        </tr>
      </thead>
      <tbody>
        {props.lines.map((l) => (
          <tr data-kind={l.kind}>
            <td>{lagosTime(l.createdAt)}</td>
            <td>{l.description}</td>
            <td class="num">{signed(l.points, points)}</td>
            <td class="num">{points(l.balanceAfter)}</td>
          </tr>
        ))}
      </tbody>
    </ScrollTable>
  );
}

/** A customer's whole point statement, a page at a time (newest first). */
export function AdminPointStatementPage(props: {
  sandbox: boolean;
  role?: AdminRole;
  user: { id: string; name: string | null; phone: string | null };
  summary: PointsSummary;
  lines: PointStatementLine[];
  nextCursor: string | null;
}) {
  const who = props.user.name ?? props.user.phone ?? props.user.id;
  return (
    <AdminShell title={`Points — ${who}`} sandbox={props.sandbox} role={props.role}>
      <p>
        <a href={`/admin/users/${props.user.id}`}>← {who}</a>
      </p>
      <div class="card">
        <h1>Points statement: {who}</h1>
        <p>
          <span data-testid="points-balance">{points(props.summary.balance)}</span> points, worth{" "}
          {formatNaira(props.summary.valueKobo)}.
        </p>
        <PointLines lines={props.lines} />
        {props.nextCursor ? (
          <p>
            <a href={`/admin/users/${props.user.id}/points?before=${props.nextCursor}`}>Older lines →</a>
          </p>
        ) : null}
      </div>
    </AdminShell>
  );
}
