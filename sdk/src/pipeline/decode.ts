/**
 * decodeFile — the download pipeline.
 *
 *   sources (≥ k of n shards, several candidates per shard allowed)
 *     ──► fetch in parallel (≤ `concurrency`), each stream ─► store + incremental CID / Merkle
 *         root / size check ──► verified? keep : report (onShardFailure) and start the next
 *         candidate ──► k verified: abort the rest (long-tail cancellation)
 *     ──► per stripe: read k pieces ─► RS reconstruct if a data shard is missing
 *     ──► records ─► decrypt (tag) ─► decompress ─► plaintext stream
 *
 * A shard is never used before all of its bytes matched its commitment, so it waits in a
 * ShardStore (temp files in Node by default; memory in browsers unless one is passed).
 * Decoding reads one stripe at a time: memory is a few stripes plus `concurrency` chunks.
 */
import { defaultShardStore } from "#shard-store";
import { CID, ShardCidBuilder } from "../cid/index.ts";
import { loadErasureCoder, NotEnoughShardsError, validateErasureParams } from "../erasure/index.ts";
import { MerkleBuilder } from "../merkle/builder.ts";
import { bytesToHex } from "../merkle/hex.ts";
import { checkChunkSize, decryptChunks, RECORD_HEADER_BYTES } from "./chunks.ts";
import { GCM_TAG_BYTES } from "../crypto/aes-gcm.ts";
import { checkPieceBytes } from "./encode.ts";
import { InvalidPipelineDataError, PipelineParamsError, ShardVerificationError } from "./errors.ts";
import { iterateBytes } from "./source.ts";
import { memoryShardStore, type ShardReader, type ShardStore } from "./store.ts";

/** Shard bytes (all fetches in flight) below which downloads are held in memory, not on disk. */
export const SMALL_FILE_STORE_BYTES = 32 << 20;
import type {
  ByteSource,
  PipelineCallOptions,
  PipelineLayout,
  ShardFailureEvent,
} from "./types.ts";

/** One way to get one shard (a provider's HTTP endpoint, a gateway, a local file, …). */
export type ShardSource = {
  shard: number;
  /** Shown in errors and failure events, e.g. the provider URL. */
  label?: string;
  fetch(options: { signal: AbortSignal }): ByteSource | Promise<ByteSource>;
};

export type DecodeParams = PipelineLayout & {
  fileKey: Uint8Array;
  fileId: Uint8Array;
  shardSize: number;
  /** Commitments by shard index (from the manifest / the request): CID and/or Merkle root. */
  shards: readonly { cid?: string; root?: string }[];
  /** If given, the decoded length must match. */
  plaintextSize?: number;
};

export type DecodeOptions = PipelineCallOptions & {
  store?: ShardStore;
  /** Shard downloads at once. Default k + 2 (two spares against slow providers). */
  concurrency?: number;
  onShardFailure?: (event: ShardFailureEvent) => void;
  /**
   * Which commitment to check: the CID (default when known; what IPFS clients check too), the
   * Merkle root (what the contracts check), or both. Each is a full hash of the shard.
   */
  verify?: "cid" | "root" | "both";
};

function checkDecodeParams(p: DecodeParams): number {
  validateErasureParams(p);
  checkChunkSize(p.chunkSize);
  checkPieceBytes(p.pieceBytes);
  const n = p.k + p.m;
  if (!Number.isSafeInteger(p.shardSize) || p.shardSize < 1)
    throw new PipelineParamsError(`shardSize must be a positive integer, got ${p.shardSize}.`);
  if (p.shards.length !== n)
    throw new PipelineParamsError(`Expected commitments for ${n} shards, got ${p.shards.length}.`);
  p.shards.forEach((s, i) => {
    if (!s.cid && !s.root)
      throw new PipelineParamsError(
        `Shard ${i} has neither a CID nor a root: it cannot be verified.`,
      );
  });
  return n;
}

/**
 * Fetch and verify shards until k distinct ones are held. Returns their readers by index.
 * Throws NotEnoughShardsError (naming the missing shards) when the sources run out.
 */
export async function fetchShards(
  sources: readonly ShardSource[],
  params: DecodeParams,
  store: ShardStore,
  options: DecodeOptions = {},
): Promise<Map<number, ShardReader>> {
  const n = checkDecodeParams(params);
  const { k } = params;
  const { signal, onProgress, onShardFailure } = options;
  for (const s of sources)
    if (!Number.isInteger(s.shard) || s.shard < 0 || s.shard >= n)
      throw new PipelineParamsError(`Source for shard ${s.shard} is out of range 0..${n - 1}.`);
  const verified = new Map<number, ShardReader>();
  const running = new Map<number, AbortController>();
  const failures: Error[] = [];
  const waiting = [...sources];
  let done = false;

  const fetchOne = async (source: ShardSource, controller: AbortController): Promise<void> => {
    const { shard, label } = source;
    const commitment = params.shards[shard]!;
    const writer = await store.create(shard);
    const mode = options.verify ?? (commitment.cid ? "cid" : "root");
    const useRoot = (mode !== "cid" || !commitment.cid) && commitment.root !== undefined;
    const useCid = (mode !== "root" || !commitment.root) && commitment.cid !== undefined;
    const merkle = useRoot ? new MerkleBuilder() : undefined;
    const cid = useCid ? new ShardCidBuilder() : undefined;
    let size = 0;
    const fail = (reason: string, cause?: unknown) =>
      new ShardVerificationError({
        shard,
        reason,
        ...(label ? { source: label } : {}),
        ...(cause === undefined ? {} : { cause }),
      });
    try {
      const stream = await source.fetch({ signal: controller.signal });
      for await (const piece of iterateBytes(stream, controller.signal)) {
        size += piece.length;
        if (size > params.shardSize)
          throw fail(`it is longer than the committed ${params.shardSize} bytes`);
        merkle?.update(piece);
        cid?.write(piece);
        await writer.write(piece);
        onProgress?.({ stage: "download", bytes: size, total: params.shardSize, shard });
      }
      if (size !== params.shardSize)
        throw fail(`it is ${size} bytes, not the committed ${params.shardSize}`);
      if (merkle && commitment.root) {
        const root = bytesToHex(merkle.digest().root);
        if (root !== commitment.root.toLowerCase())
          throw fail(`Merkle root ${root} ≠ committed ${commitment.root}`);
      }
      if (cid && commitment.cid) {
        const got = cid.end().toString();
        if (got !== CID.parse(commitment.cid).toString())
          throw fail(`CID ${got} ≠ committed ${commitment.cid}`);
      }
      const reader = await writer.commit();
      if (!done && !verified.has(shard)) verified.set(shard, reader);
    } catch (error) {
      await writer.discard();
      if (controller.signal.aborted) return; // cancelled: long tail, or the caller aborted
      const err =
        error instanceof ShardVerificationError ? error : fail("the download failed", error);
      failures.push(err);
      onShardFailure?.({
        stage: "download",
        shard,
        ...(label ? { source: label } : {}),
        error: err,
      });
    }
  };

  const limit = Math.max(k, options.concurrency ?? k + 2);
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      for (const c of running.values()) c.abort(signal?.reason);
      reject(signal?.reason ?? new Error("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    const pump = () => {
      if (done) return;
      if (verified.size >= k) {
        done = true;
        for (const c of running.values()) c.abort(new Error("Enough shards were fetched."));
        signal?.removeEventListener("abort", onAbort);
        resolve();
        return;
      }
      while (running.size < limit) {
        const at = waiting.findIndex((s) => !verified.has(s.shard) && !running.has(s.shard));
        if (at < 0) break;
        const source = waiting.splice(at, 1)[0]!;
        const controller = new AbortController();
        running.set(source.shard, controller);
        void fetchOne(source, controller).then(
          () => {
            running.delete(source.shard);
            pump();
          },
          (error) => {
            running.delete(source.shard);
            failures.push(error as Error);
            pump();
          },
        );
      }
      if (running.size === 0 && verified.size < k) {
        done = true;
        signal?.removeEventListener("abort", onAbort);
        reject(
          new NotEnoughShardsError({
            k,
            n,
            available: [...verified.keys()],
            ...(failures.length
              ? {
                  cause: new AggregateError(
                    failures,
                    `${failures.length} shard download(s) failed`,
                  ),
                }
              : {}),
          }),
        );
      }
    };
    if (signal?.aborted) return onAbort();
    pump();
  });
  return verified;
}

export type ReadStripesOptions = {
  /**
   * Reuse stripe buffers: a yielded stripe stays valid only until this many further stripes
   * have been requested, then its memory is read over. Without it every stripe is a fresh
   * buffer (safe for any consumer, but ≈ 1.4 × the file in short-lived garbage).
   */
  recycleAfter?: number;
};

/** Stripes read ahead of the one being rebuilt and decrypted. */
const READ_AHEAD = 2;

/** Stripe data (k × piece bytes each) from k verified shards, reconstructing when needed. */
export async function* readStripes(
  readers: Map<number, ShardReader>,
  params: DecodeParams,
  signal?: AbortSignal,
  options: ReadStripesOptions = {},
): AsyncGenerator<Uint8Array> {
  const { k, m, pieceBytes, shardSize } = params;
  const n = k + m;
  const chosen = [...readers.keys()].sort((a, b) => a - b).slice(0, k);
  if (chosen.length < k) throw new NotEnoughShardsError({ k, n, available: chosen });
  const direct = chosen[k - 1] === k - 1; // all data shards present: no reconstruction
  const coder = direct ? undefined : await loadErasureCoder({ k, m });
  const stripes = Math.ceil(shardSize / pieceBytes);
  const present = Array.from({ length: n }, (_, i) => chosen.includes(i));
  // Reconstruction needs room for all n pieces; the direct path only the k data pieces.
  const width = direct ? k : n;
  const recycleAfter = options.recycleAfter;
  // Buffers of stripes handed out, oldest first, and buffers free for reuse. A buffer returns
  // to `free` once `recycleAfter` later stripes have been requested after it was yielded.
  const yielded: ArrayBuffer[] = [];
  const free: ArrayBuffer[] = [];
  const buffer = (piece: number) => {
    if (recycleAfter === undefined || piece !== pieceBytes) return new Uint8Array(width * piece);
    return new Uint8Array(free.pop() ?? new ArrayBuffer(width * pieceBytes));
  };
  const read = (s: number) => {
    const offset = s * pieceBytes;
    const piece = Math.min(pieceBytes, shardSize - offset);
    // Pieces are read straight into the stripe buffer (and rebuilt there when needed).
    const stripe = buffer(piece);
    const p = Promise.all(
      chosen.map((i) =>
        readers.get(i)!.read(offset, piece, stripe.subarray(i * piece, (i + 1) * piece)),
      ),
    );
    p.catch(() => {}); // awaited in order below
    return { piece, stripe, pieces: p };
  };
  // Read ahead: the next stripes' reads run while this one is rebuilt and decrypted.
  const ahead: ReturnType<typeof read>[] = [];
  for (let s = 0; s < stripes; s++) {
    signal?.throwIfAborted();
    if (recycleAfter !== undefined)
      while (yielded.length > recycleAfter) free.push(yielded.shift()!);
    while (ahead.length < READ_AHEAD && s + ahead.length < stripes)
      ahead.push(read(s + ahead.length));
    const { piece, stripe } = ahead[0]!;
    await ahead[0]!.pieces;
    ahead.shift();
    if (!direct) coder!.reconstructData(stripe, present);
    if (recycleAfter !== undefined && piece === pieceBytes)
      yielded.push(stripe.buffer as ArrayBuffer);
    yield stripe.subarray(0, k * piece);
  }
}

/**
 * Stripes a consumer of decryptChunks may still hold views into when it asks for the next one,
 * plus one of slack. Its views are the pending record (≤ R bytes: a sealed chunk and its
 * header; a view only when it lies in one stripe — records spanning stripes are copied) and
 * the unparsed queue (< R bytes, ending at the newest stripe): a range of < 2R bytes, or the
 * queue plus the one stripe before it. Opened records are not retained (node:crypto and
 * WebCrypto read their input during the call).
 */
function stripesHeldByDecrypt(params: DecodeParams): number {
  const record = RECORD_HEADER_BYTES + params.chunkSize + GCM_TAG_BYTES;
  const stripe = params.k * params.pieceBytes;
  return Math.min(Math.ceil((2 * record) / stripe) + 1, Math.ceil(record / stripe) + 2) + 1;
}

/**
 * Download, verify, rebuild and decrypt a file; yields plaintext pieces in order.
 * Errors: NotEnoughShardsError, ChunkAuthenticationError, TruncatedDataError,
 * InvalidPipelineDataError, DecompressionError, or the signal's reason.
 */
export async function* decodeFileChunks(
  sources: readonly ShardSource[],
  params: DecodeParams,
  options: DecodeOptions = {},
): AsyncGenerator<Uint8Array> {
  checkDecodeParams(params);
  // Small files are held in memory (bounded by SMALL_FILE_STORE_BYTES); larger ones in the
  // runtime's default store (temp files in Node).
  const held =
    params.shardSize * Math.min(params.k + params.m, options.concurrency ?? params.k + 2);
  const store =
    options.store ?? (held <= SMALL_FILE_STORE_BYTES ? memoryShardStore() : defaultShardStore());
  try {
    const readers = await fetchShards(sources, params, store, options);
    let total = 0;
    const stripes = readStripes(readers, params, options.signal, {
      recycleAfter: stripesHeldByDecrypt(params),
    });
    const plain = decryptChunks(stripes, {
      fileKey: params.fileKey,
      fileId: params.fileId,
      chunkSize: params.chunkSize,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    for await (const piece of plain) {
      total += piece.length;
      if (params.plaintextSize !== undefined && total > params.plaintextSize)
        throw new InvalidPipelineDataError(
          `The file decodes to more than the recorded ${params.plaintextSize} bytes.`,
        );
      yield piece;
    }
    if (params.plaintextSize !== undefined && total !== params.plaintextSize)
      throw new InvalidPipelineDataError(
        `The file decodes to ${total} bytes, not the recorded ${params.plaintextSize}.`,
      );
  } finally {
    await store.close();
  }
}

/** decodeFileChunks as a WHATWG ReadableStream (pull-based: a slow reader slows the download). */
export function decodeFile(
  sources: readonly ShardSource[],
  params: DecodeParams,
  options: DecodeOptions = {},
): ReadableStream<Uint8Array> {
  const it = decodeFileChunks(sources, params, options);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await it.next();
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (error) {
          controller.error(error);
        }
      },
      async cancel(reason) {
        await it.return(undefined);
        void reason;
      },
    },
    { highWaterMark: 0 },
  );
}

/** Sources for shards already in memory (tests, local repair). */
export function memoryShardSources(
  shards: readonly (Uint8Array | undefined)[],
  label = "memory",
): ShardSource[] {
  return shards.flatMap((bytes, shard) =>
    bytes ? [{ shard, label: `${label}#${shard}`, fetch: () => bytes }] : [],
  );
}
