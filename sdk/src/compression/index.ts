/**
 * Chunk compression. `compressChunk` returns the codec id actually used: a chunk that does not
 * shrink (or any chunk when compression is "none") is stored raw with id 0, so incompressible
 * data (video, archives, already-encrypted input) costs one failed attempt and no expansion.
 * Node: zstd (node:zlib). Browser: raw DEFLATE (CompressionStream). Both read both.
 */
import { codec as runtimeCodec } from "#chunk-codec";
import { CODEC, type ChunkCodec, type CodecId, type CompressionSetting } from "./types.ts";

export * from "./types.ts";

export function chunkCodec(): ChunkCodec {
  return runtimeCodec;
}

export async function compressChunk(
  data: Uint8Array,
  setting: CompressionSetting,
  codec: ChunkCodec = runtimeCodec,
): Promise<{ codec: CodecId; bytes: Uint8Array }> {
  if (setting === "none" || data.length === 0) return { codec: CODEC.raw, bytes: data };
  const kind = setting === "auto" ? codec.defaultCodec : setting;
  const packed = await codec.compress(kind, data);
  if (packed.length >= data.length) return { codec: CODEC.raw, bytes: data };
  return { codec: CODEC[kind], bytes: packed };
}

export async function decompressChunk(
  id: number,
  bytes: Uint8Array,
  maxBytes: number,
  codec: ChunkCodec = runtimeCodec,
): Promise<Uint8Array> {
  if (id === CODEC.raw) return bytes;
  return codec.decompress(id as CodecId, bytes, maxBytes);
}
