/**
 * Writes test/vectors/merkle.json: shards, roots and proofs under the Merkle rule of
 * docs/protocol.md §1, computed by the sdk (sdk/src/merkle). The Solidity tests and the sdk
 * tests both check against this file. Run: `npm run vectors:merkle -w sdk`.
 *
 * Shard bytes are deterministic: byte stream SHA256(name ‖ counter) blocks.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildMerkleTree, bytesToHex } from "../src/merkle/index.ts";

export type MerkleVector = {
  name: string;
  shardHex: `0x${string}`;
  nLeaves: number;
  depth: number;
  root: `0x${string}`;
  proofs: { leaf: number; segment: `0x${string}`; siblings: `0x${string}`[] }[];
};

function deterministicBytes(name: string, length: number, fill?: number): Uint8Array {
  const out = new Uint8Array(length);
  if (fill !== undefined) return out.fill(fill);
  for (let counter = 0, at = 0; at < length; counter++, at += 32) {
    const block = createHash("sha256").update(`${name}:${counter}`).digest();
    out.set(block.subarray(0, Math.min(32, length - at)), at);
  }
  return out;
}

const cases: { name: string; length: number; fill?: number }[] = [
  { name: "1 byte", length: 1 },
  { name: "63 bytes (one short segment)", length: 63 },
  { name: "64 bytes (exactly one segment)", length: 64 },
  { name: "65 bytes (two leaves, second padded)", length: 65 },
  { name: "128 bytes (two full leaves)", length: 128 },
  { name: "3 leaves (odd layer padded with ZERO)", length: 150 },
  { name: "5 leaves", length: 300 },
  { name: "7 leaves", length: 448 },
  { name: "8 leaves (power of two)", length: 512 },
  { name: "9 leaves", length: 520 },
  { name: "zero shard 64 bytes", length: 64, fill: 0 },
  { name: "0xff shard 130 bytes", length: 130, fill: 0xff },
  { name: "2500 bytes (40 leaves)", length: 2500 },
  { name: "4 KiB (64 leaves)", length: 4096 },
  { name: "5000 bytes (79 leaves, non-power-of-two)", length: 5000 },
];

export function merkleVectors(): MerkleVector[] {
  return cases.map(({ name, length, fill }) => {
    const shard = deterministicBytes(name, length, fill);
    const tree = buildMerkleTree(shard);
    const n = tree.nLeaves;
    const leaves =
      n <= 9
        ? Array.from({ length: n }, (_, i) => i)
        : [...new Set([0, 1, Math.floor(n / 2), n - 2, n - 1])].sort((a, b) => a - b);
    return {
      name,
      shardHex: bytesToHex(shard),
      nLeaves: n,
      depth: tree.depth,
      root: bytesToHex(tree.root),
      proofs: leaves.map((leaf) => {
        const proof = tree.proof(leaf);
        return {
          leaf,
          segment: bytesToHex(proof.segment),
          siblings: proof.siblings.map(bytesToHex),
        };
      }),
    };
  });
}

export const VECTORS_PATH = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "../../test/vectors/merkle.json",
);

if (import.meta.url === `file://${process.argv[1]}`) {
  mkdirSync(dirname(VECTORS_PATH), { recursive: true });
  // formatted like the rest of the repo, so `prettier --check` passes on a regenerated file
  const { format } = await import("prettier");
  writeFileSync(
    VECTORS_PATH,
    await format(JSON.stringify(merkleVectors()), { parser: "json", printWidth: 100 }),
  );
  console.log(`wrote ${VECTORS_PATH}`);
}
