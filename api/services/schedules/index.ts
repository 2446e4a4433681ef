export * from "./admin";
export * from "./from-order";
export * from "./notices";
export * from "./recurrence";
export * from "./runs";
export * from "./schedules";
