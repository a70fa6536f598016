export * from "./constants.ts";
export * from "./errors.ts";
export type { Sha256Batch64 } from "./hasher.ts";
export { sha256Batch64Wasm } from "./hasher-wasm.ts";
export * from "./tree.ts";
export * from "./builder.ts";
export { bytesToHex, hexToBytes } from "./hex.ts";
