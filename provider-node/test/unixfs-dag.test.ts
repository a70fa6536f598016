import { importer } from "ipfs-unixfs-importer";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { balanced } from "ipfs-unixfs-importer/layout";
import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { UnixFsDag } from "../src/storage/unixfs-dag.ts";

/** The importer with the shard settings but small chunks and fan-out, so deep DAGs stay cheap. */
async function viaImporter(bytes: Uint8Array, chunk: number, fanout: number) {
  const blocks = new Map<string, Uint8Array>();
  const sink = {
    put: async (cid: { toString(): string; code: number }, b: Uint8Array) => {
      if (cid.code === 0x70) blocks.set(cid.toString(), b);
      return cid;
    },
    has: async () => false,
  };
  let root = "";
  for await (const e of importer([{ content: bytes }], sink as never, {
    cidVersion: 1,
    rawLeaves: true,
    chunker: fixedSize({ chunkSize: chunk }),
    layout: balanced({ maxChildrenPerNode: fanout }),
  }))
    root = e.cid.toString();
  return { root, blocks };
}

describe("UnixFsDag (from leaf digests)", () => {
  it("matches ipfs-unixfs-importer: root CID and every dag-pb block", async () => {
    const chunk = 1000;
    const fanout = 4;
    for (const size of [1, 999, 1000, 1001, 3000, 4000, 4001, 16000, 16001, 17500, 64001]) {
      const bytes = randomBytes(size);
      const dag = new UnixFsDag(fanout);
      for (let o = 0; o < size; o += chunk) {
        const leaf = bytes.subarray(o, Math.min(size, o + chunk));
        dag.addLeaf(new Uint8Array(createHash("sha256").update(leaf).digest()), leaf.length);
      }
      const root = dag.finish().toString();
      const want = await viaImporter(bytes, chunk, fanout);
      expect(root, `size ${size}`).toBe(want.root);
      expect(dag.blocks.length, `size ${size}`).toBe(want.blocks.size);
      for (const b of dag.blocks)
        expect(Buffer.from(want.blocks.get(b.cid.toString())!).equals(Buffer.from(b.bytes))).toBe(
          true,
        );
    }
  });

  it("refuses an empty file and a second finish", () => {
    expect(() => new UnixFsDag(4).finish()).toThrow(/no leaves/);
    const d = new UnixFsDag(4);
    d.addLeaf(new Uint8Array(32), 1);
    d.finish();
    expect(() => d.finish()).toThrow(/twice/);
  });
});
