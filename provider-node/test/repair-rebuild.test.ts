/**
 * rebuildShard (services/repair.ts) against the sdk's own encoder: every shard of a 4 + 2
 * encoding (data and parity, several stripes with a shorter last piece) is rebuilt byte for byte
 * from k others; a source that fails mid-way is replaced by a spare; without a spare the rebuild
 * fails with a clear error.
 */
import { encodeFile, memorySink } from "@tessera/sdk";
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { rebuildShard } from "../src/services/repair.ts";

const K = 4;
const M = 2;
const PIECE = 4096;

type Src = { index: number };

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const p of it) parts.push(p);
  return Buffer.concat(parts);
}

describe("rebuildShard", () => {
  let shards: Uint8Array[];
  let shardSize: number;

  beforeAll(async () => {
    const sinks = Array.from({ length: K + M }, () => memorySink());
    const encoded = await encodeFile(randomBytes(100_000), {
      k: K,
      m: M,
      pieceBytes: PIECE,
      fileKey: randomBytes(32),
      fileId: randomBytes(16),
      sinks,
    });
    shards = sinks.map((s) => s.bytes());
    shardSize = encoded.shardSize;
    expect(shardSize % PIECE).not.toBe(0); // a shorter last piece
    expect(Math.ceil(shardSize / PIECE)).toBeGreaterThan(3);
  });

  const read = (src: Src, start: number, length: number) =>
    Promise.resolve(shards[src.index]!.slice(start, start + length));

  it("rebuilds every data and parity shard from k others", async () => {
    for (let slot = 0; slot < K + M; slot++) {
      // the k sources that leave out `slot` and, for variety, the highest other index
      const others = [...Array(K + M).keys()].filter((i) => i !== slot).reverse();
      const sources = others.slice(0, K).map((index) => ({ index }));
      const rebuilt = await collect(
        rebuildShard({ k: K, m: M, slot, shardSize, pieceBytes: PIECE, sources, readPiece: read }),
      );
      expect(Buffer.compare(rebuilt, Buffer.from(shards[slot]!)), `shard ${slot}`).toBe(0);
    }
  });

  it("replaces a source that fails mid-way, and fails clearly without a spare", async () => {
    const flaky = (src: Src, start: number, length: number) =>
      src.index === 1 && start >= PIECE
        ? Promise.reject(new Error("connection reset"))
        : read(src, start, length);
    const spare = [{ index: 5 }];
    const failed: number[] = [];
    const rebuilt = await collect(
      rebuildShard({
        k: K,
        m: M,
        slot: 0,
        shardSize,
        pieceBytes: PIECE,
        sources: [1, 2, 3, 4].map((index) => ({ index })),
        readPiece: flaky,
        onSourceFailed: (src) => {
          failed.push(src.index);
          return spare.shift();
        },
      }),
    );
    expect(failed).toEqual([1]);
    expect(Buffer.compare(rebuilt, Buffer.from(shards[0]!))).toBe(0);

    await expect(
      collect(
        rebuildShard({
          k: K,
          m: M,
          slot: 0,
          shardSize,
          pieceBytes: PIECE,
          sources: [1, 2, 3, 4].map((index) => ({ index })),
          readPiece: flaky,
        }),
      ),
    ).rejects.toThrow(/fewer than k = 4 source shards answered.*connection reset/);
  });
});
