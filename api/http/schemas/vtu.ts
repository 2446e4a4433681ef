import { z } from "zod";
import type { AirtimeDto, BouquetDto, DataPlanDto, DiscoDto } from "../../services/catalogue/listings";
import type { CableCard } from "../../services/renewals";
import type { VerifiedAccount } from "../../services/vtu";
import type { OrderDto } from "../../services/vtu/order-dto";
import { CABLE_PROVIDERS, DISCOS, NETWORKS } from "../../services/vtu/provider";
import { IsoTime, Kobo } from "../openapi/envelope-schemas";

// Response schemas of /api/vtu. `satisfies` ties each to the service's own type, so a field added
// to a DTO and not here fails the type check, and the response tests catch a wrong shape.

const ORDER_STATES = [
  "held",
  "submitting",
  "pending",
  "unknown",
  "delivered",
  "failed",
  "manual_review",
  "reversed",
] as const;

export const Order = z
  .object({
    id: z.string().meta({ example: "ord_01JEXAMPLE" }),
    service: z.string().meta({ example: "data" }),
    state: z.enum(ORDER_STATES),
    final: z
      .boolean()
      .meta({ description: "True once nothing more will happen on its own (delivered, failed, reversed)." }),
    message: z.string().meta({ description: "What the customer should read about this order now." }),
    productId: z.string(),
    productName: z.string(),
    recipient: z.string(),
    network: z.string().nullable(),
    meterType: z.string().nullable(),
    subscription: z.string().nullable(),
    customerName: z.string().nullable(),
    faceAmountKobo: Kobo,
    priceKobo: Kobo,
    token: z
      .string()
      .nullable()
      .meta({ description: "Prepaid electricity: the token to key into the meter." }),
    units: z.string().nullable(),
    refunded: z.boolean(),
    createdAt: IsoTime,
    updatedAt: IsoTime,
    deliveredAt: IsoTime.nullable(),
  })
  .meta({ id: "Order" }) satisfies z.ZodType<OrderDto>;

export const OrderPage = z
  .object({
    items: z.array(Order),
    nextCursor: z.string().nullable(),
    orders: z.array(Order).meta({
      deprecated: true,
      description: "Same as `items`; kept for clients written before v1. Removed in v2.",
    }),
  })
  .meta({ id: "OrderPage" });

export const AirtimeNetwork = z
  .object({ id: z.string(), network: z.enum(NETWORKS), name: z.string(), minKobo: Kobo, maxKobo: Kobo })
  .meta({ id: "AirtimeNetwork" }) satisfies z.ZodType<AirtimeDto>;

export const DataPlan = z
  .object({
    id: z.string().meta({ example: "mtn-sme-1gb-30d" }),
    network: z.enum(NETWORKS),
    name: z.string(),
    sizeMb: z.number().int(),
    validityDays: z.number().int(),
    family: z.string(),
    priceKobo: Kobo,
  })
  .meta({ id: "DataPlan" }) satisfies z.ZodType<DataPlanDto>;

export const Bouquet = z
  .object({
    id: z.string(),
    cable: z.enum(CABLE_PROVIDERS),
    name: z.string(),
    priceKobo: Kobo,
    faceAmountKobo: Kobo,
  })
  .meta({ id: "Bouquet" }) satisfies z.ZodType<BouquetDto>;

export const Disco = z
  .object({
    id: z.string(),
    disco: z.string(),
    name: z.string(),
    meterTypes: z.tuple([z.literal("prepaid"), z.literal("postpaid")]),
  })
  .meta({ id: "Disco" }) satisfies z.ZodType<DiscoDto>;

export const NetworkGuess = z
  .object({
    phone: z.string(),
    network: z.enum(NETWORKS).optional(),
    confidence: z.enum(["prefix", "disputed", "unknown"]),
    note: z.string(),
  })
  .meta({ id: "NetworkGuess" });

export const VerifiedAccountSchema = z
  .object({
    kind: z.enum(["smartcard", "meter"]),
    number: z.string(),
    customerName: z.string(),
    currentBouquet: z.string().nullable(),
    renewalAmountKobo: Kobo.nullable(),
    dueDate: z.iso
      .date()
      .nullable()
      .meta({ description: "Cable: the day the subscription ends (Lagos), when the provider says." }),
    address: z.string().nullable(),
  })
  .meta({ id: "VerifiedAccount" }) satisfies z.ZodType<VerifiedAccount>;

export const CableCardSchema = z
  .object({
    id: z.number().int(),
    userId: z.string(),
    provider: z.string(),
    smartcard: z.string(),
    customerName: z.string().nullable(),
    bouquet: z.string().nullable(),
    productId: z.string().nullable(),
    renewalAmountKobo: Kobo.nullable(),
    dueDate: z.iso.date().nullable(),
    dueSource: z.enum(["provider", "renewal"]).nullable(),
    remindersOff: z.boolean(),
  })
  .meta({ id: "CableCard" }) satisfies z.ZodType<CableCard>;

export const DISCO_IDS = DISCOS;
