import { TesseraError } from "./base.ts";

/** A provider answered with an error (its JSON `{ error: { code, message } }`, or a bare status). */
export class ProviderHttpError extends TesseraError {
  override name = "ProviderHttpError";
  readonly status: number;
  readonly code: string;
  readonly endpoint: string;
  readonly retryable: boolean;
  constructor(args: {
    endpoint: string;
    status: number;
    code: string;
    message: string;
    retryable: boolean;
  }) {
    super(`Provider ${args.endpoint} refused (${args.status} ${args.code}): ${args.message}`);
    this.status = args.status;
    this.code = args.code;
    this.endpoint = args.endpoint;
    this.retryable = args.retryable;
  }
}

/** The provider could not be reached, or stopped answering. */
export class ProviderUnreachableError extends TesseraError {
  override name = "ProviderUnreachableError";
  readonly endpoint: string;
  constructor(endpoint: string, reason: string, options: { cause?: unknown } = {}) {
    super(`Provider ${endpoint} is unreachable: ${reason}.`, options);
    this.endpoint = endpoint;
  }
}

export class UploadFailedError extends TesseraError {
  override name = "UploadFailedError";
  constructor(endpoint: string, slot: number, attempts: number, options: { cause?: unknown } = {}) {
    const why =
      options.cause instanceof Error
        ? ` Last error: ${(options.cause as TesseraError).shortMessage ?? options.cause.message}`
        : "";
    super(
      `Uploading slot ${slot} to ${endpoint} failed after ${attempts} attempt${attempts === 1 ? "" : "s"}.${why}`,
      options,
    );
  }
}

/** Fewer than k shards could be fetched: the file cannot be rebuilt now. */
export class ShardsUnavailableError extends TesseraError {
  override name = "ShardsUnavailableError";
  readonly failures: ReadonlyMap<number, unknown>;
  constructor(needed: number, got: number, failures: ReadonlyMap<number, unknown>) {
    const lines = [...failures].map(
      ([i, e]) =>
        `shard ${i}: ${(e as TesseraError)?.shortMessage ?? (e as Error)?.message ?? String(e)}`,
    );
    super(
      `Only ${got} of the ${needed} shards needed could be fetched; the file cannot be rebuilt right now. Retry later, or repair the missing slots.`,
      {
        details: lines.join("\n"),
      },
    );
    this.failures = failures;
  }
}

export class AbortedError extends TesseraError {
  override name = "AbortError";
  constructor(what: string, options: { cause?: unknown } = {}) {
    super(`${what} was cancelled.`, options);
  }
}
