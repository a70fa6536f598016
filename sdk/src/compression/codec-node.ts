/**
 * Node codecs from node:zlib (native, on the libuv thread pool so they run beside the main
 * thread): zstd level 3 (≈ 530 MB/s on text, incompressible data passes at ≈ 490 MB/s) and raw
 * DEFLATE for chunks written by browsers.
 */
import { promisify } from "node:util";
import * as zlib from "node:zlib";
import { CODEC, DecompressionError, type ChunkCodec, type CodecId } from "./types.ts";

const zstdCompress = promisify(zlib.zstdCompress);
const zstdDecompress = promisify(zlib.zstdDecompress);
const deflateRaw = promisify(zlib.deflateRaw);
const inflateRaw = promisify(zlib.inflateRaw);

const ZSTD_LEVEL = 3;

const asBytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

export const codec: ChunkCodec = {
  defaultCodec: "zstd",
  async compress(kind, data) {
    if (kind === "zstd")
      return asBytes(
        await zstdCompress(data, {
          params: { [zlib.constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL },
        }),
      );
    return asBytes(await deflateRaw(data, { level: 6 }));
  },
  async decompress(id: CodecId, data, maxBytes) {
    try {
      if (id === CODEC.zstd)
        return asBytes(await zstdDecompress(data, { maxOutputLength: Math.max(1, maxBytes) }));
      if (id === CODEC.deflate)
        return asBytes(await inflateRaw(data, { maxOutputLength: Math.max(1, maxBytes) }));
    } catch (cause) {
      throw new DecompressionError(
        undefined,
        "the compressed data is invalid or larger than a chunk",
        { cause },
      );
    }
    throw new DecompressionError(undefined, `unknown codec id ${id}`);
  },
};
