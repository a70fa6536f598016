/**
 * Browser codecs: raw DEFLATE through the native CompressionStream / DecompressionStream
 * ("deflate-raw", every current browser), and zstd *decompression* with fzstd (pure JS) so
 * chunks compressed by Node can be read. Browsers write DEFLATE (no well-kept small zstd
 * encoder; zstd WASM builds are 200–400 KB and slower than native DEFLATE here).
 */
import { decompress as zstdDecompress } from "fzstd";
import { CODEC, DecompressionError, type ChunkCodec, type CodecId } from "./types.ts";

async function through(
  stream: CompressionStream | DecompressionStream,
  data: Uint8Array,
  maxBytes: number,
): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  void writer.write(data as BufferSource).catch(() => {});
  void writer.close().catch(() => {});
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const part of stream.readable as unknown as AsyncIterable<Uint8Array>) {
    total += part.length;
    if (total > maxBytes)
      throw new DecompressionError(undefined, `output exceeds ${maxBytes} bytes`);
    parts.push(part);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export const codec: ChunkCodec = {
  defaultCodec: "deflate",
  async compress(kind, data) {
    if (kind === "zstd")
      throw new Error(
        "zstd compression is not available in this runtime; use compression: 'deflate' or 'auto'.",
      );
    return through(new CompressionStream("deflate-raw"), data, Number.MAX_SAFE_INTEGER);
  },
  async decompress(id: CodecId, data, maxBytes) {
    try {
      if (id === CODEC.deflate)
        return await through(new DecompressionStream("deflate-raw"), data, maxBytes);
      if (id === CODEC.zstd) {
        const out = zstdDecompress(data);
        if (out.length > maxBytes) throw new Error(`output exceeds ${maxBytes} bytes`);
        return out;
      }
    } catch (cause) {
      if (cause instanceof DecompressionError) throw cause;
      throw new DecompressionError(undefined, "the compressed data is invalid", { cause });
    }
    throw new DecompressionError(undefined, `unknown codec id ${id}`);
  },
};
