export * from "./errors/base.ts";
export * from "./merkle/index.ts";
export * from "./cid/index.ts";
export * from "./crypto/aes-gcm.ts";
export * from "./compression/index.ts";
export * from "./erasure/index.ts";
export * from "./pipeline/index.ts";
