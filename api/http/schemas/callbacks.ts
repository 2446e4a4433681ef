import { z } from "zod";
import type { CallbackConfigDto, CallbackDeliveryDto } from "../../services/callbacks";
import { IsoTime, page } from "../openapi/envelope-schemas";
import { Order } from "./vtu";

// Response schemas of the callback routes (DECISIONS §71), tied to the services' DTOs with
// `satisfies`, and the body of the callback itself (documented as an OpenAPI webhook).

const EVENTS = ["order.delivered", "order.failed", "order.reversed"] as const;
const STATUSES = ["pending", "delivered", "given_up"] as const;

export const CallbackConfig = z
  .object({
    apiKeyId: z.string().meta({ example: "key_01jexample" }),
    url: z.string().meta({ example: "https://shop.example.com/tada/callbacks" }),
    secretCreatedAt: IsoTime.meta({ description: "When the current signing secret was made." }),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  })
  .meta({ id: "CallbackConfig" }) satisfies z.ZodType<CallbackConfigDto>;

const Secret = z.string().meta({
  description: "The HMAC signing secret. Shown only in this answer: store it now.",
  example: "tcs_3q2+7w…",
});

export const SetCallbackResult = z.object({
  callback: CallbackConfig,
  secret: Secret.nullable().meta({
    description: "On the first registration; null when only the URL changed (the secret is kept).",
  }),
});

export const RotatedSecret = z.object({ callback: CallbackConfig, secret: Secret });

export const RemovedCallback = z.object({
  removed: CallbackConfig,
  givenUp: z.number().int().meta({ description: "Deliveries still waiting, now given up." }),
});

export const CallbackDelivery = z
  .object({
    id: z.string().meta({ example: "cbd_3f1e1c2a8d4b4c579a510c6a2b7d9e10" }),
    orderId: z.string(),
    event: z.enum(EVENTS),
    status: z.enum(STATUSES),
    attempts: z
      .number()
      .int()
      .meta({ description: "POSTs made (or refused before they left), resends included." }),
    lastStatusCode: z.number().int().nullable(),
    lastError: z
      .string()
      .nullable()
      .meta({ description: "The last failure: `HTTP 500: …`, a timeout, a refused address." }),
    lastAttemptAt: IsoTime.nullable(),
    nextAttemptAt: IsoTime.nullable().meta({ description: "When the next try is due (pending only)." }),
    deliveredAt: IsoTime.nullable(),
    givenUpAt: IsoTime.nullable(),
    createdAt: IsoTime,
  })
  .meta({ id: "CallbackDelivery" }) satisfies z.ZodType<CallbackDeliveryDto>;

export const CallbackDeliveryPage = page(CallbackDelivery);

/** What TADA POSTs to a registered callback URL. */
export const CallbackPayload = z
  .object({
    event: z.enum(EVENTS),
    order: Order.meta({
      description: "The order as GET /api/vtu/orders/{id} shows it, as it was at this event.",
    }),
    deliveryId: z
      .string()
      .meta({ description: "Also in `TADA-Delivery-Id`; the same on retries: dedupe on it." }),
    createdAt: IsoTime,
  })
  .meta({ id: "CallbackPayload" });
