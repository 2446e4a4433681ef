export * from "./adjust-balance";
export * from "./balance";
export * from "./holds";
export * from "./move-money";
export * from "./transactions";
