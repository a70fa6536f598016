/**
 * Streaming shard commitment: feed a shard in pieces of any size, get its root (and, if asked
 * for up front, proofs of chosen leaves) while keeping only O(log n) nodes plus one chunk of
 * 4096 leaves (64 KiB) in memory.
 *
 * Leaves are hashed in batches straight from the caller's buffers. Every full chunk of
 * CHUNK_LEAVES aligned leaves is reduced to its subtree root with one batch call per level;
 * subtree roots enter a frontier (one pending left node per level) that pairs them up. At the
 * end the last, partial chunk and every dangling left node are paired with ZERO, which is
 * exactly the "extend an odd layer with one ZERO node" rule.
 */
import { sha256Batch64 as defaultHasher } from "#merkle-hasher";
import { NODE_BYTES, SEGMENT_BYTES, ZERO_NODE, treeDepth } from "./constants.ts";
import { MerkleProofError } from "./errors.ts";
import type { Sha256Batch64 } from "./hasher.ts";
import {
  buildLayers,
  createLayerScratch,
  hashLeavesInto,
  hashPair,
  reduceToRoot,
  type LayerScratch,
} from "./layers.ts";
import type { MerkleOptions, MerkleProof } from "./tree.ts";

const CHUNK_LEVELS = 12;
const CHUNK_LEAVES = 1 << CHUNK_LEVELS;

/** What a finished builder knows about the shard it consumed. */
export type MerkleCommitment = {
  root: Uint8Array;
  nLeaves: number;
  depth: number;
  /** Shard length in bytes. */
  size: number;
  /** Proofs of the leaves named in `prove`, in the order given. */
  proofs: MerkleProof[];
};

type Wanted = {
  leaf: number;
  segment: Uint8Array | undefined;
  siblings: (Uint8Array | undefined)[];
};

export class MerkleBuilder {
  readonly #hasher: Sha256Batch64;
  readonly #leaves = new Uint8Array(CHUNK_LEAVES * NODE_BYTES);
  readonly #scratch = new Uint8Array(CHUNK_LEAVES * 32);
  readonly #partial = new Uint8Array(SEGMENT_BYTES);
  #partialLength = 0;
  #leafCount = 0;
  #chunks = 0;
  #size = 0;
  readonly #frontier: (Uint8Array | undefined)[] = [];
  readonly #levelCounts: number[] = [];
  readonly #wanted: Wanted[];
  #layerScratch: LayerScratch | undefined;
  #done = false;

  constructor(options: MerkleOptions & { prove?: readonly number[] } = {}) {
    this.#hasher = options.hasher ?? defaultHasher;
    this.#wanted = (options.prove ?? []).map((leaf) => {
      if (!Number.isSafeInteger(leaf) || leaf < 0)
        throw new MerkleProofError(`Leaf ${leaf} is not a valid leaf index.`);
      return { leaf, segment: undefined, siblings: [] };
    });
  }

  /** Bytes consumed so far. */
  get size(): number {
    return this.#size;
  }

  /** Consume the next bytes of the shard. */
  update(data: Uint8Array): this {
    if (this.#done) throw new Error("MerkleBuilder.update() called after digest().");
    this.#size += data.length;
    let off = 0;
    if (this.#partialLength > 0) {
      const take = Math.min(SEGMENT_BYTES - this.#partialLength, data.length);
      this.#partial.set(data.subarray(0, take), this.#partialLength);
      this.#partialLength += take;
      off = take;
      if (this.#partialLength === SEGMENT_BYTES) {
        this.#hashSegments(this.#partial, 1);
        this.#partialLength = 0;
      }
    }
    while (data.length - off >= SEGMENT_BYTES) {
      const count = Math.min(
        CHUNK_LEAVES - this.#leafCount,
        Math.floor((data.length - off) / SEGMENT_BYTES),
      );
      this.#hashSegments(data.subarray(off, off + count * SEGMENT_BYTES), count);
      off += count * SEGMENT_BYTES;
    }
    if (off < data.length) {
      this.#partial.set(data.subarray(off), 0);
      this.#partialLength = data.length - off;
    }
    return this;
  }

  /** Finish: the root, leaf count, depth and the requested proofs. */
  digest(): MerkleCommitment {
    if (this.#done) throw new Error("MerkleBuilder.digest() called twice.");
    if (this.#size === 0) throw new RangeError("A shard must be at least 1 byte long.");
    this.#done = true;
    if (this.#partialLength > 0) {
      this.#partial.fill(0, this.#partialLength);
      this.#hashSegments(this.#partial, 1);
      this.#partialLength = 0;
    }
    const nLeaves = this.#chunks * CHUNK_LEAVES + this.#leafCount;
    const depth = treeDepth(nLeaves);
    for (const w of this.#wanted)
      if (w.leaf >= nLeaves)
        throw new MerkleProofError(
          `Leaf ${w.leaf} is out of range for a tree of ${nLeaves} leaves.`,
        );
    let root: Uint8Array;
    if (this.#leafCount > 0) {
      const [chunkTop, chunkLevels] = this.#reduceChunk(this.#leafCount);
      let top: Uint8Array = chunkTop;
      if (this.#chunks === 0) {
        root = top;
      } else {
        for (let level = chunkLevels; level < CHUNK_LEVELS; level++)
          top = hashPair(this.#hasher, top, ZERO_NODE);
        this.#push(top, CHUNK_LEVELS);
        root = this.#closeFrontier(depth);
      }
    } else {
      root = this.#closeFrontier(depth);
    }
    const proofs = this.#wanted.map(({ leaf, segment, siblings }) => ({
      leaf,
      segment: segment!,
      siblings: Array.from({ length: depth }, (_, d) => siblings[d] ?? ZERO_NODE.slice()),
    }));
    return { root, nLeaves, depth, size: this.#size, proofs };
  }

  #closeFrontier(depth: number): Uint8Array {
    for (let d = CHUNK_LEVELS; d < depth; d++) {
      const left = this.#frontier[d];
      if (left !== undefined) {
        this.#frontier[d] = undefined;
        this.#push(hashPair(this.#hasher, left, ZERO_NODE), d + 1);
      }
    }
    return this.#frontier[depth]!;
  }

  #hashSegments(segments: Uint8Array, count: number): void {
    const base = this.#chunks * CHUNK_LEAVES + this.#leafCount;
    hashLeavesInto(this.#hasher, segments, count, this.#leaves, this.#leafCount, this.#scratch);
    for (const w of this.#wanted) {
      if (w.leaf >= base && w.leaf < base + count) {
        const at = (w.leaf - base) * SEGMENT_BYTES;
        w.segment = segments.slice(at, at + SEGMENT_BYTES);
      }
    }
    this.#leafCount += count;
    if (this.#leafCount === CHUNK_LEAVES) {
      const [top] = this.#reduceChunk(CHUNK_LEAVES);
      this.#leafCount = 0;
      this.#chunks++;
      this.#push(top, CHUNK_LEVELS);
    }
  }

  /** Top node and height of the current chunk's subtree; records in-chunk siblings of wanted leaves. */
  #reduceChunk(count: number): [Uint8Array, number] {
    const base = this.#chunks * CHUNK_LEAVES;
    const height = treeDepth(count);
    if (!this.#wanted.some((w) => w.leaf >= base && w.leaf < base + count)) {
      this.#layerScratch ??= createLayerScratch(CHUNK_LEAVES);
      return [reduceToRoot(this.#hasher, this.#leaves, count, this.#layerScratch), height];
    }
    const layers = buildLayers(this.#hasher, this.#leaves, count);
    for (const w of this.#wanted) {
      if (w.leaf < base || w.leaf >= base + count) continue;
      const local = w.leaf - base;
      for (let d = 0; d < layers.length - 1; d++) {
        const s = (local >>> d) ^ 1;
        const layer = layers[d]!;
        if (s * NODE_BYTES < layer.length)
          w.siblings[d] = layer.slice(s * NODE_BYTES, (s + 1) * NODE_BYTES);
      }
    }
    return [layers[layers.length - 1]!.slice(0, NODE_BYTES), height];
  }

  /** Add a node at `level` (≥ CHUNK_LEVELS) to the frontier, pairing it with a pending left node. */
  #push(node: Uint8Array, level: number): void {
    for (;;) {
      const index = this.#levelCounts[level] ?? 0;
      this.#levelCounts[level] = index + 1;
      for (const w of this.#wanted) {
        const at = Math.floor(w.leaf / 2 ** level);
        if ((at % 2 === 0 ? at + 1 : at - 1) === index) w.siblings[level] = node;
      }
      const left = this.#frontier[level];
      if (left === undefined) {
        this.#frontier[level] = node;
        return;
      }
      this.#frontier[level] = undefined;
      node = hashPair(this.#hasher, left, node);
      level++;
    }
  }
}

/** Root (and optional proofs) of a shard given as a stream of byte pieces. */
export async function commitShard(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: MerkleOptions & { prove?: readonly number[]; signal?: AbortSignal } = {},
): Promise<MerkleCommitment> {
  const builder = new MerkleBuilder(options);
  for await (const piece of source) {
    options.signal?.throwIfAborted();
    builder.update(piece);
  }
  return builder.digest();
}
