import { z } from "zod";
import type { AdminOrderRow, AdminUserDetail, AdminUserRow } from "../../services/admins";
import type { AnalyticsReport, DayFigures, ServiceFigures } from "../../services/analytics";
import type { SuspenseTransferDto } from "../../services/funding";
import type { AdminCardRemindersResult } from "../../services/renewals";
import type {
  AbuseGroup,
  PointHolder,
  PointStatementLine,
  PointsLiabilityReport,
  PointsSummary,
  RecentPointRow,
  ReferrerRow,
  TierRule,
} from "../../services/rewards";
import type { AdminScheduleRow } from "../../services/schedules";
import { VERIFICATION_LEVELS } from "../../services/users/levels";
import { IsoTime, Kobo, page } from "../openapi/envelope-schemas";
import { ApiKey } from "./api-keys";
import { TierMargin } from "./rewards";
import { CableCardSchema, Order } from "./vtu";

// Response schemas of /api/admin. `satisfies` ties each to the service's own type, so a field added
// to a DTO and not here fails the type check; the admin API tests check real answers against them.
// Component ids start with "Admin" where a customer route may describe the same thing its own way.

const Day = z.iso.date().meta({ description: "A Lagos calendar day.", example: "2026-12-07" });
const Rate = z
  .number()
  .meta({ description: "A fraction from 0 to 1, rounded to 4 decimals.", example: 0.9712 });
const ByService = <S extends z.ZodType>(value: S) =>
  z.object({ airtime: value, data: value, cable: value, electricity: value });
const Counts = z.record(z.string(), z.number().int());

// ---- Customers --------------------------------------------------------------------------------

export const AdminUser = z
  .object({
    id: z.string().meta({ example: "usr_01JEXAMPLE" }),
    name: z.string().nullable().meta({ example: "Chiamaka Obi" }),
    phone: z.string().nullable().meta({ example: "08031234567" }),
    status: z.enum(["active", "suspended", "closed"]),
    level: z.number().int().meta({ description: "Verification level (0–3)." }),
    channels: z.array(z.string()).meta({ description: "Chats linked to the wallet.", example: ["telegram"] }),
    balanceKobo: Kobo.meta({ description: "The wallet's posted balance in kobo.", example: 2030633 }),
    createdAt: IsoTime,
  })
  .meta({ id: "AdminUser" }) satisfies z.ZodType<AdminUserRow>;

export const AdminUserList = page(AdminUser).meta({
  description: "At most 50 matches, newest first; `nextCursor` is always null (narrow the search).",
});

const WalletBalance = z.object({
  balanceKobo: Kobo,
  heldKobo: Kobo,
  availableKobo: Kobo,
  currency: z.string().meta({ example: "NGN" }),
});

const WalletLine = z.object({
  id: z.number().int(),
  entryId: z.number().int(),
  type: z.string(),
  description: z.string(),
  amountKobo: Kobo.meta({ description: "Positive: money in; negative: money out." }),
  balanceAfterKobo: Kobo,
  createdAt: IsoTime,
});

const StatementLine = z.object({
  id: z.string(),
  kind: z.enum(["earn", "referral", "bonus", "reverse", "expire", "redeem"]),
  points: z.number().int(),
  balanceAfter: z.number().int(),
  description: z.string(),
  orderId: z.string().nullable(),
  createdAt: IsoTime,
}) satisfies z.ZodType<PointStatementLine>;

const PointsRules = z.object({
  earnPer100Naira: ByService(z.number()),
  referralPoints: z.number().int(),
  pointValueKobo: Kobo,
  minRedeemPoints: z.number().int(),
  expiryDays: z.number().int(),
});

const PointsBalance = {
  balance: z.number().int().meta({ description: "Points held (negative: owed back after a reversal)." }),
  valueKobo: Kobo.meta({ description: "What the balance is worth redeemed now." }),
  expiringSoon: z.number().int().meta({ description: "Points that expire within 30 days if not used." }),
  lifetimeEarned: z.number().int(),
  rules: PointsRules,
};

const PointsSummarySchema = z.object({
  ...PointsBalance,
  recent: z.array(StatementLine).meta({ description: "The latest statement lines, newest first." }),
}) satisfies z.ZodType<PointsSummary>;

const ScheduleRun = z.object({
  dueOn: Day,
  state: z.enum(["due", "waiting_funds", "placed", "delivered", "failed", "skipped"]),
  orderId: z.string().nullable(),
  outcome: z.string().nullable(),
  message: z.string().nullable(),
  priceKobo: Kobo.nullable(),
  fundsDeadline: IsoTime.nullable(),
});

const Recurrence = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("daily") }),
  z.object({ kind: z.literal("weekly"), weekday: z.number().int().meta({ description: "0 = Sunday." }) }),
  z.object({ kind: z.literal("monthly"), day: z.number().int() }),
  z.object({ kind: z.literal("every_n_days"), days: z.number().int() }),
  z.object({ kind: z.literal("before_due"), daysBefore: z.number().int() }),
]);

const AdminSchedule = z.object({
  id: z.string(),
  service: z.enum(["airtime", "data", "electricity", "cable"]),
  recipient: z.string(),
  network: z.string().nullable(),
  amountKobo: Kobo.nullable(),
  planId: z.string().nullable(),
  disco: z.string().nullable(),
  meterType: z.string().nullable(),
  cableProvider: z.string().nullable(),
  label: z.string().nullable(),
  recurrence: Recurrence,
  cableCardId: z.number().int().nullable(),
  description: z.string(),
  startOn: Day,
  endOn: Day.nullable(),
  maxRuns: z.number().int().nullable(),
  runsMade: z.number().int(),
  perRunCapKobo: Kobo,
  monthlyCapKobo: Kobo,
  status: z.enum(["active", "paused", "ended", "deleted"]),
  pauseReason: z.enum(["customer", "price_above_cap", "monthly_cap", "skipped_runs"]).nullable(),
  nextDueOn: Day.nullable(),
  consecutiveSkips: z.number().int(),
  createdAt: IsoTime,
  lastRun: z.union([ScheduleRun, z.null()]),
  runs: z.array(ScheduleRun).optional(),
  userId: z.string(),
  userName: z.string().nullable(),
  recentProblems: z
    .number()
    .int()
    .meta({ description: "Runs of the last 30 days that failed or were skipped (not by the customer)." }),
}) satisfies z.ZodType<AdminScheduleRow>;

const AdminCableCard = CableCardSchema.extend({
  lastReminderAt: IsoTime.nullable(),
  lastReminderDays: z.number().int().nullable(),
});

const GiftRoom = z.object({
  id: z.string(),
  token: z.string(),
  link: z.string(),
  kind: z.enum(["airtime", "data", "cash"]),
  amountKobo: Kobo,
  planId: z.string().nullable(),
  network: z.string().nullable(),
  mode: z.enum(["first_come", "random_draw", "quiz"]),
  quizQuestion: z.string().nullable(),
  drawAt: IsoTime.nullable(),
  message: z.string(),
  state: z.enum(["open", "full", "drawing", "closed", "expired"]),
  expiresAt: IsoTime,
  capacity: z.number().int(),
  claimed: z.number().int(),
  giftPriceKobo: Kobo,
  escrowKobo: Kobo,
  createdAt: IsoTime,
  closedAt: IsoTime.nullable(),
});

/** The customer page as data: everything support needs, read only (no PIN hash, no full BVN). */
export const AdminUserDetailSchema = z
  .object({
    user: z.object({
      id: z.string(),
      name: z.string().nullable(),
      phone: z.string().nullable(),
      status: z.enum(["active", "suspended", "closed"]),
      level: z.number().int(),
      levelName: z.enum(VERIFICATION_LEVELS),
      createdAt: IsoTime,
    }),
    transferAccount: z.object({
      bvnLast3: z.string().nullable(),
      account: z
        .object({
          id: z.string(),
          bankName: z.string().nullable(),
          accountNumber: z.string().nullable(),
          accountName: z.string().nullable(),
          status: z.enum(["requested", "active", "refused", "expired", "closed"]),
          failureReason: z.string().nullable(),
        })
        .nullable(),
    }),
    referral: z.object({
      code: z.string(),
      referredBy: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
      referredAt: IsoTime.nullable(),
    }),
    tier: z.object({
      code: z.string(),
      name: z.string(),
      automatic: z.boolean(),
      setBy: z
        .string()
        .nullable()
        .meta({ description: "The admin who fixed the tier; null when automatic." }),
      volumeKobo: Kobo,
      windowDays: z.number().int(),
      next: z
        .object({ code: z.string(), name: z.string(), minVolumeKobo: Kobo, neededKobo: Kobo })
        .nullable(),
      tiers: z.array(z.object({ code: z.string(), name: z.string() })),
    }),
    wallet: WalletBalance,
    points: PointsSummarySchema,
    schedules: z.array(AdminSchedule),
    cableCards: z.array(AdminCableCard),
    apiKeys: z
      .object({
        items: z.array(ApiKey),
        defaultRateLimitPerMinute: z
          .number()
          .int()
          .meta({ description: "What a key with `rateLimitPerMinute: null` is allowed." }),
      })
      .meta({ description: "The customer's reseller API keys (revoked ones too), newest first." }),
    statement: z.array(WalletLine).meta({ description: "The latest 20 wallet lines, newest first." }),
    orders: z.array(Order).meta({ description: "The latest 20 orders, newest first." }),
    identities: z.array(
      z.object({
        channel: z.enum(["telegram", "whatsapp", "web", "api", "console"]),
        externalId: z.string(),
        linkedAt: IsoTime,
      }),
    ),
    giftRooms: z.array(GiftRoom).meta({ description: "The latest 10 rooms the customer created." }),
    pin: z.object({
      set: z.boolean(),
      failedAttempts: z.number().int(),
      lockedUntil: IsoTime.nullable(),
      lockouts: z.number().int(),
    }),
  })
  .meta({ id: "AdminUserDetail" });

/** The detail as the API writes it: the cards' last reminder time as an ISO string. */
export type AdminUserDetailDto = Omit<AdminUserDetail, "cableCards"> & {
  cableCards: (Omit<AdminUserDetail["cableCards"][number], "lastReminderAt"> & {
    lastReminderAt: string | null;
  })[];
};
AdminUserDetailSchema satisfies z.ZodType<AdminUserDetailDto>;

export const AdminCardRemindersResultSchema = z.object({
  card: CableCardSchema,
  changed: z.boolean().meta({ description: "False when the card's reminders already were that way." }),
}) satisfies z.ZodType<AdminCardRemindersResult>;

export const UserActionResult = z.object({
  userId: z.string(),
  action: z.string().meta({ example: "suspend" }),
  changed: z.boolean().meta({ description: "False when the account already was that way." }),
});

// ---- Orders and transfers ---------------------------------------------------------------------

export const AdminOrder = z
  .object({
    id: z.string().meta({ example: "ord_01JEXAMPLE" }),
    createdAt: IsoTime,
    userId: z.string(),
    service: z.string().meta({ example: "data" }),
    product: z.string().meta({ example: "MTN SME 1GB (30 days)" }),
    recipient: z.string().meta({ example: "08031234567" }),
    priceKobo: Kobo,
    costKobo: Kobo.nullable(),
    state: z.string().meta({ example: "delivered" }),
    provider: z.string().nullable(),
    channel: z.string().meta({ example: "telegram" }),
  })
  .meta({ id: "AdminOrder" }) satisfies z.ZodType<AdminOrderRow>;

export const AdminTransfer = z
  .object({
    id: z.string(),
    gatewayTxId: z.string(),
    status: z.enum(["credited", "suspense", "returned"]),
    reason: z.string().nullable().meta({ description: "Why it is held (a code).", example: "wrong_amount" }),
    reasonText: z.string().nullable(),
    paidKobo: Kobo,
    currency: z.string(),
    payerName: z.string().nullable(),
    payerBank: z.string().nullable(),
    accountNumber: z.string().nullable(),
    userId: z.string().nullable(),
    receivedAt: IsoTime,
    resolvedBy: z.string().nullable(),
    resolution: z.string().nullable(),
    resolvedAt: IsoTime.nullable(),
  })
  .meta({ id: "AdminTransfer" }) satisfies z.ZodType<SuspenseTransferDto>;

// ---- Analytics --------------------------------------------------------------------------------

const ServiceFiguresSchema = z.object({
  orders: z.number().int(),
  delivered: z.number().int(),
  unsuccessful: z.number().int().meta({ description: "Failed or reversed." }),
  revenueKobo: Kobo,
  costKobo: Kobo,
  marginKobo: Kobo,
}) satisfies z.ZodType<ServiceFigures>;

const DayFiguresSchema = ServiceFiguresSchema.extend({
  day: Day,
  source: z.enum(["rollup", "live"]),
  successRate: Rate,
  byService: ByService(ServiceFiguresSchema),
  newUsers: z.number().int(),
  activeUsers: z.number().int(),
  fundingCount: z.number().int(),
  fundingKobo: Kobo,
  spendKobo: Kobo,
  withdrawalsCount: z.number().int(),
  withdrawalsKobo: Kobo,
  giftRooms: z.number().int(),
  giftCapacity: z.number().int(),
  giftClaims: z.number().int(),
  providerDelivered: Counts,
  failoverOrders: z.number().int(),
  failoverAttempts: Counts,
}) satisfies z.ZodType<DayFigures>;

export const AnalyticsReportSchema = z
  .object({
    range: z.object({ from: Day, to: Day, days: z.number().int() }),
    today: Day,
    generatedAt: IsoTime,
    series: z.array(DayFiguresSchema),
    totals: ServiceFiguresSchema.extend({
      totalUsers: z.number().int(),
      newUsers: z.number().int(),
      activeUsers: z.number().int(),
      retention: z.object({
        rate: Rate,
        retained: z.number().int(),
        previousActive: z.number().int(),
        previousFrom: Day,
        previousTo: Day,
      }),
      transactions: z.number().int(),
      successRate: Rate,
      volumeKobo: Kobo,
      averageSizeKobo: Kobo,
      revenueByService: ByService(ServiceFiguresSchema),
      profitMargin: Rate,
      fundingCount: z.number().int(),
      fundingKobo: Kobo,
      spendKobo: Kobo,
      withdrawalsCount: z.number().int(),
      withdrawalsKobo: Kobo,
      gifts: z.object({
        rooms: z.number().int(),
        capacity: z.number().int(),
        claims: z.number().int(),
        participationRate: Rate,
        roomsClaimed: z.number().int(),
        claimRate: Rate,
        creators: z.number().int(),
        convertedClaimers: z.number().int(),
        viralCoefficient: z.number(),
      }),
      referrals: z.object({
        referees: z.number().int(),
        buyingReferees: z.number().int(),
        referrers: z.number().int(),
        viralCoefficient: z.number(),
      }),
      providerShare: z.record(z.string(), z.object({ delivered: z.number().int(), share: Rate })),
      failoverOrders: z.number().int(),
      failoverAttempts: Counts,
    }),
  })
  .meta({ id: "AnalyticsReport" }) satisfies z.ZodType<AnalyticsReport>;

// ---- Points, referrals, tiers -----------------------------------------------------------------

const LiabilityDay = z.object({
  day: Day,
  earned: z.number().int(),
  bonus: z.number().int(),
  redeemed: z.number().int(),
  expired: z.number().int(),
  reversed: z.number().int(),
  liabilityKobo: Kobo.meta({ description: "What the business owed for points at the end of the day." }),
});

const PointHolderSchema = z.object({
  userId: z.string(),
  name: z.string().nullable(),
  phone: z.string().nullable(),
  balance: z.number().int(),
  valueKobo: Kobo,
}) satisfies z.ZodType<PointHolder>;

const RecentPointRowSchema = z.object({
  id: z.string(),
  userId: z.string(),
  name: z.string().nullable(),
  kind: StatementLine.shape.kind,
  points: z.number().int(),
  balanceAfter: z.number().int(),
  valueKobo: Kobo.meta({ description: "This row's change to the liability." }),
  orderId: z.string().nullable(),
  reason: z.string().nullable(),
  actor: z.string(),
  createdAt: IsoTime,
}) satisfies z.ZodType<RecentPointRow>;

export const AdminPointsReport = z
  .object({
    outstandingPoints: z.number().int(),
    holders: z.number().int(),
    pointsInDebt: z.number().int(),
    liabilityKobo: Kobo.meta({ description: "The ledger's figure: what the points are booked at." }),
    valueAtCurrentRateKobo: Kobo,
    pointValueKobo: Kobo,
    days: z.array(LiabilityDay),
    topHolders: z.array(PointHolderSchema),
    recent: z.array(RecentPointRowSchema),
  })
  .meta({ id: "AdminPointsReport" }) satisfies z.ZodType<PointsLiabilityReport>;

export const AdminCustomerPoints = z
  .object({
    userId: z.string(),
    ...PointsBalance,
    statement: page(StatementLine).meta({ description: "Pass `nextCursor` as `before` for the next page." }),
  })
  .meta({ id: "AdminCustomerPoints" });

export const BonusResult = z.object({
  pointEntryId: z.string(),
  points: z.number().int(),
  balance: z.number().int().meta({ description: "The customer's points after the bonus." }),
});

export const AdminReferrer = z
  .object({
    userId: z.string(),
    name: z.string().nullable(),
    code: z.string().meta({ example: "ADA2580" }),
    referees: z.number().int(),
    paid: z.number().int(),
    clawedBack: z.number().int(),
    earnedKobo: Kobo,
  })
  .meta({ id: "AdminReferrer" }) satisfies z.ZodType<ReferrerRow>;

export const ReferralAbuseGroup = z
  .object({
    key: z.string(),
    signal: z.enum(["device", "card", "bvn"]),
    shared: z.string().meta({ description: "What is shared, masked.", example: "BVN •••••••• 456" }),
    referrers: z.array(
      z.object({ userId: z.string(), name: z.string().nullable(), code: z.string(), sharesIt: z.boolean() }),
    ),
    referees: z.array(
      z.object({
        userId: z.string(),
        name: z.string().nullable(),
        phone: z.string().nullable(),
        referrerId: z.string(),
        reward: z.enum(["paid", "capped", "refused", "clawed_back", "none"]),
        rewardKobo: Kobo,
        welcomeKobo: Kobo,
      }),
    ),
    paidKobo: Kobo,
    acrossReferrers: z.boolean(),
  })
  .meta({ id: "ReferralAbuseGroup" }) satisfies z.ZodType<AbuseGroup>;

export const AdminTierRule = z
  .object({
    code: z.string().meta({ example: "smart_buyer" }),
    name: z.string().meta({ example: "Smart Buyer" }),
    rank: z.number().int(),
    minVolumeKobo: Kobo,
    margins: z.object({ airtime: TierMargin, data: TierMargin, cable: TierMargin, electricity: TierMargin }),
    updatedBy: z.string().nullable(),
    updatedAt: IsoTime,
  })
  .meta({ id: "AdminTierRule" }) satisfies z.ZodType<TierRule>;

export const TierCount = z.object({
  code: z.string(),
  name: z.string(),
  customers: z.number().int(),
  setByAdmin: z.number().int().meta({ description: "Of them, those whose tier an admin fixed." }),
});

export const CustomerTierResult = z.object({
  userId: z.string(),
  tier: z.string().meta({ example: "reseller" }),
  automatic: z.boolean(),
});
