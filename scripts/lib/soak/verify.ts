import { type Kysely, sql } from "kysely";
import type { Database } from "../../../db/database";
import type { SoakHttp } from "./http";
import { expectedWallet, type SoakUser } from "./model";
import type { Violations } from "./violations";

/**
 * The checks after the load: what the sandbox providers' own books (their tables, the "ground
 * truth" of what was vended, reversed, paid and transferred) say against our orders, withdrawals
 * and fundings (reliability.md C2–C5), orders stuck past their windows, one order per key, and
 * every wallet against the client-side model. Queries are raw SQL on purpose: the soak reads the
 * tables as an auditor would, not through the code under test.
 */

/** How long each kind of unfinished business may take (derived from the configuration the soak sets). */
export type Windows = {
  /** A submit/requery lease: `held`/`submitting` may last this long after a crash. */
  leaseSeconds: number;
  sweepSeconds: number;
  /** From a sandbox reversal's due time until our order must be `reversed`. */
  reversalSeconds: number;
  manualReviewMinutes: number;
};

type Db = Kysely<Database>;

type OrderRow = {
  id: string;
  user_id: string;
  state: string;
  service: string;
  recipient: string;
  channel: string;
  created_at: Date;
  updated_at: Date;
  next_check_at: Date | null;
  delivered_at: Date | null;
  reversal_entry_id: number | null;
};

export type SettleReport = { settled: boolean; waitedSeconds: number; waitingFor: string[] };

/**
 * Wait (bounded) until nothing is left in flight: every order terminal (or in manual review),
 * every due sandbox reversal given its window to be found, every withdrawal final, every paid
 * checkout credited or refused.
 */
export async function waitForSettlement(
  db: Db,
  windows: Windows,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<SettleReport> {
  const started = Date.now();
  let waitingFor: string[] = [];
  let lastLog = 0;
  for (;;) {
    waitingFor = await unsettled(db, windows).catch((error: Error) => [`database: ${error.message}`]);
    if (waitingFor.length === 0) {
      return { settled: true, waitedSeconds: (Date.now() - started) / 1000, waitingFor };
    }
    if (Date.now() - started > timeoutMs) {
      return { settled: false, waitedSeconds: (Date.now() - started) / 1000, waitingFor };
    }
    if (Date.now() - lastLog > 15_000) {
      lastLog = Date.now();
      log(`settling (${Math.round((Date.now() - started) / 1000)} s): waiting for ${waitingFor.join(", ")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

async function unsettled(db: Db, windows: Windows): Promise<string[]> {
  const waiting: string[] = [];
  const orders = await sql<{ state: string; n: number }>`
    SELECT state, count(*)::int AS n FROM vtu_orders
    WHERE state IN ('held', 'submitting', 'pending', 'unknown') GROUP BY state`.execute(db);
  for (const row of orders.rows) {
    waiting.push(`${row.n} ${row.state} order(s)`);
  }
  const reversals = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM sandbox_vtu_transactions t
    JOIN vtu_attempts a ON a.request_id = t.request_id AND a.provider = t.provider
    JOIN vtu_orders o ON o.id = a.order_id
    WHERE t.scenario = 'success_then_reversed' AND o.state = 'delivered'
      AND (t.resolve_at IS NULL OR t.resolve_at > now() - make_interval(secs => ${windows.reversalSeconds}))
      AND t.status <> 'failed'`.execute(db);
  const dueReversals = reversals.rows[0]?.n ?? 0;
  if (dueReversals > 0) {
    waiting.push(`${dueReversals} delivered-then-reversed order(s) inside their reversal window`);
  }
  const withdrawals = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM withdrawals WHERE state NOT IN ('successful', 'failed')`.execute(db);
  if ((withdrawals.rows[0]?.n ?? 0) > 0) {
    waiting.push(`${withdrawals.rows[0]?.n} withdrawal(s) in flight`);
  }
  const payments = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM sandbox_gateway_payments p
    JOIN funding_intents i ON i.tx_ref = p.tx_ref
    WHERE p.status IN ('successful', 'failed') AND i.status = 'pending'`.execute(db);
  if ((payments.rows[0]?.n ?? 0) > 0) {
    waiting.push(`${payments.rows[0]?.n} paid/failed checkout(s) not yet booked`);
  }
  return waiting;
}

/**
 * The sandbox outcome a recipient's last four digits promise (README "Sandbox outcomes"). Out of
 * float (0007) fails over to `sandbox-b`, which sells airtime and data only: cable and electricity
 * have nowhere to go and fail (refunded).
 */
export function expectedFinalState(recipient: string, service: string): "delivered" | "failed" | "reversed" {
  switch (recipient.slice(-4)) {
    case "0001":
    case "0003":
    case "0005":
      return "failed";
    case "0007":
      return service === "airtime" || service === "data" ? "delivered" : "failed";
    case "0008":
      return "reversed";
    default:
      return "delivered";
  }
}

export type OrderCounts = Record<string, number>;

/** Every database-side check; returns the orders by final state for the summary. */
export async function verifyDatabase(
  db: Db,
  windows: Windows,
  users: SoakUser[],
  violations: Violations,
): Promise<OrderCounts> {
  const now = new Date();
  const orders = (
    await sql<OrderRow>`
      SELECT id, user_id, state, service, recipient, channel, created_at, updated_at, next_check_at,
             delivered_at, reversal_entry_id
      FROM vtu_orders ORDER BY created_at`.execute(db)
  ).rows;
  const counts: OrderCounts = {};
  for (const order of orders) {
    counts[order.state] = (counts[order.state] ?? 0) + 1;
  }

  // (c) nothing stuck past its window.
  for (const order of orders) {
    const age = (now.getTime() - order.created_at.getTime()) / 1000;
    if (order.state === "held" || order.state === "submitting") {
      violations.add(
        "stuck",
        `order ${order.state} after settlement (${Math.round(age)} s old)`,
        orderEvidence(order),
      );
    } else if (order.state === "pending" || order.state === "unknown") {
      const overdue = order.next_check_at
        ? (now.getTime() - order.next_check_at.getTime()) / 1000
        : Number.POSITIVE_INFINITY;
      if (overdue > windows.sweepSeconds * 2 + 30) {
        violations.add(
          "stuck",
          `order ${order.state} with no requery scheduled (next check ${order.next_check_at?.toISOString() ?? "none"})`,
          orderEvidence(order),
        );
      } else if (age > windows.manualReviewMinutes * 60) {
        violations.add(
          "stuck",
          `order ${order.state} older than VTU_MANUAL_REVIEW_AFTER_MINUTES`,
          orderEvidence(order),
        );
      }
    }
  }
  const stuckWithdrawals = await sql<{
    id: string;
    state: string;
    created_at: Date;
    next_check_at: Date | null;
  }>`
    SELECT id, state, created_at, next_check_at FROM withdrawals WHERE state NOT IN ('successful', 'failed')`.execute(
    db,
  );
  for (const w of stuckWithdrawals.rows) {
    violations.add("stuck", `withdrawal ${w.state} after settlement`, {
      withdrawal: w.id,
      createdAt: w.created_at.toISOString(),
      nextCheckAt: w.next_check_at?.toISOString() ?? null,
    });
  }

  // Each sandbox scenario ends the way the README promises.
  for (const order of orders) {
    if (!["delivered", "failed", "reversed", "manual_review"].includes(order.state)) {
      continue;
    }
    const expected = expectedFinalState(order.recipient, order.service);
    const reversalPending = expected === "reversed" && order.state === "delivered";
    if (order.state !== expected && !reversalPending) {
      violations.add(
        "outcome",
        `order ended ${order.state}; its recipient …${order.recipient.slice(-4)} promises ${expected}`,
        orderEvidence(order),
      );
    }
  }

  // (d) one order per Idempotency-Key, one withdrawal per key.
  const duplicates = await sql<{ key_id: number; n: number; ids: string[] }>`
    SELECT idempotency_key_id AS key_id, count(*)::int AS n, array_agg(id) AS ids FROM vtu_orders
    WHERE idempotency_key_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1`.execute(db);
  for (const d of duplicates.rows) {
    violations.add("idempotency", `${d.n} orders share one Idempotency-Key`, {
      keyId: d.key_id,
      orders: d.ids,
    });
  }
  const duplicateWithdrawals = await sql<{ key_id: number; n: number; ids: string[] }>`
    SELECT idempotency_key_id AS key_id, count(*)::int AS n, array_agg(id) AS ids FROM withdrawals
    WHERE idempotency_key_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1`.execute(db);
  for (const d of duplicateWithdrawals.rows) {
    violations.add("idempotency", `${d.n} withdrawals share one Idempotency-Key`, {
      keyId: d.key_id,
      withdrawals: d.ids,
    });
  }
  // Every API order belongs to an answer the client got (a retry converged on it).
  const known = new Set(users.flatMap((u) => [...u.orders.keys()]));
  const soakUsers = new Set(users.map((u) => u.id).filter((id): id is string => id !== undefined));
  for (const order of orders) {
    if (order.channel === "api" && soakUsers.has(order.user_id) && !known.has(order.id)) {
      violations.add(
        "idempotency",
        "an order exists that no answer to the client named (a retry did not converge on it)",
        orderEvidence(order),
      );
    }
  }

  await verifyProviderTruth(db, windows, violations);
  await verifyMoneyRails(db, violations);
  return counts;
}

/** (e) and C2/C3: the sandbox provider's books against our orders. */
async function verifyProviderTruth(db: Db, windows: Windows, violations: Violations): Promise<void> {
  const rows = (
    await sql<{
      provider: string;
      request_id: string;
      status: string;
      scenario: string;
      resolve_at: Date | null;
      tx_created_at: Date;
      order_id: string | null;
      order_state: string | null;
      delivered_at: Date | null;
      reversed_at: Date | null;
      reversal_entry_id: number | null;
      attempt_state: string | null;
    }>`
      SELECT t.provider, t.request_id, t.status, t.scenario, t.resolve_at, t.created_at AS tx_created_at,
             o.id AS order_id, o.state AS order_state, o.delivered_at, o.reversed_at, o.reversal_entry_id,
             a.state AS attempt_state
      FROM sandbox_vtu_transactions t
      LEFT JOIN vtu_attempts a ON a.request_id = t.request_id AND a.provider = t.provider
      LEFT JOIN vtu_orders o ON o.id = a.order_id`.execute(db)
  ).rows;
  const now = Date.now();
  for (const t of rows) {
    const evidence = {
      order: t.order_id,
      orderState: t.order_state,
      provider: t.provider,
      requestId: t.request_id,
      providerStatus: t.status,
      scenario: t.scenario,
      vendedAt: t.tx_created_at.toISOString(),
      reversalDueAt: t.resolve_at?.toISOString() ?? null,
      deliveredAt: t.delivered_at?.toISOString() ?? null,
    };
    if (!t.order_id) {
      violations.add("vend", "the sandbox provider holds a transaction no order's attempt knows", evidence);
      continue;
    }
    if (t.status === "reversed") {
      if (t.order_state !== "reversed" || t.reversal_entry_id === null) {
        violations.add(
          "reversal",
          "the provider reversed the transaction; our order is not reversed and refunded",
          evidence,
        );
      }
      continue;
    }
    if (t.scenario === "success_then_reversed" && t.status === "success" && t.resolve_at) {
      const overdue = (now - t.resolve_at.getTime()) / 1000;
      if (overdue > windows.reversalSeconds && t.order_state === "delivered") {
        violations.add(
          "reversal",
          `reversal lost: the provider's reversal was due ${Math.round(overdue)} s ago and nothing found it; the customer paid for nothing`,
          evidence,
        );
        continue;
      }
    }
    if (t.status === "success" && (t.order_state === "failed" || t.order_state === "reversed")) {
      // C2: vended means delivered and paid for, never refunded (an unresolved one is "stuck").
      violations.add("vend", `the provider vended it; our order is ${t.order_state} (refunded)`, evidence);
    }
    if (
      (t.status === "failed" || t.status === "not_processed") &&
      t.order_state === "delivered" &&
      t.attempt_state === "delivered"
    ) {
      violations.add("vend", "the provider says this attempt failed; our order is delivered on it", evidence);
    }
  }
  // C3: a refunded order has no vend at any provider.
  const refundedButVended = await sql<{ order_id: string; request_id: string; status: string }>`
    SELECT o.id AS order_id, t.request_id, t.status FROM vtu_orders o
    JOIN vtu_attempts a ON a.order_id = o.id
    JOIN sandbox_vtu_transactions t ON t.request_id = a.request_id AND t.provider = a.provider
    WHERE o.state = 'failed' AND t.status IN ('success', 'processing')`.execute(db);
  for (const r of refundedButVended.rows) {
    violations.add(
      "vend",
      "the order was refunded (failed) but the provider vended (or is still processing) it",
      {
        order: r.order_id,
        requestId: r.request_id,
        providerStatus: r.status,
      },
    );
  }
}

/** Withdrawals against the sandbox gateway's transfers, fundings against its payments (C5). */
async function verifyMoneyRails(db: Db, violations: Violations): Promise<void> {
  const transfers = await sql<{ id: string; state: string; transfer: string | null }>`
    SELECT w.id, w.state,
           CASE WHEN t.status = 'NEW' AND t.resolve_at <= now() THEN t.final_status ELSE t.status END AS transfer
    FROM withdrawals w LEFT JOIN sandbox_gateway_transfers t ON t.reference = w.reference`.execute(db);
  for (const w of transfers.rows) {
    const ok =
      (w.state === "successful" && w.transfer === "SUCCESSFUL") ||
      (w.state === "failed" && (w.transfer === "FAILED" || w.transfer === null)) ||
      !["successful", "failed"].includes(w.state);
    if (!ok) {
      violations.add(
        "withdrawal",
        `withdrawal ${w.state} but the bank transfer is ${w.transfer ?? "absent"}`,
        {
          withdrawal: w.id,
        },
      );
    }
  }
  const payments = await sql<{ tx_ref: string; paid: string; intent: string | null }>`
    SELECT p.tx_ref, p.status AS paid, i.status AS intent
    FROM sandbox_gateway_payments p LEFT JOIN funding_intents i ON i.tx_ref = p.tx_ref`.execute(db);
  for (const p of payments.rows) {
    if (p.paid === "successful" && p.intent !== "credited") {
      violations.add(
        "funding",
        `a checkout was paid at the gateway; its intent is ${p.intent ?? "missing"} (never credited)`,
        {
          txRef: p.tx_ref,
        },
      );
    } else if (p.paid !== "successful" && p.intent === "credited") {
      violations.add("funding", `an intent was credited; the gateway says the payment is ${p.paid}`, {
        txRef: p.tx_ref,
      });
    }
  }
}

/** (b) every wallet equals the model built from the API's answers. */
export async function verifyBalances(
  http: SoakHttp,
  users: SoakUser[],
  violations: Violations,
): Promise<number> {
  let checked = 0;
  for (const user of users) {
    if (!user.token || !user.id) {
      continue;
    }
    const reply = await http.call({
      method: "GET",
      path: "/api/wallet/balance",
      token: user.token,
      label: "final-balance",
    });
    const actual = reply.body?.data;
    const expected = expectedWallet(user);
    checked++;
    if (actual?.balanceKobo !== expected.balanceKobo || actual?.heldKobo !== expected.heldKobo) {
      const unresolved = [...user.orders.values()].filter(
        (o) => !["delivered", "failed", "reversed"].includes(o.state),
      );
      violations.add("balance", "the wallet does not match the client-side model", {
        user: user.id,
        expected,
        actual: { balanceKobo: actual?.balanceKobo, heldKobo: actual?.heldKobo },
        diffKobo: (actual?.balanceKobo ?? 0) - expected.balanceKobo,
        orders: user.orders.size,
        unresolvedOrders: unresolved.map((o) => `${o.id}:${o.state}`).slice(0, 10),
        withdrawals: user.withdrawals.size,
        rooms: user.rooms.size,
        cashGifts: user.cashGifts.size,
      });
    }
  }
  return checked;
}

function orderEvidence(order: OrderRow): Record<string, unknown> {
  return {
    order: order.id,
    service: order.service,
    state: order.state,
    recipientTail: order.recipient.slice(-4),
    channel: order.channel,
    createdAt: order.created_at.toISOString(),
    updatedAt: order.updated_at.toISOString(),
    nextCheckAt: order.next_check_at?.toISOString() ?? null,
    deliveredAt: order.delivered_at?.toISOString() ?? null,
  };
}
