/**
 * Talking to providers over their HTTP API (provider-node/README.md): streaming shard upload
 * (PUT /v1/requests/:id/slots/:slot with Content-Length) and shard download (GET /v1/shards/:cid).
 * Uploads stream from a file on disk; a stalled transfer is aborted after `stallMs` without
 * progress so the caller can move the slot to another provider.
 */
import { createReadStream } from "node:fs";
import { request } from "node:http";
import type { Hex } from "viem";

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

export type UploadResult = { txHash?: Hex; provider?: string; cid?: string };

export async function uploadShard(
  endpoint: string,
  requestId: Hex,
  slot: number,
  file: string,
  size: number,
  options: { signal?: AbortSignal; onProgress?: (bytes: number) => void; stallMs?: number } = {},
): Promise<UploadResult> {
  const url = new URL(`/v1/requests/${requestId}/slots/${slot}`, endpoint);
  return await new Promise<UploadResult>((resolve, reject) => {
    let sent = 0;
    let stallTimer: NodeJS.Timeout | undefined;
    const fail = (error: Error) => {
      clearTimeout(stallTimer);
      req.destroy();
      reject(error);
    };
    const armStall = () => {
      clearTimeout(stallTimer);
      stallTimer = setTimeout(
        () => fail(new ProviderRequestError(endpoint, undefined, "STALLED", `no progress for ${(options.stallMs ?? 60_000) / 1000} s`)),
        options.stallMs ?? 60_000,
      );
    };
    const req = request(url, {
      method: "PUT",
      headers: { "content-type": "application/octet-stream", "content-length": String(size) },
      signal: options.signal,
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => {
        chunks.push(c);
        armStall();
      });
      res.on("end", () => {
        clearTimeout(stallTimer);
        const text = Buffer.concat(chunks).toString("utf8");
        let body: { error?: { code?: string; message?: string }; txHash?: Hex; provider?: string; cid?: string } = {};
        try {
          body = text ? JSON.parse(text) : {};
        } catch {
          /* not JSON */
        }
        if (res.statusCode && res.statusCode >= 200 && res.statusCode < 300) resolve(body);
        else
          reject(
            new ProviderRequestError(endpoint, res.statusCode, body.error?.code ?? "HTTP_ERROR", body.error?.message ?? (text.slice(0, 200) || "upload refused")),
          );
      });
      res.on("error", fail);
    });
    req.on("error", (e) => fail(e instanceof ProviderRequestError ? e : new ProviderRequestError(endpoint, undefined, "NETWORK", e.message)));
    armStall();
    if (size === 0) {
      req.end();
      return;
    }
    const stream = createReadStream(file);
    stream.on("data", (chunk) => {
      sent += chunk.length;
      options.onProgress?.(sent);
      armStall();
    });
    stream.on("error", fail);
    stream.pipe(req);
  });
}

/** Streams a shard's bytes from a provider (fast path, GET /v1/shards/:cid). */
export async function fetchShard(
  endpoint: string,
  cid: string,
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<ReadableStream<Uint8Array>> {
  const signals = [AbortSignal.timeout(options.timeoutMs ?? 30_000)];
  if (options.signal) signals.push(options.signal);
  let response: Response;
  try {
    response = await fetch(new URL(`/v1/shards/${cid}`, endpoint), { signal: AbortSignal.any(signals) });
  } catch (e) {
    throw new ProviderRequestError(endpoint, undefined, "NETWORK", (e as Error).message);
  }
  if (!response.ok || !response.body) {
    let code = "HTTP_ERROR";
    let message = `shard ${cid} not served`;
    try {
      const body = (await response.json()) as { error?: { code?: string; message?: string } };
      code = body.error?.code ?? code;
      message = body.error?.message ?? message;
    } catch {
      /* not JSON */
    }
    throw new ProviderRequestError(endpoint, response.status, code, message);
  }
  return response.body;
}
