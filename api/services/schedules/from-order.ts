import { z } from "zod";
import type { ServiceContext } from "../context";
import { ConflictError, NotFoundError, ValidationError } from "../errors";
import { findOwnPurchase, type PastPurchase } from "../vtu/past-purchases";
import { CABLE_PROVIDERS, DISCOS, NETWORKS } from "../vtu/provider";
import type { VtuRuntime } from "../vtu/runtime";
import {
  type CreateScheduleInput,
  createSchedule,
  lagosDay,
  RecurrenceInput,
  type ScheduleDto,
} from "./schedules";

const kobo = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/**
 * `POST /api/schedules` with `fromOrderId`: what to buy comes from one of the customer's own
 * delivered orders; the request gives only how often, the optional dates and caps, and the PIN.
 * Anything that names the purchase (service, recipient, amount …) is refused as an unknown field:
 * a schedule "from an order" that silently bought something else would be worse than an error.
 */
export const FromOrderScheduleInput = z.strictObject({
  fromOrderId: z.string().regex(/^[\w-]{1,64}$/, "an order id (ord_…) of one of your delivered orders"),
  recurrence: RecurrenceInput,
  label: z.string().min(1).max(80).optional(),
  startOn: lagosDay.optional(),
  endOn: lagosDay.optional(),
  maxRuns: z.number().int().min(1).max(10_000).optional(),
  perRunCapKobo: kobo.optional(),
  monthlyCapKobo: kobo.optional(),
  pin: z.string().min(1, "Send your transaction PIN as `pin`.").max(12),
});
export type FromOrderScheduleInput = z.input<typeof FromOrderScheduleInput>;

type WhatFromOrder = Pick<
  CreateScheduleInput,
  "service" | "recipient" | "network" | "amountKobo" | "planId" | "disco" | "meterType" | "cableProvider"
>;

/**
 * What a schedule made from this order buys: the same service, recipient and network; airtime and
 * electricity the order's face amount (what reached the line or meter, not the price paid, which a
 * tier discount may have lowered); data the same plan; electricity the same DisCo and meter type;
 * cable a renewal of the card's bouquet on the same provider (a schedule renews what is on the card,
 * so a past "change" order schedules the renewal of the bouquet it moved to).
 */
export function scheduleFromPurchase(order: PastPurchase): WhatFromOrder {
  const network =
    order.network && (NETWORKS as readonly string[]).includes(order.network) ? order.network : undefined;
  switch (order.service) {
    case "airtime":
      return { service: "airtime", recipient: order.recipient, network, amountKobo: order.faceAmountKobo };
    case "data":
      return { service: "data", recipient: order.recipient, network, planId: order.productId };
    case "electricity":
      return {
        service: "electricity",
        recipient: order.recipient,
        disco: (DISCOS as readonly string[]).includes(order.biller ?? "")
          ? (order.biller as (typeof DISCOS)[number])
          : undefined,
        meterType: order.meterType ?? undefined,
        amountKobo: order.faceAmountKobo,
      };
    case "cable":
      return {
        service: "cable",
        recipient: order.recipient,
        cableProvider: (CABLE_PROVIDERS as readonly string[]).includes(order.biller ?? "")
          ? (order.biller as (typeof CABLE_PROVIDERS)[number])
          : undefined,
      };
    default:
      throw new ValidationError(
        `fromOrderId: a ${String(order.service)} order cannot be scheduled.`,
        { field: "fromOrderId" },
        "ORDER_NOT_SCHEDULABLE",
      );
  }
}

/**
 * One of the customer's own delivered orders, for a schedule. Another person's order reads as no
 * order at all (404, as everywhere); one not delivered is refused with its state, so a failed or
 * pending purchase is not repeated on a timer.
 */
export async function orderForSchedule(args: {
  ctx: ServiceContext;
  userId: string;
  orderId: string;
}): Promise<PastPurchase> {
  const order = await findOwnPurchase(args);
  if (!order) {
    throw new NotFoundError("Order", "ORDER_NOT_FOUND");
  }
  if (order.state !== "delivered") {
    throw new ConflictError(
      `Only a delivered order can be made a schedule; order ${order.id} is ${order.state.replaceAll("_", " ")}.`,
      "ORDER_NOT_DELIVERED",
      { state: order.state },
    );
  }
  return order;
}

/**
 * Create a schedule from a past order (issue 19 §1): the order is looked up (own, delivered) and
 * its purchase copied into an ordinary createSchedule, so the price check, PIN, caps and the
 * Idempotency-Key replay are the same as for a schedule written out in full. A replay answers with
 * the schedule it made even if the order has since been reversed.
 */
export async function createScheduleFromOrder(args: {
  ctx: ServiceContext;
  vtu: VtuRuntime;
  userId: string;
  idempotencyKey?: string;
  input: FromOrderScheduleInput;
}): Promise<{ schedule: ScheduleDto; replayed: boolean; priceKobo: number; fromOrderId: string }> {
  const parsed = FromOrderScheduleInput.safeParse(args.input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") || undefined;
    throw new ValidationError(
      issue?.code === "unrecognized_keys"
        ? `Unknown field(s) with fromOrderId: ${issue.keys.join(", ")} (what to buy comes from the order).`
        : `${field ?? "body"}: ${issue?.message ?? "is invalid"}.`,
      { field },
    );
  }
  const { fromOrderId, ...rest } = parsed.data;
  const made = args.idempotencyKey
    ? await args.ctx.db
        .selectFrom("schedules")
        .select("id")
        .where("user_id", "=", args.userId)
        .where("idempotency_key", "=", args.idempotencyKey)
        .executeTakeFirst()
    : undefined;
  const order = made
    ? await findOwnPurchase({ ctx: args.ctx, userId: args.userId, orderId: fromOrderId })
    : await orderForSchedule({ ctx: args.ctx, userId: args.userId, orderId: fromOrderId });
  if (!order) {
    throw new NotFoundError("Order", "ORDER_NOT_FOUND");
  }
  const created = await createSchedule({
    ctx: args.ctx,
    vtu: args.vtu,
    userId: args.userId,
    idempotencyKey: args.idempotencyKey,
    input: { ...scheduleFromPurchase(order), ...rest },
  });
  return { ...created, fromOrderId: order.id };
}
