export * from "./accounts";
export * from "./call-errors";
export * from "./check-ledger";
export * from "./holds";
export * from "./idempotency";
export * from "./post-entry";
