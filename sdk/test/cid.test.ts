import { randomBytes } from "node:crypto";
import { unixfs } from "@helia/unixfs";
import { MemoryBlockstore } from "blockstore-core/memory";
import { describe, expect, it } from "vitest";
import { CidMismatchError, ShardCidBuilder, shardCid, verifyShardCid } from "../src/cid/index.ts";

/** Helia's own UnixFS API over an in-memory blockstore: the thing our CIDs must equal. */
function heliaFs() {
  const blockstore = new MemoryBlockstore();
  // @helia/unixfs only needs the blockstore of a Helia node for addBytes / addByteStream.
  return unixfs({ blockstore } as unknown as Parameters<typeof unixfs>[0]);
}

describe("cid: equal to Helia's addBytes with default settings", () => {
  const fs = heliaFs();
  const MiB = 1024 * 1024;
  it.each([1, 1000, MiB - 1, MiB, MiB + 1, 3 * MiB + 12345])("%i bytes", async (size) => {
    const bytes = randomBytes(size);
    const helia = await fs.addBytes(bytes);
    expect((await shardCid(bytes)).toString()).toBe(helia.toString());
    const builder = new ShardCidBuilder();
    for (let at = 0; at < size; at += 77_777) await builder.write(bytes.subarray(at, at + 77_777));
    expect((await builder.end()).toString()).toBe(helia.toString());
    const heliaStream = await fs.addByteStream((async function* () { yield bytes.subarray(0, 5); yield bytes.subarray(5); })());
    expect(heliaStream.toString()).toBe(helia.toString());
  });

  it("a DAG with more than 1024 leaves (two levels) matches", async () => {
    // 1025 chunks of 1 MiB would be slow to allocate; the layout only depends on chunk count,
    // so stream 1025 MiB of a repeating pattern to both sides.
    const chunk = randomBytes(MiB);
    const source = function* () {
      for (let i = 0; i < 1025; i++) yield chunk;
    };
    const helia = await fs.addByteStream((async function* () { yield* source(); })());
    // Helia stored the bytes; we only hash.
    expect((await shardCid(source())).toString()).toBe(helia.toString());
  }, 60_000);

  it("verifyShardCid rejects other bytes with CidMismatchError", async () => {
    const bytes = randomBytes(5000);
    const cid = await shardCid(bytes);
    await expect(verifyShardCid(bytes, cid.toString())).resolves.toEqual(cid);
    const tampered = bytes.slice();
    tampered[17]! ^= 1;
    await expect(verifyShardCid(tampered, cid, { shard: 3 })).rejects.toThrow(CidMismatchError);
  });
});
