import type { ByteSource } from "./types.ts";

/** Iterate any byte source (async/sync iterable, WHATWG ReadableStream or one buffer). */
export async function* iterateBytes(
  source: ByteSource,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) {
    signal?.throwIfAborted();
    yield source;
    return;
  }
  if (typeof (source as ReadableStream).getReader === "function") {
    const reader = (source as ReadableStream<Uint8Array>).getReader();
    try {
      for (;;) {
        signal?.throwIfAborted();
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      // Cancel upstream if we stop early; a no-op once the stream is done.
      await reader.cancel().catch(() => {});
      reader.releaseLock();
    }
  }
  for await (const piece of source as AsyncIterable<Uint8Array>) {
    signal?.throwIfAborted();
    yield piece;
  }
}

/**
 * Cut a byte stream into pieces of exactly `size` bytes (the last may be shorter), each tagged
 * with whether it is the last one. An empty source yields one empty last piece. `allocate` lets
 * the caller recycle chunk buffers it is done with.
 */
export async function* rechunk(
  source: AsyncIterable<Uint8Array>,
  size: number,
  allocate: (size: number) => Uint8Array = (n) => new Uint8Array(n),
): AsyncGenerator<{ bytes: Uint8Array; last: boolean }> {
  let buffer = allocate(size);
  let filled = 0;
  let pending: Uint8Array | undefined;
  for await (const piece of source) {
    // Always copied: callers may reuse their buffers after yielding them.
    let off = 0;
    while (off < piece.length) {
      const take = Math.min(size - filled, piece.length - off);
      buffer.set(piece.subarray(off, off + take), filled);
      filled += take;
      off += take;
      if (filled === size) {
        if (pending) yield { bytes: pending, last: false };
        pending = buffer;
        buffer = allocate(size);
        filled = 0;
      }
    }
  }
  if (filled > 0) {
    if (pending) yield { bytes: pending, last: false };
    yield { bytes: buffer.subarray(0, filled), last: true };
  } else if (pending) {
    yield { bytes: pending, last: true };
  } else {
    yield { bytes: new Uint8Array(0), last: true };
  }
}
