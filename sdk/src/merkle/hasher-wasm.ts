import { hashInto } from "@chainsafe/as-sha256";
import type { Sha256Batch64 } from "./hasher.ts";

/** SHA-256 of many 64-byte messages with @chainsafe/as-sha256 (WebAssembly; browsers and Node). */
export const sha256Batch64Wasm: Sha256Batch64 = (input, output) => hashInto(input, output);
export const sha256Batch64: Sha256Batch64 = sha256Batch64Wasm;
export const hasherName = "@chainsafe/as-sha256";
