import type { AdminOverview, SignedInAdmin } from "../../api/services/admins";
import type { AlertDto } from "../../api/services/alerts";
import { type AnalyticsReport, SERVICES } from "../../api/services/analytics";
import { formatNaira } from "../../api/services/money";
import { countOf } from "../../api/services/plural";
import { AlertList } from "./admin-alerts";
import { BarChart, compactNaira, LineChart } from "./admin-charts";
import { AdminShell } from "./admin-shell";

const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;
/** Axis ticks of a rate: whole percents. */
const wholePercent = (rate: number) => `${Math.round(rate * 100)}%`;
/** The y axes: counts in whole numbers, money in whole naira (short), rates in whole percents. */
const COUNTS = { tickStep: 1 } as const;
const MONEY = { tickStep: 100, axisFormat: compactNaira } as const;
/** Axis and tooltip money: whole naira. */
const naira = (kobo: number) => formatNaira(Math.round(kobo / 100) * 100);

/** A headline number; `data-value` carries the raw figure (kobo, count or rate). */
function Tile(props: { metric: string; label: string; value: number; shown: string; note?: string }) {
  return (
    <div class="tile" data-metric={props.metric} data-value={String(props.value)}>
      <span class="muted">{props.label}</span>
      <b>{props.shown}</b>
      {props.note ? <span class="muted">{props.note}</span> : null}
    </div>
  );
}

/** The range (Lagos days): From and To side by side (on a phone too), then Show and the presets. */
function RangePicker(props: { from: string; to: string }) {
  return (
    <form method="get" action="/admin" data-testid="range">
      <div class="range">
        <label>
          From
          <input class="field" type="date" name="from" value={props.from} />
        </label>
        <label>
          To
          <input class="field" type="date" name="to" value={props.to} />
        </label>
      </div>
      <button class="primary" type="submit">
        Show
      </button>
      {[7, 30, 90].map((days) => (
        <button class="secondary" type="submit" name="preset" value={String(days)}>
          Last {days} days
        </button>
      ))}
    </form>
  );
}

function Tiles(props: { report: AnalyticsReport; manualReview: number }) {
  const t = props.report.totals;
  const g = t.gifts;
  return (
    <div class="tiles">
      <Tile metric="totalUsers" label="Customers" value={t.totalUsers} shown={String(t.totalUsers)} />
      <Tile
        metric="activeUsers"
        label="Active customers"
        value={t.activeUsers}
        shown={String(t.activeUsers)}
      />
      <Tile metric="newUsers" label="New customers" value={t.newUsers} shown={String(t.newUsers)} />
      <Tile
        metric="retention"
        label="Retention"
        value={t.retention.rate}
        shown={percent(t.retention.rate)}
        note={`${t.retention.retained} of ${t.retention.previousActive} active ${t.retention.previousFrom}–${t.retention.previousTo}`}
      />
      <Tile
        metric="transactions"
        label="Transactions"
        value={t.transactions}
        shown={String(t.transactions)}
      />
      <Tile
        metric="volumeKobo"
        label="Volume (delivered)"
        value={t.volumeKobo}
        shown={formatNaira(t.volumeKobo)}
      />
      <Tile
        metric="averageSizeKobo"
        label="Average size"
        value={t.averageSizeKobo}
        shown={formatNaira(t.averageSizeKobo)}
      />
      <Tile
        metric="successRate"
        label="Success rate"
        value={t.successRate}
        shown={percent(t.successRate)}
        note={`${t.delivered} delivered, ${t.unsuccessful} failed or reversed`}
      />
      <Tile metric="revenueKobo" label="Revenue" value={t.revenueKobo} shown={formatNaira(t.revenueKobo)} />
      <Tile metric="marginKobo" label="Margin" value={t.marginKobo} shown={formatNaira(t.marginKobo)} />
      <Tile
        metric="profitMargin"
        label="Profit margin"
        value={t.profitMargin}
        shown={percent(t.profitMargin)}
      />
      <Tile metric="fundingKobo" label="Funding" value={t.fundingKobo} shown={formatNaira(t.fundingKobo)} />
      <Tile
        metric="participationRate"
        label="Gift participation"
        value={g.participationRate}
        shown={percent(g.participationRate)}
        note={`${countOf(g.claims, "claim")} of ${countOf(g.capacity, "gift")}`}
      />
      <Tile
        metric="claimRate"
        label="Gift claim rate"
        value={g.claimRate}
        shown={percent(g.claimRate)}
        note={`${g.roomsClaimed} of ${countOf(g.rooms, "room")} claimed`}
      />
      <Tile
        metric="viralCoefficient"
        label="Viral coefficient"
        value={g.viralCoefficient}
        shown={g.viralCoefficient.toFixed(2)}
        note={`${countOf(g.convertedClaimers, "new customer")} from ${countOf(g.creators, "creator")}`}
      />
      <Tile
        metric="referralViralCoefficient"
        label="Referral viral coefficient"
        value={t.referrals.viralCoefficient}
        shown={t.referrals.viralCoefficient.toFixed(2)}
        note={`${t.referrals.buyingReferees} of ${countOf(t.referrals.referees, "referee")} bought, from ${countOf(t.referrals.referrers, "referrer")}`}
      />
      <Tile
        metric="manualReview"
        label="Orders in manual review"
        value={props.manualReview}
        shown={String(props.manualReview)}
      />
    </div>
  );
}

function Charts(props: { report: AnalyticsReport }) {
  const { series, totals } = props.report;
  const days = series.map((d) => d.day);
  const providers = [...new Set(series.flatMap((d) => Object.keys(d.providerDelivered)))].sort();
  const perService = (pick: (s: AnalyticsReport["series"][number]["byService"]["airtime"]) => number) =>
    SERVICES.map((s) => ({ name: s, values: series.map((d) => pick(d.byService[s])) }));
  return (
    <div class="grid">
      <BarChart
        name="orders-by-service"
        {...COUNTS}
        title="Orders per day by service"
        unit="orders"
        labels={days}
        stacked
        series={perService((s) => s.orders)}
      />
      <BarChart
        name="volume-by-service"
        {...MONEY}
        title="Volume per day by service (delivered)"
        unit="₦"
        labels={days}
        stacked
        format={naira}
        series={perService((s) => s.revenueKobo)}
      />
      <LineChart
        name="success-rate"
        axisFormat={wholePercent}
        title="Success rate per day"
        unit="delivered ÷ finished"
        labels={days}
        max={1}
        format={percent}
        series={[{ name: "success rate", values: series.map((d) => d.successRate) }]}
      />
      <BarChart
        name="revenue-margin-by-service"
        {...MONEY}
        title="Revenue and margin by service"
        unit="₦"
        labels={[...SERVICES]}
        format={naira}
        series={[
          { name: "revenue", values: SERVICES.map((s) => totals.revenueByService[s].revenueKobo) },
          { name: "cost", values: SERVICES.map((s) => totals.revenueByService[s].costKobo) },
          { name: "margin", values: SERVICES.map((s) => totals.revenueByService[s].marginKobo) },
        ]}
      />
      <LineChart
        name="users"
        {...COUNTS}
        title="New and active customers per day"
        unit="customers"
        labels={days}
        series={[
          { name: "new", values: series.map((d) => d.newUsers) },
          { name: "active", values: series.map((d) => d.activeUsers) },
        ]}
      />
      <BarChart
        name="funding-spend"
        {...MONEY}
        title="Funding vs spend (and withdrawals) per day"
        unit="₦"
        labels={days}
        format={naira}
        series={[
          { name: "funding", values: series.map((d) => d.fundingKobo) },
          { name: "spend", values: series.map((d) => d.spendKobo) },
          { name: "withdrawals", values: series.map((d) => d.withdrawalsKobo) },
        ]}
      />
      <BarChart
        name="gifts"
        {...COUNTS}
        title="Gift rooms created and gifts claimed per day"
        unit="rooms / claims"
        labels={days}
        series={[
          { name: "rooms created", values: series.map((d) => d.giftRooms) },
          { name: "gifts claimed", values: series.map((d) => d.giftClaims) },
        ]}
      />
      <BarChart
        name="provider-share"
        {...COUNTS}
        title="Delivered orders by provider"
        unit="orders"
        labels={days}
        stacked
        series={providers.map((p) => ({ name: p, values: series.map((d) => d.providerDelivered[p] ?? 0) }))}
      />
      <BarChart
        name="failover"
        {...COUNTS}
        title="Failover per day"
        unit="orders / attempts"
        labels={days}
        series={[
          { name: "orders failed over", values: series.map((d) => d.failoverOrders) },
          {
            name: "attempts on another provider",
            values: series.map((d) => Object.values(d.failoverAttempts).reduce((a, b) => a + b, 0)),
          },
        ]}
      />
    </div>
  );
}

/**
 * The dashboard: alerts (when the caller passes them), the range picker, the headline metrics, the
 * charts. With `error` (a bad range) the picker and the message show instead of the numbers.
 */
export function AdminDashboardPage(props: {
  sandbox: boolean;
  admin: SignedInAdmin;
  overview: AdminOverview;
  range: { from: string; to: string };
  report?: AnalyticsReport;
  error?: string;
  alerts?: AlertDto[];
}) {
  const { report, overview } = props;
  const orders = Object.entries(overview.ordersToday);
  return (
    <AdminShell title="Dashboard" sandbox={props.sandbox} role={props.admin.role}>
      {props.alerts && props.alerts.length > 0 ? (
        <div class="card" data-alerts>
          <h2>Alerts</h2>
          <AlertList alerts={props.alerts} />
          <p>
            <a href="/admin/alerts">All alerts</a>
          </p>
        </div>
      ) : null}
      <div class="card">
        <h1>TADA VTU dashboard</h1>
        <p>
          Now: {countOf(overview.manualReview, "order")} in{" "}
          <a href="/admin/orders?state=manual_review">manual review</a> · orders placed today, by state now:{" "}
          {orders.length === 0 ? "none" : orders.map(([state, n]) => `${n} ${state}`).join(", ")} · open gift
          rooms: {overview.openGiftRooms}
        </p>
        <RangePicker from={props.range.from} to={props.range.to} />
        {props.error ? (
          <p class="error" role="alert">
            {props.error}
          </p>
        ) : null}
        {report ? (
          <p class="muted">
            {report.range.from} to {report.range.to} ({countOf(report.range.days, "day")}, Lagos time). Past
            days come from the daily rollup; today ({report.today}) is live.
          </p>
        ) : null}
      </div>
      {report ? (
        <>
          <Tiles report={report} manualReview={overview.manualReview} />
          <Charts report={report} />
        </>
      ) : null}
    </AdminShell>
  );
}
