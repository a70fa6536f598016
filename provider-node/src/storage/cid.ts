/**
 * How a shard becomes UnixFS: the same parameters as the sdk's `shardCid` (sdk/src/cid), i.e.
 * the @helia/unixfs defaults — CIDv1, raw leaves, 1 MiB chunks, balanced DAG of ≤ 1024 links —
 * so the CID this node imports is the one the client put in `RequestCreated`.
 */
import type { ImporterOptions } from "ipfs-unixfs-importer";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { balanced } from "ipfs-unixfs-importer/layout";

/** Same values as the sdk's UNIXFS_CHUNK_BYTES / UNIXFS_MAX_CHILDREN; the tests check CID equality with `shardCid`. */
export const UNIXFS_CHUNK_BYTES = 1_048_576;
export const UNIXFS_MAX_CHILDREN = 1024;

export const SHARD_IMPORTER_OPTIONS: ImporterOptions = {
  cidVersion: 1,
  rawLeaves: true,
  chunker: fixedSize({ chunkSize: UNIXFS_CHUNK_BYTES }),
  layout: balanced({ maxChildrenPerNode: UNIXFS_MAX_CHILDREN }),
};
