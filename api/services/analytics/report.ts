import { sql } from "kysely";
import type { ServiceContext } from "../context";
import { activity, type MetricRow, measureDays, UNSUCCESSFUL_STATES, within } from "./measure";
import { addDays, type DayRange, daysBetween, lagosDay, parseRange } from "./range";
import { ROLLUP_MARKER } from "./rollup";

export const SERVICES = ["airtime", "data", "cable", "electricity"] as const;
export type AnalyticsService = (typeof SERVICES)[number];

/** Orders of one service: placed, delivered, finished unsuccessfully (failed or reversed), money. */
export type ServiceFigures = {
  orders: number;
  delivered: number;
  unsuccessful: number;
  /** Price paid for delivered orders: what customers spent and our revenue. */
  revenueKobo: number;
  /** What the delivered orders cost at the provider. */
  costKobo: number;
  marginKobo: number;
};

/** One Lagos day of the series: from the rollup for past days, live for today (`source`). */
export type DayFigures = ServiceFigures & {
  day: string;
  source: "rollup" | "live";
  /** delivered ÷ (delivered + unsuccessful); 0 when nothing finished. */
  successRate: number;
  byService: Record<AnalyticsService, ServiceFigures>;
  newUsers: number;
  activeUsers: number;
  fundingCount: number;
  fundingKobo: number;
  /** Spend: the price of delivered orders (= revenueKobo), shown against funding. */
  spendKobo: number;
  withdrawalsCount: number;
  withdrawalsKobo: number;
  giftRooms: number;
  giftCapacity: number;
  giftClaims: number;
  providerDelivered: Record<string, number>;
  failoverOrders: number;
  failoverAttempts: Record<string, number>;
};

export type AnalyticsTotals = ServiceFigures & {
  /** Customers who had signed up by the end of the range. */
  totalUsers: number;
  newUsers: number;
  /** Distinct customers active on any day of the range (not the sum of the daily counts). */
  activeUsers: number;
  retention: {
    rate: number;
    retained: number;
    previousActive: number;
    previousFrom: string;
    previousTo: string;
  };
  transactions: number;
  successRate: number;
  volumeKobo: number;
  /** volumeKobo ÷ delivered orders, rounded to the nearest kobo (half up). */
  averageSizeKobo: number;
  revenueByService: Record<AnalyticsService, ServiceFigures>;
  /** marginKobo ÷ revenueKobo. */
  profitMargin: number;
  fundingCount: number;
  fundingKobo: number;
  spendKobo: number;
  withdrawalsCount: number;
  withdrawalsKobo: number;
  gifts: {
    /** Rooms created in the range, their total capacity, and the claims those rooms received. */
    rooms: number;
    capacity: number;
    claims: number;
    /** claims ÷ capacity of the rooms created in the range. */
    participationRate: number;
    roomsClaimed: number;
    /** Rooms with at least one claim ÷ rooms created in the range. */
    claimRate: number;
    creators: number;
    /** Distinct claimed-to phones whose owner later ordered or topped up. */
    convertedClaimers: number;
    /** convertedClaimers ÷ creators. */
    viralCoefficient: number;
  };
  /** Referrals (issue 18): people who joined with a code in the range, and those who then bought. */
  referrals: {
    referees: number;
    /** Of them, those whose first qualifying purchase was delivered (a reward was decided). */
    buyingReferees: number;
    referrers: number;
    /** buyingReferees ÷ referrers: new buying customers each referrer brought. */
    viralCoefficient: number;
  };
  providerShare: Record<string, { delivered: number; share: number }>;
  failoverOrders: number;
  failoverAttempts: Record<string, number>;
};

export type AnalyticsReport = {
  range: DayRange & { days: number };
  today: string;
  generatedAt: string;
  series: DayFigures[];
  totals: AnalyticsTotals;
};

/** a ÷ b, 0 when b is 0; rounded to 4 decimals so the JSON stays readable. */
export function rate(a: number, b: number): number {
  return b === 0 ? 0 : Math.round((a / b) * 10_000) / 10_000;
}

const emptyService = (): ServiceFigures => ({
  orders: 0,
  delivered: 0,
  unsuccessful: 0,
  revenueKobo: 0,
  costKobo: 0,
  marginKobo: 0,
});
const byService = () =>
  Object.fromEntries(SERVICES.map((s) => [s, emptyService()])) as Record<AnalyticsService, ServiceFigures>;
const add = (into: Record<string, number>, key: string, n: number) => {
  into[key] = (into[key] ?? 0) + n;
};
const isUnsuccessful = (state: string) => (UNSUCCESSFUL_STATES as readonly string[]).includes(state);

/** Fold one day's metric rows into its figures. */
export function dayFigures(day: string, source: DayFigures["source"], rows: MetricRow[]): DayFigures {
  const services = byService();
  const d: DayFigures = {
    day,
    source,
    ...emptyService(),
    successRate: 0,
    byService: services,
    newUsers: 0,
    activeUsers: 0,
    fundingCount: 0,
    fundingKobo: 0,
    spendKobo: 0,
    withdrawalsCount: 0,
    withdrawalsKobo: 0,
    giftRooms: 0,
    giftCapacity: 0,
    giftClaims: 0,
    providerDelivered: {},
    failoverOrders: 0,
    failoverAttempts: {},
  };
  const serviceOf = (name: string) => services[name as AnalyticsService] ?? emptyService();
  for (const { metric, dimension, value } of rows) {
    const [service = "", state = ""] = dimension.split("/");
    switch (metric) {
      case "orders.count": {
        const s = serviceOf(service);
        s.orders += value;
        if (state === "delivered") {
          s.delivered += value;
        } else if (isUnsuccessful(state)) {
          s.unsuccessful += value;
        }
        break;
      }
      case "orders.amount":
        if (state === "delivered") {
          serviceOf(service).revenueKobo += value;
        }
        break;
      case "orders.cost":
        serviceOf(service).costKobo += value;
        break;
      case "users.new":
        d.newUsers += value;
        break;
      case "users.active":
        d.activeUsers += value;
        break;
      case "funding.count":
        d.fundingCount += value;
        break;
      case "funding.amount":
        d.fundingKobo += value;
        break;
      case "withdrawals.count":
        d.withdrawalsCount += value;
        break;
      case "withdrawals.amount":
        d.withdrawalsKobo += value;
        break;
      case "gifts.rooms":
        d.giftRooms += value;
        break;
      case "gifts.capacity":
        d.giftCapacity += value;
        break;
      case "gifts.claims":
        d.giftClaims += value;
        break;
      case "providers.delivered":
        add(d.providerDelivered, dimension, value);
        break;
      case "failover.orders":
        d.failoverOrders += value;
        break;
      case "failover.attempts":
        add(d.failoverAttempts, dimension, value);
        break;
    }
  }
  for (const s of Object.values(services)) {
    s.marginKobo = s.revenueKobo - s.costKobo;
    d.orders += s.orders;
    d.delivered += s.delivered;
    d.unsuccessful += s.unsuccessful;
    d.revenueKobo += s.revenueKobo;
    d.costKobo += s.costKobo;
    d.marginKobo += s.marginKobo;
  }
  d.spendKobo = d.revenueKobo;
  d.successRate = rate(d.delivered, d.delivered + d.unsuccessful);
  return d;
}

/**
 * The dashboard's numbers for the Lagos days [from, to] (default: the last 30 days). Past days come
 * from the rollup (a day not rolled up yet is measured live), today is always measured live, with
 * the same rules. Range figures that are not sums of days (distinct active customers, retention,
 * the gift funnel, total customers) are measured over the whole range.
 */
export async function analyticsReport(
  ctx: ServiceContext,
  input: { from?: string; to?: string } = {},
): Promise<AnalyticsReport> {
  const today = lagosDay(ctx.now());
  const range = parseRange(input, today);
  const days = daysBetween(range.from, range.to);

  const stored = await ctx.db
    .selectFrom("daily_rollups")
    .select([(eb) => eb.cast<string>("day", "text").as("day"), "metric", "dimension", "value"])
    .where("day", ">=", range.from)
    .where("day", "<=", range.to < today ? range.to : addDays(today, -1))
    .execute();
  const rolled = new Set(stored.filter((r) => r.metric === ROLLUP_MARKER).map((r) => r.day));
  const live = days.filter((d) => d === today || !rolled.has(d));
  const liveRows = live.length > 0 ? await measureDays(ctx.db, live[0] ?? today, live.at(-1) ?? today) : [];
  const rowsOf = new Map<string, MetricRow[]>();
  for (const row of [
    ...stored.filter((r) => rolled.has(r.day)),
    ...liveRows.filter((r) => live.includes(r.day)),
  ]) {
    const list = rowsOf.get(row.day) ?? [];
    list.push({ ...row, value: Number(row.value) });
    rowsOf.set(row.day, list);
  }
  const series = days.map((day) =>
    dayFigures(day, live.includes(day) ? "live" : "rollup", rowsOf.get(day) ?? []),
  );

  return {
    range: { ...range, days: days.length },
    today,
    generatedAt: ctx.now().toISOString(),
    series,
    totals: await totalsOf(ctx, range, series),
  };
}

async function totalsOf(
  ctx: ServiceContext,
  range: DayRange,
  series: DayFigures[],
): Promise<AnalyticsTotals> {
  const services = byService();
  const providerDelivered: Record<string, number> = {};
  const failoverAttempts: Record<string, number> = {};
  const sum = (pick: (d: DayFigures) => number) => series.reduce((n, d) => n + pick(d), 0);
  for (const d of series) {
    for (const s of SERVICES) {
      for (const key of Object.keys(services[s]) as (keyof ServiceFigures)[]) {
        services[s][key] += d.byService[s][key];
      }
    }
    for (const [p, n] of Object.entries(d.providerDelivered)) {
      add(providerDelivered, p, n);
    }
    for (const [p, n] of Object.entries(d.failoverAttempts)) {
      add(failoverAttempts, p, n);
    }
  }
  const delivered = sum((d) => d.delivered);
  const unsuccessful = sum((d) => d.unsuccessful);
  const revenueKobo = sum((d) => d.revenueKobo);
  const costKobo = sum((d) => d.costKobo);
  const deliveredByProvider = Object.values(providerDelivered).reduce((a, b) => a + b, 0);
  const [people, retention, gifts, referrals] = await Promise.all([
    customers(ctx, range),
    retentionOf(ctx, range),
    giftFunnel(ctx, range),
    referralFunnel(ctx, range),
  ]);
  return {
    ...emptyService(),
    orders: sum((d) => d.orders),
    delivered,
    unsuccessful,
    revenueKobo,
    costKobo,
    marginKobo: revenueKobo - costKobo,
    totalUsers: people.total,
    newUsers: sum((d) => d.newUsers),
    activeUsers: people.active,
    retention,
    transactions: sum((d) => d.orders),
    successRate: rate(delivered, delivered + unsuccessful),
    volumeKobo: revenueKobo,
    averageSizeKobo: delivered === 0 ? 0 : Math.round(revenueKobo / delivered),
    revenueByService: services,
    profitMargin: rate(revenueKobo - costKobo, revenueKobo),
    fundingCount: sum((d) => d.fundingCount),
    fundingKobo: sum((d) => d.fundingKobo),
    spendKobo: sum((d) => d.spendKobo),
    withdrawalsCount: sum((d) => d.withdrawalsCount),
    withdrawalsKobo: sum((d) => d.withdrawalsKobo),
    gifts,
    referrals,
    providerShare: Object.fromEntries(
      Object.entries(providerDelivered).map(([p, n]) => [
        p,
        { delivered: n, share: rate(n, deliveredByProvider) },
      ]),
    ),
    failoverOrders: sum((d) => d.failoverOrders),
    failoverAttempts,
  };
}

const bound = (day: string) => sql`${day}`;

/** Distinct customers active in [from, to] (the users.active rule over the whole range). */
async function activeCount(ctx: ServiceContext, from: string, to: string): Promise<number> {
  const row = await sql<{ n: number }>`
    SELECT count(DISTINCT user_id)::bigint AS n FROM (${activity(bound(from), bound(to))}) a`.execute(ctx.db);
  return Number(row.rows[0]?.n ?? 0);
}

async function customers(ctx: ServiceContext, range: DayRange) {
  const total = await sql<{ n: number }>`
    SELECT count(*)::bigint AS n FROM users
    WHERE created_at < ((${range.to}::date + 1)::timestamp AT TIME ZONE 'Africa/Lagos')`.execute(ctx.db);
  return { total: Number(total.rows[0]?.n ?? 0), active: await activeCount(ctx, range.from, range.to) };
}

/**
 * Retention: of the customers active in the period of equal length just before the range, the
 * share active again in the range.
 */
async function retentionOf(ctx: ServiceContext, range: DayRange): Promise<AnalyticsTotals["retention"]> {
  const length = daysBetween(range.from, range.to).length;
  const previousFrom = addDays(range.from, -length);
  const previousTo = addDays(range.from, -1);
  const row = await sql<{ previous: number; retained: number }>`
    WITH prev AS (SELECT DISTINCT user_id FROM (${activity(bound(previousFrom), bound(previousTo))}) a),
         cur AS (SELECT DISTINCT user_id FROM (${activity(bound(range.from), bound(range.to))}) b)
    SELECT (SELECT count(*) FROM prev)::bigint AS previous,
           (SELECT count(*) FROM prev JOIN cur USING (user_id))::bigint AS retained`.execute(ctx.db);
  const previousActive = Number(row.rows[0]?.previous ?? 0);
  const retained = Number(row.rows[0]?.retained ?? 0);
  return { rate: rate(retained, previousActive), retained, previousActive, previousFrom, previousTo };
}

/**
 * Referrals of the people who joined with a code in the range (`referred_at`): how many, how many
 * then bought (their reward was decided: paid, capped, taken back — a refused same-person pair is
 * not a new customer), and per referrer.
 */
async function referralFunnel(ctx: ServiceContext, range: DayRange): Promise<AnalyticsTotals["referrals"]> {
  const row = await sql<{ referees: number; buying: number; referrers: number }>`
    WITH j AS (SELECT id, referred_by FROM users
               WHERE referred_by IS NOT NULL AND ${within("referred_at", bound(range.from), bound(range.to))})
    SELECT (SELECT count(*) FROM j)::bigint AS referees,
           (SELECT count(*) FROM j JOIN referral_rewards r ON r.referee_id = j.id
             WHERE r.status <> 'refused')::bigint AS buying,
           (SELECT count(DISTINCT referred_by) FROM j)::bigint AS referrers`.execute(ctx.db);
  const r = row.rows[0];
  const referees = Number(r?.referees ?? 0);
  const buyingReferees = Number(r?.buying ?? 0);
  const referrers = Number(r?.referrers ?? 0);
  return { referees, buyingReferees, referrers, viralCoefficient: rate(buyingReferees, referrers) };
}

/**
 * The gift funnel of the rooms created in the range: claims against capacity, rooms that got a
 * claim, and the viral coefficient — claimed-to phones whose owner (a customer with that phone)
 * placed an order or had a top-up credited after the claim, per room creator.
 */
async function giftFunnel(ctx: ServiceContext, range: DayRange): Promise<AnalyticsTotals["gifts"]> {
  const row = await sql<{
    rooms: number;
    capacity: number;
    claims: number;
    rooms_claimed: number;
    creators: number;
    converted: number;
  }>`
    WITH r AS (SELECT * FROM gift_rooms WHERE ${within("created_at", bound(range.from), bound(range.to))}),
         c AS (SELECT gift_claims.* FROM gift_claims JOIN r ON r.id = gift_claims.room_id
               WHERE gift_claims.state <> 'failed')
    SELECT (SELECT count(*) FROM r)::bigint AS rooms,
           (SELECT coalesce(sum(capacity), 0) FROM r)::bigint AS capacity,
           (SELECT count(*) FROM c)::bigint AS claims,
           (SELECT count(DISTINCT room_id) FROM c)::bigint AS rooms_claimed,
           (SELECT count(DISTINCT creator_id) FROM r)::bigint AS creators,
           (SELECT count(DISTINCT c.recipient_msisdn) FROM c JOIN users u ON u.phone = c.recipient_msisdn
            WHERE EXISTS (SELECT 1 FROM vtu_orders o
                          WHERE o.user_id = u.id AND o.channel <> 'gift' AND o.created_at > c.created_at)
               OR EXISTS (SELECT 1 FROM funding_intents f
                          WHERE f.user_id = u.id AND f.status = 'credited' AND f.credited_at > c.created_at)
           )::bigint AS converted`.execute(ctx.db);
  const g = row.rows[0];
  const rooms = Number(g?.rooms ?? 0);
  const capacity = Number(g?.capacity ?? 0);
  const claims = Number(g?.claims ?? 0);
  const roomsClaimed = Number(g?.rooms_claimed ?? 0);
  const creators = Number(g?.creators ?? 0);
  const convertedClaimers = Number(g?.converted ?? 0);
  return {
    rooms,
    capacity,
    claims,
    participationRate: rate(claims, capacity),
    roomsClaimed,
    claimRate: rate(roomsClaimed, rooms),
    creators,
    convertedClaimers,
    viralCoefficient: rate(convertedClaimers, creators),
  };
}
