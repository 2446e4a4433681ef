import { sql } from "kysely";
import type { VtuAttemptRow, VtuOrderRow } from "../../../db/database";
import { raiseAlert } from "../alerts/alerts";
import type { ServiceContext, Trx } from "../context";
import { releaseFailedGift } from "../gift-rooms/order-failed";
import {
  getWalletAccountId,
  lockAccounts,
  postEntry,
  postHold,
  SYSTEM_ACCOUNTS,
  systemAccountFor,
  voidHold,
} from "../ledger";
import { formatNaira } from "../money";
import { notificationArgs, queueNotification } from "../notifications";
import { exactJsonText } from "../storable-text";
import { stateMessage } from "./order-dto";
import type { VendResult } from "./provider";
import { encryptToken } from "./token-crypto";
import { firstVerificationAt } from "./verify-delivery";

/**
 * The money side of the order state machine, each run inside the caller's transaction with the
 * order row locked. Every function here is the only place its transition happens.
 */

/** held/submitting/pending/unknown/manual_review → delivered: post the hold, settle cost and margin. */
export async function deliverOrder(
  trx: Trx,
  ctx: ServiceContext,
  order: VtuOrderRow,
  attempt: VtuAttemptRow,
  result: VendResult,
): Promise<void> {
  const now = ctx.now();
  const actor = `system:vtu:${attempt.provider}`;
  const posted = await postHold(trx, {
    holdId: order.hold_id,
    actor,
    now,
    description: `Delivered: ${order.id}`,
  });
  const cost = attempt.cost_kobo ?? order.price_kobo;
  const margin = order.price_kobo - cost;
  // The clearing shard the hold posted into pays out (it may not go negative); float and revenue
  // use the shard of the same payer.
  const clearing = posted.destinationAccountId;
  const [float, revenue] = await Promise.all([
    systemAccountFor(ctx, trx, SYSTEM_ACCOUNTS.providerFloat, posted.sourceAccountId),
    systemAccountFor(ctx, trx, SYSTEM_ACCOUNTS.feesRevenue, posted.sourceAccountId),
  ]);
  // Clearing → what the provider consumed from our float + our margin (negative after a dearer failover).
  const postings = [
    { accountId: clearing, amount: -order.price_kobo },
    { accountId: float, amount: cost },
    ...(margin !== 0 ? [{ accountId: revenue, amount: margin }] : []),
  ];
  const settleEntryId = await postEntry(trx, {
    type: "vtu_settle",
    description: `Settle ${order.id} at ${attempt.provider}`,
    actor,
    postings,
    metadata: { orderId: order.id, attemptId: attempt.id, costKobo: cost },
  });
  const planName = await planNameOf(trx, order);
  const { token, message: delivered } = deliveredTexts(order, result, planName);
  await trx
    .updateTable("vtu_orders")
    .set({
      state: "delivered",
      settle_entry_id: settleEntryId,
      cost_kobo: cost,
      provider: attempt.provider,
      token_encrypted: token ? encryptToken(ctx.config, token) : null,
      units: result.units ?? null,
      customer_name: order.customer_name ?? result.customerName ?? null,
      message: delivered,
      next_check_at: null,
      lease_owner: null,
      // The order stays under watch: the provider is asked again later (verify-delivery.ts).
      verify_due_at: await firstVerificationAt(trx, ctx, attempt.provider, now),
      delivered_at: now,
      updated_at: now,
    })
    .where("id", "=", order.id)
    .execute();
  await queueNotification(trx, {
    userId: order.user_id,
    kind: "order.delivered",
    body: delivered,
    payload: { orderId: order.id, hasToken: token !== undefined, notice: orderNotice(order, planName) },
  });
}

/** What a delivery tells the customer, and the token a prepaid meter gets (never in the message). */
function deliveredTexts(
  order: VtuOrderRow,
  result: VendResult,
  planName: string | undefined,
): { token: string | undefined; message: string } {
  // Only a prepaid meter has a token to key in; whatever a provider says for other orders is not one.
  const token =
    order.service === "electricity" && order.meter_type === "prepaid"
      ? result.token?.replace(/\s|-/g, "") || undefined
      : undefined;
  return { token, message: deliveredMessage(order, token, planName) };
}

/**
 * `deliverOrder` in one statement (`vtu_deliver_order`, db migration 2026_12_06_1500) for the usual
 * case: the answer is about the attempt in flight of an open order. `order` is the row as the step
 * that called the provider read it (its service, recipient, amounts and product do not change).
 * Returns false, having written nothing, when the order or attempt is in any other state; the caller
 * then takes the general path, which records the answer and decides.
 */
export async function deliverInOneCall(
  ctx: ServiceContext,
  args: {
    order: VtuOrderRow;
    attemptId: number;
    kind: "submit" | "requery";
    result: VendResult;
    durationMs: number | undefined;
    planName: string | undefined;
  },
): Promise<boolean> {
  const { order, result } = args;
  const { token, message } = deliveredTexts(order, result, args.planName);
  const notification = notificationArgs({
    kind: "order.delivered",
    payload: { orderId: order.id, hasToken: token !== undefined, notice: orderNotice(order, args.planName) },
  });
  const { rows } = await sql<{ step: string }>`
    SELECT vtu_deliver_order(
      p_order_id => ${order.id}, p_attempt_id => ${args.attemptId}, p_kind => ${args.kind},
      p_exchange_message => ${result.message}, p_raw => ${exactJsonText(result.raw)},
      p_duration_ms => ${args.durationMs === undefined ? null : Math.round(args.durationMs)}::integer,
      p_provider_reference => ${result.providerReference ?? null}::text, p_units => ${result.units ?? null}::text,
      p_customer_name => ${result.customerName ?? null}::text,
      p_token_encrypted => ${token ? encryptToken(ctx.config, token) : null}::text, p_message => ${message},
      p_payload => ${notification.payload}::jsonb, p_outcome => ${notification.outcome}::text,
      p_default_offsets => ${ctx.config.VTU_VERIFY_AFTER_DELIVERY}::integer[],
      p_shards => ${ctx.config.SYSTEM_ACCOUNT_SHARDS}::integer, p_channels => ${notification.channels}::text[],
      p_now => ${ctx.now()}::timestamptz
    ) AS step`.execute(ctx.db);
  return rows[0]?.step === "delivered";
}

/** → failed: release the hold (the refund). Only ever from a definite failure (P3). */
export async function failOrder(
  trx: Trx,
  ctx: ServiceContext,
  order: VtuOrderRow,
  reason: string,
): Promise<void> {
  const now = ctx.now();
  await voidHold(trx, { holdId: order.hold_id, now });
  // The provider's words ("No transaction with that request id") stay on the attempt for support;
  // the customer gets a sentence they can act on.
  const message = stateMessage("failed");
  ctx.logger.info({ orderId: order.id, reason }, "order failed; hold released");
  await trx
    .updateTable("vtu_orders")
    .set({
      state: "failed",
      message,
      next_check_at: null,
      lease_owner: null,
      failed_at: now,
      updated_at: now,
    })
    .where("id", "=", order.id)
    .execute();
  if (order.channel === "gift") {
    // Paid from a gift room's escrow: the money went back there, and the slot opens again.
    await releaseFailedGift(trx, ctx, order);
    return;
  }
  await queueNotification(trx, {
    userId: order.user_id,
    kind: "order.failed",
    body: `Your ${describe(order)} did not go through. ${formatNaira(order.price_kobo)} is back in your wallet.`,
    payload: { orderId: order.id, notice: orderNotice(order) },
  });
}

/**
 * delivered → reversed: the provider took it back after delivering (a requery of the provider that
 * delivered it said reversed or failed), so the payer gets the money back exactly once (P7): the
 * conditional state update and the UNIQUE reversal_entry_id guard it. A gift's money goes to the
 * room's creator, who paid for it (the room may have closed since). Admins are alerted in the same
 * transaction: a provider that takes deliveries back is a provider to call.
 */
export async function reverseOrder(
  trx: Trx,
  ctx: ServiceContext,
  order: VtuOrderRow,
  reason: string,
): Promise<boolean> {
  if (order.state !== "delivered" || order.reversal_entry_id !== null) {
    return false;
  }
  const now = ctx.now();
  const cost = order.cost_kobo ?? order.price_kobo;
  const margin = order.price_kobo - cost;
  const wallet = await getWalletAccountId(trx, order.user_id);
  const [float, revenue] = await Promise.all([
    systemAccountFor(ctx, trx, SYSTEM_ACCOUNTS.providerFloat, wallet),
    systemAccountFor(ctx, trx, SYSTEM_ACCOUNTS.feesRevenue, wallet),
  ]);
  await lockAccounts(trx, [wallet, float, revenue]);
  const entryId = await postEntry(trx, {
    type: "vtu_reversal",
    description: `Reversed by provider: ${order.id}`,
    actor: `system:vtu:${order.provider ?? "provider"}`,
    reason,
    postings: [
      { accountId: wallet, amount: order.price_kobo },
      { accountId: float, amount: -cost },
      ...(margin !== 0 ? [{ accountId: revenue, amount: -margin }] : []),
    ],
    metadata: { orderId: order.id },
  });
  const updated = await trx
    .updateTable("vtu_orders")
    .set({
      state: "reversed",
      reversal_entry_id: entryId,
      message: stateMessage("reversed"),
      reversed_at: now,
      next_check_at: null,
      verify_due_at: null,
      lease_owner: null,
      updated_at: now,
    })
    .where("id", "=", order.id)
    .where("state", "=", "delivered")
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) {
    throw new Error(`order ${order.id} changed under a lock`);
  }
  const what = order.channel === "gift" ? `gift of ${describe(order)}` : describe(order);
  await queueNotification(trx, {
    userId: order.user_id,
    kind: "order.reversed",
    body: `The network reversed your ${what}. ${formatNaira(order.price_kobo)} is back in your wallet.`,
    payload: { orderId: order.id, notice: { ...orderNotice(order), gift: order.channel === "gift" } },
  });
  const provider = order.provider ?? "provider";
  await raiseAlert(trx, {
    kind: "order_reversed",
    key: `order_reversed:${provider}`,
    severity: "warning",
    title: `${provider} reversed orders after delivery`,
    body: `The latest: order ${order.id} (${order.service}, ${formatNaira(order.price_kobo)}) was delivered, then ${provider} said: "${reason.slice(0, 200)}". The customer was refunded automatically. Ask ${provider} why; if it keeps happening, move it down the failover order (Catalogue → Providers).`,
  });
  return true;
}

/**
 * The values an order's message is made of, in its notification's payload: the chat shows the
 * message in the person's language from them (bot/outbox/notification-text.ts); `body` stays English.
 */
function orderNotice(order: VtuOrderRow, planName?: string): Record<string, unknown> {
  return {
    service: order.service,
    recipient: order.recipient,
    faceAmountKobo: order.face_amount_kobo,
    priceKobo: order.price_kobo,
    ...(planName ? { planName } : {}),
  };
}

function describe(order: VtuOrderRow): string {
  switch (order.service) {
    case "airtime":
      return `${formatNaira(order.face_amount_kobo)} airtime for ${order.recipient}`;
    case "data":
      return `data for ${order.recipient}`;
    case "cable":
      return `cable subscription for card ${order.recipient}`;
    default:
      return `electricity for meter ${order.recipient}`;
  }
}

/** A data order's plan as the catalogue names it (one indexed read, in the delivery's transaction). */
async function planNameOf(trx: Trx, order: VtuOrderRow): Promise<string | undefined> {
  if (order.service !== "data") {
    return undefined;
  }
  const product = await trx
    .selectFrom("catalogue_products")
    .select("name")
    .where("id", "=", order.product_id)
    .executeTakeFirst();
  return product?.name;
}

/**
 * Never contains the token itself: messages and notifications are stored in clear, the token only
 * encrypted (P11). Whoever shows the message reads the token from the order (decrypted for its owner).
 */
function deliveredMessage(order: VtuOrderRow, token: string | undefined, plan?: string): string {
  // A data order names its plan ("Delivered: MTN 1GB (30 days) data for 0803…").
  const base = plan ? `Delivered: ${plan} data for ${order.recipient}.` : `Delivered: ${describe(order)}.`;
  return token ? `${base} Your token is shown with the order.` : base;
}
