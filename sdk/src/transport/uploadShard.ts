/**
 * Upload one shard to the provider chosen for a slot: `PUT /v1/requests/<requestId>/slots/<slot>`
 * with `Content-Length` = the request's shard size and the shard bytes as the body (streamed; see
 * transport/README-protocol.md and provider-node/src/http/server.ts). The provider checks the bytes
 * against the on-chain root, stores them and fills the slot; it answers 201 with the CID and the
 * fill transaction.
 *
 * Retries (network errors, 408/429/5xx except 507) with exponential backoff and jitter, honouring
 * `Retry-After`. Resume: the protocol has no partial uploads, so "resume" means never sending twice
 * what the provider already holds: before a retry, and on 409 SLOT_TAKEN, `HEAD /v1/shards/<cid>`
 * tells whether this provider already stored the shard; if so the upload counts as done.
 * A stream body must be given as a factory so a retry can start it again.
 */
import { AbortedError, ProviderHttpError, UploadFailedError } from "../errors/transport.ts";
import {
  backoffDelay,
  errorFromResponse,
  isRetryable,
  providerFetch,
  sleep,
  trimEndpoint,
  type RetryOptions,
} from "./http.ts";

export type ShardBody =
  Uint8Array | Blob | (() => ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>);

export type UploadProgressEvent =
  | { type: "upload:attempt"; slot: number; attempt: number }
  | { type: "upload:bytes"; slot: number; bytes: number; total: number }
  | { type: "upload:retry"; slot: number; attempt: number; delayMs: number; error: unknown }
  | { type: "upload:done"; slot: number; alreadyStored: boolean };

export type UploadShardParameters = {
  endpoint: string;
  requestId: `0x${string}`;
  slot: number;
  body: ShardBody;
  /** Shard size in bytes (sent as Content-Length; must equal the request's shardSize). */
  size: number;
  /** The shard's CID, to detect that the provider already holds it (resume / idempotent retry). */
  cid?: string;
  retry?: RetryOptions;
  /** Per-attempt timeout in ms (default: none; rely on `signal`). */
  timeoutMs?: number;
};

export type UploadShardReturnType = {
  requestId: string;
  slot: number;
  cid?: string;
  root?: string;
  size: number;
  txHash?: string;
  provider?: string;
  attempts: number;
  alreadyStored: boolean;
};

export type UploadShardErrorType = UploadFailedError | AbortedError | ProviderHttpError;

function toStream(body: ShardBody, onBytes: (n: number) => void): BodyInit {
  if (typeof body !== "function") return body as BodyInit;
  const source = body();
  const readable: ReadableStream<Uint8Array> =
    source instanceof ReadableStream ? source : iterableToStream(source);
  return readable.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        onBytes(chunk.length);
        controller.enqueue(chunk);
      },
    }),
  );
}

/** ReadableStream over an async iterable (ReadableStream.from is not in every browser yet). */
function iterableToStream(source: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const it = source[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await it.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel(reason) {
      await it.return?.(reason);
    },
  });
}

/** Does this provider already hold `cid`? (`HEAD /v1/shards/<cid>`) */
export async function providerHasShard(
  endpoint: string,
  cid: string,
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<boolean> {
  const base = trimEndpoint(endpoint);
  const res = await providerFetch(
    base,
    `${base}/v1/shards/${encodeURIComponent(cid)}`,
    { method: "HEAD" },
    {
      ...options,
      timeoutMs: options.timeoutMs ?? 10_000,
      what: "checking a shard",
    },
  );
  await res.body?.cancel();
  if (res.ok) return true;
  if (res.status === 404) return false;
  throw await errorFromResponse(base, res);
}

/**
 * In browsers pass the shard as a `Uint8Array` or `Blob` (a file-backed Blob is not held in memory):
 * browsers cannot send a streamed body with a Content-Length.
 */
export async function uploadShard(
  parameters: UploadShardParameters,
  options: { signal?: AbortSignal; onProgress?: (event: UploadProgressEvent) => void } = {},
): Promise<UploadShardReturnType> {
  const { endpoint, requestId, slot, body, size, cid } = parameters;
  const base = trimEndpoint(endpoint);
  const attempts = parameters.retry?.attempts ?? 4;
  const { signal, onProgress } = options;
  const url = `${base}/v1/requests/${requestId}/slots/${slot}`;
  const known =
    body instanceof Uint8Array ? body.length : typeof body === "function" ? undefined : body.size;
  if (known !== undefined && known !== size) {
    throw new RangeError(`the shard body is ${known} bytes but size says ${size}`);
  }
  let lastError: unknown;

  const alreadyThere = async (attempt: number): Promise<UploadShardReturnType | undefined> => {
    if (cid === undefined) return undefined;
    try {
      if (!(await providerHasShard(base, cid, signal ? { signal } : {}))) return undefined;
    } catch (e) {
      if (e instanceof AbortedError) throw e;
      return undefined;
    }
    onProgress?.({ type: "upload:done", slot, alreadyStored: true });
    return { requestId, slot, cid, size, attempts: attempt, alreadyStored: true };
  };

  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (signal?.aborted) throw new AbortedError(`Uploading slot ${slot}`, { cause: signal.reason });
    if (attempt > 1) {
      const done = await alreadyThere(attempt);
      if (done) return done;
    }
    onProgress?.({ type: "upload:attempt", slot, attempt });
    let sent = 0;
    try {
      const res = await providerFetch(
        base,
        url,
        {
          method: "PUT",
          // fetch sets Content-Length itself for bytes and Blobs (some fetch implementations reject
          // an explicit one); a stream body needs it spelled out (Node; browsers cannot stream it).
          headers: {
            "content-type": "application/octet-stream",
            ...(typeof body === "function" ? { "content-length": String(size) } : {}),
          },
          body: toStream(body, (n) => {
            sent += n;
            onProgress?.({ type: "upload:bytes", slot, bytes: sent, total: size });
          }),
          duplex: "half",
        },
        {
          ...(signal ? { signal } : {}),
          ...(parameters.timeoutMs ? { timeoutMs: parameters.timeoutMs } : {}),
          what: `Uploading slot ${slot}`,
        },
      );
      if (res.ok) {
        const json = (await res.json().catch(() => ({}))) as Partial<UploadShardReturnType>;
        if (typeof body !== "function")
          onProgress?.({ type: "upload:bytes", slot, bytes: size, total: size });
        onProgress?.({ type: "upload:done", slot, alreadyStored: false });
        return {
          requestId,
          slot,
          size,
          attempts: attempt,
          alreadyStored: false,
          ...(json.cid !== undefined ? { cid: json.cid } : cid !== undefined ? { cid } : {}),
          ...(json.root !== undefined ? { root: json.root } : {}),
          ...(json.txHash !== undefined ? { txHash: json.txHash } : {}),
          ...(json.provider !== undefined ? { provider: json.provider } : {}),
        };
      }
      const err = await errorFromResponse(base, res);
      if (err.code === "SLOT_TAKEN") {
        const done = await alreadyThere(attempt);
        if (done) return done;
      }
      const retryAfter = res.headers.get("retry-after");
      throw Object.assign(err, {
        retryAfterSeconds: retryAfter === null ? undefined : Number(retryAfter),
      });
    } catch (e) {
      if (e instanceof AbortedError || signal?.aborted)
        throw e instanceof AbortedError
          ? e
          : new AbortedError(`Uploading slot ${slot}`, { cause: e });
      lastError = e;
      if (!isRetryable(e) || attempt === attempts) break;
      const delayMs = backoffDelay(
        attempt,
        parameters.retry,
        (e as { retryAfterSeconds?: number }).retryAfterSeconds,
      );
      onProgress?.({ type: "upload:retry", slot, attempt, delayMs, error: e });
      await sleep(delayMs, signal);
    }
  }
  if (lastError instanceof ProviderHttpError && !lastError.retryable) throw lastError;
  throw new UploadFailedError(base, slot, attempts, { cause: lastError });
}
