/**
 * Per-shard Merkle roots for the encoder, fed one erasure-coded stripe at a time (n pieces of
 * `piece` bytes, shard i's piece at i × piece). This in-thread version runs everywhere; in Node
 * `#stripe-hasher` resolves to stripe-hasher-node.ts, which does the same work on a worker
 * thread so hashing (the slowest upload stage) runs beside RS + CID on the main thread.
 */
import { MerkleBuilder, type MerkleCommitment } from "./builder.ts";

export type ShardRoots = Omit<MerkleCommitment, "proofs">[];

export type StripeHasher = {
  /** Allocate a stripe buffer this hasher can read without copying. */
  allocate(bytes: number): Uint8Array;
  /** Hash the n pieces of `stripe`; the stripe must not change until the promise resolves. */
  update(stripe: Uint8Array, piece: number): Promise<void>;
  digest(): Promise<ShardRoots>;
  abort(): void;
};

export function inThreadStripeHasher(n: number): StripeHasher {
  const builders = Array.from({ length: n }, () => new MerkleBuilder());
  return {
    allocate: (bytes) => new Uint8Array(bytes),
    async update(stripe, piece) {
      for (let i = 0; i < n; i++) builders[i]!.update(stripe.subarray(i * piece, (i + 1) * piece));
    },
    async digest() {
      return builders.map((b) => {
        const { root, nLeaves, depth, size } = b.digest();
        return { root, nLeaves, depth, size };
      });
    },
    abort() {},
  };
}

export const createStripeHasher = (n: number, _options: { workers?: boolean } = {}): StripeHasher => inThreadStripeHasher(n);
