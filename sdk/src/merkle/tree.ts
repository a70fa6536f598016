/**
 * Shard commitment — the Merkle rule of docs/protocol.md §1 (normative; the contracts
 * implement the same rule and both sides test against test/vectors/merkle.json).
 *
 *   segments  : 64-byte pieces of the shard, the last one zero-padded
 *   leaf_i    : SHA256(segment_i)[0:16]
 *   node(a,b) : SHA256(a ‖ b ‖ 0x01 ‖ 0^31)[0:16]
 *   layers    : an odd layer (> 1 node) is extended with one ZERO node (16 zero bytes)
 *   depth     : ceil(log2 nLeaves); proof = segment ‖ depth siblings from layer 0 upward
 *
 * `buildMerkleTree` keeps every layer in memory (≈ 25 % of the shard size plus the shard):
 * for vectors, tests and small shards. For streaming use `MerkleBuilder` (builder.ts).
 */
import { sha256Batch64 as defaultHasher } from "#merkle-hasher";
import { NODE_BYTES, SEGMENT_BYTES, ZERO_NODE, leafCount, treeDepth } from "./constants.ts";
import { MerkleProofError } from "./errors.ts";
import type { Sha256Batch64 } from "./hasher.ts";
import { buildLayers, hashLeavesInto, hashPair, hashSegment } from "./layers.ts";

/** A proof of one leaf: its 64-byte segment and `depth` 16-byte siblings, layer 0 first. */
export type MerkleProof = {
  leaf: number;
  segment: Uint8Array;
  siblings: Uint8Array[];
};

export type MerkleOptions = {
  /** Batch SHA-256 implementation; defaults to the fastest one for the runtime. */
  hasher?: Sha256Batch64;
};

/** Leaves hashed per hasher call when hashing a whole shard (bounds scratch memory). */
const LEAF_BATCH = 1 << 14;

export type MerkleTree = {
  readonly root: Uint8Array;
  readonly nLeaves: number;
  readonly depth: number;
  /** Layer h as `count × 16` bytes; layers[depth] is the root. */
  readonly layers: readonly Uint8Array[];
  /** Proof for leaf `leaf` (the shard bytes are needed for the segment). */
  proof(leaf: number): MerkleProof;
};

/** Hash every segment of `shard` into the leaf layer. */
export function hashLeaves(shard: Uint8Array, options: MerkleOptions = {}): Uint8Array {
  const hasher = options.hasher ?? defaultHasher;
  if (shard.length === 0) throw new RangeError("A shard must be at least 1 byte long.");
  const n = leafCount(shard.length);
  const leaves = new Uint8Array(n * NODE_BYTES);
  const full = Math.floor(shard.length / SEGMENT_BYTES);
  const scratch = new Uint8Array(Math.min(full, LEAF_BATCH) * 32);
  for (let at = 0; at < full; at += LEAF_BATCH) {
    const count = Math.min(LEAF_BATCH, full - at);
    hashLeavesInto(hasher, shard.subarray(at * SEGMENT_BYTES), count, leaves, at, scratch);
  }
  if (full < n)
    leaves.set(hashSegment(hasher, shard.subarray(full * SEGMENT_BYTES)), full * NODE_BYTES);
  return leaves;
}

/** Build the whole tree of `shard` in memory. */
export function buildMerkleTree(shard: Uint8Array, options: MerkleOptions = {}): MerkleTree {
  const hasher = options.hasher ?? defaultHasher;
  const leaves = hashLeaves(shard, { hasher });
  const nLeaves = leaves.length / NODE_BYTES;
  const layers = buildLayers(hasher, leaves, nLeaves);
  const depth = layers.length - 1;
  const root = layers[depth]!.slice(0, NODE_BYTES);
  return {
    root,
    nLeaves,
    depth,
    layers,
    proof(leaf: number): MerkleProof {
      checkLeafIndex(leaf, nLeaves);
      const segment = new Uint8Array(SEGMENT_BYTES);
      segment.set(shard.subarray(leaf * SEGMENT_BYTES, (leaf + 1) * SEGMENT_BYTES));
      const siblings: Uint8Array[] = [];
      for (let d = 0; d < depth; d++) {
        const layer = layers[d]!;
        const s = (leaf >>> d) ^ 1;
        siblings.push(
          s * NODE_BYTES < layer.length
            ? layer.slice(s * NODE_BYTES, (s + 1) * NODE_BYTES)
            : ZERO_NODE.slice(),
        );
      }
      return { leaf, segment, siblings };
    },
  };
}

/** The root of `shard` (in memory; see MerkleBuilder for streams). */
export function merkleRoot(shard: Uint8Array, options: MerkleOptions = {}): Uint8Array {
  return buildMerkleTree(shard, options).root;
}

/** The root implied by a proof (the verifier's fold). */
export function rootFromProof(
  proof: MerkleProof,
  nLeaves: number,
  options: MerkleOptions = {},
): Uint8Array {
  const hasher = options.hasher ?? defaultHasher;
  const depth = treeDepth(nLeaves);
  checkLeafIndex(proof.leaf, nLeaves);
  if (proof.segment.length !== SEGMENT_BYTES)
    throw new MerkleProofError(
      `A proof segment must be ${SEGMENT_BYTES} bytes, got ${proof.segment.length}.`,
    );
  if (proof.siblings.length !== depth)
    throw new MerkleProofError(
      `A proof for ${nLeaves} leaves needs ${depth} siblings, got ${proof.siblings.length}.`,
    );
  let h = hashSegment(hasher, proof.segment);
  for (let d = 0; d < depth; d++) {
    const sibling = proof.siblings[d]!;
    if (sibling.length !== NODE_BYTES)
      throw new MerkleProofError(
        `Sibling ${d} must be ${NODE_BYTES} bytes, got ${sibling.length}.`,
      );
    h =
      ((proof.leaf >>> d) & 1) === 0 ? hashPair(hasher, h, sibling) : hashPair(hasher, sibling, h);
  }
  return h;
}

/** True iff `proof` proves its segment at its leaf index under `root` for a shard of `nLeaves` leaves. */
export function verifyMerkleProof(
  { root, nLeaves, proof }: { root: Uint8Array; nLeaves: number; proof: MerkleProof },
  options: MerkleOptions = {},
): boolean {
  let computed: Uint8Array;
  try {
    computed = rootFromProof(proof, nLeaves, options);
  } catch (error) {
    if (error instanceof MerkleProofError) return false;
    throw error;
  }
  return computed.length === root.length && computed.every((b, i) => b === root[i]);
}

/** Packed proof bytes as the contracts expect them: segment (64) ‖ siblings (depth × 16). */
export function encodeMerkleProof(proof: MerkleProof): Uint8Array {
  const out = new Uint8Array(SEGMENT_BYTES + proof.siblings.length * NODE_BYTES);
  out.set(proof.segment, 0);
  proof.siblings.forEach((s, d) => out.set(s, SEGMENT_BYTES + d * NODE_BYTES));
  return out;
}

/** Inverse of encodeMerkleProof for leaf `leaf` of a tree of `nLeaves` leaves. */
export function decodeMerkleProof(bytes: Uint8Array, leaf: number, nLeaves: number): MerkleProof {
  const depth = treeDepth(nLeaves);
  const expected = SEGMENT_BYTES + depth * NODE_BYTES;
  if (bytes.length !== expected)
    throw new MerkleProofError(
      `A packed proof for ${nLeaves} leaves is ${expected} bytes, got ${bytes.length}.`,
    );
  const siblings: Uint8Array[] = [];
  for (let d = 0; d < depth; d++)
    siblings.push(
      bytes.slice(SEGMENT_BYTES + d * NODE_BYTES, SEGMENT_BYTES + (d + 1) * NODE_BYTES),
    );
  return { leaf, segment: bytes.slice(0, SEGMENT_BYTES), siblings };
}

function checkLeafIndex(leaf: number, nLeaves: number): void {
  if (!Number.isSafeInteger(leaf) || leaf < 0 || leaf >= nLeaves)
    throw new MerkleProofError(`Leaf ${leaf} is out of range for a tree of ${nLeaves} leaves.`);
}
