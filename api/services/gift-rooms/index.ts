export * from "./claim";
export * from "./claim-page";
export * from "./close-room";
export * from "./create-room";
export * from "./draw";
export * from "./get-room";
