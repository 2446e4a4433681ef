export * from "./console-account";
export * from "./create-user";
export * from "./identities";
export * from "./language";
export * from "./levels";
export * from "./link-codes";
export * from "./set-phone";
export * from "./user-dto";
