/**
 * Bounded single-producer / single-consumer async channel: `await push()` waits while
 * `highWaterMark` items are queued (backpressure); `end()` finishes the iteration; `fail(err)`
 * makes the consumer throw and rejects pending pushes.
 */
export class Channel<T> implements AsyncIterable<T> {
  readonly #queue: T[] = [];
  readonly #highWaterMark: number;
  #ended = false;
  #error: unknown;
  #failed = false;
  #readWaiter: (() => void) | undefined;
  #writeWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];

  constructor(highWaterMark = 1) {
    this.#highWaterMark = highWaterMark;
  }

  async push(item: T): Promise<void> {
    if (this.#failed) throw this.#error;
    if (this.#ended) throw new Error("push() after end()");
    this.#queue.push(item);
    this.#wakeReader();
    while (this.#queue.length > this.#highWaterMark && !this.#failed) {
      await new Promise<void>((resolve, reject) => this.#writeWaiters.push({ resolve, reject }));
    }
    if (this.#failed) throw this.#error;
  }

  end(): void {
    this.#ended = true;
    this.#wakeReader();
  }

  fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#error = error;
    for (const w of this.#writeWaiters.splice(0)) w.reject(error);
    this.#wakeReader();
  }

  #wakeReader(): void {
    const r = this.#readWaiter;
    this.#readWaiter = undefined;
    r?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.#failed) throw this.#error;
      if (this.#queue.length > 0) {
        const item = this.#queue.shift()!;
        this.#writeWaiters.shift()?.resolve();
        yield item;
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => (this.#readWaiter = resolve));
    }
  }
}
