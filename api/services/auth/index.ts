export * from "./api-keys";
export * from "./credential-cache";
export * from "./passwords";
export * from "./register";
export * from "./sessions";
