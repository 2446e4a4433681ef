export * from "./cards";
export * from "./reminders";
