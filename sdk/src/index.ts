export * from "./errors/base.ts";
export * from "./merkle/index.ts";
