/** Protocol constants of the shard commitment (docs/protocol.md §1). */

/** Bytes per Merkle leaf segment: one SHA-256 block. */
export const SEGMENT_BYTES = 64;
/** Bytes per Merkle node: SHA-256 truncated to 128 bits. */
export const NODE_BYTES = 16;
/** Leaves per challenge weight unit (4 MiB of shard). */
export const UNIT_LEAVES = 1 << 16;
/** 32-byte tag appended to every inner-node message: 0x01 then 31 zero bytes. */
export const NODE_PAD: Uint8Array = (() => {
  const pad = new Uint8Array(32);
  pad[0] = 1;
  return pad;
})();
/** The node that stands for a missing sibling past the end of a layer. */
export const ZERO_NODE: Uint8Array = new Uint8Array(NODE_BYTES);

/** Number of leaves of a shard of `shardBytes` bytes: ceil(L / 64). */
export function leafCount(shardBytes: number): number {
  return Math.ceil(shardBytes / SEGMENT_BYTES);
}

/** Tree depth for `nLeaves` leaves: ceil(log2(nLeaves)), 0 for a single leaf. */
export function treeDepth(nLeaves: number): number {
  if (!Number.isSafeInteger(nLeaves) || nLeaves < 1)
    throw new RangeError(`nLeaves must be a positive integer, got ${nLeaves}`);
  let depth = 0;
  while (2 ** depth < nLeaves) depth++;
  return depth;
}
