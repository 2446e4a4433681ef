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

export function stateMessage(state: OrderState): string {
  return STATE_MESSAGES[state];
}

export function toOrderDto(config: Config, row: VtuOrderRow & { product_name: string }): OrderDto {
  return {
    id: row.id,
    service: row.service,
    state: row.state,
    final: FINAL_STATES.includes(row.state),
    message: row.message ?? stateMessage(row.state),
    productId: row.product_id,
    productName: row.product_name,
    recipient: row.recipient,
    network: row.network,
    meterType: row.meter_type,
    subscription: row.subscription,
    customerName: row.customer_name,
    faceAmountKobo: row.face_amount_kobo,
    priceKobo: row.price_kobo,
    token: row.token_encrypted ? formatToken(decryptToken(config, row.token_encrypted)) : null,
    units: row.units,
    refunded: row.state === "failed" || row.state === "reversed",
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    deliveredAt: row.delivered_at?.toISOString() ?? null,
  };
}
