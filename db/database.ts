import type { ColumnType, Generated, Insertable, JSONColumnType, Selectable } from "kysely";

/** A timestamptz column: read as Date, written as Date or ISO string, defaulted by the database. */
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json = JSONColumnType<
  Record<string, unknown>,
  Record<string, unknown> | undefined,
  Record<string, unknown>
>;

export type Channel = "telegram" | "whatsapp" | "web" | "api" | "console";
export type UserStatus = "active" | "suspended" | "closed";
export type AdminRole = "super_admin" | "admin" | "support";
export type HoldStatus = "pending" | "posted" | "voided";

export interface UsersTable {
  id: string;
  display_name: string | null;
  phone: string | null;
  email: string | null;
  password_hash: string | null;
  status: Generated<UserStatus>;
  verification_level: Generated<number>;
  referral_code: string;
  referred_by: string | null;
  referred_at: NullableTimestamp;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /** The chat reply language (bot/engine/i18n): null until the person chooses (English then). */
  language: "en" | "pcm" | null;
  /** When the chat offered Pidgin (once: an ignored offer is not repeated). */
  language_offered_at: NullableTimestamp;
  /** The customer's tier (customer_tiers.code); priced by it at order time. */
  tier: Generated<string>;
  /** The admin who set the tier (null: automatic, from the rolling delivered volume). */
  tier_set_by_admin: string | null;
  tier_changed_at: NullableTimestamp;
}

export interface IdentitiesTable {
  id: Generated<number>;
  user_id: string;
  channel: Channel;
  external_id: string;
  created_at: CreatedAt;
}

export interface LinkCodesTable {
  id: Generated<number>;
  user_id: string;
  code_hash: string;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  used_by_identity_id: number | null;
  created_at: CreatedAt;
}

export interface UserPinsTable {
  user_id: string;
  pin_hash: string;
  failed_attempts: Generated<number>;
  locked_until: NullableTimestamp;
  lockouts: Generated<number>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface PinResetCodesTable {
  id: Generated<number>;
  user_id: string;
  code_hash: string;
  attempts: Generated<number>;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  created_at: CreatedAt;
}

export interface ApiSessionsTable {
  id: Generated<number>;
  user_id: string;
  token_hash: string;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
  created_at: CreatedAt;
}

export interface ApiKeysTable {
  id: string;
  user_id: string;
  name: string;
  prefix: string;
  key_hash: string;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  created_at: CreatedAt;
}

/** A reseller API key's callback URL and its sealed signing secret (DECISIONS §71). */
export interface ApiKeyCallbacksTable {
  api_key_id: string;
  url: string;
  secret_encrypted: string;
  secret_rotated_at: Timestamp;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export type CallbackEvent = "order.delivered" | "order.failed" | "order.reversed";
export type CallbackDeliveryStatus = "pending" | "delivered" | "given_up";

/** One callback per order and final state, written by a trigger on vtu_orders (DECISIONS §71). */
export interface CallbackDeliveriesTable {
  id: string;
  api_key_id: string;
  user_id: string;
  order_id: string;
  event: CallbackEvent;
  settlement: Json;
  status: Generated<CallbackDeliveryStatus>;
  attempts: Generated<number>;
  window_attempts: Generated<number>;
  next_attempt_at: NullableTimestamp;
  first_attempt_at: NullableTimestamp;
  last_attempt_at: NullableTimestamp;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: NullableTimestamp;
  given_up_at: NullableTimestamp;
  lease_owner: string | null;
  lease_until: NullableTimestamp;
  created_at: CreatedAt;
}

/** Every POST of a callback (or its refusal before it left). */
export interface CallbackAttemptsTable {
  id: Generated<number>;
  delivery_id: string;
  url: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number | null;
  started_at: Timestamp;
}

export interface AdminUsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  role: AdminRole;
  status: Generated<"active" | "disabled">;
  failed_logins: Generated<number>;
  locked_until: NullableTimestamp;
  last_login_at: NullableTimestamp;
  created_at: CreatedAt;
  alert_telegram_chat_id: string | null;
  alert_whatsapp_phone: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  before: ColumnType<unknown, string | null, string | null>;
  after: ColumnType<unknown, string | null, string | null>;
  reason: string | null;
  request_id: string | null;
  created_at: CreatedAt;
}

export interface NotificationsTable {
  id: Generated<number>;
  user_id: string;
  kind: string;
  body: string;
  payload: Json;
  status: Generated<"pending" | "dispatched" | "undeliverable" | "sent" | "failed">;
  created_at: CreatedAt;
  sent_at: NullableTimestamp;
}

export interface NotificationDeliveriesTable {
  id: Generated<number>;
  notification_id: number;
  channel: string;
  external_id: string;
  status: Generated<"pending" | "sending" | "sent" | "failed" | "unknown">;
  attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  lease_until: NullableTimestamp;
  last_error: string | null;
  created_at: CreatedAt;
  sent_at: NullableTimestamp;
}

export interface AccountsTable {
  id: Generated<number>;
  code: string;
  kind: "wallet" | "system";
  user_id: string | null;
  currency: Generated<string>;
  allow_negative: Generated<boolean>;
  /** Maintained by the postings trigger only. */
  balance: ColumnType<number, never, never>;
  /** Maintained by the holds trigger only. */
  held: ColumnType<number, never, never>;
  version: ColumnType<number, never, never>;
  /** The family of a system account split into shards (the original code); null for the rest. */
  system_code: string | null;
  /** 0 for every account except a system family's shards 1…N-1. */
  shard: Generated<number>;
  created_at: CreatedAt;
}

export interface IdempotencyKeysTable {
  id: Generated<number>;
  scope: string;
  key: string;
  operation: string;
  fingerprint: string;
  response: ColumnType<unknown, string, string>;
  created_at: CreatedAt;
}

export interface HoldsTable {
  id: Generated<number>;
  account_id: number;
  destination_account_id: number;
  amount: number;
  status: Generated<HoldStatus>;
  posted_amount: number | null;
  description: string;
  reference: string | null;
  idempotency_key_id: number | null;
  created_at: CreatedAt;
  resolved_at: NullableTimestamp;
}

export interface JournalEntriesTable {
  id: Generated<number>;
  type: string;
  description: string;
  reason: string | null;
  actor: string;
  hold_id: number | null;
  reverses_entry_id: number | null;
  idempotency_key_id: number | null;
  metadata: Json;
  /** The transaction that wrote it (set by the database); postings join only their own transaction's entries. */
  txid: Generated<string | null>;
  created_at: CreatedAt;
}

export interface PostingsTable {
  id: Generated<number>;
  entry_id: number;
  account_id: number;
  amount: number;
  previous_balance: ColumnType<number, never, never>;
  current_balance: ColumnType<number, never, never>;
  account_version: ColumnType<number, never, never>;
  created_at: CreatedAt;
}

export type VtuServiceName = "airtime" | "data" | "cable" | "electricity";
export type OrderState =
  | "held"
  | "submitting"
  | "pending"
  | "unknown"
  | "delivered"
  | "failed"
  | "manual_review"
  | "reversed";
export type AttemptState = "submitting" | "pending" | "unknown" | "delivered" | "failed";
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;

export interface VtuProvidersTable {
  code: string;
  name: string;
  enabled: Generated<boolean>;
  priority: Generated<number>;
  last_synced_at: NullableTimestamp;
  last_sync_error: string | null;
  float_kobo: number | null;
  float_checked_at: NullableTimestamp;
  /** Below this float the provider is "low" (panel badge, alert); null = no threshold. */
  low_float_kobo: number | null;
  /** Seconds after delivery at which this provider is asked again; null = VTU_VERIFY_AFTER_DELIVERY. */
  verify_offsets_seconds: number[] | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface PricingRulesTable {
  service: VtuServiceName;
  margin_type: "flat" | "percent";
  margin_value: number;
  updated_by: string | null;
  updated_at: UpdatedAt;
}

export interface CatalogueProductsTable {
  id: string;
  service: VtuServiceName;
  network: string | null;
  biller: string | null;
  name: string;
  size_mb: number | null;
  validity_days: number | null;
  family: string | null;
  enabled: Generated<boolean>;
  /** A plan's own margin (same meaning as pricing_rules); both null = the service rule applies. */
  margin_type: ColumnType<"flat" | "percent" | null, "flat" | "percent" | null | undefined>;
  margin_value: ColumnType<number | null, number | null | undefined>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ProviderProductsTable {
  provider: string;
  product_id: string;
  provider_product_id: string;
  provider_name: string | null;
  cost_kobo: number | null;
  face_amount_kobo: number | null;
  discount_bps: Generated<number>;
  available: Generated<boolean>;
  synced_at: UpdatedAt;
}

export interface VtuOrdersTable {
  id: string;
  user_id: string;
  service: VtuServiceName;
  product_id: string;
  state: OrderState;
  recipient: string;
  network: string | null;
  meter_type: "prepaid" | "postpaid" | null;
  subscription: "renew" | "change" | null;
  contact_phone: string | null;
  customer_name: string | null;
  face_amount_kobo: number;
  price_kobo: number;
  cost_kobo: number | null;
  provider: string | null;
  hold_id: number;
  settle_entry_id: number | null;
  reversal_entry_id: number | null;
  idempotency_key_id: number | null;
  channel: Generated<string>;
  token_encrypted: string | null;
  units: string | null;
  message: string | null;
  requery_count: Generated<number>;
  next_check_at: NullableTimestamp;
  unresolved_since: NullableTimestamp;
  delivered_at: NullableTimestamp;
  failed_at: NullableTimestamp;
  reversed_at: NullableTimestamp;
  /** When the next post-delivery requery is due (null = no more checks). */
  verify_due_at: NullableTimestamp;
  verify_count: Generated<number>;
  /** The process boot holding the order's current step (see process_boots). */
  lease_owner: string | null;
  webhook_requery_at: NullableTimestamp;
  /** The customer tier the order was priced at (null: before tiers, or not a customer's price). */
  price_tier: string | null;
  /** The reseller API key that placed the order (its callbacks, DECISIONS §71); null otherwise. */
  api_key_id: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface VtuAttemptsTable {
  id: Generated<number>;
  order_id: string;
  attempt_no: number;
  provider: string;
  provider_product_id: string;
  request_id: string;
  state: AttemptState;
  provider_reference: string | null;
  retry_elsewhere: boolean | null;
  message: string | null;
  cost_kobo: number | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface VtuProviderExchangesTable {
  id: Generated<number>;
  attempt_id: number;
  kind: "submit" | "requery";
  outcome: string;
  message: string | null;
  /** The exchange as exact JSON text (jsonb would refuse a NUL a provider sent). */
  raw: string;
  duration_ms: number | null;
  created_at: CreatedAt;
}

export interface ProviderWebhookEventsTable {
  id: Generated<number>;
  provider: string;
  payload: Json;
  order_id: string | null;
  received_at: CreatedAt;
}

export interface SandboxVtuTransactionsTable {
  provider: string;
  request_id: string;
  reference: string;
  service: string;
  recipient: string;
  amount_kobo: number;
  product: string | null;
  scenario: string;
  status: "processing" | "success" | "failed" | "reversed" | "not_processed";
  token: string | null;
  resolve_at: NullableTimestamp;
  created_at: CreatedAt;
}

export interface FundingIntentsTable {
  id: string;
  user_id: string;
  tx_ref: string;
  gateway: string;
  amount_kobo: number;
  fee_kobo: Generated<number>;
  total_kobo: number;
  currency: Generated<string>;
  status: Generated<"pending" | "credited" | "failed" | "manual_review">;
  checkout_link: string | null;
  channel: Generated<string>;
  expires_at: Timestamp;
  gateway_tx_id: string | null;
  paid_kobo: number | null;
  credit_entry_id: number | null;
  failure_reason: string | null;
  idempotency_key_id: number | null;
  last_checked_at: NullableTimestamp;
  credited_at: NullableTimestamp;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface PaymentWebhookEventsTable {
  id: Generated<number>;
  gateway: string;
  event_key: string;
  event: string;
  scheme: string;
  payload: Json;
  deliveries: Generated<number>;
  outcome: string | null;
  processed_at: NullableTimestamp;
  received_at: CreatedAt;
}

export type WithdrawalState = "held" | "submitting" | "pending" | "unknown" | "successful" | "failed";

export interface WithdrawalsTable {
  id: string;
  user_id: string;
  reference: string;
  gateway: string;
  bank_code: string;
  bank_name: string | null;
  account_number: string;
  account_name: string;
  amount_kobo: number;
  fee_kobo: Generated<number>;
  state: WithdrawalState;
  hold_id: number;
  settle_entry_id: number | null;
  transfer_id: string | null;
  message: string | null;
  idempotency_key_id: number | null;
  next_check_at: NullableTimestamp;
  requery_count: Generated<number>;
  /** When we last sent the transfer to the gateway, and how many times (see the resend rule). */
  sent_at: NullableTimestamp;
  send_count: Generated<number>;
  completed_at: NullableTimestamp;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface SandboxGatewayPaymentsTable {
  id: Generated<number>;
  tx_ref: string;
  amount_kobo: number;
  currency: Generated<string>;
  status: Generated<"pending" | "successful" | "failed">;
  customer_email: string | null;
  created_at: CreatedAt;
  paid_at: NullableTimestamp;
  payment_type: Generated<string>;
  payer_name: string | null;
  payer_bank: string | null;
  narration: string | null;
  webhook_due_at: NullableTimestamp;
}

export interface SandboxGatewayAccountsTable {
  id: Generated<number>;
  tx_ref: string;
  order_ref: string;
  account_number: string;
  bank_name: string;
  account_name: string;
  permanent: boolean;
  amount_kobo: number | null;
  expires_at: NullableTimestamp;
  status: Generated<"active" | "inactive">;
  created_at: CreatedAt;
}

export interface ReferralRewardsTable {
  id: string;
  referee_id: string;
  referrer_id: string;
  order_id: string;
  status: "paid" | "capped" | "refused" | "clawed_back";
  reason: string | null;
  reward_kobo: Generated<number>;
  welcome_kobo: Generated<number>;
  entry_id: number | null;
  clawback_entry_id: number | null;
  created_at: CreatedAt;
  clawed_back_at: NullableTimestamp;
}

export type PointKind = "earn" | "referral" | "bonus" | "reverse" | "expire" | "redeem";

export interface PointAccountsTable {
  user_id: string;
  balance: Generated<number>;
  updated_at: UpdatedAt;
}

/** The point ledger (append-only): one row per change, with what caused it. */
export interface PointEntriesTable {
  id: string;
  seq: Generated<number>;
  user_id: string;
  kind: PointKind;
  points: number;
  balance_after: number;
  /** The liability change in kobo (same sign as points; 0 when the points were worth nothing). */
  value_kobo: number;
  order_id: string | null;
  referral_reward_id: string | null;
  reverses_id: string | null;
  idempotency_key: string | null;
  entry_id: number | null;
  redeemed_for: "wallet" | "airtime" | "data" | null;
  /** A redemption: what it paid into the wallet. */
  credit_kobo: number | null;
  actor: string;
  reason: string | null;
  created_at: CreatedAt;
}

/** Per customer and smartcard: the provider's last word on it (migration 2026_12_07_0900, DECISIONS §66). */
export interface CableCardsTable {
  id: Generated<number>;
  user_id: string;
  provider: string;
  smartcard: string;
  customer_name: string | null;
  bouquet: string | null;
  product_id: string | null;
  renewal_amount_kobo: number | null;
  /** A Lagos calendar date, "YYYY-MM-DD" (read as text). */
  due_date: ColumnType<string | null, string | null | undefined, string | null>;
  due_source: "provider" | "renewal" | null;
  last_order_id: string | null;
  reminders_off: Generated<boolean>;
  verified_at: NullableTimestamp;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface CableCardEventsTable {
  id: Generated<number>;
  order_id: string;
  created_at: CreatedAt;
}

export interface CableRemindersTable {
  card_id: number;
  due_date: string;
  days_before: number;
  sent: boolean;
  created_at: CreatedAt;
}

export interface PurchaseNudgesTable {
  order_id: string;
  user_id: string;
  kind: "electricity" | "data";
  created_at: CreatedAt;
}

export interface PurchaseNudgeOptOutsTable {
  user_id: string;
  kind: "electricity" | "data";
  created_at: CreatedAt;
}

export interface RewardEventsTable {
  id: Generated<number>;
  order_id: string;
  event: "delivered" | "reversed";
  created_at: CreatedAt;
}

export interface PointsSettingsTable {
  id: Generated<boolean>;
  earn_airtime: number;
  earn_data: number;
  earn_cable: number;
  earn_electricity: number;
  referral_points: number;
  point_value_kobo: number;
  min_redeem_points: number;
  expiry_days: number;
  updated_by: string;
  updated_at: UpdatedAt;
}

export interface ReferralSettingsTable {
  id: Generated<boolean>;
  reward_kobo: number;
  welcome_kobo: number;
  min_purchase_kobo: number;
  monthly_cap: number;
  updated_by: string;
  updated_at: UpdatedAt;
}

export type ScheduleService = "airtime" | "data" | "electricity" | "cable";
export type ScheduleRecurrence = "daily" | "weekly" | "monthly" | "every_n_days" | "before_due";
export type ScheduleStatus = "active" | "paused" | "ended" | "deleted";
export type SchedulePauseReason = "customer" | "price_above_cap" | "monthly_cap" | "skipped_runs";
export type ScheduleRunState = "due" | "waiting_funds" | "placed" | "delivered" | "failed" | "skipped";

/** A scheduled, recurring purchase with its standing authorisation (issue 19, DECISIONS §65). */
export interface SchedulesTable {
  id: string;
  user_id: string;
  service: ScheduleService;
  recipient: string;
  network: string | null;
  amount_kobo: number | null;
  plan_id: string | null;
  disco: string | null;
  meter_type: "prepaid" | "postpaid" | null;
  cable_provider: string | null;
  contact_phone: string | null;
  label: string | null;
  recurrence: ScheduleRecurrence;
  weekday: number | null;
  month_day: number | null;
  interval_days: number | null;
  /** Lagos dates as 'YYYY-MM-DD'. */
  start_on: string;
  end_on: string | null;
  max_runs: number | null;
  runs_made: Generated<number>;
  per_run_cap_kobo: number;
  monthly_cap_kobo: number;
  authorised_at: Timestamp;
  status: Generated<ScheduleStatus>;
  pause_reason: SchedulePauseReason | null;
  next_due_on: string | null;
  consecutive_skips: Generated<number>;
  not_before: Timestamp;
  idempotency_key: string | null;
  /** A hash of the creating request (without the PIN): a replayed key must repeat it. */
  request_fingerprint: string | null;
  /** Auto-renew (`before_due`): the cable card renewed, and how many days before its due date. */
  cable_card_id: number | null;
  days_before: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** One due date of a schedule (UNIQUE (schedule_id, due_on)); its order's key is schedule:<id>:<due_on>. */
export interface ScheduleRunsTable {
  id: Generated<number>;
  schedule_id: string;
  user_id: string;
  due_on: string;
  due_at: Timestamp;
  state: ScheduleRunState;
  order_id: string | null;
  idempotency_key: string;
  funds_deadline: NullableTimestamp;
  reminded: Generated<boolean>;
  outcome: string | null;
  message: string | null;
  price_kobo: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CustomerTiersTable {
  code: string;
  name: string;
  rank: number;
  min_volume_kobo: number;
  airtime_margin_type: "flat" | "percent" | null;
  airtime_margin_value: number | null;
  data_margin_type: "flat" | "percent" | null;
  data_margin_value: number | null;
  cable_margin_type: "flat" | "percent" | null;
  cable_margin_value: number | null;
  electricity_margin_type: "flat" | "percent" | null;
  electricity_margin_value: number | null;
  updated_by: string | null;
  updated_at: UpdatedAt;
}

export interface UserKycTable {
  user_id: string;
  bvn_ciphertext: string;
  bvn_last3: string;
  bvn_fingerprint: string;
  first_name: string | null;
  last_name: string | null;
  submitted_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface KycLinksTable {
  id: string;
  token_hash: string;
  user_id: string;
  channel: string;
  user_ref: string;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  created_at: CreatedAt;
}

export type VirtualAccountStatus = "requested" | "active" | "refused" | "expired" | "closed";

export interface VirtualAccountsTable {
  id: string;
  user_id: string;
  gateway: string;
  kind: "static" | "dynamic";
  tx_ref: string;
  status: Generated<VirtualAccountStatus>;
  account_number: string | null;
  bank_name: string | null;
  account_name: string | null;
  order_ref: string | null;
  flw_ref: string | null;
  amount_kobo: number | null;
  fee_kobo: number | null;
  total_kobo: number | null;
  expires_at: NullableTimestamp;
  channel: Generated<string>;
  failure_reason: string | null;
  attempts: Generated<number>;
  next_attempt_at: NullableTimestamp;
  last_checked_at: NullableTimestamp;
  closed_at: NullableTimestamp;
  gateway_closed_at: NullableTimestamp;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export type BankTransferStatus = "credited" | "suspense" | "returned";

export interface BankTransfersTable {
  id: string;
  gateway: string;
  gateway_tx_id: string;
  virtual_account_id: string | null;
  user_id: string | null;
  tx_ref: string;
  paid_kobo: number;
  fee_kobo: Generated<number>;
  credit_kobo: Generated<number>;
  currency: string;
  payer_name: string | null;
  payer_bank: string | null;
  payer_account: string | null;
  narration: string | null;
  status: BankTransferStatus;
  suspense_reason: string | null;
  entry_id: number;
  resolve_entry_id: number | null;
  source: string;
  resolved_by: string | null;
  resolution_reason: string | null;
  resolved_at: NullableTimestamp;
  received_at: CreatedAt;
  credited_at: NullableTimestamp;
}

export interface SandboxGatewayTransfersTable {
  id: Generated<number>;
  reference: string;
  bank_code: string;
  account_number: string;
  amount_kobo: number;
  status: "NEW" | "SUCCESSFUL" | "FAILED";
  resolve_at: NullableTimestamp;
  final_status: string | null;
  created_at: CreatedAt;
}

export interface RateLimitCountersTable {
  key: string;
  window_start: Timestamp;
  count: number;
}

export interface ChatSessionsTable {
  channel: string;
  external_id: string;
  user_id: string;
  flow: string | null;
  step: string | null;
  data: Json;
  version: Generated<number>;
  expires_at: NullableTimestamp;
  updated_at: UpdatedAt;
  /** When this chat last took a PIN (a PIN-looking message right after is deleted too). */
  pin_taken_at: NullableTimestamp;
}

export type BeneficiaryService = "airtime" | "data" | "electricity" | "cable";

export interface BeneficiariesTable {
  id: Generated<number>;
  user_id: string;
  service: BeneficiaryService;
  recipient: string;
  provider: string | null;
  meter_type: "prepaid" | "postpaid" | null;
  label: string;
  created_at: CreatedAt;
  last_used_at: UpdatedAt;
}

export interface ChatInputsTable {
  channel: string;
  message_id: string;
  received_at: CreatedAt;
  /** Set once the input's replies are in the outbox; a claim without it whose handler died is redone. */
  handled_at: NullableTimestamp;
  claimed_by: string | null;
}

export type ChatOutboxOp = "send" | "clear_buttons" | "delete";
export type ChatOutboxStatus = "pending" | "sending" | "sent" | "failed";

/** One outbound chat message (or button clean-up, or delete): DECISIONS §40. */
export interface ChatOutboxTable {
  id: Generated<number>;
  channel: string;
  external_id: string;
  user_id: string | null;
  kind: string;
  op: Generated<ChatOutboxOp>;
  dedupe_key: string | null;
  reply: Json;
  payload: Json;
  tag: string | null;
  target: string | null;
  status: Generated<ChatOutboxStatus>;
  attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  lease_owner: string | null;
  lease_until: NullableTimestamp;
  last_error: string | null;
  channel_message_id: string | null;
  created_at: CreatedAt;
  sent_at: NullableTimestamp;
}

/** One inbound update, recorded before it is acknowledged to the channel. */
export interface ChatUpdatesTable {
  channel: string;
  update_key: string;
  external_id: string;
  payload: Json;
  received_by: string | null;
  received_at: CreatedAt;
  handled_at: NullableTimestamp;
  attempts: Generated<number>;
}

export type PinLinkPurpose = "pay" | "set_pin" | "change_pin";

export interface PinLinksTable {
  id: string;
  token_hash: string;
  channel: string;
  user_ref: string;
  user_id: string;
  confirm_id: string;
  purpose: PinLinkPurpose;
  title: string;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  created_at: CreatedAt;
}

/** The customer's "My schedules" page links (DECISIONS §69); only the newest open one per customer. */
export interface ScheduleLinksTable {
  id: string;
  token_hash: string;
  user_id: string;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
  created_at: CreatedAt;
}

export interface GiftRoomsTable {
  id: string;
  creator_id: string;
  token: string;
  kind: "airtime" | "data" | "cash";
  amount_kobo: number;
  plan_id: string | null;
  network: string | null;
  gift_price_kobo: number;
  capacity: number;
  claimed: Generated<number>;
  mode: "first_come" | "random_draw" | "quiz";
  quiz_question: string | null;
  quiz_answers: ColumnType<string[] | null, string | null, string | null>;
  draw_at: NullableTimestamp;
  message: Generated<string>;
  status: Generated<"open" | "drawing" | "closed">;
  expires_at: Timestamp;
  escrow_account_id: number;
  funding_entry_id: number;
  created_at: CreatedAt;
  closed_at: NullableTimestamp;
}

export interface GiftClaimsTable {
  id: Generated<number>;
  room_id: string;
  recipient_msisdn: string;
  device_hash: string;
  claimer_user_id: string | null;
  state: "ordered" | "delivered" | "credited" | "failed";
  order_id: string | null;
  credit_entry_id: number | null;
  created_at: CreatedAt;
  updated_at: Generated<Date>;
}

export interface GiftDrawEntriesTable {
  id: Generated<number>;
  room_id: string;
  recipient_msisdn: string;
  network: string | null;
  device_hash: string;
  user_id: string | null;
  outcome: Generated<"waiting" | "won" | "lost" | "undeliverable">;
  claim_id: number | null;
  joined_at: CreatedAt;
}

export interface GiftDrawsTable {
  room_id: string;
  seed_hex: string;
  participants: ColumnType<unknown, string, string>;
  winners: ColumnType<unknown, string, string>;
  drawn_at: CreatedAt;
}

export interface AdminSessionsTable {
  id: Generated<number>;
  token_hash: string;
  admin_id: string;
  ip: string | null;
  user_agent: string | null;
  created_at: CreatedAt;
  last_seen_at: Generated<Date>;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
}

export interface AdminApprovalsTable {
  id: Generated<number>;
  kind: "balance_adjustment";
  user_id: string;
  amount_kobo: number;
  reason: string;
  requested_by: string;
  decided_by: string | null;
  status: Generated<"pending" | "executed" | "rejected">;
  entry_id: number | null;
  created_at: CreatedAt;
  decided_at: NullableTimestamp;
}

export interface AdminAlertsTable {
  id: Generated<number>;
  kind: string;
  key: string;
  severity: "warning" | "critical";
  title: string;
  body: string;
  count: Generated<number>;
  first_at: CreatedAt;
  last_at: ColumnType<Date, Date | string | undefined, Date | string>;
  notified_channels: Generated<string[]>;
  resolved_at: NullableTimestamp;
  resolved_by: string | null;
}

export interface AdminApiKeysTable {
  id: string;
  admin_id: string;
  name: string;
  prefix: string;
  key_hash: string;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  created_at: CreatedAt;
}

export interface DailyRollupsTable {
  /** A Lagos calendar day. pg parses `date` into a Date at local midnight: select it as `day::text`. */
  day: ColumnType<Date | string, string, string>;
  metric: string;
  dimension: Generated<string>;
  value: ColumnType<number, number, number>;
  computed_at: CreatedAt;
}

/** One row per process start: a live process beats; a stale or replaced boot holds no lease. */
export interface ProcessBootsTable {
  boot_id: string;
  instance_id: string;
  role: string;
  host: string;
  pid: number;
  started_at: CreatedAt;
  beat_at: ColumnType<Date, Date | string | undefined, Date | string>;
  ended_at: NullableTimestamp;
}

export interface Database {
  users: UsersTable;
  identities: IdentitiesTable;
  link_codes: LinkCodesTable;
  user_pins: UserPinsTable;
  pin_reset_codes: PinResetCodesTable;
  api_sessions: ApiSessionsTable;
  api_keys: ApiKeysTable;
  api_key_callbacks: ApiKeyCallbacksTable;
  callback_deliveries: CallbackDeliveriesTable;
  callback_attempts: CallbackAttemptsTable;
  admin_users: AdminUsersTable;
  audit_log: AuditLogTable;
  notifications: NotificationsTable;
  notification_deliveries: NotificationDeliveriesTable;
  accounts: AccountsTable;
  idempotency_keys: IdempotencyKeysTable;
  holds: HoldsTable;
  journal_entries: JournalEntriesTable;
  postings: PostingsTable;
  vtu_providers: VtuProvidersTable;
  pricing_rules: PricingRulesTable;
  catalogue_products: CatalogueProductsTable;
  provider_products: ProviderProductsTable;
  vtu_orders: VtuOrdersTable;
  vtu_attempts: VtuAttemptsTable;
  vtu_provider_exchanges: VtuProviderExchangesTable;
  provider_webhook_events: ProviderWebhookEventsTable;
  sandbox_vtu_transactions: SandboxVtuTransactionsTable;
  funding_intents: FundingIntentsTable;
  payment_webhook_events: PaymentWebhookEventsTable;
  withdrawals: WithdrawalsTable;
  sandbox_gateway_payments: SandboxGatewayPaymentsTable;
  sandbox_gateway_transfers: SandboxGatewayTransfersTable;
  sandbox_gateway_accounts: SandboxGatewayAccountsTable;
  user_kyc: UserKycTable;
  kyc_links: KycLinksTable;
  virtual_accounts: VirtualAccountsTable;
  bank_transfers: BankTransfersTable;
  referral_rewards: ReferralRewardsTable;
  referral_settings: ReferralSettingsTable;
  point_accounts: PointAccountsTable;
  point_entries: PointEntriesTable;
  reward_events: RewardEventsTable;
  cable_cards: CableCardsTable;
  cable_card_events: CableCardEventsTable;
  cable_reminders: CableRemindersTable;
  purchase_nudges: PurchaseNudgesTable;
  purchase_nudge_opt_outs: PurchaseNudgeOptOutsTable;
  points_settings: PointsSettingsTable;
  customer_tiers: CustomerTiersTable;
  schedules: SchedulesTable;
  schedule_runs: ScheduleRunsTable;
  schedule_links: ScheduleLinksTable;
  rate_limit_counters: RateLimitCountersTable;
  chat_sessions: ChatSessionsTable;
  chat_inputs: ChatInputsTable;
  chat_outbox: ChatOutboxTable;
  chat_updates: ChatUpdatesTable;
  pin_links: PinLinksTable;
  gift_rooms: GiftRoomsTable;
  gift_claims: GiftClaimsTable;
  gift_draw_entries: GiftDrawEntriesTable;
  gift_draws: GiftDrawsTable;
  admin_sessions: AdminSessionsTable;
  admin_approvals: AdminApprovalsTable;
  admin_alerts: AdminAlertsTable;
  admin_api_keys: AdminApiKeysTable;
  beneficiaries: BeneficiariesTable;
  daily_rollups: DailyRollupsTable;
  process_boots: ProcessBootsTable;
}

export type VtuOrderRow = Selectable<VtuOrdersTable>;
export type ScheduleRow = Selectable<SchedulesTable>;
export type ScheduleRunRow = Selectable<ScheduleRunsTable>;
export type VtuAttemptRow = Selectable<VtuAttemptsTable>;
export type FundingIntentRow = Selectable<FundingIntentsTable>;
export type WithdrawalRow = Selectable<WithdrawalsTable>;
export type VirtualAccountRow = Selectable<VirtualAccountsTable>;
export type BankTransferRow = Selectable<BankTransfersTable>;
export type BeneficiaryRow = Selectable<BeneficiariesTable>;

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type AccountRow = Selectable<AccountsTable>;
export type HoldRow = Selectable<HoldsTable>;
export type AdminUserRow = Selectable<AdminUsersTable>;
