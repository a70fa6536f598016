import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { merkleRoot } from "@tessera/sdk";
import { describe, expect, it } from "vitest";
import { createTreeBuilder, stopTreeWorker } from "../src/storage/tree-pool.ts";
import {
  ShardTreeBuilder,
  leafCount,
  proveLeaf,
  verifyProof,
  type ShardReader,
} from "../src/storage/merkle.ts";

const PAD = Buffer.concat([Buffer.from([1]), Buffer.alloc(31)]);
const sha16 = (b: Buffer) => createHash("sha256").update(b).digest().subarray(0, 16);

/** Naive full-tree reference straight from docs/protocol.md §1. */
function referenceRoot(data: Buffer): Buffer {
  const n = leafCount(data.length);
  let layer: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const seg = Buffer.alloc(64);
    data.copy(seg, 0, i * 64, Math.min(data.length, i * 64 + 64));
    layer.push(sha16(seg));
  }
  while (layer.length > 1) {
    if (layer.length % 2 === 1) layer.push(Buffer.alloc(16));
    const next: Buffer[] = [];
    for (let i = 0; i < layer.length; i += 2)
      next.push(sha16(Buffer.concat([layer[i]!, layer[i + 1]!, PAD])));
    layer = next;
  }
  return layer[0]!;
}

function memReader(data: Buffer, layers: Uint8Array): ShardReader {
  return {
    readShard: async (o, l) => data.subarray(o, o + l),
    readLayers: async (o, l) => layers.subarray(o, o + l),
  };
}

describe("ShardTreeBuilder", () => {
  for (const size of [1, 63, 64, 65, 4096, 4097, 64 * 100 + 5, (1 << 20) + 12345, 3 << 20]) {
    it(`matches the reference root and proves every sampled leaf for ${size} bytes`, async () => {
      const data = randomBytes(size);
      const b = new ShardTreeBuilder(size);
      // odd chunking to exercise batch boundaries
      for (let o = 0; o < size; o += 7777) b.update(data.subarray(o, Math.min(size, o + 7777)));
      const { root, layers } = b.finish();
      expect(Buffer.from(root).toString("hex")).toBe(referenceRoot(data).toString("hex"));
      const n = leafCount(size);
      const leaves = new Set([0, n - 1, Math.floor(n / 2), Math.floor(n / 3), 63 % n, 64 % n]);
      for (const leaf of leaves) {
        const proof = await proveLeaf(memReader(data, layers), size, leaf);
        expect(verifyProof(root, n, leaf, proof)).toBe(true);
        if (n > 1) expect(verifyProof(root, n, (leaf + 1) % n, proof)).toBe(false);
      }
    });
  }

  it("agrees with test/vectors/merkle.json and the sdk's merkleRoot", async () => {
    type Vector = {
      name: string;
      shardHex: string;
      nLeaves: number;
      root: string;
      proofs: { leaf: number; segment: string; siblings: string[] }[];
    };
    const vectors = JSON.parse(
      readFileSync(new URL("../../test/vectors/merkle.json", import.meta.url), "utf8"),
    ) as Vector[];
    expect(vectors.length).toBeGreaterThan(0);
    for (const v of vectors) {
      const data = Buffer.from(v.shardHex.slice(2), "hex");
      const b = new ShardTreeBuilder(data.length);
      b.update(data);
      const { root, layers } = b.finish();
      expect("0x" + Buffer.from(root).toString("hex"), v.name).toBe(v.root);
      for (const p of v.proofs) {
        const proof = await proveLeaf(memReader(data, layers), data.length, p.leaf);
        const expected = Buffer.concat(
          [p.segment, ...p.siblings].map((h) => Buffer.from(h.slice(2), "hex")),
        );
        expect(Buffer.from(proof).toString("hex"), `${v.name} leaf ${p.leaf}`).toBe(
          expected.toString("hex"),
        );
      }
    }
    const big = randomBytes((5 << 20) + 999);
    const b = new ShardTreeBuilder(big.length);
    b.update(big);
    expect(Buffer.from(b.finish().root).toString("hex")).toBe(
      Buffer.from(merkleRoot(big)).toString("hex"),
    );
  });

  it("builds the same tree on the worker thread as in-thread", async () => {
    const data = randomBytes((9 << 20) + 321);
    const off = createTreeBuilder(data.length); // ≥ 8 MiB → worker
    for (let o = 0; o < data.length; o += 1 << 20)
      await off.update(data.subarray(o, Math.min(data.length, o + (1 << 20))));
    const a = await off.finish();
    const b = new ShardTreeBuilder(data.length);
    b.update(data);
    const c = b.finish();
    expect(Buffer.from(a.root).equals(Buffer.from(c.root))).toBe(true);
    expect(Buffer.from(a.layers).equals(Buffer.from(c.layers))).toBe(true);
    expect(Buffer.from(a.root).toString("hex")).toBe(Buffer.from(merkleRoot(data)).toString("hex"));
    await stopTreeWorker();
  });

  it("refuses bytes beyond the declared size and a short stream", () => {
    const b = new ShardTreeBuilder(10);
    expect(() => b.update(new Uint8Array(11))).toThrow(/more than/);
    b.update(new Uint8Array(5));
    expect(() => b.finish()).toThrow(/received 5 of 10/);
  });
});
