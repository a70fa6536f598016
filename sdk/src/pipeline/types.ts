import type { CompressionSetting } from "../compression/types.ts";

/** Stages of the data pipeline, in upload then download order. */
export type PipelineStage =
  "compress" | "encrypt" | "erasure" | "merkle" | "upload" | "download" | "decode";

/**
 * Progress of one stage. `bytes` is cumulative for the stage (file bytes for compress/encrypt/
 * decode, stripe data bytes for erasure, shard bytes for merkle/upload/download); `shard` is set
 * for per-shard events.
 */
export type ProgressEvent = {
  stage: PipelineStage;
  bytes: number;
  total?: number;
  shard?: number;
};

/** Why a shard was dropped during download (it is replaced by another source if possible). */
export type ShardFailureEvent = {
  stage: "download";
  shard: number;
  source?: string;
  error: Error;
};

export type PipelineCallOptions = {
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
};

export type ByteSource =
  AsyncIterable<Uint8Array> | Iterable<Uint8Array> | ReadableStream<Uint8Array> | Uint8Array;

/** Layout parameters recorded in the manifest; the decoder needs the same values. */
export type PipelineLayout = {
  k: number;
  m: number;
  /** Plaintext bytes per encrypted chunk. */
  chunkSize: number;
  /** Bytes each shard receives per full stripe. */
  pieceBytes: number;
};

export type EncodeOptions = PipelineCallOptions &
  Partial<PipelineLayout> & {
    /** 32-byte random key of this file version (never reuse one across versions). */
    fileKey: Uint8Array;
    /** 16-byte id of this file version (random); bound into every chunk's AAD. */
    fileId: Uint8Array;
    compression?: CompressionSetting;
    /** Hash shards on a worker thread where the runtime has one (Node). Default: when pieceBytes ≥ 64 KiB. */
    workers?: boolean;
    /** Chunks being compressed/encrypted at once (thread-pool parallelism). Default 4. */
    concurrency?: number;
  };

/** Commitment to one shard: what goes on chain (root, size) and into the manifest (CID). */
export type ShardCommitment = {
  index: number;
  size: number;
  nLeaves: number;
  /** 16-byte Merkle root, 0x-hex (docs/protocol.md §1). */
  root: `0x${string}`;
  /** UnixFS CIDv1 string, equal to Helia's for the same bytes. */
  cid: string;
};

export type EncodeResult = PipelineLayout & {
  fileId: Uint8Array;
  plaintextSize: number;
  /** Bytes of the encrypted record stream before padding and erasure coding. */
  encryptedSize: number;
  chunks: number;
  /** Every shard has this size. */
  shardSize: number;
  shards: ShardCommitment[];
};

export const DEFAULT_CHUNK_SIZE = 1 << 20;
export const DEFAULT_PIECE_BYTES = 1 << 18;
export const MAX_CHUNK_SIZE = 64 << 20;

/** Version of the record / stripe format written by encodeFile (see chunks.ts, encode.ts). */
export const PIPELINE_FORMAT = 1;

/**
 * What a manifest must keep, besides k, m, chunkSize, shardSize, fileId, size and the shard
 * commitments, for decodeFile to read the file back: put it in the manifest's `encoding`.
 */
export function pipelineEncoding(result: Pick<EncodeResult, "pieceBytes" | "encryptedSize">): {
  format: number;
  pieceBytes: number;
  encryptedSize: number;
} {
  return {
    format: PIPELINE_FORMAT,
    pieceBytes: result.pieceBytes,
    encryptedSize: result.encryptedSize,
  };
}
