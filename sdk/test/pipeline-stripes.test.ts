/** Stripe buffer reuse in the download path (decode.ts readStripes / decodeFileChunks). */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bytesToHex } from "../src/merkle/index.ts";
import {
  decodeFileChunks,
  encodeFile,
  memoryShardSources,
  memorySink,
  readStripes,
  type DecodeParams,
  type EncodeOptions,
  type ShardReader,
} from "../src/pipeline/index.ts";
import { tempFileShardStore } from "../src/pipeline/store-node.ts";

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of source) parts.push(p);
  return new Uint8Array(Buffer.concat(parts));
}

async function encode(data: Uint8Array, layout: Partial<EncodeOptions>) {
  const fileKey = randomBytes(32);
  const fileId = randomBytes(16);
  const sinks = Array.from({ length: layout.k! + layout.m! }, () => memorySink());
  const result = await encodeFile(data, { ...layout, fileKey, fileId, sinks });
  const params: DecodeParams = {
    ...result,
    fileKey,
    shards: result.shards,
    plaintextSize: result.plaintextSize,
  };
  return { params, shards: sinks.map((s) => s.bytes()) };
}

describe("pipeline: stripe buffers on the download path", () => {
  it("chunks spanning many stripes round-trip from temp files (stripe buffers reused under decryptChunks)", async () => {
    const data = randomBytes(1024 * 1024 + 333);
    const e = await encode(data, { k: 4, m: 2, chunkSize: 64 * 1024, pieceBytes: 1024 });
    const tmp = mkdtempSync(join(tmpdir(), "tessera-store-test-"));
    try {
      for (const drop of [[], [0, 2]]) {
        const sources = memoryShardSources(
          e.shards.map((s, i) => (drop.includes(i) ? undefined : s)),
        );
        const out = await collect(
          decodeFileChunks(sources, e.params, { store: tempFileShardStore(tmp) }),
        );
        expect(Buffer.from(out).equals(data)).toBe(true);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("readStripes with recycleAfter reuses a bounded set of stripe buffers; without it, fresh ones", async () => {
    const data = randomBytes(200 * 1024);
    const e = await encode(data, { k: 4, m: 2, chunkSize: 4096, pieceBytes: 1024 });
    for (const drop of [[], [1]]) {
      const readers = new Map<number, ShardReader>();
      e.shards.forEach((bytes, i) => {
        if (drop.includes(i)) return;
        readers.set(i, {
          read: (offset, length, into) => {
            into!.set(bytes.subarray(offset, offset + length));
            return into!;
          },
        });
      });
      const seen = async (recycleAfter?: number) => {
        const buffers = new Set<ArrayBufferLike>();
        const stripes: string[] = [];
        const options = recycleAfter === undefined ? {} : { recycleAfter };
        for await (const s of readStripes(readers, e.params, undefined, options)) {
          buffers.add(s.buffer);
          stripes.push(bytesToHex(s)); // copied before the buffer can be reused
        }
        return { buffers: buffers.size, stripes };
      };
      const fresh = await seen();
      const reused = await seen(2);
      expect(reused.stripes).toEqual(fresh.stripes);
      expect(fresh.stripes.length).toBeGreaterThan(20);
      expect(fresh.buffers).toBe(fresh.stripes.length);
      // recycleAfter + read-ahead + the one being yielded, plus a short last stripe
      expect(reused.buffers).toBeLessThanOrEqual(2 + 3 + 1 + 1);
    }
  });
});
