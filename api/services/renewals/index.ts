export * from "./admin-cards";
export * from "./cards";
export * from "./reminders";
