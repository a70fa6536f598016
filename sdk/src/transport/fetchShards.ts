/**
 * Download any k of a file's n shards over HTTP, each from the providers that hold it, with
 * verification and long-tail cancellation (transport/anyK.ts + transport/fetchShard.ts).
 */
import { fetchAnyK, type AnyKEvent } from "./anyK.ts";
import { fetchShard, type FetchMode } from "./fetchShard.ts";

export type ShardLocation = {
  /** Shard index (0 … n-1): data shards first, then parity. */
  index: number;
  cid: string;
  /** Provider HTTP endpoints that should hold it, tried in order. */
  endpoints: readonly string[];
};

export type FetchShardsParameters = {
  shards: readonly ShardLocation[];
  k: number;
  parallel?: number;
  mode?: FetchMode;
  timeoutMs?: number;
  /** Verify a shard's bytes (throw to reject): e.g. the pipeline's CID + Merkle check. */
  verify?: (shard: ShardLocation, bytes: Uint8Array) => void | Promise<void>;
};

export async function fetchShardsFromProviders(
  parameters: FetchShardsParameters,
  options: { signal?: AbortSignal; onProgress?: (event: AnyKEvent) => void } = {},
): Promise<Map<number, Uint8Array>> {
  const byIndex = new Map(parameters.shards.map((s) => [s.index, s]));
  return fetchAnyK(
    {
      candidates: parameters.shards.map((s) => ({ index: s.index, sources: s.endpoints })),
      k: parameters.k,
      ...(parameters.parallel !== undefined ? { parallel: parameters.parallel } : {}),
      fetchOne: async (candidate, endpoint, signal) => {
        const shard = byIndex.get(candidate.index)!;
        const { bytes } = await fetchShard(
          {
            endpoint,
            cid: shard.cid,
            ...(parameters.mode ? { mode: parameters.mode } : {}),
            ...(parameters.timeoutMs ? { timeoutMs: parameters.timeoutMs } : {}),
            ...(parameters.verify
              ? { verify: (b: Uint8Array) => parameters.verify!(shard, b) }
              : {}),
          },
          { signal },
        );
        return bytes;
      },
    },
    options,
  );
}
