import type { Migration } from "kysely";
import * as foundation from "./2026_11_25_1000_foundation";
import * as vtuOrders from "./2026_11_25_1800_vtu_orders";
import * as funding from "./2026_11_25_1900_funding";
import * as rateLimits from "./2026_11_25_2000_rate_limits";
import * as chat from "./2026_11_25_2100_chat";
import * as beneficiaries from "./2026_11_25_2200_beneficiaries";
import * as pinLinks from "./2026_11_25_2300_pin_links";
import * as notificationDeliveries from "./2026_11_25_2400_notification_deliveries";
import * as giftRooms from "./2026_11_25_2500_gift_rooms";
import * as giftDraws from "./2026_11_25_2600_gift_draws";
import * as adminSessions from "./2026_11_25_2700_admin_sessions";
import * as adminApprovals from "./2026_11_25_2800_admin_approvals";
import * as dailyRollups from "./2026_11_25_2900_daily_rollups";
import * as catalogueSettings from "./2026_11_25_3000_catalogue_settings";
import * as adminAlertsAndKeys from "./2026_11_25_3100_admin_alerts_and_keys";
import * as vtuAfterDelivery from "./2026_12_04_1000_vtu_after_delivery";
import * as fundingRetries from "./2026_12_04_1200_funding_retries";
import * as withdrawalResend from "./2026_12_04_1300_withdrawal_resend";
import * as chatOutbox from "./2026_12_04_1400_chat_outbox";
import * as systemAccountShards from "./2026_12_06_1000_system_account_shards";
import * as walletMoveFunction from "./2026_12_06_1100_wallet_move_function";
import * as orderSettledNotify from "./2026_12_06_1200_order_settled_notify";
import * as catalogueChangedNotify from "./2026_12_06_1300_catalogue_changed_notify";
import * as balanceCheckPerEntry from "./2026_12_06_1400_balance_check_per_entry";
import * as vtuDeliverFunction from "./2026_12_06_1500_vtu_deliver_function";
import * as vtuCreateOrderFunction from "./2026_12_06_1600_vtu_create_order_function";
import * as vtuSubmitFunction from "./2026_12_06_1700_vtu_submit_function";
import * as vtuCheckedCreateOrder from "./2026_12_06_1800_vtu_checked_create_order";
import * as orderChecksOneFunction from "./2026_12_06_1900_order_checks_one_function";
import * as orderSettledPayload from "./2026_12_06_2000_order_settled_payload";
import * as authChangedNotify from "./2026_12_06_2100_auth_changed_notify";
import * as giftClaimOrderFunction from "./2026_12_06_2200_gift_claim_order_function";
import * as fundingCreditFunction from "./2026_12_06_2300_funding_credit_function";
import * as userLanguage from "./2026_12_07_0100_user_language";
import * as bankTransferFunding from "./2026_12_07_0200_bank_transfer_funding";
import * as referralRewards from "./2026_12_07_0300_referral_rewards";
import * as referralSettings from "./2026_12_07_0400_referral_settings";
import * as sandboxLateWebhooks from "./2026_12_07_0500_sandbox_late_webhooks";
import * as loyaltyPoints from "./2026_12_07_0600_loyalty_points";
import * as customerTiers from "./2026_12_07_0700_customer_tiers";
import * as schedules from "./2026_12_07_0800_schedules";
import * as cableRenewals from "./2026_12_07_0900_cable_renewals";
import * as tierChangedNotify from "./2026_12_07_1000_tier_changed_notify";
import * as scheduleRequestFingerprint from "./2026_12_07_1100_schedule_request_fingerprint";
import * as cableAutorenew from "./2026_12_07_1200_cable_autorenew";
import * as scheduleLinks from "./2026_12_07_1300_schedule_links";
import * as orderCallbacks from "./2026_12_07_1400_order_callbacks";

/**
 * Every migration, keyed by its timestamped name (applied in name order). Listed statically rather
 * than read from the folder so they load the same way under tsx, vitest and any bundler.
 * Add a new file here when you add a migration.
 */
export const MIGRATIONS: Record<string, Migration> = {
  "2026_11_25_1000_foundation": foundation,
  "2026_11_25_1800_vtu_orders": vtuOrders,
  "2026_11_25_1900_funding": funding,
  "2026_11_25_2000_rate_limits": rateLimits,
  "2026_11_25_2100_chat": chat,
  "2026_11_25_2200_beneficiaries": beneficiaries,
  "2026_11_25_2300_pin_links": pinLinks,
  "2026_11_25_2400_notification_deliveries": notificationDeliveries,
  "2026_11_25_2500_gift_rooms": giftRooms,
  "2026_11_25_2600_gift_draws": giftDraws,
  "2026_11_25_2700_admin_sessions": adminSessions,
  "2026_11_25_2800_admin_approvals": adminApprovals,
  "2026_11_25_2900_daily_rollups": dailyRollups,
  "2026_11_25_3000_catalogue_settings": catalogueSettings,
  "2026_11_25_3100_admin_alerts_and_keys": adminAlertsAndKeys,
  "2026_12_04_1000_vtu_after_delivery": vtuAfterDelivery,
  "2026_12_04_1200_funding_retries": fundingRetries,
  "2026_12_04_1300_withdrawal_resend": withdrawalResend,
  "2026_12_04_1400_chat_outbox": chatOutbox,
  "2026_12_06_1000_system_account_shards": systemAccountShards,
  "2026_12_06_1100_wallet_move_function": walletMoveFunction,
  "2026_12_06_1200_order_settled_notify": orderSettledNotify,
  "2026_12_06_1300_catalogue_changed_notify": catalogueChangedNotify,
  "2026_12_06_1400_balance_check_per_entry": balanceCheckPerEntry,
  "2026_12_06_1500_vtu_deliver_function": vtuDeliverFunction,
  "2026_12_06_1600_vtu_create_order_function": vtuCreateOrderFunction,
  "2026_12_06_1700_vtu_submit_function": vtuSubmitFunction,
  "2026_12_06_1800_vtu_checked_create_order": vtuCheckedCreateOrder,
  "2026_12_06_1900_order_checks_one_function": orderChecksOneFunction,
  "2026_12_06_2000_order_settled_payload": orderSettledPayload,
  "2026_12_06_2100_auth_changed_notify": authChangedNotify,
  "2026_12_06_2200_gift_claim_order_function": giftClaimOrderFunction,
  "2026_12_06_2300_funding_credit_function": fundingCreditFunction,
  "2026_12_07_0100_user_language": userLanguage,
  "2026_12_07_0200_bank_transfer_funding": bankTransferFunding,
  "2026_12_07_0300_referral_rewards": referralRewards,
  "2026_12_07_0400_referral_settings": referralSettings,
  "2026_12_07_0500_sandbox_late_webhooks": sandboxLateWebhooks,
  "2026_12_07_0600_loyalty_points": loyaltyPoints,
  "2026_12_07_0700_customer_tiers": customerTiers,
  "2026_12_07_0800_schedules": schedules,
  "2026_12_07_0900_cable_renewals": cableRenewals,
  "2026_12_07_1000_tier_changed_notify": tierChangedNotify,
  "2026_12_07_1100_schedule_request_fingerprint": scheduleRequestFingerprint,
  "2026_12_07_1200_cable_autorenew": cableAutorenew,
  "2026_12_07_1300_schedule_links": scheduleLinks,
  "2026_12_07_1400_order_callbacks": orderCallbacks,
};
