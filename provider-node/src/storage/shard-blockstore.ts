/**
 * The blockstore under Helia: UnixFS *raw leaves* of stored shards are served straight from
 * the shard files (offset + length, like go-ipfs's filestore / "nocopy"), every other block
 * (the few dag-pb nodes of each shard's DAG, anything else) lives in blockstore-fs. So a shard's
 * bytes are written to disk once, and bitswap, /ipfs and the proofs read the same file.
 *
 * The leaf index is in memory; ShardStore rebuilds it at start by walking each shard's DAG
 * (one or two dag-pb blocks per shard) and registers/unregisters shards as they come and go.
 */
import * as dagPb from "@ipld/dag-pb";
import { BaseBlockstore } from "blockstore-core/base";
import type { FsBlockstore } from "blockstore-fs";
import type { CID } from "multiformats/cid";
import { open } from "node:fs/promises";

export const RAW_CODEC = 0x55;

type LeafRef = { path: string; offset: number; length: number };

function keyOf(cid: CID): string {
  return `${cid.code}:${Buffer.from(cid.multihash.bytes).toString("base64")}`;
}

async function collect(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of source) parts.push(p);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

export class ShardBlockstore extends BaseBlockstore {
  readonly inner: FsBlockstore;
  readonly #leaves = new Map<string, LeafRef>();

  constructor(inner: FsBlockstore) {
    super();
    this.inner = inner;
  }

  open(): Promise<void> {
    return this.inner.open();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  get leafCount(): number {
    return this.#leaves.size;
  }

  /** Serve `cids[i]` from `path` at `i × chunkBytes` (the UnixFS leaves of one shard, in order). */
  registerLeaves(path: string, size: number, chunkBytes: number, cids: readonly CID[]): void {
    cids.forEach((cid, i) => {
      const offset = i * chunkBytes;
      this.#leaves.set(keyOf(cid), { path, offset, length: Math.min(chunkBytes, size - offset) });
    });
  }

  unregisterLeaves(cids: readonly CID[]): void {
    for (const cid of cids) this.#leaves.delete(keyOf(cid));
  }

  isLeaf(cid: CID): boolean {
    return this.#leaves.has(keyOf(cid));
  }

  async has(cid: CID, options?: object): Promise<boolean> {
    return this.#leaves.has(keyOf(cid)) || (await this.inner.has(cid, options as never));
  }

  async put(
    cid: CID,
    bytes: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
    options?: object,
  ): Promise<CID> {
    if (this.#leaves.has(keyOf(cid))) return cid;
    return this.inner.put(
      cid,
      bytes instanceof Uint8Array ? bytes : await collect(bytes),
      options as never,
    );
  }

  async *get(cid: CID, options?: object): AsyncGenerator<Uint8Array> {
    const ref = this.#leaves.get(keyOf(cid));
    if (!ref) {
      yield* this.inner.get(cid, options as never);
      return;
    }
    const fh = await open(ref.path, "r");
    try {
      const buf = new Uint8Array(ref.length);
      const { bytesRead } = await fh.read(buf, 0, ref.length, ref.offset);
      if (bytesRead !== ref.length)
        throw new Error(`shard file ${ref.path} is shorter than its index says`);
      yield buf;
    } finally {
      await fh.close();
    }
  }

  async delete(cid: CID, options?: object): Promise<void> {
    if (this.#leaves.delete(keyOf(cid))) return;
    await this.inner.delete(cid, options as never);
  }

  async *getAll(options?: object): AsyncGenerator<{ cid: CID; bytes: AsyncGenerator<Uint8Array> }> {
    yield* this.inner.getAll(options as never) as AsyncGenerator<{
      cid: CID;
      bytes: AsyncGenerator<Uint8Array>;
    }>;
  }
}

/** Raw leaves of a UnixFS DAG in file order, and its dag-pb nodes (read from `blocks`). */
export async function walkDag(
  root: CID,
  blocks: { get(cid: CID): AsyncIterable<Uint8Array> | Iterable<Uint8Array> },
): Promise<{ leaves: CID[]; nodes: CID[] }> {
  const leaves: CID[] = [];
  const nodes: CID[] = [];
  const visit = async (cid: CID): Promise<void> => {
    if (cid.code === RAW_CODEC) {
      leaves.push(cid);
      return;
    }
    if (cid.code !== dagPb.code)
      throw new Error(`unexpected codec 0x${cid.code.toString(16)} in a shard DAG`);
    nodes.push(cid);
    const node = dagPb.decode(await collect(blocks.get(cid)));
    for (const link of node.Links) await visit(link.Hash);
  };
  await visit(root);
  return { leaves, nodes };
}
