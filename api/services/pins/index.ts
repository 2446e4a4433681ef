export * from "./pin-hash";
export * from "./reset-pin";
export * from "./set-pin";
export * from "./verify-pin";
