/**
 * The raw purchase floor of `npm run bench`: the durable writes of one sandbox airtime purchase, as
 * the purchase path makes them (api/services/vtu/create-order.ts, process-order.ts, transitions.ts,
 * api/services/ledger/*), written with two plain SQL statements on a raw pg.Pool: no HTTP, no job
 * queue, no query builder, no triggers, into bench_* tables of their own (the product's tables are
 * left alone, so check-ledger still checks only what the product wrote).
 *
 *   1. the request, committed before the provider is called (its request id first, DESIGN §6): the
 *      idempotency key, the money-action rate-limit counter, the hold with the wallet's held amount,
 *      the order, the attempt;
 *   2. the provider's answer: the sandbox's own transaction row, the exchange, the attempt and the
 *      hold resolved, two journal entries (hold_post, vtu_settle) with their five postings and
 *      balance chain, the four accounts they move (the buyer's wallet, and VTU clearing, provider
 *      float and fees revenue, which every purchase shares), the order delivered, the notification.
 *
 * Each statement is its own transaction (two commits per purchase, the fewest that keep the request
 * id committed before the call). What the product adds on top (the PIN check, reads, the job queue,
 * foreign keys and ledger triggers, more round trips and commits) is what purchases/s ÷ floor ops/s
 * prices.
 */
import { createHash } from "node:crypto";
import type pg from "pg";
import type { Op } from "./bench-stats";

/** ₦100 airtime at a made-up cost: what matters is that the settle entry has three postings, as ours. */
const PRICE_KOBO = 10_000;
const COST_KOBO = 9_700;
/**
 * The three system account families every purchase posts to, split into shards as the product splits
 * them (SYSTEM_ACCOUNT_SHARDS, DECISIONS §1): family f's shard k is account 1 + f + 3k, and a wallet
 * uses shard `wallet id mod shards`, as `systemAccountFor` picks it.
 */
const FAMILIES = [
  { code: "system:vtu_clearing", allowNegative: false },
  { code: "system:provider_float", allowNegative: true },
  { code: "system:fees_revenue", allowNegative: true },
] as const;
const FIRST_WALLET = 10_000;

function systemAccount(family: 0 | 1 | 2, wallet: number, shards: number): number {
  return 1 + family + 3 * (shards <= 1 ? 0 : wallet % shards);
}

const SCHEMA = `
CREATE TABLE bench_accounts (
  id bigint PRIMARY KEY, code text NOT NULL UNIQUE, allow_negative boolean NOT NULL,
  opening_balance bigint NOT NULL, balance bigint NOT NULL, held bigint NOT NULL DEFAULT 0 CHECK (held >= 0),
  version bigint NOT NULL DEFAULT 0, CHECK (allow_negative OR balance - held >= 0));
CREATE TABLE bench_idempotency_keys (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, scope text NOT NULL, key text NOT NULL,
  operation text NOT NULL, fingerprint text NOT NULL, response jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(), UNIQUE (scope, key));
CREATE TABLE bench_rate_limits (
  key text NOT NULL, window_start timestamptz NOT NULL, count integer NOT NULL, PRIMARY KEY (key, window_start));
CREATE TABLE bench_holds (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, account_id bigint NOT NULL,
  destination_account_id bigint NOT NULL, amount bigint NOT NULL CHECK (amount > 0),
  status text NOT NULL DEFAULT 'pending', posted_amount bigint, description text NOT NULL,
  idempotency_key_id bigint, created_at timestamptz NOT NULL DEFAULT now(), resolved_at timestamptz);
CREATE TABLE bench_orders (
  id text PRIMARY KEY, user_ref text NOT NULL, service text NOT NULL, product_id text NOT NULL,
  state text NOT NULL, recipient text NOT NULL, network text, face_amount_kobo bigint NOT NULL,
  price_kobo bigint NOT NULL, cost_kobo bigint, provider text NOT NULL, hold_id bigint NOT NULL UNIQUE,
  settle_entry_id bigint UNIQUE, idempotency_key_id bigint, message text,
  created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz);
CREATE TABLE bench_attempts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, order_id text NOT NULL, attempt_no smallint NOT NULL,
  provider text NOT NULL, request_id text NOT NULL UNIQUE, state text NOT NULL, provider_reference text,
  cost_kobo bigint NOT NULL, message text, created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(), UNIQUE (order_id, attempt_no));
CREATE TABLE bench_provider_transactions (
  provider text NOT NULL, request_id text NOT NULL, reference text NOT NULL UNIQUE, recipient text NOT NULL,
  amount_kobo bigint NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, request_id));
CREATE TABLE bench_provider_exchanges (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, attempt_id bigint NOT NULL, kind text NOT NULL,
  outcome text NOT NULL, message text NOT NULL, raw text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX ON bench_provider_exchanges (attempt_id, id);
CREATE TABLE bench_journal_entries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, type text NOT NULL, description text NOT NULL,
  actor text NOT NULL, hold_id bigint UNIQUE, metadata jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE bench_postings (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, entry_id bigint NOT NULL, account_id bigint NOT NULL,
  amount bigint NOT NULL CHECK (amount <> 0), previous_balance bigint NOT NULL, current_balance bigint NOT NULL,
  account_version bigint NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, account_version));
CREATE INDEX ON bench_postings (entry_id);
CREATE TABLE bench_notifications (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_ref text NOT NULL, kind text NOT NULL,
  body text NOT NULL, payload jsonb NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
`;

/** Statement 1: everything the request commits before the provider is called. */
const REQUEST = `
WITH idem AS (
  INSERT INTO bench_idempotency_keys (scope, key, operation, fingerprint, response)
  VALUES ($1, $2, 'vtu.airtime', $3, jsonb_build_object('orderId', $4::text))
  RETURNING id
), rate AS (
  INSERT INTO bench_rate_limits AS r (key, window_start, count) VALUES ($5, date_trunc('minute', now()), 1)
  ON CONFLICT (key, window_start) DO UPDATE SET count = r.count + 1
  RETURNING count
), wallet AS (
  UPDATE bench_accounts SET held = held + $6 WHERE id = $7 AND balance - held >= $6 RETURNING id
), hold AS (
  INSERT INTO bench_holds (account_id, destination_account_id, amount, description, idempotency_key_id)
  SELECT wallet.id, $8::bigint, $6::bigint, $9::text, idem.id FROM wallet, idem
  RETURNING id
), ord AS (
  INSERT INTO bench_orders (id, user_ref, service, product_id, state, recipient, network, face_amount_kobo,
                            price_kobo, provider, hold_id, idempotency_key_id)
  SELECT $4::text, $10::text, 'airtime', 'airtime:mtn', 'submitting', $11::text, 'mtn', $12::bigint, $6::bigint,
         'sandbox', hold.id, idem.id
    FROM hold, idem
  RETURNING id
), attempt AS (
  INSERT INTO bench_attempts (order_id, attempt_no, provider, request_id, state, cost_kobo)
  SELECT ord.id, 1, 'sandbox', $13::text, 'submitting', $14::bigint FROM ord
  RETURNING id
)
SELECT hold.id AS hold_id, attempt.id AS attempt_id, rate.count FROM hold, attempt, rate`;

/**
 * Statement 2: the provider's answer applied. The accounts are locked in id order (`locked`), as
 * lockAccounts does, so concurrent purchases cannot deadlock on the system accounts; and they
 * are locked last: the main query reads the CTEs in its order, and `posted` (which needs `moved`,
 * which needs `locked`) comes last, so the three system rows (this wallet's shards) are held only
 * for the postings and the commit.
 */
const DELIVERY = `
WITH provider AS (
  INSERT INTO bench_provider_transactions (provider, request_id, reference, recipient, amount_kobo, status)
  VALUES ('sandbox', $1, $2, $3, $4, 'success')
  RETURNING reference
), exchange AS (
  INSERT INTO bench_provider_exchanges (attempt_id, kind, outcome, message, raw)
  VALUES ($5, 'submit', 'delivered', 'Delivered', $6)
  RETURNING id
), attempt AS (
  UPDATE bench_attempts SET state = 'delivered', provider_reference = $2, message = 'Delivered', updated_at = now()
   WHERE id = $5 AND state = 'submitting'
  RETURNING id
), hold AS (
  UPDATE bench_holds SET status = 'posted', posted_amount = amount, resolved_at = now()
   WHERE id = $7 AND status = 'pending'
  RETURNING id
), postings_in (seq, entry_type, account_id, amount) AS (
  VALUES (1, 'hold_post', $8::bigint, -($9::bigint)), (2, 'hold_post', $10::bigint, $9::bigint),
         (3, 'vtu_settle', $10::bigint, -($9::bigint)), (4, 'vtu_settle', $11::bigint, $12::bigint),
         (5, 'vtu_settle', $13::bigint, $9::bigint - $12::bigint)
), locked AS (
  SELECT id FROM bench_accounts WHERE id IN (SELECT account_id FROM postings_in) ORDER BY id FOR UPDATE
), moved AS (
  UPDATE bench_accounts a
     SET balance = a.balance + d.delta, version = a.version + d.n,
         held = a.held - CASE WHEN a.id = $8 THEN $9::bigint ELSE 0 END
    FROM (SELECT account_id, sum(amount) AS delta, count(*) AS n FROM postings_in GROUP BY account_id) d, locked l
   WHERE a.id = d.account_id AND l.id = d.account_id
  RETURNING a.id, a.balance, a.version
), entries AS (
  INSERT INTO bench_journal_entries (type, description, actor, hold_id, metadata)
  SELECT e.type, e.description, 'system:vtu:sandbox', e.hold_id, jsonb_build_object('orderId', $14::text)
    FROM (VALUES ('hold_post', 'Delivered: ' || $14, (SELECT id FROM hold)),
                 ('vtu_settle', 'Settle ' || $14 || ' at sandbox', NULL)) AS e (type, description, hold_id)
  RETURNING id, type
), posted AS (
  INSERT INTO bench_postings (entry_id, account_id, amount, previous_balance, current_balance, account_version)
  SELECT e.id, p.account_id, p.amount, m.balance - p.later - p.amount, m.balance - p.later, m.version - p.later_n
    FROM (SELECT *, coalesce(sum(amount) OVER w, 0) AS later, count(*) OVER w AS later_n
            FROM postings_in
          WINDOW w AS (PARTITION BY account_id ORDER BY seq DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) p
    JOIN entries e ON e.type = p.entry_type
    JOIN moved m ON m.id = p.account_id
  RETURNING id
), ord AS (
  UPDATE bench_orders
     SET state = 'delivered', cost_kobo = $12, settle_entry_id = (SELECT id FROM entries WHERE type = 'vtu_settle'),
         message = $15, delivered_at = now(), updated_at = now()
   WHERE id = $14 AND state = 'submitting'
  RETURNING id, user_ref
), note AS (
  INSERT INTO bench_notifications (user_ref, kind, body, payload, status)
  SELECT ord.user_ref, 'order.delivered', $15, jsonb_build_object('orderId', ord.id), 'undeliverable' FROM ord
  RETURNING id
)
SELECT (SELECT count(*) FROM provider) AS providers, (SELECT count(*) FROM exchange) AS exchanges,
       (SELECT count(*) FROM attempt) AS attempts, (SELECT count(*) FROM hold) AS holds,
       (SELECT count(*) FROM ord) AS orders, (SELECT count(*) FROM note) AS notes,
       (SELECT count(*) FROM posted) AS postings`;

/**
 * A named statement: each connection parses and plans it once, as the product's repeated statements
 * are (db/prepared-statements.ts, which names pool.query(text, values) from its second use too).
 */
function named(name: string, text: string, values: unknown[]): pg.QueryConfig {
  return { name, text, values };
}

export type PurchaseFloor = {
  /** One purchase's writes, as wallet `caller`: two statements, two commits. */
  purchase: Op;
  /** Every floor order delivered, every hold posted, every entry balanced, every balance its postings. */
  verify(): Promise<string[]>;
};

/** Create the floor's tables in the database of `raw`, with one funded wallet per caller. */
export async function createPurchaseFloor(
  raw: pg.Pool,
  args: { callers: number; fundKobo: number; tag: string; shards: number },
): Promise<PurchaseFloor> {
  await raw.query(SCHEMA);
  const shards = Math.max(1, args.shards);
  for (const [f, family] of FAMILIES.entries()) {
    await raw.query(
      `INSERT INTO bench_accounts (id, code, allow_negative, opening_balance, balance)
       SELECT 1 + $1::int + 3 * k, $2 || CASE WHEN k = 0 THEN '' ELSE '#' || k END, $3, 0, 0
         FROM generate_series(0, $4::int - 1) AS k`,
      [f, family.code, family.allowNegative, shards],
    );
  }
  await raw.query(
    `INSERT INTO bench_accounts (id, code, allow_negative, opening_balance, balance)
     SELECT id, 'wallet:floor-' || id, false, $2, $2 FROM generate_series($1::bigint, $1::bigint + $3 - 1) AS id`,
    [FIRST_WALLET, args.fundKobo, args.callers],
  );
  let seq = 0;
  let done = 0;

  const purchase: Op = async (caller) => {
    const n = ++seq;
    const wallet = FIRST_WALLET + caller;
    const user = `floor-${caller}`;
    const orderId = `ord_floor_${args.tag}_${n}`;
    const requestId = `req_floor_${args.tag}_${n}`;
    const phone = `0803${String(caller % 1000).padStart(3, "0")}1234`;
    // As the product: the fingerprint is a hash of the request, computed here.
    const fingerprint = createHash("sha256")
      .update(`vtu.airtime\n{"amountKobo":${PRICE_KOBO},"network":"mtn","phone":"${phone}"}`)
      .digest("hex");
    const request = await raw.query<{ hold_id: string; attempt_id: string }>(
      named("floor_request", REQUEST, [
        `user:${user}`,
        `floor-${args.tag}-${n}`,
        fingerprint,
        orderId,
        `money:${user}`,
        PRICE_KOBO,
        wallet,
        systemAccount(0, wallet, shards),
        `Airtime ₦100 for ${phone}`,
        user,
        phone,
        PRICE_KOBO,
        requestId,
        COST_KOBO,
      ]),
    );
    const held = request.rows[0];
    if (!held) {
      throw new Error(`floor: wallet ${wallet} could not hold ${PRICE_KOBO} kobo`);
    }
    const delivery = await raw.query<Record<string, string>>(
      named("floor_delivery", DELIVERY, [
        requestId,
        `SBX-${args.tag}-${n}`,
        phone,
        PRICE_KOBO,
        held.attempt_id,
        `{"status":"success","reference":"SBX-${args.tag}-${n}"}`,
        held.hold_id,
        wallet,
        PRICE_KOBO,
        systemAccount(0, wallet, shards),
        systemAccount(1, wallet, shards),
        COST_KOBO,
        systemAccount(2, wallet, shards),
        orderId,
        `Delivered: ₦100 airtime for ${phone}.`,
      ]),
    );
    const row = delivery.rows[0];
    const expected = { providers: 1, exchanges: 1, attempts: 1, holds: 1, orders: 1, notes: 1, postings: 5 };
    for (const [key, count] of Object.entries(expected)) {
      if (Number(row?.[key]) !== count) {
        throw new Error(`floor: order ${orderId} wrote ${row?.[key]} ${key}, expected ${count}`);
      }
    }
    done++;
  };

  const verify = async () => {
    const { rows } = await raw.query<Record<string, string>>(`
      SELECT (SELECT count(*) FROM bench_orders) AS orders,
             (SELECT count(*) FROM bench_orders WHERE state <> 'delivered') AS open_orders,
             (SELECT count(*) FROM bench_holds WHERE status <> 'posted') AS open_holds,
             (SELECT count(*) FROM (SELECT 1 FROM bench_postings GROUP BY entry_id HAVING sum(amount) <> 0) u) AS unbalanced,
             (SELECT count(*) FROM bench_accounts a
               WHERE a.held <> 0
                  OR a.balance <> a.opening_balance
                                  + coalesce((SELECT sum(amount) FROM bench_postings p WHERE p.account_id = a.id), 0)
             ) AS wrong_accounts`);
    const r = rows[0] ?? {};
    const problems: string[] = [];
    if (Number(r.orders) !== done) {
      problems.push(`${r.orders} floor orders, but ${done} floor purchases finished`);
    }
    for (const key of ["open_orders", "open_holds", "unbalanced", "wrong_accounts"]) {
      if (Number(r[key]) !== 0) {
        problems.push(`${r[key]} ${key.replace("_", " ")}`);
      }
    }
    return problems;
  };

  return { purchase, verify };
}
