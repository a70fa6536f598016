/**
 * Talking to providers over their HTTP API, through the sdk's transport (sdk/src/transport):
 * streaming shard upload (PUT /v1/requests/:id/slots/:slot) and shard download
 * (GET /v1/shards/:cid). This file only adapts it to the CLI: uploads stream from a file on disk,
 * a stalled transfer is aborted after `stallMs` without progress (so the caller can move the slot
 * to another provider), and sdk errors become ProviderRequestError with the CLI's codes
 * (NETWORK, STALLED, HTTP_ERROR or the provider's own code) and messages.
 */
import { createReadStream } from "node:fs";
import type { Hex } from "viem";
import { uploadShard as sdkUploadShard } from "@tessera/sdk/transport/uploadShard";
import { openShardStream } from "@tessera/sdk/transport/fetchShard";
import { AbortedError, ProviderHttpError, ProviderUnreachableError, UploadFailedError } from "@tessera/sdk/errors/transport";

export class ProviderRequestError extends Error {
  override name = "ProviderRequestError";
  readonly status: number | undefined;
  readonly code: string;
  readonly provider: string;
  constructor(provider: string, status: number | undefined, code: string, message: string) {
    super(`${provider}: ${message}${status ? ` (${status} ${code})` : ""}`);
    this.provider = provider;
    this.status = status;
    this.code = code;
  }
}

/** An sdk transport error as the CLI reports it. */
function toProviderError(endpoint: string, error: unknown, fallback: string): Error {
  const e = error instanceof UploadFailedError && error.cause !== undefined ? error.cause : error;
  if (e instanceof ProviderRequestError) return e;
  if (e instanceof ProviderHttpError) {
    const code = /^HTTP_\d+$/.test(e.code) ? "HTTP_ERROR" : e.code;
    const prefix = `Provider ${e.endpoint} refused (${e.status} ${e.code}): `;
    const message = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
    return new ProviderRequestError(endpoint, e.status, code, message || fallback);
  }
  if (e instanceof ProviderUnreachableError || e instanceof AbortedError) {
    const cause = (e as { cause?: unknown }).cause;
    return new ProviderRequestError(endpoint, undefined, "NETWORK", cause instanceof Error ? cause.message : e.message);
  }
  return e instanceof Error ? e : new Error(String(e));
}

export type UploadResult = { txHash?: Hex; provider?: string; cid?: string };

export async function uploadShard(
  endpoint: string,
  requestId: Hex,
  slot: number,
  file: string,
  size: number,
  options: { signal?: AbortSignal; onProgress?: (bytes: number) => void; stallMs?: number; cid?: string } = {},
): Promise<UploadResult> {
  const stallMs = options.stallMs ?? 60_000;
  const stall = new AbortController();
  let stallTimer: NodeJS.Timeout | undefined;
  const armStall = () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => stall.abort(), stallMs);
  };
  const signal = options.signal ? AbortSignal.any([options.signal, stall.signal]) : stall.signal;
  armStall();
  try {
    const result = await sdkUploadShard(
      {
        endpoint,
        requestId,
        slot,
        size,
        body: size === 0 ? new Uint8Array(0) : () => createReadStream(file) as AsyncIterable<Uint8Array>,
        ...(options.cid ? { cid: options.cid } : {}),
        // The CLI moves a failing slot to another provider itself (upload.ts): one attempt here.
        retry: { attempts: 1 },
      },
      {
        signal,
        onProgress: (event) => {
          if (event.type !== "upload:bytes") return;
          options.onProgress?.(event.bytes);
          armStall();
        },
      },
    );
    return {
      ...(result.txHash ? { txHash: result.txHash as Hex } : {}),
      ...(result.provider ? { provider: result.provider } : {}),
      ...(result.cid ? { cid: result.cid } : {}),
    };
  } catch (error) {
    if (stall.signal.aborted && !options.signal?.aborted) {
      throw new ProviderRequestError(endpoint, undefined, "STALLED", `no progress for ${stallMs / 1000} s`);
    }
    throw toProviderError(endpoint, error, "upload refused");
  } finally {
    clearTimeout(stallTimer);
  }
}

/** Streams a shard's bytes from a provider (fast path, GET /v1/shards/:cid). */
export async function fetchShard(
  endpoint: string,
  cid: string,
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<ReadableStream<Uint8Array>> {
  try {
    const { response } = await openShardStream(
      { endpoint, cid, timeoutMs: options.timeoutMs ?? 30_000 },
      options.signal ? { signal: options.signal } : {},
    );
    if (!response.body) throw new ProviderRequestError(endpoint, response.status, "HTTP_ERROR", `shard ${cid} not served`);
    return response.body;
  } catch (error) {
    throw toProviderError(endpoint, error, `shard ${cid} not served`);
  }
}
