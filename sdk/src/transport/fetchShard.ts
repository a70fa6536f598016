/**
 * Fetch shard bytes from a provider over HTTP:
 * - `shard` (default, fast path): `GET /v1/shards/<cid>` — the shard file as stored, Range supported;
 * - `raw`: IPFS trustless gateway, `GET /ipfs/<cid>?format=raw` (`application/vnd.ipld.raw`): one
 *   block, verified here against the CID's SHA-256 multihash (a shard ≤ 1 MiB is one raw block);
 * - `car`: `GET /ipfs/<cid>?format=car` (`application/vnd.ipld.car`): the whole DAG as a CAR, for
 *   any IPFS client to verify block by block.
 * Shard bytes from `shard` mode are untrusted until the caller checks them (the pipeline verifies
 * the UnixFS CID and Merkle root before use: pass it as `verify`).
 */
import { CID } from "multiformats/cid";
import { equalBytes } from "../crypto/bytes.ts";
import { AbortedError, ProviderHttpError } from "../errors/transport.ts";
import { TesseraError } from "../errors/base.ts";
import { errorFromResponse, providerFetch, trimEndpoint } from "./http.ts";

export type FetchMode = "shard" | "raw" | "car";

export type FetchShardParameters = {
  endpoint: string;
  cid: string;
  mode?: FetchMode;
  /** Inclusive byte range (shard and raw modes). */
  range?: { start: number; end: number };
  /** Refuse bodies larger than this (default 1 GiB). */
  maxBytes?: number;
  /** Total time allowed for the request and body, ms (default 120 s). */
  timeoutMs?: number;
  /** Check the bytes (throw to reject them); a rejection is reported as ShardRejectedError. */
  verify?: (bytes: Uint8Array) => void | Promise<void>;
};

export type FetchShardReturnType = {
  bytes: Uint8Array;
  endpoint: string;
  cid: string;
  partial: boolean;
};

export class ShardRejectedError extends TesseraError {
  override name = "ShardRejectedError";
  readonly endpoint: string;
  constructor({ cid, endpoint, cause }: { cid: string; endpoint: string; cause?: unknown }) {
    super(
      `Shard ${cid} from ${endpoint} failed verification; it will be fetched elsewhere.`,
      cause === undefined ? {} : { cause },
    );
    this.endpoint = endpoint;
  }
}

function urlFor(base: string, cid: string, mode: FetchMode): { url: string; accept: string } {
  const c = encodeURIComponent(cid);
  if (mode === "raw")
    return { url: `${base}/ipfs/${c}?format=raw`, accept: "application/vnd.ipld.raw" };
  if (mode === "car")
    return { url: `${base}/ipfs/${c}?format=car`, accept: "application/vnd.ipld.car" };
  return { url: `${base}/v1/shards/${c}`, accept: "application/octet-stream" };
}

/** Start a GET and return the response (status checked); the caller reads `body` as a stream. */
export async function openShardStream(
  parameters: FetchShardParameters,
  options: { signal?: AbortSignal } = {},
): Promise<{ response: Response; partial: boolean }> {
  const base = trimEndpoint(parameters.endpoint);
  const mode = parameters.mode ?? "shard";
  const { url, accept } = urlFor(base, parameters.cid, mode);
  const headers: Record<string, string> = { accept };
  if (parameters.range) {
    if (mode === "car") throw new RangeError("byte ranges are not supported for CAR responses");
    headers.range = `bytes=${parameters.range.start}-${parameters.range.end}`;
  }
  const res = await providerFetch(
    base,
    url,
    { method: "GET", headers },
    {
      ...(options.signal ? { signal: options.signal } : {}),
      timeoutMs: parameters.timeoutMs ?? 120_000,
      what: `Fetching ${parameters.cid}`,
    },
  );
  if (!res.ok) throw await errorFromResponse(base, res);
  return { response: res, partial: res.status === 206 };
}

async function readAll(res: Response, maxBytes: number, endpoint: string): Promise<Uint8Array> {
  const declared = Number(res.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new ProviderHttpError({
      endpoint,
      status: res.status,
      code: "TOO_LARGE",
      message: `body of ${declared} bytes exceeds ${maxBytes}`,
      retryable: false,
    });
  }
  if (!res.body) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader(); // not `for await`: async iteration of streams is missing in some browsers
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel();
        throw new ProviderHttpError({
          endpoint,
          status: res.status,
          code: "TOO_LARGE",
          message: `body exceeds ${maxBytes} bytes`,
          retryable: false,
        });
      }
      parts.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Check that `bytes` is the block named by `cid` (SHA-256 multihash; any codec). */
export async function verifyBlock(cid: string, bytes: Uint8Array): Promise<void> {
  const parsed = CID.parse(cid);
  if (parsed.multihash.code !== 0x12)
    throw new Error(`unsupported multihash 0x${parsed.multihash.code.toString(16)}`);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  if (!equalBytes(digest, parsed.multihash.digest))
    throw new Error(`block does not hash to ${cid}`);
}

/** Fetch a whole shard (or a range of it) into memory, verified. */
export async function fetchShard(
  parameters: FetchShardParameters,
  options: { signal?: AbortSignal } = {},
): Promise<FetchShardReturnType> {
  const endpoint = trimEndpoint(parameters.endpoint);
  const { response, partial: gotPartial } = await openShardStream(parameters, options);
  let bytes: Uint8Array;
  try {
    bytes = await readAll(response, parameters.maxBytes ?? 2 ** 30, endpoint);
  } catch (e) {
    if (options.signal?.aborted) throw new AbortedError(`Fetching ${parameters.cid}`, { cause: e });
    throw e;
  }
  let partial = gotPartial;
  if (parameters.range && !gotPartial) {
    // the server ignored Range and sent everything: cut it here
    bytes = bytes.subarray(parameters.range.start, parameters.range.end + 1);
    partial = true;
  }
  const mode = parameters.mode ?? "shard";
  try {
    if (mode === "raw" && !partial) await verifyBlock(parameters.cid, bytes);
    if (parameters.verify) await parameters.verify(bytes);
  } catch (cause) {
    throw new ShardRejectedError({ cid: parameters.cid, endpoint, cause });
  }
  return { bytes, endpoint, cid: parameters.cid, partial };
}
