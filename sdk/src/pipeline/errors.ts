import { TesseraError } from "../errors/base.ts";

/** A shard's bytes do not match its commitment (CID, Merkle root or size). */
export class ShardVerificationError extends TesseraError {
  override name = "ShardVerificationError";
  readonly shard: number;
  readonly source: string | undefined;
  constructor({
    shard,
    source,
    reason,
    cause,
  }: {
    shard: number;
    source?: string;
    reason: string;
    cause?: unknown;
  }) {
    super(
      `Shard ${shard}${source ? ` from ${source}` : ""} failed verification (${reason}); it will be fetched elsewhere.`,
      cause === undefined ? {} : { cause },
    );
    this.shard = shard;
    this.source = source;
  }
}

/** The encrypted stream ended before the chunk flagged "last": data was cut off. */
export class TruncatedDataError extends TesseraError {
  override name = "TruncatedDataError";
  constructor(afterChunk: number) {
    super(
      afterChunk < 0
        ? "The encrypted data is empty or cut off before its first chunk."
        : `The encrypted data ends after chunk ${afterChunk}, which is not the file's last chunk: it was truncated.`,
    );
  }
}

/** The encrypted record stream is malformed (bad lengths or trailing garbage). */
export class InvalidPipelineDataError extends TesseraError {
  override name = "InvalidPipelineDataError";
}

/** Bad pipeline parameters (chunk size, piece size, key or id lengths, shard lists). */
export class PipelineParamsError extends TesseraError {
  override name = "PipelineParamsError";
}
