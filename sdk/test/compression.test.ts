import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { codec as nodeCodec } from "../src/compression/codec-node.ts";
import { codec as webCodec } from "../src/compression/codec-web.ts";
import {
  CODEC,
  DecompressionError,
  compressChunk,
  decompressChunk,
} from "../src/compression/index.ts";

const text = new TextEncoder().encode(
  "2026-11-24T16:00:00Z INFO tessera provider stored shard 3 of request 0xabc\n".repeat(2000),
);

describe("compression", () => {
  it("compresses text with zstd in Node and stores random data raw", async () => {
    const packed = await compressChunk(text, "auto");
    expect(packed.codec).toBe(CODEC.zstd);
    expect(packed.bytes.length).toBeLessThan(text.length / 10);
    expect(await decompressChunk(packed.codec, packed.bytes, text.length)).toEqual(text);
    const random = randomBytes(10_000);
    const raw = await compressChunk(random, "auto");
    expect(raw.codec).toBe(CODEC.raw);
    expect(raw.bytes).toBe(random);
    expect((await compressChunk(text, "none")).codec).toBe(CODEC.raw);
  });

  it("browser codec writes raw DEFLATE that Node reads, and reads Node's zstd", async () => {
    const deflated = await compressChunk(text, "auto", webCodec);
    expect(deflated.codec).toBe(CODEC.deflate);
    expect(await decompressChunk(deflated.codec, deflated.bytes, text.length, nodeCodec)).toEqual(
      text,
    );
    const zstd = await compressChunk(text, "zstd", nodeCodec);
    expect(await decompressChunk(zstd.codec, zstd.bytes, text.length, webCodec)).toEqual(text);
    const nodeDeflate = await compressChunk(text, "deflate", nodeCodec);
    expect(
      await decompressChunk(nodeDeflate.codec, nodeDeflate.bytes, text.length, webCodec),
    ).toEqual(text);
  });

  it("refuses output larger than a chunk (decompression bombs) and garbage", async () => {
    const zstd = await compressChunk(text, "zstd", nodeCodec);
    for (const c of [nodeCodec, webCodec]) {
      await expect(decompressChunk(zstd.codec, zstd.bytes, 1000, c)).rejects.toThrow(
        DecompressionError,
      );
      await expect(decompressChunk(CODEC.zstd, randomBytes(100), 1000, c)).rejects.toThrow(
        DecompressionError,
      );
      await expect(decompressChunk(7, randomBytes(100), 1000, c)).rejects.toThrow(
        DecompressionError,
      );
    }
  });
});
