import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sha256Batch64Native } from "../src/merkle/hasher-node.ts";
import {
  MerkleBuilder,
  MerkleProofError,
  buildMerkleTree,
  bytesToHex,
  commitShard,
  decodeMerkleProof,
  encodeMerkleProof,
  hexToBytes,
  sha256Batch64Wasm,
  treeDepth,
  verifyMerkleProof,
} from "../src/merkle/index.ts";
import { VECTORS_PATH, merkleVectors, type MerkleVector } from "../scripts/merkle-vectors.ts";

/** Straight transcription of docs/protocol.md §1 with node:crypto, one hash at a time. */
function referenceRoot(shard: Uint8Array): Uint8Array {
  const h = (m: Uint8Array) => new Uint8Array(createHash("sha256").update(m).digest()).slice(0, 16);
  let layer: Uint8Array[] = [];
  for (let i = 0; i * 64 < shard.length; i++) {
    const segment = new Uint8Array(64);
    segment.set(shard.subarray(i * 64, i * 64 + 64));
    layer.push(h(segment));
  }
  while (layer.length > 1) {
    if (layer.length % 2 === 1) layer.push(new Uint8Array(16));
    const next: Uint8Array[] = [];
    for (let i = 0; i < layer.length; i += 2) {
      const m = new Uint8Array(64);
      m.set(layer[i]!, 0);
      m.set(layer[i + 1]!, 16);
      m[32] = 0x01;
      next.push(h(m));
    }
    layer = next;
  }
  return layer[0]!;
}

const vectors = JSON.parse(readFileSync(VECTORS_PATH, "utf8")) as MerkleVector[];

describe("merkle: shared vectors (test/vectors/merkle.json)", () => {
  it("the committed file equals what sdk/scripts/merkle-vectors.ts generates", () => {
    expect(vectors).toEqual(merkleVectors());
  });

  it("covers the edge cases the contracts rely on", () => {
    const leafCounts = new Set(vectors.map((v) => v.nLeaves));
    for (const n of [1, 2, 3, 5, 64, 79]) expect(leafCounts).toContain(n);
  });

  it.each(vectors.map((v) => [v.name, v] as const))(
    "%s: root matches the reference and every proof verifies",
    (_, v) => {
      const shard = hexToBytes(v.shardHex);
      expect(bytesToHex(referenceRoot(shard))).toBe(v.root);
      expect(treeDepth(v.nLeaves)).toBe(v.depth);
      for (const p of v.proofs) {
        const proof = {
          leaf: p.leaf,
          segment: hexToBytes(p.segment),
          siblings: p.siblings.map(hexToBytes),
        };
        expect(proof.siblings).toHaveLength(v.depth);
        expect(verifyMerkleProof({ root: hexToBytes(v.root), nLeaves: v.nLeaves, proof })).toBe(
          true,
        );
      }
    },
  );
});

describe("merkle: tree, builder and both hashers agree", () => {
  const sizes = [
    1,
    63,
    64,
    65,
    128,
    192,
    4095,
    4096 * 64,
    4096 * 64 + 1,
    4096 * 64 * 3 + 77,
    4096 * 64 * 2,
  ];
  it.each(sizes)("%i bytes", (size) => {
    const shard = randomBytes(size);
    const native = buildMerkleTree(shard, { hasher: sha256Batch64Native });
    const wasm = buildMerkleTree(shard, { hasher: sha256Batch64Wasm });
    const expected = bytesToHex(referenceRoot(shard));
    expect(bytesToHex(native.root)).toBe(expected);
    expect(bytesToHex(wasm.root)).toBe(expected);
    const prove = [0, native.nLeaves - 1, Math.floor(native.nLeaves / 3)];
    const builder = new MerkleBuilder({ prove });
    for (let at = 0; at < size; at += 1001) builder.update(shard.subarray(at, at + 1001));
    const streamed = builder.digest();
    expect(bytesToHex(streamed.root)).toBe(expected);
    expect(streamed.nLeaves).toBe(native.nLeaves);
    expect(streamed.depth).toBe(native.depth);
    expect(streamed.size).toBe(size);
    streamed.proofs.forEach((proof, i) => {
      expect(encodeMerkleProof(proof)).toEqual(encodeMerkleProof(native.proof(prove[i]!)));
    });
  });

  it("property: random sizes and split points give the reference root", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40_000 }),
        fc.integer({ min: 1, max: 5000 }),
        (size, piece) => {
          const shard = randomBytes(size);
          const builder = new MerkleBuilder({ hasher: sha256Batch64Wasm });
          for (let at = 0; at < size; at += piece) builder.update(shard.subarray(at, at + piece));
          expect(bytesToHex(builder.digest().root)).toBe(bytesToHex(referenceRoot(shard)));
        },
      ),
      { numRuns: 40 },
    );
  });

  it("commitShard consumes an async stream", async () => {
    const shard = randomBytes(10_000);
    async function* pieces() {
      for (let at = 0; at < shard.length; at += 333) yield shard.subarray(at, at + 333);
    }
    const c = await commitShard(pieces(), { prove: [7] });
    expect(bytesToHex(c.root)).toBe(bytesToHex(referenceRoot(shard)));
    expect(verifyMerkleProof({ root: c.root, nLeaves: c.nLeaves, proof: c.proofs[0]! })).toBe(true);
  });
});

describe("merkle: proofs", () => {
  const shard = randomBytes(5000);
  const tree = buildMerkleTree(shard);

  it("packed bytes are segment ‖ siblings and decode back", () => {
    const proof = tree.proof(42);
    const packed = encodeMerkleProof(proof);
    expect(packed.length).toBe(64 + 16 * tree.depth);
    expect(bytesToHex(packed.subarray(0, 64))).toBe(bytesToHex(shard.subarray(42 * 64, 43 * 64)));
    expect(decodeMerkleProof(packed, 42, tree.nLeaves)).toEqual(proof);
  });

  it("rejects a flipped segment bit, a wrong sibling, a wrong leaf index and a wrong depth", () => {
    const proof = tree.proof(10);
    const flipped = { ...proof, segment: proof.segment.slice() };
    flipped.segment[5]! ^= 1;
    expect(verifyMerkleProof({ root: tree.root, nLeaves: tree.nLeaves, proof: flipped })).toBe(
      false,
    );
    const badSibling = {
      ...proof,
      siblings: proof.siblings.map((s, i) => (i === 3 ? s.map((b) => b ^ 0x80) : s)),
    };
    expect(verifyMerkleProof({ root: tree.root, nLeaves: tree.nLeaves, proof: badSibling })).toBe(
      false,
    );
    expect(
      verifyMerkleProof({ root: tree.root, nLeaves: tree.nLeaves, proof: { ...proof, leaf: 11 } }),
    ).toBe(false);
    expect(verifyMerkleProof({ root: tree.root, nLeaves: tree.nLeaves * 2, proof })).toBe(false);
    expect(() => decodeMerkleProof(new Uint8Array(65), 0, tree.nLeaves)).toThrow(MerkleProofError);
  });

  it("last leaf of an odd layer has a ZERO sibling", () => {
    const t = buildMerkleTree(randomBytes(64 * 5));
    expect(t.proof(4).siblings[0]).toEqual(new Uint8Array(16));
  });

  it("a shard must be at least 1 byte", () => {
    expect(() => buildMerkleTree(new Uint8Array(0))).toThrow(RangeError);
    expect(() => new MerkleBuilder().digest()).toThrow(RangeError);
  });
});
