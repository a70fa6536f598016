/**
 * Per-shard commitments (Merkle root + UnixFS CID) for the encoder, fed one erasure-coded stripe at a time (n pieces of
 * `piece` bytes, shard i's piece at i × piece). This in-thread version runs everywhere; in Node
 * `#stripe-hasher` resolves to stripe-hasher-node.ts, which does the same work on a worker
 * thread so hashing (the slowest upload stage) runs beside RS + CID on the main thread.
 */
import { ShardCidBuilder } from "../cid/index.ts";
import { MerkleBuilder, type MerkleCommitment } from "./builder.ts";

/** Per shard: Merkle root, leaf count, depth, size and the UnixFS CID (string). */
export type ShardRoots = (Omit<MerkleCommitment, "proofs"> & { cid: string })[];

export type StripeHasher = {
  /** Allocate a stripe buffer this hasher can read without copying. */
  allocate(bytes: number): Uint8Array;
  /** Hash the n pieces of `stripe`; the stripe must not change until the promise resolves. */
  update(stripe: Uint8Array, piece: number): Promise<void>;
  digest(): Promise<ShardRoots>;
  abort(): void;
};

export function inThreadStripeHasher(n: number): StripeHasher {
  const shards = createShardHashers(n);
  return {
    allocate: (bytes) => new Uint8Array(bytes),
    async update(stripe, piece) {
      updateShardHashers(shards, stripe, piece);
    },
    async digest() {
      return digestShardHashers(shards);
    },
    abort() {},
  };
}

export const createStripeHasher = (n: number, _options: { workers?: boolean } = {}): StripeHasher =>
  inThreadStripeHasher(n);

type ShardHashers = { merkle: MerkleBuilder; cid: ShardCidBuilder }[];

export function createShardHashers(n: number): ShardHashers {
  return Array.from({ length: n }, () => ({
    merkle: new MerkleBuilder(),
    cid: new ShardCidBuilder(),
  }));
}

export function updateShardHashers(shards: ShardHashers, stripe: Uint8Array, piece: number): void {
  for (let i = 0; i < shards.length; i++) {
    const bytes = stripe.subarray(i * piece, (i + 1) * piece);
    shards[i]!.merkle.update(bytes);
    shards[i]!.cid.write(bytes);
  }
}

export function digestShardHashers(shards: ShardHashers): ShardRoots {
  return shards.map(({ merkle, cid }) => {
    const { root, nLeaves, depth, size } = merkle.digest();
    return { root, nLeaves, depth, size, cid: cid.end().toString() };
  });
}
