import { hashInto } from "@chainsafe/hashtree";
import type { Sha256Batch64 } from "./hasher.ts";

/** SHA-256 of many 64-byte messages with @chainsafe/hashtree (native SIMD; Node only). */
export const sha256Batch64Native: Sha256Batch64 = (input, output) => hashInto(input, output);
export const sha256Batch64: Sha256Batch64 = sha256Batch64Native;
export const hasherName = "@chainsafe/hashtree";
