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
  it.each([0, 1, 1000, MiB - 1, MiB, MiB + 1, 3 * MiB + 12345])("%i bytes", async (size) => {
    const bytes = randomBytes(size);
    const helia = await fs.addBytes(bytes);
    expect((await shardCid(bytes)).toString()).toBe(helia.toString());
    const builder = new ShardCidBuilder();
    for (let at = 0; at < size; at += 77_777) builder.write(bytes.subarray(at, at + 77_777));
    expect(builder.end().toString()).toBe(helia.toString());
    const heliaStream = await fs.addByteStream(
      (async function* () {
        yield bytes.subarray(0, 5);
        yield bytes.subarray(5);
      })(),
    );
    expect(heliaStream.toString()).toBe(helia.toString());
  });

  it("a DAG with more than 1024 leaves (two levels) and uneven pieces matches", async () => {
    // 1025 chunks of 1 MiB would be slow to allocate; the layout only depends on chunk count,
    // so stream 1025 MiB of a repeating pattern to both sides.
    const chunk = randomBytes(MiB);
    const source = function* () {
      for (let i = 0; i < 1025; i++) yield chunk;
    };
    const helia = await fs.addByteStream(
      (async function* () {
        yield* source();
      })(),
    );
    // Helia stored the bytes; we only hash.
    expect((await shardCid(source())).toString()).toBe(helia.toString());
    const builder = new ShardCidBuilder();
    for (const c of source()) {
      builder.write(c.subarray(0, 333_333));
      builder.write(c.subarray(333_333));
    }
    expect(builder.end().toString()).toBe(helia.toString());
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

describe("cid: browser SHA-256 path", () => {
  it("the WASM incremental SHA-256 (browser) equals node:crypto for uneven pieces", async () => {
    const { createSha256: web } = await import("../src/cid/sha256-web.ts");
    const { createSha256: node } = await import("../src/cid/sha256-node.ts");
    const bytes = randomBytes(300_001);
    const [a, b] = [web(), node()];
    for (let at = 0; at < bytes.length; at += 70_001) {
      a.update(bytes.subarray(at, at + 70_001));
      b.update(bytes.subarray(at, at + 70_001));
    }
    expect(Buffer.from(a.digest()).toString("hex")).toBe(Buffer.from(b.digest()).toString("hex"));
  });

  it("UnixFsFileHasher over the WASM SHA-256 gives Helia's CID", async () => {
    const { createSha256 } = await import("../src/cid/sha256-web.ts");
    const { UnixFsFileHasher } = await import("../src/cid/unixfs.ts");
    const bytes = randomBytes(3 * 1024 * 1024 + 999);
    const hasher = new UnixFsFileHasher(1_048_576, 1024, createSha256);
    for (let at = 0; at < bytes.length; at += 100_003)
      hasher.update(bytes.subarray(at, at + 100_003));
    const fs = heliaFs();
    expect(hasher.digest().toString()).toBe((await fs.addBytes(bytes)).toString());
  });
});
