/**
 * ShardStore.receive on the off-thread path (shards ≥ OFF_THREAD_MIN_BYTES): bytes written by
 * the batch pipeline, Merkle root and UnixFS CID (from the workers' leaf digests) checked before
 * anything is kept; a corrupted or mislabelled shard leaves nothing behind.
 */
import { merkleRoot } from "@tessera/sdk";
import { shardCid } from "@tessera/sdk/cid/index";
import { FsBlockstore } from "blockstore-fs";
import { CID } from "multiformats/cid";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leafCount, verifyProof } from "../src/storage/merkle.ts";
import { ShardBlockstore } from "../src/storage/shard-blockstore.ts";
import { ShardStore, StoreError } from "../src/storage/shard-store.ts";
import { OFF_THREAD_MIN_BYTES, stopTreeWorker } from "../src/storage/tree-pool.ts";

const reqId = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as `0x${string}`;
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}` as `0x${string}`;

/** The body as an HTTP server would see it: uneven chunks. */
async function* chunked(data: Uint8Array) {
  const sizes = [65536, 1000, 300_000, 7, 1 << 20];
  for (let o = 0, i = 0; o < data.length; i++) {
    const n = Math.min(sizes[i % sizes.length]!, data.length - o);
    yield data.subarray(o, o + n);
    o += n;
  }
}

describe("ShardStore.receive (worker path)", () => {
  let dir: string;
  let store: ShardStore;
  let blocks: FsBlockstore;
  const data = randomBytes(OFF_THREAD_MIN_BYTES + (1 << 20) + 12_345);
  let root: `0x${string}`;
  let cid: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tessera-store-"));
    blocks = new FsBlockstore(join(dir, "blocks"));
    const bs = new ShardBlockstore(blocks);
    await bs.open();
    store = new ShardStore(dir, bs);
    await store.open();
    root = hex(merkleRoot(data));
    cid = (await shardCid(data)).toString();
  });
  afterAll(async () => {
    await stopTreeWorker();
    await rm(dir, { recursive: true, force: true });
  });

  it("stores the exact bytes with the client's root and CID", async () => {
    const key = { requestId: reqId(1), slot: 0 };
    const meta = await store.receive({ ...key, size: data.length, root, cid }, chunked(data));
    expect(meta.cid).toBe(cid);
    expect(Buffer.from(await readFile(store.shardPath(key))).equals(data)).toBe(true);
    expect(await blocks.has(CID.parse(cid))).toBe(true); // the dag-pb root, for bitswap
    const leaf = leafCount(data.length) - 3;
    const proof = await store.prove(key, leaf);
    expect(verifyProof(merkleRoot(data), leafCount(data.length), leaf, proof)).toBe(true);
  });

  it("keeps every patch when one shard's metadata is updated concurrently", async () => {
    const key = { requestId: reqId(1), slot: 0 };
    await Promise.all([
      store.update(key, { fillTx: hex(new Uint8Array(32).fill(1)) }),
      store.update(key, { endPeriod: 42 }),
    ]);
    const reopened = new ShardStore(dir, new ShardBlockstore(blocks));
    await reopened.open();
    const meta = reopened.get(key);
    expect(meta?.fillTx).toBe(hex(new Uint8Array(32).fill(1)));
    expect(meta?.endPeriod).toBe(42);
  });

  it("refuses a corrupted body (root) and a mislabelled one (CID), leaving nothing", async () => {
    const bad = Buffer.from(data);
    bad[5 * (1 << 20) + 77]! ^= 1;
    await expect(
      store.receive({ requestId: reqId(2), slot: 0, size: data.length, root, cid }, chunked(bad)),
    ).rejects.toSatisfy((e) => e instanceof StoreError && e.code === "ROOT_MISMATCH");
    const other = randomBytes(data.length);
    await expect(
      store.receive(
        {
          requestId: reqId(3),
          slot: 0,
          size: other.length,
          root: hex(merkleRoot(other)),
          cid,
        },
        chunked(other),
      ),
    ).rejects.toSatisfy((e) => e instanceof StoreError && e.code === "CID_MISMATCH");
    expect(await readdir(join(dir, "tmp"))).toEqual([]);
    expect(store.get({ requestId: reqId(2), slot: 0 })).toBeUndefined();
    expect(store.get({ requestId: reqId(3), slot: 0 })).toBeUndefined();
    const otherCid = await shardCid(other);
    expect(await blocks.has(otherCid)).toBe(false);
  });

  it("stops cleanly when the body breaks off mid-way", async () => {
    async function* broken() {
      yield data.subarray(0, 3 << 20);
      throw new Error("socket reset");
    }
    await expect(
      store.receive({ requestId: reqId(4), slot: 0, size: data.length, root, cid }, broken()),
    ).rejects.toThrow(/socket reset/);
    expect(await readdir(join(dir, "tmp"))).toEqual([]);
  });
});
