/**
 * IPFS CIDs of shards, identical to what Helia computes for the same bytes with
 * `unixfs(helia).addBytes(bytes)` / `addByteStream(stream)` and default settings: UnixFS v1,
 * CIDv1, raw leaves, fixed 1 MiB chunks, balanced DAG with at most 1024 links per node (the
 * "Filecoin" defaults of @helia/unixfs). A shard of ≤ 1 MiB is a single raw block, so its CID
 * is `bafkrei…` (raw codec); larger shards get a dag-pb root (`bafybei…`).
 *
 * Computed with ipfs-unixfs-importer (the library Helia itself uses) over a blockstore that
 * keeps nothing, so memory stays at one 1 MiB chunk plus the link list whatever the size.
 */
import { importFile } from "ipfs-unixfs-importer";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { balanced } from "ipfs-unixfs-importer/layout";
import { CID } from "multiformats/cid";
import { TesseraError } from "../errors/base.ts";
import { Channel } from "../pipeline/channel.ts";

export { CID };

/** UnixFS parameters of @helia/unixfs defaults; changing any of them changes every CID. */
export const UNIXFS_CHUNK_BYTES = 1_048_576;
export const UNIXFS_MAX_CHILDREN = 1024;

const nullBlockstore = { put: async (cid: CID) => cid };

function importerOptions(signal?: AbortSignal) {
  return {
    cidVersion: 1 as const,
    rawLeaves: true,
    layout: balanced({ maxChildrenPerNode: UNIXFS_MAX_CHILDREN }),
    chunker: fixedSize({ chunkSize: UNIXFS_CHUNK_BYTES }),
    ...(signal ? { signal } : {}),
  };
}

/** The CID Helia gives `content` (bytes or a stream of byte pieces). */
export async function shardCid(
  content: Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: { signal?: AbortSignal } = {},
): Promise<CID> {
  const { cid } = await importFile({ content }, nullBlockstore, importerOptions(options.signal));
  return cid;
}

/**
 * Push-style CID computation for a shard produced piece by piece: `await write(piece)` (applies
 * backpressure), then `await end()` for the CID. `abort(error)` stops it.
 */
export class ShardCidBuilder {
  readonly #channel = new Channel<Uint8Array>(4);
  readonly #cid: Promise<CID>;

  constructor(options: { signal?: AbortSignal } = {}) {
    this.#cid = shardCid(this.#channel, options);
    // Surfaced by end(); avoid an unhandled rejection if write() fails first.
    this.#cid.catch(() => {});
  }

  async write(piece: Uint8Array): Promise<void> {
    if (piece.length > 0) await this.#channel.push(piece);
  }

  async end(): Promise<CID> {
    this.#channel.end();
    return this.#cid;
  }

  abort(error: unknown): void {
    this.#channel.fail(error);
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
    throw new CidMismatchError({ expected: expectedText, actual: actualText, ...(options.shard === undefined ? {} : { shard: options.shard }) });
  return got;
}
