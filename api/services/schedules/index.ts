export * from "./admin";
export * from "./recurrence";
export * from "./runs";
export * from "./schedules";
