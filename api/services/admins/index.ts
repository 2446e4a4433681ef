export * from "./admins";
export * from "./overview";
export * from "./sessions";
