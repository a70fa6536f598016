/**
 * Shard store: one directory per (request, slot) under `<dataDir>/shards/`, holding
 * `shard` (the bytes), `tree` (Merkle layers from CUT_LEVEL up, see merkle.ts) and
 * `meta.json`. A shard is received into `<dataDir>/tmp/<random>/`, verified while streaming
 * (size, Merkle root, UnixFS CID), fsynced, its dag-pb nodes put in the Helia blockstore, and
 * only then renamed into place: a crash never leaves a half shard under `shards/`.
 *
 * Stream path and backpressure (tree-pool.ts): body chunk → copied into a pooled 1 MiB batch →
 * positional file write → Merkle hashing to the cut level + SHA-256 of the batch (= one UnixFS
 * raw leaf) on a worker thread; the UnixFS DAG is then built from the leaf digests
 * (unixfs-dag.ts). At most 8 batches are in flight per upload (a slow disk or busy workers
 * slow the socket): memory is bounded, never a whole shard.
 */
import type { Blockstore } from "interface-blockstore";
import { RAW_CODEC, walkDag, type ShardBlockstore } from "./shard-blockstore.ts";
import { importer } from "ipfs-unixfs-importer";
import { CID } from "multiformats/cid";
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import {
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  type FileHandle,
} from "node:fs/promises";
import { join } from "node:path";
import { SHARD_IMPORTER_OPTIONS, UNIXFS_CHUNK_BYTES, UNIXFS_MAX_CHILDREN } from "./cid.ts";
import { UnixFsDag } from "./unixfs-dag.ts";
import { leafCount, proveLeaf, type ShardReader } from "./merkle.ts";
import { createTreeBuilder, LEAF_BYTES, type TreeBuilder } from "./tree-pool.ts";

if (LEAF_BYTES !== UNIXFS_CHUNK_BYTES) throw new Error("tree batches must be UnixFS leaves");

export type ShardKey = { requestId: `0x${string}`; slot: number };
export type ShardMeta = ShardKey & {
  size: number;
  root: `0x${string}`;
  cid: string;
  storedAt: number;
  /** Set once the slot is filled on chain by this node. */
  fillTx?: `0x${string}`;
  /** Period at which the deal ends, once known (request started). */
  endPeriod?: number;
};

export type StoreErrorCode =
  "SIZE_MISMATCH" | "ROOT_MISMATCH" | "CID_MISMATCH" | "ALREADY_STORED" | "ABORTED";

export class StoreError extends Error {
  override name = "StoreError";
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function keyName({ requestId, slot }: ShardKey): string {
  return `${requestId.toLowerCase()}-${slot}`;
}

const hex = (b: Uint8Array): `0x${string}` => `0x${Buffer.from(b).toString("hex")}`;

async function fsyncDir(path: string): Promise<void> {
  const fh = await open(path, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * What the UnixFS importer writes to: raw leaves are dropped (their bytes are the shard file,
 * served by ShardBlockstore once the shard is registered); dag-pb nodes go to blockstore-fs
 * and are remembered so a refused upload can be undone.
 */
class ImportSink {
  readonly added: CID[] = [];
  readonly inner: Pick<Blockstore, "put" | "has">;
  constructor(inner: Pick<Blockstore, "put" | "has">) {
    this.inner = inner;
  }
  async put(cid: CID, bytes: Uint8Array, options?: object): Promise<CID> {
    if (cid.code === RAW_CODEC) return cid;
    if (!(await this.inner.has(cid))) this.added.push(cid);
    await this.inner.put(cid, bytes, options as never);
    return cid;
  }
  has(cid: CID, options?: object) {
    return this.inner.has(cid, options as never);
  }
}

export class ShardStore {
  readonly dir: string;
  readonly #tmp: string;
  readonly #blockstore: ShardBlockstore;
  readonly #index = new Map<string, ShardMeta>();
  /** The update in flight per shard (see update()). */
  readonly #updates = new Map<string, Promise<ShardMeta>>();
  readonly #byCid = new Map<string, string>();

  constructor(dataDir: string, blockstore: ShardBlockstore) {
    this.dir = join(dataDir, "shards");
    this.#tmp = join(dataDir, "tmp");
    this.#blockstore = blockstore;
  }

  /** Load the index; drop leftovers of interrupted uploads; re-import blocks the blockstore lost. */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await rm(this.#tmp, { recursive: true, force: true });
    await mkdir(this.#tmp, { recursive: true });
    for (const name of await readdir(this.dir)) {
      let meta: ShardMeta;
      try {
        meta = JSON.parse(await readFile(join(this.dir, name, "meta.json"), "utf8")) as ShardMeta;
      } catch {
        continue; // not a complete shard directory
      }
      this.#index.set(name, meta);
      this.#byCid.set(meta.cid, name);
    }
  }

  /**
   * Index every stored shard's raw leaves in the blockstore (they are served from the shard
   * files) and re-import the dag-pb nodes of any shard whose DAG root is missing (crash between
   * the rename and the block writes). Returns the number of shards re-imported.
   */
  async repairBlockstore(): Promise<number> {
    let repaired = 0;
    for (const [name, meta] of this.#index) {
      const root = CID.parse(meta.cid);
      if (root.code !== RAW_CODEC && !(await this.#blockstore.inner.has(root))) {
        await this.#import(join(this.dir, name, "shard"), new ImportSink(this.#blockstore.inner));
        repaired++;
      }
      await this.#registerLeaves(name, meta);
    }
    return repaired;
  }

  async #registerLeaves(name: string, meta: ShardMeta): Promise<void> {
    const { leaves } = await walkDag(CID.parse(meta.cid), this.#blockstore.inner);
    const expected = Math.ceil(meta.size / UNIXFS_CHUNK_BYTES);
    if (leaves.length !== expected) {
      throw new Error(`shard ${name}: DAG has ${leaves.length} leaves, expected ${expected}`);
    }
    this.#blockstore.registerLeaves(
      join(this.dir, name, "shard"),
      meta.size,
      UNIXFS_CHUNK_BYTES,
      leaves,
    );
  }

  get bytesStored(): number {
    let total = 0;
    for (const m of this.#index.values()) total += m.size;
    return total;
  }

  list(): ShardMeta[] {
    return [...this.#index.values()];
  }

  get(key: ShardKey): ShardMeta | undefined {
    return this.#index.get(keyName(key));
  }

  getByCid(cid: string): ShardMeta | undefined {
    const name = this.#byCid.get(cid);
    return name === undefined ? undefined : this.#index.get(name);
  }

  shardPath(key: ShardKey): string {
    return join(this.dir, keyName(key), "shard");
  }

  async #import(path: string, blockstore: ImportSink): Promise<CID> {
    let root: CID | undefined;
    const content = createReadStream(path, { highWaterMark: 1 << 20 });
    for await (const entry of importer(
      [{ content }],
      blockstore as unknown as Blockstore,
      SHARD_IMPORTER_OPTIONS,
    ))
      root = entry.cid;
    if (root === undefined) throw new Error("importer produced no root");
    return root;
  }

  /**
   * Receive, verify and store one shard. Resolves only after everything is on disk (fsync);
   * throws StoreError and leaves nothing behind when the bytes are not the expected ones.
   */
  async receive(
    key: ShardKey & { size: number; root: `0x${string}`; cid: string },
    source: AsyncIterable<Uint8Array>,
    options: { signal?: AbortSignal } = {},
  ): Promise<ShardMeta> {
    const name = keyName(key);
    if (this.#index.has(name))
      throw new StoreError(
        "ALREADY_STORED",
        `slot ${key.slot} of ${key.requestId} is already stored here`,
      );
    const work = join(this.#tmp, `${name}.${randomBytes(6).toString("hex")}`);
    await mkdir(work);
    let shardFh: FileHandle | undefined;
    const tracker = new ImportSink(this.#blockstore.inner);
    let builder: TreeBuilder | undefined;
    try {
      shardFh = await open(join(work, "shard"), "w");
      const fh = shardFh;
      // The builder copies the body into 1 MiB batches, writes each at its offset and hashes it
      // (Merkle up to the cut level + the SHA-256 of its UnixFS raw leaf) on worker threads.
      builder = createTreeBuilder(key.size, {
        leafDigests: true,
        write: async (bytes, position) => {
          for (let o = 0; o < bytes.length;) {
            const { bytesWritten } = await fh.write(bytes, o, bytes.length - o, position + o);
            o += bytesWritten;
          }
        },
      });
      let received = 0;
      for await (const chunk of source as AsyncIterable<Uint8Array>) {
        options.signal?.throwIfAborted();
        received += chunk.length;
        if (received > key.size) {
          throw new StoreError(
            "SIZE_MISMATCH",
            `body is longer than the request's shard size ${key.size}`,
          );
        }
        await builder.update(chunk);
      }
      if (received !== key.size) {
        throw new StoreError("SIZE_MISMATCH", `body ended after ${received} of ${key.size} bytes`);
      }
      const [{ root, layers, leafDigests }] = await Promise.all([builder.finish(), fh.sync()]);
      if (hex(root) !== key.root.toLowerCase()) {
        throw new StoreError(
          "ROOT_MISMATCH",
          `shard hashes to Merkle root ${hex(root)}, the request commits to ${key.root}`,
        );
      }
      const dag = new UnixFsDag(UNIXFS_MAX_CHILDREN);
      leafDigests!.forEach((digest, i) =>
        dag.addLeaf(digest, Math.min(UNIXFS_CHUNK_BYTES, key.size - i * UNIXFS_CHUNK_BYTES)),
      );
      const cid = dag.finish();
      if (cid.toString() !== key.cid) {
        throw new StoreError(
          "CID_MISMATCH",
          `shard imports to CID ${cid}, the request names ${key.cid}`,
        );
      }
      // bytes written after sync() started are covered by a second one (cheap if none)
      await fh.sync();
      await fh.close();
      shardFh = undefined;
      for (const block of dag.blocks) await tracker.put(block.cid, block.bytes);
      const meta: ShardMeta = {
        requestId: key.requestId.toLowerCase() as `0x${string}`,
        slot: key.slot,
        size: key.size,
        root: hex(root),
        cid: key.cid,
        storedAt: Date.now(),
      };
      await writeDurable(join(work, "tree"), layers);
      await writeDurable(join(work, "meta.json"), JSON.stringify(meta));
      await fsyncDir(work);
      await rename(work, join(this.dir, name));
      await fsyncDir(this.dir);
      this.#index.set(name, meta);
      this.#byCid.set(meta.cid, name);
      await this.#registerLeaves(name, meta);
      return meta;
    } catch (err) {
      await builder?.abort();
      await shardFh?.close().catch(() => {});
      await rm(work, { recursive: true, force: true });
      for (const cid of tracker.added)
        await Promise.resolve(this.#blockstore.inner.delete(cid)).catch(() => {});
      if (err instanceof StoreError) throw err;
      if (options.signal?.aborted)
        throw new StoreError("ABORTED", "upload aborted before the shard was complete", {
          cause: err,
        });
      throw err;
    }
  }

  /** Persist fields of a stored shard's meta (e.g. the fill transaction). */
  async update(key: ShardKey, patch: Partial<ShardMeta>): Promise<ShardMeta> {
    const name = keyName(key);
    // Updates of one shard run one after another, each reading the metadata the previous one
    // wrote: concurrent writers (the fill's tx hash and the deal start's end period, say) would
    // otherwise share meta.json.tmp and lose a patch.
    const previous = this.#updates.get(name) ?? Promise.resolve();
    const run = previous.catch(() => {}).then(async () => {
      const meta = this.#index.get(name);
      if (!meta) throw new Error(`no shard ${name}`);
      const next = { ...meta, ...patch };
      const path = join(this.dir, name, "meta.json");
      await writeDurable(`${path}.tmp`, JSON.stringify(next));
      await rename(`${path}.tmp`, path);
      this.#index.set(name, next);
      return next;
    });
    this.#updates.set(name, run);
    try {
      return await run;
    } finally {
      if (this.#updates.get(name) === run) this.#updates.delete(name);
    }
  }

  /** Delete a shard and its blocks (deal ended, failed or freed, or fill failed). */
  async remove(key: ShardKey): Promise<void> {
    const name = keyName(key);
    const meta = this.#index.get(name);
    if (!meta) return;
    this.#index.delete(name);
    this.#byCid.delete(meta.cid);
    const other = [...this.#index.entries()].find(([, m]) => m.cid === meta.cid);
    try {
      const { leaves, nodes } = await walkDag(CID.parse(meta.cid), this.#blockstore.inner);
      if (other) {
        // identical bytes held for another slot: keep the blocks, serve them from that copy
        await this.#registerLeaves(other[0], other[1]);
      } else {
        this.#blockstore.unregisterLeaves(leaves);
        for (const cid of nodes)
          await Promise.resolve(this.#blockstore.inner.delete(cid)).catch(() => {});
      }
    } catch {
      // DAG nodes already gone
    }
    await rm(join(this.dir, name), { recursive: true, force: true });
  }

  /** Proof for `leaf` of a stored shard: reads 4 KiB of the shard and one node per stored layer. */
  async prove(key: ShardKey, leaf: number): Promise<Uint8Array> {
    const meta = this.get(key);
    if (!meta) throw new Error(`cannot prove ${keyName(key)}: shard not stored here`);
    const dir = join(this.dir, keyName(key));
    const shard = await open(join(dir, "shard"), "r");
    const tree = await open(join(dir, "tree"), "r");
    const readAt = async (fh: FileHandle, offset: number, length: number) => {
      const buf = new Uint8Array(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    };
    const reader: ShardReader = {
      readShard: (o, l) => readAt(shard, o, l),
      readLayers: (o, l) => readAt(tree, o, l),
    };
    try {
      return await proveLeaf(reader, meta.size, leaf);
    } finally {
      await shard.close();
      await tree.close();
    }
  }

  nLeaves(key: ShardKey): number {
    const meta = this.get(key);
    if (!meta) throw new Error(`no shard ${keyName(key)}`);
    return leafCount(meta.size);
  }

  async verifyOnDisk(key: ShardKey): Promise<boolean> {
    const meta = this.get(key);
    if (!meta) return false;
    const s = await stat(this.shardPath(key)).catch(() => undefined);
    return s?.size === meta.size;
  }
}

export async function writeDurable(path: string, data: Uint8Array | string): Promise<void> {
  const fh = await open(path, "w");
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}
