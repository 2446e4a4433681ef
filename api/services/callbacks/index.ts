export {
  type AdminCallbackDelivery,
  AdminDeliveryFilters,
  adminResendCallbackDelivery,
  type CallbackDeliveryDto,
  DELIVERY_ID,
  ListDeliveriesInput,
  listCallbackDeliveries,
  listCallbackDeliveriesForAdmin,
  resendCallbackDelivery,
} from "./deliveries";
export {
  type CallbackConfigDto,
  getCallback,
  removeCallback,
  rotateCallbackSecret,
  SetCallbackInput,
  setCallback,
} from "./registration";
export {
  attemptCallback,
  CALLBACK_RETRY_WINDOW_MS,
  CALLBACK_TIMEOUT_MS,
  type CallbackAttemptOutcome,
  type CallbackSenderDeps,
  callbackDeliveryStats,
  callbackRetryDelayMs,
  claimDueCallbacks,
  runCallbackPass,
} from "./sender";
export { callbackSignatureHeader } from "./signature";
export { checkCallbackUrl, isPublicAddress, type LookupAll, type ResolvedAddress } from "./url-policy";
export { type CallbackSignatureCheck, verifyCallbackSignature } from "./verify";
