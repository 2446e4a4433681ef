export * from "./api-key-rate-limit";
export * from "./api-keys";
export * from "./credential-cache";
export * from "./ip-allow-list";
export * from "./passwords";
export * from "./register";
export * from "./scopes";
export * from "./sessions";
