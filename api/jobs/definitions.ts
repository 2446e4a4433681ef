import { z } from "zod";
import type { Logger } from "../logger";
import { refreshProviderFloats } from "../services/catalogue/floats";
import { syncCatalogue } from "../services/catalogue/sync";
import type { ServiceContext } from "../services/context";
import {
  type PaymentsRuntime,
  processPaymentEvent,
  reconcileFunding,
  reconcileTransfers,
  requeryWithdrawal,
  submitWithdrawal,
  sweepPayments,
} from "../services/funding";
import { closeExpiredRooms, drawDueRooms } from "../services/gift-rooms";
import { sweepCableReminders } from "../services/renewals";
import {
  expirePoints,
  sweepCustomerTiers,
  sweepReferralRewards,
  sweepRewardEvents,
} from "../services/rewards";
import { sweepSchedules } from "../services/schedules";
import { requeryOrder, submitOrder, sweepDueOrders } from "../services/vtu";
import type { VtuRuntime } from "../services/vtu/runtime";

/** What a job handler gets: a fresh service context and the VTU runtime. */
export type JobDeps = { ctx: () => ServiceContext; vtu: VtuRuntime; logger: Logger };

/**
 * A job is a name, a zod payload (ids only — the state lives in PostgreSQL) and an idempotent
 * handler that calls one service verb. BullMQ delivers at least once; every handler is safe twice.
 */
export type JobDefinition<P, D = JobDeps> = {
  name: string;
  payload: z.ZodType<P>;
  handle(deps: D, payload: P): Promise<unknown>;
};

function defineJob<P>(definition: JobDefinition<P>): JobDefinition<P> {
  return definition;
}

/** What payment job handlers get. */
export type PaymentJobDeps = { ctx: () => ServiceContext; payments: PaymentsRuntime; logger: Logger };

function definePaymentJob<P>(definition: JobDefinition<P, PaymentJobDeps>): JobDefinition<P, PaymentJobDeps> {
  return definition;
}

export const processPaymentEventJob = definePaymentJob({
  name: "process-payment-event",
  payload: z.strictObject({ eventId: z.number().int().positive() }),
  handle: (deps, { eventId }) => processPaymentEvent({ ctx: deps.ctx(), payments: deps.payments, eventId }),
});

export const submitWithdrawalJob = definePaymentJob({
  name: "submit-withdrawal",
  payload: z.strictObject({ withdrawalId: z.string().min(1) }),
  handle: (deps, { withdrawalId }) =>
    submitWithdrawal({ ctx: deps.ctx(), payments: deps.payments, withdrawalId }),
});

export const requeryWithdrawalJob = definePaymentJob({
  name: "requery-withdrawal",
  payload: z.strictObject({ withdrawalId: z.string().min(1) }),
  handle: (deps, { withdrawalId }) =>
    requeryWithdrawal({ ctx: deps.ctx(), payments: deps.payments, withdrawalId }),
});

export const sweepPaymentsJob = definePaymentJob({
  name: "sweep-payments",
  payload: z.strictObject({}),
  handle: (deps) => sweepPayments({ ctx: deps.ctx(), payments: deps.payments }),
});

export const reconcileFundingJob = definePaymentJob({
  name: "reconcile-funding",
  payload: z.strictObject({}),
  // Card checkouts, then each virtual account's recent transfers (missed webhooks, both kinds).
  handle: async (deps) => ({
    checkouts: await reconcileFunding({ ctx: deps.ctx(), payments: deps.payments }),
    transfers: await reconcileTransfers({ ctx: deps.ctx(), payments: deps.payments }),
  }),
});

// biome-ignore lint/suspicious/noExplicitAny: a registry of definitions with different payload types.
export const PAYMENT_JOBS: readonly JobDefinition<any, PaymentJobDeps>[] = [
  processPaymentEventJob,
  submitWithdrawalJob,
  requeryWithdrawalJob,
  sweepPaymentsJob,
  reconcileFundingJob,
];

export const submitOrderJob = defineJob({
  name: "submit-order",
  payload: z.strictObject({
    orderId: z.string().min(1),
    plan: z
      .strictObject({
        service: z.enum(["airtime", "data", "cable", "electricity"]),
        productId: z.string().min(1),
        faceAmountKobo: z.number().int().positive(),
      })
      .optional(),
  }),
  handle: (deps, { orderId, plan }) => submitOrder({ ctx: deps.ctx(), vtu: deps.vtu, orderId, plan }),
});

export const requeryOrderJob = defineJob({
  name: "requery-order",
  payload: z.strictObject({ orderId: z.string().min(1), includeDelivered: z.boolean().optional() }),
  handle: (deps, { orderId, includeDelivered }) =>
    requeryOrder({ ctx: deps.ctx(), vtu: deps.vtu, orderId, includeDelivered }),
});

export const sweepOrdersJob = defineJob({
  name: "sweep-orders",
  payload: z.strictObject({}),
  handle: (deps) => sweepDueOrders({ ctx: deps.ctx(), vtu: deps.vtu }),
});

export const syncCatalogueJob = defineJob({
  name: "sync-catalogue",
  payload: z.strictObject({}),
  handle: (deps) => syncCatalogue({ ctx: deps.ctx(), providers: deps.vtu.providers }),
});

/**
 * Rewards (issue 18): points for purchases delivered and back for those reversed (the reward events
 * their state changes wrote), then referral rewards for first purchases (and clawbacks).
 */
export const sweepRewardsJob = defineJob({
  name: "sweep-rewards",
  payload: z.strictObject({}),
  handle: async (deps) => ({
    points: await sweepRewardEvents({ ctx: deps.ctx() }),
    referrals: await sweepReferralRewards({ ctx: deps.ctx() }),
  }),
});

/** Loyalty points older than POINTS_EXPIRY_DAYS expire (oldest first; once per customer per run). */
export const expirePointsJob = defineJob({
  name: "expire-points",
  payload: z.strictObject({}),
  handle: async (deps) => ({ customers: await expirePoints({ ctx: deps.ctx() }) }),
});

/** Customer tiers: recompute the automatic tiers from the rolling delivered volume (issue 18 §3). */
export const sweepTiersJob = defineJob({
  name: "sweep-tiers",
  payload: z.strictObject({}),
  handle: (deps) => sweepCustomerTiers({ ctx: deps.ctx() }),
});

/** Schedules (issue 19): make the due runs, place their orders, follow them (DECISIONS §65). */
export const sweepSchedulesJob = defineJob({
  name: "sweep-schedules",
  payload: z.strictObject({}),
  handle: (deps) => sweepSchedules({ ctx: deps.ctx(), vtu: deps.vtu }),
});

/** Gift rooms: draw the rooms whose draw time has come, close the ones past expiry (refunds). */
export const sweepGiftRoomsJob = defineJob({
  name: "sweep-gift-rooms",
  payload: z.strictObject({}),
  handle: async (deps) => ({
    drawn: await drawDueRooms(deps.ctx(), deps.vtu),
    closed: await closeExpiredRooms(deps.ctx()),
  }),
});

/**
 * Cable renewal reminders and purchase nudges (issue 19 §3–§4, DECISIONS §66): delivered renewals
 * move due dates, then the reminders and nudges due now, each once (its own row, with its message).
 */
export const sweepCableRemindersJob = defineJob({
  name: "sweep-cable-reminders",
  payload: z.strictObject({}),
  handle: (deps) => sweepCableReminders({ ctx: deps.ctx() }),
});

/** Read each provider's float and store it (the low-float alert and the providers page use it). */
export const checkFloatsJob = defineJob({
  name: "check-floats",
  payload: z.strictObject({}),
  handle: (deps) => refreshProviderFloats(deps.ctx(), deps.vtu.providers),
});

// biome-ignore lint/suspicious/noExplicitAny: a registry of definitions with different payload types.
export const VTU_JOBS: readonly JobDefinition<any>[] = [
  submitOrderJob,
  requeryOrderJob,
  sweepOrdersJob,
  syncCatalogueJob,
  sweepGiftRoomsJob,
  sweepRewardsJob,
  expirePointsJob,
  sweepTiersJob,
  sweepCableRemindersJob,
  sweepSchedulesJob,
  checkFloatsJob,
];
