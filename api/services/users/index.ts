export * from "./create-user";
export * from "./identities";
export * from "./link-codes";
export * from "./user-dto";
