export * from "./claim";
export * from "./close-room";
export * from "./create-room";
export * from "./get-room";
