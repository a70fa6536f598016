export * from "./types.ts";
export * from "./errors.ts";
export * from "./sinks.ts";
export * from "./store.ts";
export * from "./chunks.ts";
export * from "./encode.ts";
export * from "./decode.ts";
export { iterateBytes, rechunk } from "./source.ts";
