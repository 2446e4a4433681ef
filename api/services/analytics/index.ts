export * from "./measure";
export * from "./range";
export * from "./report";
export * from "./rollup";
