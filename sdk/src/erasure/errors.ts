import { TesseraError } from "../errors/base.ts";

/** k / m outside what the code (GF(2^8), ≤ 256 shards) and the contracts (uint8) accept. */
export class ErasureParamsError extends TesseraError {
  override name = "ErasureParamsError";
}

/** Fewer than k good shards: the data cannot be rebuilt. Names the shards that are missing. */
export class NotEnoughShardsError extends TesseraError {
  override name = "NotEnoughShardsError";
  readonly k: number;
  readonly available: number[];
  readonly missing: number[];
  constructor({
    k,
    n,
    available,
    cause,
  }: {
    k: number;
    n: number;
    available: readonly number[];
    cause?: unknown;
  }) {
    const have = new Set(available);
    const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !have.has(i));
    super(
      `Only ${have.size} of ${n} shards are available but ${k} are needed; missing shards: ${missing.join(", ")}. Fetch ${k - have.size} more from other providers.`,
      cause === undefined ? {} : { cause },
    );
    this.k = k;
    this.available = [...have].sort((a, b) => a - b);
    this.missing = missing;
  }
}
