/**
 * Shard commitment of docs/protocol.md §1, specialised for a prover that keeps only the
 * upper part of each tree on disk.
 *
 * Architecture: bytes arrive in arbitrary chunks → `ShardTreeBuilder.update` copies them into
 * a 1 MiB batch buffer → each full batch is hashed leaves-first (one native batch call per
 * layer, @chainsafe/hashtree) up to the CUT level (2^6 leaves = 4 KiB of shard per node) →
 * only CUT-level nodes are kept (shardSize/256 bytes of memory) → `finish()` builds the layers
 * above CUT and returns them serialised. A proof (`proveLeaf`) re-reads the 4 KiB region
 * around the challenged segment and the stored layers: never the whole shard.
 *
 * Memory: one 1 MiB batch + its hash buffers + the CUT layer, independent of how the body
 * is chunked.
 */
import { hashInto } from "@chainsafe/hashtree";
import { createHash } from "node:crypto";

export const SEGMENT_BYTES = 64;
export const NODE_BYTES = 16;
export const UNIT_LEAVES = 1 << 16;
/** Layers below this level are recomputed from the shard file when proving. */
export const CUT_LEVEL = 6;
const NODE_PAD = (() => {
  const pad = new Uint8Array(32);
  pad[0] = 1;
  return pad;
})();
const ZERO = new Uint8Array(NODE_BYTES);
const BATCH_BYTES = 1 << 20;

export function leafCount(size: number): number {
  if (!Number.isSafeInteger(size) || size < 1)
    throw new RangeError(`shard size must be a positive integer, got ${size}`);
  return Math.ceil(size / SEGMENT_BYTES);
}

export function treeDepth(nLeaves: number): number {
  let depth = 0;
  while (2 ** depth < nLeaves) depth++;
  return depth;
}

/** Number of nodes of each layer 0..depth. */
export function layerLengths(nLeaves: number): number[] {
  const lengths = [nLeaves];
  let n = nLeaves;
  while (n > 1) {
    n = Math.ceil(n / 2);
    lengths.push(n);
  }
  return lengths;
}

export function cutLevel(nLeaves: number): number {
  return Math.min(CUT_LEVEL, treeDepth(nLeaves));
}

/** Byte offset of each stored layer (cut..depth) inside the serialised tree. */
export function storedLayerOffsets(nLeaves: number): {
  cut: number;
  offsets: number[];
  lengths: number[];
  total: number;
} {
  const lengths = layerLengths(nLeaves);
  const cut = cutLevel(nLeaves);
  const offsets: number[] = [];
  let total = 0;
  for (let h = cut; h < lengths.length; h++) {
    offsets.push(total);
    total += lengths[h]! * NODE_BYTES;
  }
  return { cut, offsets, lengths, total };
}

function words(b: Uint8Array): Uint32Array {
  if (b.byteOffset % 4 !== 0) b = b.slice();
  return new Uint32Array(b.buffer, b.byteOffset, b.byteLength >> 2);
}

/**
 * Hash one layer into the next: `count` 16-byte nodes in, ceil(count/2) parents out. A missing
 * right child (odd count, only at the end of a layer) is ZERO: the protocol's odd-layer rule.
 * Messages are assembled with 32-bit word copies (no per-node allocation).
 */
function hashLayer(layer: Uint8Array, count: number): Uint8Array {
  const parents = Math.ceil(count / 2);
  const msg = new Uint8Array(parents * 64);
  const m32 = words(msg);
  const l32 = words(layer);
  const full = count >> 1;
  for (let p = 0; p < full; p++) {
    const o = p * 16;
    const c = p * 8;
    m32[o] = l32[c]!;
    m32[o + 1] = l32[c + 1]!;
    m32[o + 2] = l32[c + 2]!;
    m32[o + 3] = l32[c + 3]!;
    m32[o + 4] = l32[c + 4]!;
    m32[o + 5] = l32[c + 5]!;
    m32[o + 6] = l32[c + 6]!;
    m32[o + 7] = l32[c + 7]!;
  }
  if (parents > full) {
    const o = full * 16;
    const c = full * 8;
    for (let k = 0; k < 4; k++) m32[o + k] = l32[c + k]!;
  }
  for (let p = 0; p < parents; p++) msg[p * 64 + 32] = 1; // NODE_PAD
  const digests = new Uint8Array(parents * 32);
  hashInto(msg, digests);
  return truncate(digests, parents);
}

function truncate(digests: Uint8Array, count: number): Uint8Array {
  const out = new Uint8Array(count * NODE_BYTES);
  const o32 = words(out);
  const d32 = words(digests);
  for (let i = 0; i < count; i++) {
    const o = i * 4;
    const d = i * 8;
    o32[o] = d32[d]!;
    o32[o + 1] = d32[d + 1]!;
    o32[o + 2] = d32[d + 2]!;
    o32[o + 3] = d32[d + 3]!;
  }
  return out;
}

/** Leaf hashes of `bytes` (length a multiple of 64). */
function hashLeaves(bytes: Uint8Array): Uint8Array {
  const count = bytes.length / SEGMENT_BYTES;
  const digests = new Uint8Array(count * 32);
  hashInto(bytes, digests);
  return truncate(digests, count);
}

/**
 * Hashes whole batches up to a level with two reusable scratch buffers (one per thread): the
 * 32-byte digests of a layer are turned in place into the next layer's 64-byte messages
 * (left16 ‖ right16 ‖ NODE_PAD — message p lies exactly over digests 2p and 2p+1), so each
 * level is one `hashInto` call over all of the batch's nodes, with no allocation.
 */
export class BatchHasher {
  #a = new Uint8Array(0);
  #b = new Uint8Array(0);

  /** Nodes at level `cut` (16 bytes each) of `bytes`, zero-padded to whole segments. */
  toCut(bytes: Uint8Array, cut: number): Uint8Array {
    const segments = Math.ceil(bytes.length / SEGMENT_BYTES);
    let input = bytes;
    if (segments * SEGMENT_BYTES !== bytes.length || bytes.byteOffset % 4 !== 0) {
      input = new Uint8Array(segments * SEGMENT_BYTES);
      input.set(bytes);
    }
    const need = segments * 32 + 64;
    if (this.#a.length < need) {
      this.#a = new Uint8Array(need);
      this.#b = new Uint8Array(need);
    }
    let cur = this.#a;
    let next = this.#b;
    hashInto(input, cur.subarray(0, segments * 32));
    let count = segments;
    for (let h = 0; h < cut; h++) {
      const parents = Math.ceil(count / 2);
      const full = count >> 1;
      const m = new Uint32Array(cur.buffer, 0, parents * 16);
      for (let p = 0; p < full; p++) {
        const o = p * 16;
        m[o + 4] = m[o + 8]!;
        m[o + 5] = m[o + 9]!;
        m[o + 6] = m[o + 10]!;
        m[o + 7] = m[o + 11]!;
        m[o + 8] = 0;
        m[o + 9] = 0;
        m[o + 10] = 0;
        m[o + 11] = 0;
        m[o + 12] = 0;
        m[o + 13] = 0;
        m[o + 14] = 0;
        m[o + 15] = 0;
        cur[o * 4 + 32] = 1; // NODE_PAD
      }
      if (parents > full) {
        // odd layer: the missing right child is ZERO
        const o = full * 16;
        for (let k = 4; k < 16; k++) m[o + k] = 0;
        cur[o * 4 + 32] = 1;
      }
      hashInto(cur.subarray(0, parents * 64), next.subarray(0, parents * 32));
      [cur, next] = [next, cur];
      count = parents;
    }
    return truncate(cur.subarray(0, count * 32), count);
  }
}

let sharedHasher: BatchHasher | undefined;

/**
 * Nodes at level `cut` of one batch of shard bytes. The batch must start at a multiple of
 * 2^cut segments (4 KiB for cut 6); only the shard's last batch may end unaligned. Batches are
 * independent, so they can be hashed on any thread in any order.
 */
export function hashBatchToCut(bytes: Uint8Array, cut: number): Uint8Array {
  return (sharedHasher ??= new BatchHasher()).toCut(bytes, cut);
}

/** Serialised layers cut..depth and the root, from the complete cut layer. */
export function layersFromCut(
  cutLayer: Uint8Array,
  nLeaves: number,
): { root: Uint8Array; layers: Uint8Array } {
  const { total, offsets, cut, lengths } = storedLayerOffsets(nLeaves);
  const depth = lengths.length - 1;
  const layers = new Uint8Array(total);
  let layer = cutLayer;
  layers.set(layer, offsets[0]!);
  for (let h = cut; h < depth; h++) {
    layer = hashLayer(layer, layer.length / NODE_BYTES);
    layers.set(layer, offsets[h - cut + 1]!);
  }
  return { root: layer.slice(0, NODE_BYTES), layers };
}

export class ShardTreeBuilder {
  readonly size: number;
  readonly nLeaves: number;
  readonly depth: number;
  readonly cut: number;
  #batch = new Uint8Array(BATCH_BYTES);
  #fill = 0;
  #received = 0;
  #cutLayer: Uint8Array;
  #cutFilled = 0;

  constructor(size: number) {
    this.size = size;
    this.nLeaves = leafCount(size);
    this.depth = treeDepth(this.nLeaves);
    this.cut = cutLevel(this.nLeaves);
    this.#cutLayer = new Uint8Array(layerLengths(this.nLeaves)[this.cut]! * NODE_BYTES);
  }

  get received(): number {
    return this.#received;
  }

  /** Feed the next bytes. Throws if more than `size` bytes are fed. */
  update(chunk: Uint8Array): void {
    if (this.#received + chunk.length > this.size) {
      throw new RangeError(`received more than the declared ${this.size} bytes`);
    }
    this.#received += chunk.length;
    let off = 0;
    while (off < chunk.length) {
      const n = Math.min(chunk.length - off, BATCH_BYTES - this.#fill);
      this.#batch.set(chunk.subarray(off, off + n), this.#fill);
      this.#fill += n;
      off += n;
      if (this.#fill === BATCH_BYTES) this.#flush();
    }
  }

  #flush(): void {
    if (this.#fill === 0) return;
    const segments = Math.ceil(this.#fill / SEGMENT_BYTES);
    const padded = segments * SEGMENT_BYTES;
    if (padded > this.#fill) this.#batch.fill(0, this.#fill, padded);
    const nodes = hashBatchToCut(this.#batch.subarray(0, padded), this.cut);
    this.#cutLayer.set(nodes, this.#cutFilled);
    this.#cutFilled += nodes.length;
    this.#fill = 0;
  }

  /** Close the tree: returns the root and the serialised layers cut..depth. */
  finish(): { root: Uint8Array; layers: Uint8Array } {
    if (this.#received !== this.size)
      throw new RangeError(`received ${this.#received} of ${this.size} bytes`);
    this.#flush();
    return layersFromCut(this.#cutLayer, this.nLeaves);
  }
}

/** Random access to a shard's bytes and its stored layers (both files on disk). */
export type ShardReader = {
  readShard(offset: number, length: number): Promise<Uint8Array>;
  readLayers(offset: number, length: number): Promise<Uint8Array>;
};

/**
 * Proof for `leaf`: 64-byte segment ‖ depth × 16-byte siblings (protocol §1.5). Reads
 * 2^cut segments of the shard and one node per stored layer.
 */
export async function proveLeaf(
  reader: ShardReader,
  size: number,
  leaf: number,
): Promise<Uint8Array> {
  const nLeaves = leafCount(size);
  if (!Number.isSafeInteger(leaf) || leaf < 0 || leaf >= nLeaves)
    throw new RangeError(`leaf ${leaf} out of range [0, ${nLeaves})`);
  const depth = treeDepth(nLeaves);
  const { cut, offsets, lengths } = storedLayerOffsets(nLeaves);
  const blockFirst = Math.floor(leaf / 2 ** cut) * 2 ** cut;
  const blockLeaves = Math.min(2 ** cut, nLeaves - blockFirst);
  const start = blockFirst * SEGMENT_BYTES;
  const raw = await reader.readShard(start, Math.min(blockLeaves * SEGMENT_BYTES, size - start));
  const region = new Uint8Array(blockLeaves * SEGMENT_BYTES);
  region.set(raw);
  const proof = new Uint8Array(SEGMENT_BYTES + depth * NODE_BYTES);
  proof.set(
    region.subarray((leaf - blockFirst) * SEGMENT_BYTES, (leaf - blockFirst + 1) * SEGMENT_BYTES),
    0,
  );
  let layer = hashLeaves(region);
  let pos = 0;
  for (let d = 0; d < cut; d++) {
    const local = ((leaf >> d) ^ 1) - (blockFirst >> d);
    const count = layer.length / NODE_BYTES;
    const sib = local < count ? layer.subarray(local * NODE_BYTES, (local + 1) * NODE_BYTES) : ZERO;
    proof.set(sib, SEGMENT_BYTES + pos * NODE_BYTES);
    pos++;
    layer = hashLayer(layer, count);
  }
  for (let d = cut; d < depth; d++) {
    const idx = Math.floor(leaf / 2 ** d) ^ 1;
    if (idx < lengths[d]!) {
      const node = await reader.readLayers(offsets[d - cut]! + idx * NODE_BYTES, NODE_BYTES);
      proof.set(node, SEGMENT_BYTES + pos * NODE_BYTES);
    }
    pos++;
  }
  return proof;
}

function sha16(...parts: Uint8Array[]): Uint8Array {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest().subarray(0, NODE_BYTES));
}

/** Reference verifier (protocol §1.5), used as a last check before spending gas. */
export function verifyProof(
  root: Uint8Array,
  nLeaves: number,
  leaf: number,
  proof: Uint8Array,
): boolean {
  const depth = treeDepth(nLeaves);
  if (proof.length !== SEGMENT_BYTES + depth * NODE_BYTES) return false;
  let h = sha16(proof.subarray(0, SEGMENT_BYTES));
  for (let d = 0; d < depth; d++) {
    const sib = proof.subarray(
      SEGMENT_BYTES + d * NODE_BYTES,
      SEGMENT_BYTES + (d + 1) * NODE_BYTES,
    );
    h = Math.floor(leaf / 2 ** d) % 2 === 0 ? sha16(h, sib, NODE_PAD) : sha16(sib, h, NODE_PAD);
  }
  return Buffer.from(h).equals(Buffer.from(root));
}
