import type { OrderState, VtuOrderRow } from "../../../db/database";
import type { Config } from "../../config";
import { decryptToken, formatToken } from "./token-crypto";

export type OrderDto = {
  id: string;
  service: string;
  state: OrderState;
  /** True once nothing more will happen on its own (delivered, failed, reversed). */
  final: boolean;
  /** What the customer should read about this order now. */
  message: string;
  productId: string;
  productName: string;
  recipient: string;
  network: string | null;
  meterType: string | null;
  subscription: string | null;
  customerName: string | null;
  faceAmountKobo: number;
  priceKobo: number;
  /** Prepaid electricity: the token to key into the meter. */
  token: string | null;
  units: string | null;
  refunded: boolean;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
};

export const FINAL_STATES: readonly OrderState[] = ["delivered", "failed", "reversed"];

const STATE_MESSAGES: Record<OrderState, string> = {
  held: "We have your order and are sending it to the network.",
  submitting: "Sending to the network…",
  pending: "The network is processing it. We will confirm shortly; your money is safe.",
  unknown: "The network has not confirmed yet. We are checking; your money is held, not lost.",
  delivered: "Delivered.",
  failed: "It did not go through. Your wallet has been refunded.",
  manual_review:
    "The network has not confirmed after several checks. Our team is on it; your money stays held until it is settled.",
  reversed: "The network reversed it after delivery. Your wallet has been refunded.",
};

export function isOrderState(value: unknown): value is OrderState {
  return typeof value === "string" && Object.hasOwn(STATE_MESSAGES, value);
}

export function stateMessage(state: OrderState): string {
  return STATE_MESSAGES[state];
}

export function toOrderDto(config: Config, row: VtuOrderRow & { product_name: string }): OrderDto {
  const settled = settledFields(config, row);
  return {
    id: row.id,
    service: row.service,
    state: settled.state,
    final: settled.final,
    message: settled.message,
    productId: row.product_id,
    productName: row.product_name,
    recipient: row.recipient,
    network: row.network,
    meterType: row.meter_type,
    subscription: row.subscription,
    customerName: row.customer_name,
    faceAmountKobo: row.face_amount_kobo,
    priceKobo: row.price_kobo,
    token: settled.token,
    units: settled.units,
    refunded: settled.refunded,
    createdAt: row.created_at.toISOString(),
    updatedAt: settled.updatedAt,
    deliveredAt: settled.deliveredAt,
  };
}

/**
 * What the settled notification tells about an order (migration 2026_12_06_2000): the columns that
 * change when it leaves held/submitting. Everything else about an order is fixed when it is made.
 */
export type OrderSettlement = Pick<
  VtuOrderRow,
  "id" | "state" | "message" | "token_encrypted" | "units" | "updated_at" | "delivered_at"
>;

/** The order as placed, moved on by its settlement: the answer without reading the order again. */
export function withSettlement(config: Config, placed: OrderDto, settlement: OrderSettlement): OrderDto {
  return { ...placed, ...settledFields(config, settlement) };
}

/** The part of an order's answer that its settlement changes (one place for both ways in). */
function settledFields(config: Config, row: Omit<OrderSettlement, "id">) {
  return {
    state: row.state,
    final: FINAL_STATES.includes(row.state),
    message: row.message ?? stateMessage(row.state),
    token: row.token_encrypted ? formatToken(decryptToken(config, row.token_encrypted)) : null,
    units: row.units,
    refunded: row.state === "failed" || row.state === "reversed",
    updatedAt: row.updated_at.toISOString(),
    deliveredAt: row.delivered_at?.toISOString() ?? null,
  };
}
