import { TesseraError } from "../errors/base.ts";

/**
 * Per-chunk codec id, stored (encrypted) in front of each chunk's payload.
 * 0 = stored raw (the chunk did not shrink, or compression is off), 1 = zstd, 2 = raw DEFLATE.
 */
export const CODEC = { raw: 0, zstd: 1, deflate: 2 } as const;
export type CodecId = (typeof CODEC)[keyof typeof CODEC];
export type CompressionSetting = "auto" | "zstd" | "deflate" | "none";

export type ChunkCodec = {
  /** What `"auto"` picks in this runtime. */
  readonly defaultCodec: "zstd" | "deflate";
  compress(codec: "zstd" | "deflate", data: Uint8Array): Promise<Uint8Array>;
  /** Throws DecompressionError if the data is invalid or inflates beyond `maxBytes`. */
  decompress(codec: CodecId, data: Uint8Array, maxBytes: number): Promise<Uint8Array>;
};

export class DecompressionError extends TesseraError {
  override name = "DecompressionError";
  constructor(chunk: number | undefined, reason: string, options: { cause?: unknown } = {}) {
    super(
      `Could not decompress ${chunk === undefined ? "a chunk" : `chunk ${chunk}`}: ${reason}.`,
      options,
    );
  }
}
