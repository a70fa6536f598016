/**
 * A bounded single-producer / single-consumer async channel: the producer `await`s `push()`
 * while `highWaterMark` items are queued (backpressure), the consumer iterates. Closing with
 * an error makes the consumer's next read throw it; returning early from the consumer makes
 * the producer's pending and later pushes reject with `ChannelClosedError`.
 */
export class ChannelClosedError extends Error {
  override name = "ChannelClosedError";
}

export class Channel<T> implements AsyncIterable<T> {
  readonly #queue: T[] = [];
  readonly #highWaterMark: number;
  #ended = false;
  #error: unknown = undefined;
  #failed = false;
  #cancelled = false;
  #readWaiter: (() => void) | undefined;
  #writeWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];

  constructor(highWaterMark = 1) {
    this.#highWaterMark = Math.max(1, highWaterMark);
  }

  /** Items queued and not yet read. */
  get size(): number {
    return this.#queue.length;
  }

  /** Queue `item`; resolves when there is room for the next one. */
  async push(item: T): Promise<void> {
    if (this.#cancelled) throw new ChannelClosedError("The reader stopped reading.");
    if (this.#ended) throw new ChannelClosedError("push() after end().");
    this.#queue.push(item);
    this.#wakeReader();
    if (this.#queue.length >= this.#highWaterMark) {
      await new Promise<void>((resolve, reject) => this.#writeWaiters.push({ resolve, reject }));
    }
  }

  /** No more items: the reader finishes after the queued ones. */
  end(): void {
    this.#ended = true;
    this.#wakeReader();
  }

  /** Fail the reader with `error` (queued items are dropped). */
  fail(error: unknown): void {
    if (this.#ended && this.#queue.length === 0) return;
    this.#failed = true;
    this.#error = error;
    this.#ended = true;
    this.#queue.length = 0;
    this.#wakeReader();
    this.#releaseWriters();
  }

  #wakeReader(): void {
    const w = this.#readWaiter;
    this.#readWaiter = undefined;
    w?.();
  }

  #releaseWriters(error?: unknown): void {
    const waiters = this.#writeWaiters;
    this.#writeWaiters = [];
    for (const w of waiters) error === undefined ? w.resolve() : w.reject(error);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    try {
      for (;;) {
        if (this.#failed) throw this.#error;
        if (this.#queue.length > 0) {
          const item = this.#queue.shift()!;
          if (this.#queue.length < this.#highWaterMark) this.#releaseWriters();
          yield item;
          continue;
        }
        if (this.#ended) return;
        await new Promise<void>((resolve) => (this.#readWaiter = resolve));
      }
    } finally {
      if (!this.#ended || this.#queue.length > 0) {
        this.#cancelled = true;
        this.#queue.length = 0;
        this.#releaseWriters(new ChannelClosedError("The reader stopped reading."));
      }
    }
  }
}
