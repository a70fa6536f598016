/**
 * Long-tail cancellation: fetch any k of n shards from several providers in parallel.
 *
 * Up to `parallel` shards (default k + 2, at most n) are in flight at once; each shard tries its
 * sources (providers) in order until one succeeds. As soon as k shards are in, every fetch still
 * running is aborted (the slow tail never delays the download). A shard whose sources all fail
 * (unreachable, error, or failed verification) is reported and the next shard starts; if fewer
 * than k can still succeed, it stops with ShardsUnavailableError listing every failure.
 */
import { AbortedError, ShardsUnavailableError } from "../errors/transport.ts";

export type ShardCandidate<S> = { index: number; sources: readonly S[] };

export type AnyKEvent =
  | { type: "fetch:start"; index: number; source: number }
  | { type: "fetch:ok"; index: number; source: number }
  | { type: "fetch:failed"; index: number; source: number; error: unknown }
  | { type: "fetch:cancelled"; index: number };

export type FetchAnyKParameters<S, T> = {
  candidates: readonly ShardCandidate<S>[];
  k: number;
  parallel?: number;
  /** Fetch one shard from one source; must honour `signal`. Throwing moves on to the next source. */
  fetchOne: (candidate: ShardCandidate<S>, source: S, signal: AbortSignal) => Promise<T>;
};

export async function fetchAnyK<S, T>(
  parameters: FetchAnyKParameters<S, T>,
  options: { signal?: AbortSignal; onProgress?: (event: AnyKEvent) => void } = {},
): Promise<Map<number, T>> {
  const { candidates, k, fetchOne } = parameters;
  const { signal, onProgress } = options;
  if (!Number.isInteger(k) || k < 1) throw new RangeError("k must be a positive integer");
  const parallel = Math.min(candidates.length, Math.max(k, parameters.parallel ?? k + 2));
  const results = new Map<number, T>();
  const failures = new Map<number, unknown>();
  const controllers = new Map<number, AbortController>();
  const queue = [...candidates];
  let running = 0;
  let finished = false;

  return new Promise<Map<number, T>>((resolve, reject) => {
    const finish = (error?: unknown) => {
      if (finished) return;
      finished = true;
      signal?.removeEventListener("abort", onAbort);
      for (const [index, c] of controllers) {
        c.abort(new AbortedError("Fetching a shard no longer needed"));
        onProgress?.({ type: "fetch:cancelled", index });
      }
      controllers.clear();
      if (error === undefined) resolve(results);
      else reject(error);
    };
    const onAbort = () => finish(new AbortedError("Fetching shards", { cause: signal?.reason }));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });

    const check = () => {
      if (finished) return;
      if (results.size >= k) return finish();
      if (results.size + running + queue.length < k)
        return finish(new ShardsUnavailableError(k, results.size, failures));
      while (!finished && running < parallel && queue.length > 0) start(queue.shift()!);
    };

    const start = (candidate: ShardCandidate<S>) => {
      const controller = new AbortController();
      controllers.set(candidate.index, controller);
      running++;
      void (async () => {
        let lastError: unknown = new Error("no source for this shard");
        for (let s = 0; s < candidate.sources.length && !controller.signal.aborted; s++) {
          onProgress?.({ type: "fetch:start", index: candidate.index, source: s });
          try {
            const value = await fetchOne(candidate, candidate.sources[s]!, controller.signal);
            if (controller.signal.aborted || finished) return;
            results.set(candidate.index, value);
            onProgress?.({ type: "fetch:ok", index: candidate.index, source: s });
            return;
          } catch (error) {
            if (controller.signal.aborted || finished) return;
            lastError = error;
            onProgress?.({ type: "fetch:failed", index: candidate.index, source: s, error });
          }
        }
        if (!controller.signal.aborted) failures.set(candidate.index, lastError);
      })().finally(() => {
        controllers.delete(candidate.index);
        running--;
        check();
      });
    };
    check();
  });
}
