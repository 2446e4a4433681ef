import { sql } from "kysely";
import type { Db } from "../context";

export type LedgerCheck = {
  id: string;
  name: string;
  ok: boolean;
  /** How many rows were examined, and how many broke the rule. */
  checked: number;
  violations: number;
  sample?: unknown[];
};

type CheckSpec = {
  id: string;
  name: string;
  checkedSql: ReturnType<typeof sql>;
  violationsSql: ReturnType<typeof sql>;
};

/**
 * The ledger invariants of DESIGN §5 / reliability.md L1–L5, L8 (V1–V2 tying VTU orders to their holds,
 * F1–F2 funding credits and withdrawal holds, T1–T2 bank transfers, RF1 referral rewards, P1–P3
 * loyalty points, G1–G2 gift rooms) as SQL. Used by
 * `npm run check-ledger`, by every money test, and (later) by the nightly job.
 */
const CHECKS: CheckSpec[] = [
  {
    id: "L1",
    name: "every journal entry has at least two postings summing to zero",
    checkedSql: sql`SELECT id FROM journal_entries`,
    violationsSql: sql`
      SELECT e.id AS entry_id, count(p.id) AS postings, coalesce(sum(p.amount), 0)::text AS sum
        FROM journal_entries e LEFT JOIN postings p ON p.entry_id = e.id
       GROUP BY e.id HAVING count(p.id) < 2 OR coalesce(sum(p.amount), 0) <> 0`,
  },
  {
    id: "L2",
    name: "all postings sum to zero per currency",
    checkedSql: sql`SELECT id FROM postings`,
    violationsSql: sql`
      SELECT a.currency, sum(p.amount)::text AS sum FROM postings p JOIN accounts a ON a.id = p.account_id
       GROUP BY a.currency HAVING sum(p.amount) <> 0`,
  },
  {
    id: "L3",
    name: "cached balance and version equal the sum and count of the account's postings",
    checkedSql: sql`SELECT id FROM accounts`,
    violationsSql: sql`
      SELECT a.id AS account_id, a.code, a.balance, a.version,
             coalesce(sum(p.amount), 0)::text AS posted, count(p.id) AS postings
        FROM accounts a LEFT JOIN postings p ON p.account_id = a.id
       GROUP BY a.id HAVING a.balance <> coalesce(sum(p.amount), 0) OR a.version <> count(p.id)`,
  },
  {
    id: "L4",
    name: "each account's postings form an unbroken balance chain",
    checkedSql: sql`SELECT id FROM postings`,
    violationsSql: sql`
      SELECT id AS posting_id, account_id, account_version FROM (
        SELECT p.*, lag(p.current_balance, 1, 0::bigint) OVER w AS chained_previous,
               row_number() OVER w AS position
          FROM postings p WINDOW w AS (PARTITION BY p.account_id ORDER BY p.account_version)) chain
       WHERE previous_balance <> chained_previous
          OR previous_balance + amount <> current_balance
          OR account_version <> position`,
  },
  {
    id: "L5",
    name: "no wallet (or non-negative account) below zero, available or posted",
    checkedSql: sql`SELECT id FROM accounts WHERE NOT allow_negative`,
    violationsSql: sql`
      SELECT id AS account_id, code, balance, held FROM accounts
       WHERE NOT allow_negative AND (balance < 0 OR balance - held < 0)`,
  },
  {
    id: "HELD",
    name: "cached held amount equals the sum of the account's pending holds",
    checkedSql: sql`SELECT id FROM accounts`,
    violationsSql: sql`
      SELECT a.id AS account_id, a.code, a.held, coalesce(sum(h.amount), 0)::text AS pending
        FROM accounts a LEFT JOIN holds h ON h.account_id = a.id AND h.status = 'pending'
       GROUP BY a.id HAVING a.held <> coalesce(sum(h.amount), 0)`,
  },
  {
    id: "L8",
    name: "every hold resolved exactly once: posted holds have one matching entry, others none",
    checkedSql: sql`SELECT id FROM holds`,
    violationsSql: sql`
      SELECT h.id AS hold_id, h.status, h.posted_amount, count(e.id) AS entries
        FROM holds h
        LEFT JOIN journal_entries e ON e.hold_id = h.id
        LEFT JOIN postings p ON p.entry_id = e.id AND p.account_id = h.account_id
       GROUP BY h.id
      HAVING (h.status = 'posted' AND (count(e.id) <> 1 OR coalesce(sum(p.amount), 0) <> -h.posted_amount))
          OR (h.status <> 'posted' AND count(e.id) <> 0)`,
  },
  {
    id: "V1",
    name: "every VTU order's hold matches its state (P3: refunded only when failed; held while unresolved)",
    checkedSql: sql`SELECT id FROM vtu_orders`,
    violationsSql: sql`
      SELECT o.id AS order_id, o.state, h.status AS hold_status
        FROM vtu_orders o JOIN holds h ON h.id = o.hold_id
       WHERE NOT (
             (o.state IN ('held', 'submitting', 'pending', 'unknown', 'manual_review') AND h.status = 'pending')
          OR (o.state IN ('delivered', 'reversed') AND h.status = 'posted' AND h.posted_amount = o.price_kobo)
          OR (o.state = 'failed' AND h.status = 'voided'))`,
  },
  {
    id: "V2",
    name: "one delivered attempt per delivered order, none on a refunded one (no double vend booked)",
    checkedSql: sql`SELECT id FROM vtu_orders`,
    violationsSql: sql`
      SELECT o.id AS order_id, o.state, count(a.id) FILTER (WHERE a.state = 'delivered') AS delivered_attempts
        FROM vtu_orders o LEFT JOIN vtu_attempts a ON a.order_id = o.id
       GROUP BY o.id
      HAVING (o.state IN ('delivered', 'reversed') AND count(a.id) FILTER (WHERE a.state = 'delivered') <> 1)
          OR (o.state = 'failed' AND count(a.id) FILTER (WHERE a.state = 'delivered') <> 0)`,
  },
  {
    id: "V3",
    name: "every reversed order has exactly one reversal entry returning its price, no other order has one (P7)",
    checkedSql: sql`SELECT id FROM vtu_orders`,
    violationsSql: sql`
      SELECT o.id AS order_id, o.state, count(e.id) AS reversals
        FROM vtu_orders o
        LEFT JOIN journal_entries e ON e.type = 'vtu_reversal' AND e.metadata->>'orderId' = o.id
       GROUP BY o.id
      HAVING (o.state = 'reversed' AND (count(e.id) <> 1 OR o.reversal_entry_id IS NULL
                                        OR min(e.id) <> o.reversal_entry_id))
          OR (o.state <> 'reversed' AND count(e.id) <> 0)`,
  },
  {
    id: "F1",
    name: "each credited funding intent has exactly one credit entry of its amount (W3), no other intent has one",
    checkedSql: sql`SELECT id FROM funding_intents`,
    violationsSql: sql`
      SELECT f.id AS intent_id, f.status, count(e.id) AS entries
        FROM funding_intents f
        LEFT JOIN journal_entries e ON e.metadata->>'fundingIntentId' = f.id
        LEFT JOIN accounts a ON a.user_id = f.user_id
        LEFT JOIN postings p ON p.entry_id = e.id AND p.account_id = a.id
       GROUP BY f.id
      HAVING (f.status = 'credited' AND (count(e.id) <> 1 OR coalesce(sum(p.amount), 0) <> f.amount_kobo))
          OR (f.status <> 'credited' AND count(e.id) <> 0)`,
  },
  {
    id: "F2",
    name: "every withdrawal's hold matches its state (held while in flight, posted when sent, voided when failed)",
    checkedSql: sql`SELECT id FROM withdrawals`,
    violationsSql: sql`
      SELECT w.id AS withdrawal_id, w.state, h.status AS hold_status
        FROM withdrawals w JOIN holds h ON h.id = w.hold_id
       WHERE NOT (
             (w.state IN ('held', 'submitting', 'pending', 'unknown') AND h.status = 'pending')
          OR (w.state = 'successful' AND h.status = 'posted' AND h.posted_amount = w.amount_kobo + w.fee_kobo)
          OR (w.state = 'failed' AND h.status = 'voided'))`,
  },
  {
    id: "T1",
    name: "the transfer suspense account holds exactly the bank transfers awaiting a decision",
    checkedSql: sql`SELECT id FROM bank_transfers`,
    violationsSql: sql`
      SELECT s.total::text AS suspense_balance, w.awaiting::text AS awaiting
        FROM (SELECT coalesce(sum(balance), 0) AS total FROM accounts
               WHERE system_code = 'system:transfer_suspense') s,
             (SELECT coalesce(sum(paid_kobo), 0) AS awaiting FROM bank_transfers WHERE status = 'suspense') w
       WHERE s.total <> w.awaiting`,
  },
  {
    id: "T2",
    name: "each bank transfer's entries match its state: paid in once, credited to its owner at most once",
    checkedSql: sql`SELECT id FROM bank_transfers`,
    violationsSql: sql`
      SELECT t.id AS transfer_id, t.status, t.credit_kobo, coalesce(w.credited, 0)::text AS credited,
             coalesce(c.cleared, 0)::text AS cleared, count(e.id) AS entries
        FROM bank_transfers t
        LEFT JOIN journal_entries e ON e.metadata->>'bankTransferId' = t.id
        LEFT JOIN LATERAL (
          SELECT sum(p.amount) AS credited FROM journal_entries e2
            JOIN postings p ON p.entry_id = e2.id
            JOIN accounts a ON a.id = p.account_id AND a.user_id = t.user_id
           WHERE e2.metadata->>'bankTransferId' = t.id) w ON true
        LEFT JOIN LATERAL (
          SELECT sum(-p.amount) AS cleared FROM postings p
            JOIN accounts a ON a.id = p.account_id AND a.system_code = 'system:payment_clearing'
           WHERE p.entry_id = t.entry_id) c ON true
       GROUP BY t.id, w.credited, c.cleared
      HAVING coalesce(c.cleared, 0) <> t.paid_kobo
          OR (t.status = 'credited' AND coalesce(w.credited, 0) <> t.credit_kobo)
          OR (t.status <> 'credited' AND coalesce(w.credited, 0) <> 0)
          OR count(e.id) <> CASE WHEN t.resolve_entry_id IS NULL THEN 1 ELSE 2 END
          OR (t.status = 'suspense') <> (t.resolve_entry_id IS NULL AND t.suspense_reason IS NOT NULL)`,
  },
  {
    id: "RF1",
    name: "each referral reward is paid once as recorded (referrer and referee), taken back at most once, none when not paid",
    checkedSql: sql`SELECT id FROM referral_rewards`,
    violationsSql: sql`
      SELECT r.id AS reward_id, r.status, count(e.id) AS entries,
             coalesce(sum(p.amount) FILTER (WHERE a.user_id = r.referrer_id AND e.id = r.entry_id), 0)::text AS to_referrer,
             coalesce(sum(p.amount) FILTER (WHERE a.user_id = r.referee_id AND e.id = r.entry_id), 0)::text AS to_referee
        FROM referral_rewards r
        LEFT JOIN journal_entries e ON e.metadata->>'referralRewardId' = r.id
        LEFT JOIN postings p ON p.entry_id = e.id
        LEFT JOIN accounts a ON a.id = p.account_id
       GROUP BY r.id
      HAVING count(DISTINCT e.id) <> CASE r.status WHEN 'paid' THEN 1
                                                   WHEN 'clawed_back' THEN CASE WHEN r.clawback_entry_id = r.entry_id THEN 1 ELSE 2 END
                                                   ELSE 0 END
          OR (r.status IN ('paid', 'clawed_back')
              AND (coalesce(sum(p.amount) FILTER (WHERE a.user_id = r.referrer_id AND e.id = r.entry_id), 0) <> r.reward_kobo
                OR coalesce(sum(p.amount) FILTER (WHERE a.user_id = r.referee_id AND e.id = r.entry_id), 0) <> r.welcome_kobo))`,
  },
  {
    id: "P1",
    name: "the points liability equals the value of the points outstanding (every point row's value)",
    checkedSql: sql`SELECT id FROM point_entries`,
    violationsSql: sql`
      SELECT l.total::text AS liability_balance, v.booked::text AS points_value
        FROM (SELECT coalesce(sum(balance), 0) AS total FROM accounts
               WHERE system_code = 'system:points_liability') l,
             (SELECT coalesce(sum(value_kobo), 0) AS booked FROM point_entries) v
       WHERE l.total <> v.booked`,
  },
  {
    id: "P2",
    name: "each customer's points balance is the sum of their point rows, each row's balance the running sum",
    checkedSql: sql`SELECT user_id FROM point_accounts`,
    violationsSql: sql`
      SELECT a.user_id, a.balance, coalesce(sum(p.points), 0)::text AS summed,
             count(*) FILTER (WHERE p.balance_after <> p.running) AS broken_rows
        FROM point_accounts a
        LEFT JOIN (SELECT e.*, sum(e.points) OVER (PARTITION BY e.user_id ORDER BY e.seq) AS running
                     FROM point_entries e) p ON p.user_id = a.user_id
       GROUP BY a.user_id, a.balance
      HAVING a.balance <> coalesce(sum(p.points), 0) OR count(*) FILTER (WHERE p.balance_after <> p.running) > 0`,
  },
  {
    id: "P3",
    name: "each point row with a value has one entry moving exactly that value (and a redemption's credit to its owner); a reversal undoes its row exactly",
    checkedSql: sql`SELECT id FROM point_entries`,
    violationsSql: sql`
      SELECT p.id AS point_entry_id, p.kind, p.value_kobo, p.credit_kobo, count(DISTINCT e.id) AS entries,
             coalesce(sum(q.amount) FILTER (WHERE a.system_code = 'system:points_liability'), 0)::text AS liability_moved,
             coalesce(sum(q.amount) FILTER (WHERE a.user_id = p.user_id), 0)::text AS credited
        FROM point_entries p
        LEFT JOIN journal_entries e ON e.metadata->>'pointEntryId' = p.id
        LEFT JOIN postings q ON q.entry_id = e.id
        LEFT JOIN accounts a ON a.id = q.account_id
        LEFT JOIN point_entries r ON r.id = p.reverses_id
       GROUP BY p.id, r.points, r.value_kobo
      HAVING count(DISTINCT e.id) <> CASE WHEN p.entry_id IS NULL THEN 0 ELSE 1 END
          OR coalesce(sum(q.amount) FILTER (WHERE a.system_code = 'system:points_liability'), 0) <> p.value_kobo
          OR coalesce(sum(q.amount) FILTER (WHERE a.user_id = p.user_id), 0) <> coalesce(p.credit_kobo, 0)
          OR (p.kind = 'reverse' AND (p.points <> -r.points OR p.value_kobo <> -r.value_kobo))`,
  },
  {
    id: "G1",
    name: "every gift room's claim count equals its live claims and never passes capacity (R1, R2)",
    checkedSql: sql`SELECT id FROM gift_rooms`,
    violationsSql: sql`
      SELECT g.id AS room_id, g.claimed, g.capacity, count(c.id) AS live_claims
        FROM gift_rooms g LEFT JOIN gift_claims c ON c.room_id = g.id AND c.state <> 'failed'
       GROUP BY g.id HAVING g.claimed > g.capacity OR count(c.id) <> g.claimed`,
  },
  {
    id: "G2",
    name: "each gift room's escrow + gifts paid + refunds = capacity × gift price (R3)",
    checkedSql: sql`SELECT id FROM gift_rooms`,
    violationsSql: sql`
      SELECT g.id AS room_id, (g.capacity * g.gift_price_kobo)::text AS funded, a.balance::text AS escrow
        FROM gift_rooms g JOIN accounts a ON a.id = g.escrow_account_id
       WHERE g.capacity * g.gift_price_kobo <> a.balance
             + coalesce((SELECT sum(h.posted_amount) FROM holds h
                          WHERE h.account_id = g.escrow_account_id AND h.status = 'posted'), 0)
             + coalesce((SELECT sum(-p.amount) FROM postings p JOIN journal_entries e ON e.id = p.entry_id
                          WHERE p.account_id = g.escrow_account_id AND e.type IN ('gift_cash', 'gift_room_refund')), 0)
          OR NOT EXISTS (SELECT 1 FROM postings p WHERE p.entry_id = g.funding_entry_id
                            AND p.account_id = g.escrow_account_id AND p.amount = g.capacity * g.gift_price_kobo)`,
  },
];

export async function checkLedger(db: Db): Promise<LedgerCheck[]> {
  const results: LedgerCheck[] = [];
  for (const check of CHECKS) {
    const checked = await sql<{
      n: number;
    }>`SELECT count(*) AS n FROM (${check.checkedSql}) AS examined`.execute(db);
    const violations = await sql<Record<string, unknown>>`${check.violationsSql}`.execute(db);
    results.push({
      id: check.id,
      name: check.name,
      ok: violations.rows.length === 0,
      checked: checked.rows[0]?.n ?? 0,
      violations: violations.rows.length,
      ...(violations.rows.length > 0 ? { sample: violations.rows.slice(0, 5) } : {}),
    });
  }
  return results;
}

export function formatLedgerChecks(results: LedgerCheck[]): string {
  return results
    .map(
      (r) =>
        `${r.ok ? "PASS" : "FAIL"} ${r.id.padEnd(4)} ${r.name} (checked ${r.checked}, violations ${r.violations})` +
        (r.sample ? `\n     e.g. ${JSON.stringify(r.sample)}` : ""),
    )
    .join("\n");
}
