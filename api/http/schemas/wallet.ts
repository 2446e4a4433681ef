import { z } from "zod";
import type {
  Bank as BankDto,
  FundingIntentDto,
  TransferFunding as TransferFundingDto,
  VirtualAccountDto,
  WithdrawalDto,
} from "../../services/funding";
import type {
  WalletBalance as WalletBalanceDto,
  WalletTransaction as WalletTransactionDto,
} from "../../services/wallet";
import { IsoTime, Kobo, page } from "../openapi/envelope-schemas";

// Response schemas of /api/wallet (balance, statement, funding, withdrawals). `satisfies` ties each
// to the service's own type, so a field added to a DTO and not here fails the type check.

export const WalletBalance = z
  .object({
    balanceKobo: Kobo.meta({ description: "Posted money in the wallet.", example: 250000 }),
    heldKobo: Kobo.meta({
      description: "Reserved by purchases and withdrawals still in progress.",
      example: 0,
    }),
    availableKobo: Kobo.meta({ description: "What you can spend now: balance − held.", example: 250000 }),
    currency: z.string().meta({ example: "NGN" }),
  })
  .meta({ id: "WalletBalance" }) satisfies z.ZodType<WalletBalanceDto>;

export const WalletTransaction = z
  .object({
    id: z.number().int(),
    entryId: z.number().int().meta({ description: "The journal entry this line belongs to." }),
    type: z.string().meta({ example: "vtu_purchase" }),
    description: z.string(),
    amountKobo: Kobo.meta({ description: "Positive: money in; negative: money out.", example: -50000 }),
    balanceAfterKobo: Kobo,
    createdAt: IsoTime,
  })
  .meta({ id: "WalletTransaction" }) satisfies z.ZodType<WalletTransactionDto>;

export const WalletTransactionPage = page(WalletTransaction).meta({ id: "WalletTransactionPage" });

export const FundingIntent = z
  .object({
    id: z.string().meta({ example: "fnd_01JEXAMPLE" }),
    txRef: z.string().meta({ example: "TADA-01JEXAMPLE" }),
    status: z.enum(["pending", "credited", "failed", "manual_review"]),
    amountKobo: Kobo.meta({ description: "What reaches the wallet.", example: 500000 }),
    feeKobo: Kobo.meta({ example: 7500 }),
    totalKobo: Kobo.meta({ description: "What the payer is charged at checkout.", example: 507500 }),
    checkoutUrl: z.string().nullable().meta({ description: "Open it to pay by card or bank." }),
    expired: z.boolean().meta({
      description: "Pending past its expiry: the link is closed, but a payment made anyway is credited.",
    }),
    expiresAt: IsoTime,
    createdAt: IsoTime,
    creditedAt: IsoTime.nullable(),
  })
  .meta({ id: "FundingIntent" }) satisfies z.ZodType<FundingIntentDto>;

export const VirtualAccount = z
  .object({
    id: z.string().meta({ example: "vac_01JEXAMPLE" }),
    kind: z.enum(["static", "dynamic"]),
    status: z.enum(["requested", "active", "refused", "expired", "closed"]),
    accountNumber: z.string().nullable().meta({ example: "8571234567" }),
    bankName: z.string().nullable().meta({ example: "WEMA BANK" }),
    accountName: z.string().nullable(),
    amountKobo: Kobo.nullable().meta({ description: "Dynamic: what reaches the wallet." }),
    totalKobo: Kobo.nullable().meta({ description: "Dynamic: what the payer must send (amount + fee)." }),
    feeKobo: Kobo.nullable(),
    expiresAt: IsoTime.nullable(),
    createdAt: IsoTime,
  })
  .meta({ id: "VirtualAccount" }) satisfies z.ZodType<VirtualAccountDto>;

export const TransferFunding = z
  .object({
    account: z
      .union([VirtualAccount, z.null()])
      .meta({ description: "Your permanent account number, once issued." }),
    pending: z.boolean().meta({ description: "Asked for; the bank has not confirmed it yet." }),
    bvnLast3: z.string().nullable().meta({ description: "The last 3 digits of the BVN on file." }),
    refusedReason: z
      .string()
      .nullable()
      .meta({ description: "Why the last request was refused, when it was." }),
    level: z.object({
      level: z.number().int(),
      name: z.string().meta({ example: "verified" }),
      fundingDailyKobo: Kobo,
      permanentAccount: z
        .boolean()
        .meta({ description: "Whether this level can have a permanent account number." }),
    }),
    fee: z.string().meta({
      description: "The transfer fee in words for a person (it may name ₦ amounts); compute with `feeRule`.",
      example: "a fee of 1% (at most ₦200)",
    }),
    feeRule: z
      .object({
        bps: z.number().int().meta({ description: "Basis points of the amount (100 = 1%).", example: 100 }),
        flatKobo: Kobo.meta({ example: 0 }),
        capKobo: Kobo.meta({ description: "The most the fee can be; 0: no cap.", example: 20000 }),
      })
      .meta({
        description:
          "The fee on a transfer of T kobo: ceil(T × bps / 10000) + flatKobo, at most capKobo (when not 0) and at most T.",
      }),
  })
  .meta({ id: "TransferFunding" }) satisfies z.ZodType<TransferFundingDto>;

export const KycLink = z.object({
  url: z.string().meta({ description: "The one-time page where the BVN is given (never to this API)." }),
  expiresAt: IsoTime,
});

export const Bank = z
  .object({ code: z.string().meta({ example: "058" }), name: z.string().meta({ example: "GTBank" }) })
  .meta({ id: "Bank" }) satisfies z.ZodType<BankDto>;

export const ResolvedAccount = z
  .object({
    bankCode: z.string().meta({ example: "058" }),
    bankName: z.string().nullable(),
    accountNumber: z.string().meta({ example: "0123456789" }),
    accountName: z.string().meta({ description: "Show it; send it back as `accountName` to withdraw." }),
  })
  .meta({ id: "ResolvedAccount" });

export const Withdrawal = z
  .object({
    id: z.string().meta({ example: "wdr_01JEXAMPLE" }),
    state: z.enum(["held", "submitting", "pending", "unknown", "successful", "failed"]),
    final: z.boolean().meta({ description: "True once successful or failed (and refunded)." }),
    message: z.string().meta({ description: "What the customer should read about it now." }),
    amountKobo: Kobo,
    feeKobo: Kobo,
    bankCode: z.string(),
    bankName: z.string().nullable(),
    accountNumber: z.string(),
    accountName: z.string(),
    reference: z.string().meta({ example: "TADA-WD-01JEXAMPLE" }),
    createdAt: IsoTime,
    completedAt: IsoTime.nullable(),
  })
  .meta({ id: "Withdrawal" }) satisfies z.ZodType<WithdrawalDto>;
