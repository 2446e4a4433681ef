export * from "./adjustments";
export * from "./admins";
export * from "./audit-log";
export * from "./orders";
export * from "./overview";
export * from "./sessions";
export * from "./user-actions";
export * from "./users";
