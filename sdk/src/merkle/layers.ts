/**
 * Layer hashing for the shard Merkle rule (docs/protocol.md §1), batched: every call of the
 * batch hasher covers a whole run of leaves or a whole layer, never one node at a time.
 * All buffers made here are fresh `Uint8Array`s (4-byte aligned), so 16-byte node copies are
 * done as four 32-bit words.
 */
import { NODE_BYTES, NODE_PAD, SEGMENT_BYTES } from "./constants.ts";
import type { Sha256Batch64 } from "./hasher.ts";

const PAD_WORD = new Uint32Array(NODE_PAD.slice().buffer)[0]!;

/** Truncate `count` contiguous 32-byte digests to 16-byte nodes, written into `out` at node `at`. */
export function truncateDigests(
  digests: Uint8Array,
  count: number,
  out: Uint8Array,
  at: number,
): void {
  const d32 = new Uint32Array(digests.buffer, digests.byteOffset, count * 8);
  const o32 = new Uint32Array(out.buffer, out.byteOffset + at * NODE_BYTES, count * 4);
  for (let i = 0, d = 0, o = 0; i < count; i++, d += 8, o += 4) {
    o32[o] = d32[d]!;
    o32[o + 1] = d32[d + 1]!;
    o32[o + 2] = d32[d + 2]!;
    o32[o + 3] = d32[d + 3]!;
  }
}

/**
 * Hash `count` 64-byte segments (contiguous in `segments`) into leaves, written into `out` from
 * node index `at`. `scratch` must hold `count * 32` bytes and be 4-byte aligned.
 */
export function hashLeavesInto(
  hasher: Sha256Batch64,
  segments: Uint8Array,
  count: number,
  out: Uint8Array,
  at: number,
  scratch: Uint8Array,
): void {
  const digests = scratch.subarray(0, count * 32);
  hasher(segments.subarray(0, count * SEGMENT_BYTES), digests);
  truncateDigests(digests, count, out, at);
}

/**
 * The next layer above `layer` (its first `count` nodes): node(a, b) = SHA256(a ‖ b ‖ NODE_PAD)[0:16];
 * an odd layer is extended with one ZERO node first.
 */
export function hashLayer(hasher: Sha256Batch64, layer: Uint8Array, count: number): Uint8Array {
  const pairs = Math.ceil(count / 2);
  const messages = new Uint8Array(pairs * 64);
  const m32 = new Uint32Array(messages.buffer);
  const l32 = new Uint32Array(layer.buffer, layer.byteOffset, count * 4);
  const words = count * 4;
  for (let p = 0, m = 0, l = 0; p < pairs; p++, m += 16, l += 8) {
    for (let w = 0; w < 8; w++) if (l + w < words) m32[m + w] = l32[l + w]!;
    m32[m + 8] = PAD_WORD;
  }
  const digests = new Uint8Array(pairs * 32);
  hasher(messages, digests);
  const next = new Uint8Array(pairs * NODE_BYTES);
  truncateDigests(digests, pairs, next, 0);
  return next;
}

/** All layers from `count` leaves (layer 0 first) up to the single root node. */
export function buildLayers(
  hasher: Sha256Batch64,
  leaves: Uint8Array,
  count: number,
): Uint8Array[] {
  const layers: Uint8Array[] = [leaves.subarray(0, count * NODE_BYTES)];
  let current = layers[0]!;
  let n = count;
  while (n > 1) {
    current = hashLayer(hasher, current, n);
    n = Math.ceil(n / 2);
    layers.push(current);
  }
  return layers;
}

/** node(a, b) for two single nodes. */
export function hashPair(hasher: Sha256Batch64, a: Uint8Array, b: Uint8Array): Uint8Array {
  const pair = new Uint8Array(2 * NODE_BYTES);
  pair.set(a, 0);
  pair.set(b, NODE_BYTES);
  return hashLayer(hasher, pair, 2);
}

/** leaf(segment) for one segment of at most 64 bytes (zero-padded). */
export function hashSegment(hasher: Sha256Batch64, segment: Uint8Array): Uint8Array {
  const block = new Uint8Array(SEGMENT_BYTES);
  block.set(segment.subarray(0, SEGMENT_BYTES));
  const digest = new Uint8Array(32);
  hasher(block, digest);
  return digest.slice(0, NODE_BYTES);
}

/** Reusable buffers for reduceToRoot over at most `maxLeaves` leaves. */
export type LayerScratch = {
  messages: Uint8Array;
  digests: Uint8Array;
  ping: Uint8Array;
  pong: Uint8Array;
};

export function createLayerScratch(maxLeaves: number): LayerScratch {
  const pairs = Math.ceil(maxLeaves / 2);
  return {
    messages: new Uint8Array(pairs * 64),
    digests: new Uint8Array(pairs * 32),
    ping: new Uint8Array(pairs * NODE_BYTES),
    pong: new Uint8Array(pairs * NODE_BYTES),
  };
}

/**
 * The root over `count` leaves, like buildLayers(…).at(-1) but without allocating: layers
 * alternate between two scratch buffers. Words 9–15 of every message slot are never written,
 * so they stay zero; word 8 is the NODE_PAD tag.
 */
export function reduceToRoot(
  hasher: Sha256Batch64,
  leaves: Uint8Array,
  count: number,
  scratch: LayerScratch,
): Uint8Array {
  const m32 = new Uint32Array(
    scratch.messages.buffer,
    scratch.messages.byteOffset,
    scratch.messages.length / 4,
  );
  let current = leaves;
  let n = count;
  let target = scratch.ping;
  while (n > 1) {
    const pairs = Math.ceil(n / 2);
    const l32 = new Uint32Array(current.buffer, current.byteOffset, n * 4);
    const words = n * 4;
    for (let p = 0, m = 0, l = 0; p < pairs; p++, m += 16, l += 8) {
      for (let w = 0; w < 8; w++) m32[m + w] = l + w < words ? l32[l + w]! : 0;
      m32[m + 8] = PAD_WORD;
    }
    const digests = scratch.digests.subarray(0, pairs * 32);
    hasher(scratch.messages.subarray(0, pairs * 64), digests);
    truncateDigests(digests, pairs, target, 0);
    current = target;
    target = target === scratch.ping ? scratch.pong : scratch.ping;
    n = pairs;
  }
  return current.slice(0, NODE_BYTES);
}
