/**
 * encodeFile — the upload pipeline, streaming with bounded memory.
 *
 *   source ──► rechunk ──► compress ─► encrypt ──► records ──► stripes ──► RS(k+m) ──► n pieces
 *              (chunks.ts: ≤ `concurrency` chunks in flight,          (k × pieceBytes    │
 *               zlib + WebCrypto on the thread pool)                    of records)        ▼
 *                                                  per shard i: Merkle root + UnixFS CID
 *                                                               (worker thread in Node)
 *                                                               sinks[i].write (await = backpressure)
 *
 * Merkle + CID hashing — the slowest stage — runs on a worker thread in Node
 * (merkle/stripe-hasher-node.ts, stripes in SharedArrayBuffers, no copies), beside compression,
 * encryption glue and RS on the main thread (zlib and WebCrypto use the libuv pool).
 *
 * Memory: `concurrency` chunks + ≤ 3 stripes (n × pieceBytes) + per shard one Merkle chunk
 * (64 KiB) and a link list — a few tens of MiB for 10+4, independent of file size.
 *
 * Roots and CIDs are only known when the last stripe is done, but providers check uploaded
 * bytes against the roots of a storage request, which must exist first. So a caller either
 *  (a) writes shards to temporary files/OPFS through `sinks`, creates the request with the
 *      returned commitments, then uploads the files; or
 *  (b) encodes twice with the same fileKey/fileId: once with no sinks (hash only), then again
 *      while uploading — the output is deterministic for the same inputs and sdk version.
 * Each stripe's last piece may be shorter: shardSize = (stripes − 1) × pieceBytes + lastPiece,
 * lastPiece = ceil(remaining / k), so a tiny file makes tiny shards.
 */
import {
  loadErasureCoder,
  validateErasureParams,
  DEFAULT_DATA_SHARDS,
  DEFAULT_PARITY_SHARDS,
  type ErasureCoder,
} from "../erasure/index.ts";
import { createStripeHasher } from "#stripe-hasher";
import { bytesToHex } from "../merkle/hex.ts";
import { checkChunkSize, encryptChunks } from "./chunks.ts";
import { PipelineParamsError } from "./errors.ts";
import type { ShardSink } from "./sinks.ts";
import { iterateBytes } from "./source.ts";
import {
  DEFAULT_CHUNK_SIZE,
  DEFAULT_PIECE_BYTES,
  type ByteSource,
  type EncodeOptions,
  type EncodeResult,
  type ShardCommitment,
} from "./types.ts";

export function checkPieceBytes(pieceBytes: number): void {
  if (
    !Number.isSafeInteger(pieceBytes) ||
    pieceBytes < 64 ||
    pieceBytes % 64 !== 0 ||
    pieceBytes > 16 << 20
  )
    throw new PipelineParamsError(
      `pieceBytes must be a multiple of 64 from 64 to 16 MiB, got ${pieceBytes}.`,
    );
}

/** Encode `source` into k + m shards written to `sinks` (omit them to only compute commitments). */
export async function encodeFile(
  source: ByteSource,
  options: EncodeOptions & { sinks?: readonly ShardSink[] },
): Promise<EncodeResult> {
  const k = options.k ?? DEFAULT_DATA_SHARDS;
  const m = options.m ?? DEFAULT_PARITY_SHARDS;
  validateErasureParams({ k, m });
  const n = k + m;
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  checkChunkSize(chunkSize);
  const pieceBytes = options.pieceBytes ?? DEFAULT_PIECE_BYTES;
  checkPieceBytes(pieceBytes);
  const sinks = options.sinks;
  if (sinks && sinks.length !== n)
    throw new PipelineParamsError(`Expected ${n} shard sinks (k + m), got ${sinks.length}.`);
  const { signal, onProgress } = options;
  signal?.throwIfAborted();

  const coder = await loadErasureCoder({ k, m });
  // A worker pays off only for large stripes (one message round trip per stripe).
  const hasher = createStripeHasher(n, { workers: options.workers ?? pieceBytes >= 64 * 1024 });
  /** Stripes queued for hashing, oldest first; a full-size stripe is reused once hashed. */
  const hashing: { done: Promise<void>; stripe: Uint8Array }[] = [];
  const spare: Uint8Array[] = [];
  const fullStripe = () => spare.pop() ?? hasher.allocate(n * pieceBytes);
  const settleOldest = async () => {
    const { done, stripe } = hashing.shift()!;
    await done;
    if (stripe.length === n * pieceBytes) spare.push(stripe);
  };
  let shardBytes = 0;
  let dataBytes = 0;

  const emit = async (stripe: Uint8Array, piece: number) => {
    coder.encode(stripe);
    dataBytes += k * piece;
    onProgress?.({ stage: "erasure", bytes: dataBytes });
    const hashed = hasher.update(stripe, piece);
    hashed.catch(() => {}); // awaited below, in order
    hashing.push({ done: hashed, stripe });
    const writes: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const bytes = stripe.subarray(i * piece, (i + 1) * piece);
      if (sinks) writes.push(Promise.resolve(sinks[i]!.write(bytes)));
    }
    shardBytes += piece;
    onProgress?.({ stage: "merkle", bytes: shardBytes * n });
    await Promise.all(writes);
    // at most two stripes queued for hashing: bounded memory, hashing overlaps the next stripe;
    // sinks are done with a stripe once their write() resolved (see ShardSink), so it is reused
    while (hashing.length > 2) await settleOldest();
    if (sinks)
      for (let i = 0; i < n; i++) onProgress?.({ stage: "upload", bytes: shardBytes, shard: i });
  };

  try {
    const records = encryptChunks(iterateBytes(source, signal), {
      fileKey: options.fileKey,
      fileId: options.fileId,
      chunkSize,
      compression: options.compression ?? "auto",
      concurrency: options.concurrency ?? 4,
      ...(signal ? { signal } : {}),
      ...(onProgress ? { onProgress } : {}),
    });
    const stripeData = k * pieceBytes;
    let stripe = fullStripe();
    let filled = 0;
    let stats;
    for (;;) {
      const next = await records.next();
      if (next.done) {
        stats = next.value;
        break;
      }
      const record = next.value;
      let off = 0;
      while (off < record.length) {
        if (filled === stripeData) {
          // A full stripe is only emitted once more data exists, so the final one may be short.
          await emit(stripe, pieceBytes);
          stripe = fullStripe();
          filled = 0;
        }
        const take = Math.min(stripeData - filled, record.length - off);
        stripe.set(record.subarray(off, off + take), filled);
        filled += take;
        off += take;
      }
    }
    const lastPiece = Math.ceil(filled / k);
    if (lastPiece === pieceBytes) {
      // a recycled stripe holds old bytes: the padding after the last record must be zero
      stripe.fill(0, filled, stripeData);
      await emit(stripe, pieceBytes);
    } else {
      const last = hasher.allocate(n * lastPiece);
      last.set(stripe.subarray(0, filled));
      await emit(last, lastPiece);
    }

    while (hashing.length > 0) await settleOldest();
    const roots = await hasher.digest();
    const shards: ShardCommitment[] = [];
    for (let i = 0; i < n; i++) {
      const c = roots[i]!;
      shards.push({
        index: i,
        size: c.size,
        nLeaves: c.nLeaves,
        root: bytesToHex(c.root),
        cid: c.cid,
      });
    }
    if (sinks) await Promise.all(sinks.map((s) => s.close?.()));
    return {
      k,
      m,
      chunkSize,
      pieceBytes,
      fileId: options.fileId.slice(),
      plaintextSize: stats.plaintextBytes,
      encryptedSize: stats.encryptedBytes,
      chunks: stats.chunks,
      shardSize: shardBytes,
      shards,
    };
  } catch (error) {
    hasher.abort();
    if (sinks) await Promise.allSettled(sinks.map((s) => s.abort?.(error)));
    throw error;
  }
}

/** Shard size for a given encrypted stream length (what encodeFile produces). */
export function shardSizeFor(encryptedSize: number, k: number, pieceBytes: number): number {
  const stripeData = k * pieceBytes;
  const full = Math.max(0, Math.ceil(encryptedSize / stripeData) - 1);
  return full * pieceBytes + Math.ceil((encryptedSize - full * stripeData) / k);
}

/** For tests and tools: the coder used for a layout. */
export function erasureCoderFor(k: number, m: number): Promise<ErasureCoder> {
  return loadErasureCoder({ k, m });
}
