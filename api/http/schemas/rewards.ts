import { z } from "zod";
import type {
  PointStatementLine as PointStatementLineDto,
  PointsSummary as PointsSummaryDto,
  Redemption as RedemptionDto,
  ReferralSummary as ReferralSummaryDto,
} from "../../services/rewards";
import { IsoTime, Kobo, page } from "../openapi/envelope-schemas";

// Response schemas of /api/referrals, /api/points and /api/tiers. `satisfies` ties each to the
// service's own type, so a field added to a DTO and not here fails the type check.

const Points = z.number().int().meta({ description: "A number of loyalty points.", example: 120 });
const perService = <S extends z.ZodType>(value: S) =>
  z.object({ airtime: value, data: value, cable: value, electricity: value });

export const ReferralSummary = z
  .object({
    code: z.string().meta({ example: "ADA7K2" }),
    link: z.string().meta({ description: "A link that signs a friend up with your code." }),
    telegramLink: z.string().nullable(),
    whatsappLink: z.string().nullable(),
    referees: z.number().int().meta({ description: "People who joined with your code." }),
    rewarded: z
      .number()
      .int()
      .meta({ description: "Of them, those whose first qualifying purchase paid you a reward." }),
    earnedKobo: Kobo.meta({
      description: "What referrals paid you in total (after clawbacks).",
      example: 20000,
    }),
    rules: z.object({
      rewardKobo: Kobo.meta({ description: "Paid to you per friend's first qualifying purchase." }),
      welcomeKobo: Kobo.meta({ description: "Paid to the friend." }),
      minPurchaseKobo: Kobo.meta({ description: "The least first purchase that qualifies." }),
      monthlyCap: z.number().int().meta({ description: "Rewards paid to one referrer per month, at most." }),
    }),
    canEnterCode: z.boolean().meta({
      description: "You may still enter the code of someone who referred you (POST /api/referrals/code).",
    }),
  })
  .meta({ id: "ReferralSummary" }) satisfies z.ZodType<ReferralSummaryDto>;

export const ReferralApplied = z.object({
  applied: z.literal(true),
  referrerFirstName: z.string().nullable().meta({ description: "Who referred you, by first name only." }),
});

export const PointStatementLine = z
  .object({
    id: z.string(),
    kind: z.enum(["earn", "referral", "bonus", "reverse", "expire", "redeem"]),
    points: Points.meta({ description: "Positive: points in; negative: points out.", example: 9 }),
    balanceAfter: Points,
    description: z.string().meta({ example: "Earned on MTN 1GB (30 days) (₦979.70)" }),
    orderId: z.string().nullable(),
    createdAt: IsoTime,
  })
  .meta({ id: "PointStatementLine" }) satisfies z.ZodType<PointStatementLineDto>;

export const PointStatementPage = page(PointStatementLine).meta({ id: "PointStatementPage" });

export const PointsSummary = z
  .object({
    balance: Points,
    valueKobo: Kobo.meta({ description: "What the balance is worth redeemed now.", example: 6000 }),
    expiringSoon: Points.meta({ description: "Points that expire within 30 days unless used." }),
    lifetimeEarned: Points,
    rules: z.object({
      earnPer100Naira: perService(z.number().int()).meta({
        description: "Points per full ₦100 paid, per service.",
      }),
      referralPoints: Points.meta({ description: "Points for each friend you refer." }),
      pointValueKobo: Kobo.meta({ description: "What one point is worth.", example: 50 }),
      minRedeemPoints: Points.meta({ description: "The least points a wallet redemption takes." }),
      expiryDays: z.number().int(),
    }),
    recent: z.array(PointStatementLine).meta({ description: "The latest changes, newest first." }),
  })
  .meta({ id: "PointsSummary" }) satisfies z.ZodType<PointsSummaryDto>;

export const Redemption = z
  .object({
    pointEntryId: z.string(),
    points: Points.meta({ description: "Points taken." }),
    creditKobo: Kobo.meta({ description: "What the points put into the wallet.", example: 5000 }),
    balance: Points.meta({ description: "Points left." }),
    redeemedFor: z.enum(["wallet", "airtime", "data"]),
    replayed: z
      .boolean()
      .meta({ description: "True when this answers a retry with the same Idempotency-Key." }),
  })
  .meta({ id: "Redemption" }) satisfies z.ZodType<RedemptionDto>;

/** A tier's margin for one service, replacing the service's rule; null: the Regular price. */
export const TierMargin = z
  .object({
    marginType: z.enum(["flat", "percent"]),
    marginValue: z
      .number()
      .int()
      .meta({ description: "`flat`: kobo added to the cost; `percent`: basis points of it (100 = 1%)." }),
  })
  .nullable()
  .meta({ description: "This tier's margin for the service; null: the Regular price." });

export const TierProgress = z
  .object({
    tier: z.object({ code: z.string().meta({ example: "gold" }), name: z.string(), rank: z.number().int() }),
    automatic: z
      .boolean()
      .meta({ description: "True when your tier follows your volume; false when an admin set it." }),
    windowDays: z.number().int().meta({ description: "The days of delivered purchases that count." }),
    volumeKobo: Kobo.meta({ description: "Your delivered purchases over the window.", example: 4500000 }),
    next: z
      .object({
        code: z.string(),
        name: z.string(),
        minVolumeKobo: Kobo,
        neededKobo: Kobo.meta({ description: "How much more delivered volume earns it." }),
      })
      .nullable()
      .meta({ description: "The next tier up; null in the top tier." }),
    tiers: z.array(
      z.object({
        code: z.string(),
        name: z.string(),
        rank: z.number().int(),
        minVolumeKobo: Kobo,
        margins: perService(TierMargin),
        summary: z.string().meta({
          description: "The margins in words for a person (it may name ₦ amounts); compute with `margins`.",
          example: "data 3%, cable ₦30 flat",
        }),
      }),
    ),
  })
  .meta({ id: "TierProgress" });
