/**
 * The confidential half of the pipeline: plaintext ⇄ encrypted record stream.
 *
 *   plaintext ─► rechunk(chunkSize) ─► compress (skip if no gain) ─► seal AES-256-GCM ─► records
 *
 * Record i = uint32be(L) ‖ codec (1) ‖ AES-GCM_chunkKey(nonce_i, AAD_i, payload) (L bytes, tag
 * included); see crypto/aes-gcm.ts for nonce and AAD. The codec byte is in the clear (lengths
 * already show compressibility) but it is part of the AAD, so changing it fails the tag; keeping
 * it outside the ciphertext saves a copy of every chunk. After the last record only zero bytes
 * may follow (stripe padding):
 * the reader treats "end of data or a zero length field" as the end, and the last-chunk flag in
 * the AAD proves it really is the end (truncation → TruncatedDataError).
 *
 * Up to `concurrency` chunks are compressed/encrypted at once (zlib runs on the libuv pool);
 * output order is always chunk order. The cipher is node:crypto in Node and WebCrypto elsewhere
 * (`#chunk-cipher`; identical bytes, see crypto/aes-gcm.ts for why).
 */
import { compressChunk, decompressChunk } from "../compression/index.ts";
import { DecompressionError } from "../compression/types.ts";
import { ChunkAuthenticationError, GCM_TAG_BYTES } from "../crypto/aes-gcm.ts";
import { createRuntimeChunkCipher as createChunkCipher } from "#chunk-cipher";
import { ByteQueue } from "./bytequeue.ts";
import { InvalidPipelineDataError, PipelineParamsError, TruncatedDataError } from "./errors.ts";
import { rechunk } from "./source.ts";
import { DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE, type PipelineCallOptions } from "./types.ts";
import type { CompressionSetting } from "../compression/types.ts";

/** uint32be sealed length ‖ codec byte. */
export const RECORD_HEADER_BYTES = 5;
/** Bytes a record adds to its payload: header and GCM tag. */
export const RECORD_OVERHEAD = RECORD_HEADER_BYTES + GCM_TAG_BYTES;

export type ChunkCryptoOptions = PipelineCallOptions & {
  fileKey: Uint8Array;
  fileId: Uint8Array;
  chunkSize?: number;
  concurrency?: number;
};

export type EncryptStats = { chunks: number; plaintextBytes: number; encryptedBytes: number };

export function checkChunkSize(chunkSize: number): void {
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE)
    throw new PipelineParamsError(
      `chunkSize must be an integer from 1 to ${MAX_CHUNK_SIZE}, got ${chunkSize}.`,
    );
}

/** Run `work` for items in order with up to `limit` in flight; yields results in order. */
async function* ordered<T, R>(
  items: AsyncIterable<T>,
  limit: number,
  work: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const inflight: Promise<R>[] = [];
  for await (const item of items) {
    const p = work(item);
    p.catch(() => {}); // observed below, in order
    inflight.push(p);
    if (inflight.length >= limit) yield await inflight.shift()!;
  }
  while (inflight.length > 0) yield await inflight.shift()!;
}

/** Plaintext → encrypted records (each as pieces: header, then body). Returns the statistics when done. */
export async function* encryptChunks(
  source: AsyncIterable<Uint8Array>,
  options: ChunkCryptoOptions & { compression?: CompressionSetting },
): AsyncGenerator<Uint8Array, EncryptStats> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  checkChunkSize(chunkSize);
  const compression = options.compression ?? "auto";
  const cipher = await createChunkCipher(options.fileKey, options.fileId);
  const stats: EncryptStats = { chunks: 0, plaintextBytes: 0, encryptedBytes: 0 };
  let compressed = 0;
  let index = 0;
  // Chunk buffers come back once sealed (≤ concurrency + 2 exist): less garbage, flatter RSS.
  const spare: Uint8Array[] = [];
  const allocate = (n: number) => spare.pop() ?? new Uint8Array(n);
  const chunks = (async function* () {
    for await (const chunk of rechunk(source, chunkSize, allocate))
      yield { ...chunk, index: index++ };
  })();
  const seal = async ({
    bytes,
    last,
    index: i,
  }: {
    bytes: Uint8Array;
    last: boolean;
    index: number;
  }) => {
    const packed = await compressChunk(bytes, compression);
    const sealed = await cipher.sealParts(i, last, packed.bytes, packed.codec);
    if (bytes.length === chunkSize && spare.length < 8) spare.push(bytes);
    const header = new Uint8Array(RECORD_HEADER_BYTES);
    const sealedLength = sealed.reduce((n, p) => n + p.length, 0);
    new DataView(header.buffer).setUint32(0, sealedLength);
    header[4] = packed.codec;
    return { header, sealed, sealedLength, plain: bytes.length };
  };
  for await (const { header, sealed, sealedLength, plain } of ordered(
    chunks,
    Math.max(1, options.concurrency ?? 4),
    seal,
  )) {
    options.signal?.throwIfAborted();
    stats.chunks++;
    stats.plaintextBytes += plain;
    stats.encryptedBytes += header.length + sealedLength;
    compressed += plain;
    options.onProgress?.({ stage: "compress", bytes: compressed });
    options.onProgress?.({ stage: "encrypt", bytes: stats.plaintextBytes });
    // header and body as separate pieces: the consumer copies them into a stripe anyway
    yield header;
    yield* sealed;
  }
  return stats;
}

/**
 * Encrypted records (any piece boundaries, optionally followed by zero padding) → plaintext.
 * Throws ChunkAuthenticationError (tampered / moved / spliced chunk, wrong key or file id),
 * TruncatedDataError, InvalidPipelineDataError or DecompressionError.
 */
export async function* decryptChunks(
  source: AsyncIterable<Uint8Array>,
  options: ChunkCryptoOptions,
): AsyncGenerator<Uint8Array> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  checkChunkSize(chunkSize);
  const maxSealed = chunkSize + GCM_TAG_BYTES;
  const cipher = await createChunkCipher(options.fileKey, options.fileId);

  type Sealed = { index: number; codec: number; sealed: Uint8Array; atEnd: boolean };
  async function* records(): AsyncGenerator<Sealed> {
    const queue = new ByteQueue();
    let index = 0;
    let pending: { sealed: Uint8Array; index: number; codec: number } | undefined;
    // Records that span source pieces are copied into two alternating scratch buffers: one may
    // be `pending` while the next record is taken. A record is dead once opened (the ciphers
    // read their input during the call), and it is opened as soon as it is yielded, before
    // this generator resumes — so a buffer is free again when its turn comes back.
    const scratch: Uint8Array[] = [new Uint8Array(0), new Uint8Array(0)];
    let turn = 0;
    const nextScratch = (n: number) => {
      turn ^= 1;
      if (scratch[turn]!.length < n) scratch[turn] = new Uint8Array(n);
      return scratch[turn]!;
    };
    let finished = false;
    const parse = function* (eof: boolean): Generator<Sealed> {
      for (;;) {
        if (pending) {
          // pending is the last record iff the data ends here or a zero length field follows.
          const next = queue.peekUint32();
          if (next === undefined && !eof) return;
          const isLast = next === undefined || next === 0;
          const p = pending;
          pending = undefined;
          yield { index: p.index, codec: p.codec, sealed: p.sealed, atEnd: isLast };
          if (isLast) {
            finished = true;
            if (!queue.drainIsZero())
              throw new InvalidPipelineDataError(
                `Non-zero bytes follow the last chunk (${p.index}).`,
              );
            return;
          }
        }
        const length = queue.peekUint32();
        if (length === undefined) {
          if (eof) {
            if (queue.length > 0 && !queue.drainIsZero()) throw new TruncatedDataError(index - 1);
            throw new TruncatedDataError(index - 1);
          }
          return;
        }
        if (length < GCM_TAG_BYTES || length > maxSealed)
          throw new InvalidPipelineDataError(
            `Chunk ${index} has an impossible length ${length}: the data is corrupt.`,
          );
        if (queue.length < RECORD_HEADER_BYTES + length) {
          if (eof) throw new TruncatedDataError(index - 1);
          return;
        }
        const codec = queue.take(RECORD_HEADER_BYTES)[4]!;
        pending = { sealed: queue.take(length, nextScratch), index: index++, codec };
      }
    };
    for await (const piece of source) {
      options.signal?.throwIfAborted();
      if (finished) {
        if (piece.some((b) => b !== 0))
          throw new InvalidPipelineDataError("Non-zero bytes follow the last chunk.");
        continue;
      }
      queue.push(piece);
      yield* parse(false);
    }
    if (!finished) yield* parse(true);
  }

  const open = async ({ index, codec, sealed, atEnd }: Sealed): Promise<Uint8Array> => {
    let payload: Uint8Array;
    try {
      payload = await cipher.open(index, atEnd, sealed, codec);
    } catch (error) {
      if (atEnd && error instanceof ChunkAuthenticationError) {
        // Authentic as a middle chunk but found at the end: the tail was cut off.
        const asMiddle = await cipher.open(index, false, sealed, codec).then(
          () => true,
          () => false,
        );
        if (asMiddle) throw new TruncatedDataError(index);
      }
      throw error;
    }
    try {
      return await decompressChunk(codec, payload, chunkSize);
    } catch (error) {
      if (error instanceof DecompressionError)
        throw new DecompressionError(index, "the chunk is corrupt", { cause: error });
      throw error;
    }
  };

  let out = 0;
  for await (const plain of ordered(records(), Math.max(1, options.concurrency ?? 4), open)) {
    out += plain.length;
    options.onProgress?.({ stage: "decode", bytes: out });
    yield plain;
  }
}
