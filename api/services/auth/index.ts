export * from "./api-keys";
export * from "./passwords";
export * from "./register";
export * from "./sessions";
