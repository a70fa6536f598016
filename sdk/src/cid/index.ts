/**
 * IPFS CIDs of shards, identical to what Helia computes for the same bytes with
 * `unixfs(helia).addBytes(bytes)` / `addByteStream(stream)` and default settings: UnixFS v1,
 * CIDv1, raw leaves, fixed 1 MiB chunks, balanced DAG with at most 1024 links per node (the
 * "Filecoin" defaults of @helia/unixfs). A shard of ≤ 1 MiB is a single raw block, so its CID
 * is `bafkrei…` (raw codec); larger shards get a dag-pb root (`bafybei…`).
 *
 * Computed by UnixFsFileHasher (unixfs.ts): synchronous and streaming, hashing the caller's
 * buffers in place, memory = the link list of the current 1024-leaf node per level. (The first
 * version used ipfs-unixfs-importer over a null blockstore; its read-ahead kept tens of MiB per
 * shard alive and its async per-block machinery cost ~10 % of the upload's main thread.)
 */
import { CID } from "multiformats/cid";
import { TesseraError } from "../errors/base.ts";
import { iterateBytes } from "../pipeline/source.ts";
import { UnixFsFileHasher } from "./unixfs.ts";

export { CID };

/** UnixFS parameters of @helia/unixfs defaults; changing any of them changes every CID. */
export const UNIXFS_CHUNK_BYTES = 1_048_576;
export const UNIXFS_MAX_CHILDREN = 1024;

/** The CID Helia gives `content` (bytes or a stream of byte pieces). */
export async function shardCid(
  content: Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: { signal?: AbortSignal } = {},
): Promise<CID> {
  const builder = new ShardCidBuilder();
  for await (const piece of iterateBytes(content, options.signal)) builder.write(piece);
  return builder.end();
}

/** Push-style CID computation for a shard produced piece by piece: `write(piece)`…, then `end()`. */
export class ShardCidBuilder {
  readonly #hasher = new UnixFsFileHasher(UNIXFS_CHUNK_BYTES, UNIXFS_MAX_CHILDREN);
  #done = false;

  write(piece: Uint8Array): void {
    if (this.#done) throw new Error("ShardCidBuilder.write() after end().");
    this.#hasher.update(piece);
  }

  end(): CID {
    if (this.#done) throw new Error("ShardCidBuilder.end() called twice.");
    this.#done = true;
    return this.#hasher.digest();
  }
}

/** A shard's bytes did not hash to the CID that was committed to. */
export class CidMismatchError extends TesseraError {
  override name = "CidMismatchError";
  readonly expected: string;
  readonly actual: string;
  constructor({ expected, actual, shard }: { expected: string; actual: string; shard?: number }) {
    super(
      `${shard === undefined ? "Shard" : `Shard ${shard}`} has CID ${actual} but ${expected} was expected; the data is corrupt or belongs to another shard.`,
    );
    this.expected = expected;
    this.actual = actual;
  }
}

/** Throw CidMismatchError unless `bytes` have CID `expected`. */
export async function verifyShardCid(
  bytes: Uint8Array | AsyncIterable<Uint8Array>,
  expected: CID | string,
  options: { signal?: AbortSignal; shard?: number } = {},
): Promise<CID> {
  const want = typeof expected === "string" ? CID.parse(expected) : expected;
  const got = await shardCid(bytes, options);
  const [expectedText, actualText] = [want.toString(), got.toString()];
  if (expectedText !== actualText)
    throw new CidMismatchError({
      expected: expectedText,
      actual: actualText,
      ...(options.shard === undefined ? {} : { shard: options.shard }),
    });
  return got;
}
