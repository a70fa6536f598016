/**
 * Shared HTTP plumbing for the provider client: timeouts, abort, error decoding, retry with
 * exponential backoff and jitter. Uses the platform `fetch` (Node 22 undici, browsers, workers).
 */
import { AbortedError, ProviderHttpError, ProviderUnreachableError } from "../errors/transport.ts";

export type RetryOptions = {
  /** Attempts in total (default 4). */
  attempts?: number;
  /** First backoff in ms (default 250), doubled each retry, ±50 % jitter, capped at maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
};

export function trimEndpoint(endpoint: string): string {
  return endpoint.replace(/\/+$/, "");
}

/** `AbortSignal.any` of the caller's signal and a timeout. */
export function withTimeout(
  signal: AbortSignal | undefined,
  timeoutMs: number | undefined,
): AbortSignal | undefined {
  const signals = [signal, timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined].filter(
    (s): s is AbortSignal => s !== undefined,
  );
  if (signals.length === 0) return undefined;
  return signals.length === 1 ? signals[0] : AbortSignal.any(signals);
}

/** Statuses worth retrying: rate limits, server errors except "no capacity". */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 507);
}

/** Turn a non-2xx response into a ProviderHttpError, reading the provider's JSON error if any. */
export async function errorFromResponse(
  endpoint: string,
  res: Response,
): Promise<ProviderHttpError> {
  let code = `HTTP_${res.status}`;
  let message = res.statusText || "request failed";
  try {
    const text = await res.text();
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === "string") code = body.error.code;
    if (typeof body.error?.message === "string") message = body.error.message;
  } catch {
    /* not JSON: keep the status line */
  }
  return new ProviderHttpError({
    endpoint,
    status: res.status,
    code,
    message,
    retryable: isRetryableStatus(res.status),
  });
}

/** fetch() whose network failures and timeouts become typed errors. */
export async function providerFetch(
  endpoint: string,
  url: string,
  init: RequestInit & { duplex?: "half" },
  options: { signal?: AbortSignal; timeoutMs?: number; what: string },
): Promise<Response> {
  const signal = withTimeout(options.signal, options.timeoutMs);
  try {
    return await fetch(url, { ...init, ...(signal ? { signal } : {}) });
  } catch (cause) {
    if (options.signal?.aborted)
      throw new AbortedError(options.what, { cause: options.signal.reason });
    if (signal?.aborted)
      throw new ProviderUnreachableError(endpoint, `no answer within ${options.timeoutMs} ms`, {
        cause,
      });
    throw new ProviderUnreachableError(endpoint, (cause as Error)?.message ?? "network error", {
      cause,
    });
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError("waiting", { cause: signal.reason }));
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new AbortedError("waiting", { cause: signal?.reason }));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export function backoffDelay(
  attempt: number,
  options: RetryOptions = {},
  retryAfterSeconds?: number,
): number {
  if (retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds))
    return Math.min(retryAfterSeconds * 1000, options.maxDelayMs ?? 10_000);
  const base = (options.baseDelayMs ?? 250) * 2 ** (attempt - 1);
  return Math.min(base * (0.5 + Math.random()), options.maxDelayMs ?? 10_000);
}

export function isRetryable(error: unknown): boolean {
  if (error instanceof AbortedError) return false;
  if (error instanceof ProviderUnreachableError) return true;
  if (error instanceof ProviderHttpError) return error.retryable;
  return false;
}
