/** FIFO of byte pieces with exact-length reads (copies only when a read spans pieces). */
export class ByteQueue {
  #pieces: Uint8Array[] = [];
  #head = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(piece: Uint8Array): void {
    if (piece.length === 0) return;
    this.#pieces.push(piece);
    this.#length += piece.length;
  }

  /** Big-endian uint32 at the front, without consuming it; undefined if fewer than 4 bytes. */
  peekUint32(): number | undefined {
    if (this.#length < 4) return undefined;
    const b = this.#peek(4);
    return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  }

  /**
   * Remove and return the next `n` bytes (n ≤ length): a view when they lie in one piece,
   * else a copy — into `scratch(n)` (at least n bytes) when given.
   */
  take(n: number, scratch?: (n: number) => Uint8Array): Uint8Array {
    if (n > this.#length) throw new RangeError(`take(${n}) with only ${this.#length} bytes queued`);
    const first = this.#pieces[0];
    if (first && first.length - this.#head >= n) {
      const out = first.subarray(this.#head, this.#head + n);
      this.#advance(n);
      return out;
    }
    const out = scratch ? scratch(n).subarray(0, n) : new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const piece = this.#pieces[0]!;
      const take = Math.min(n - at, piece.length - this.#head);
      out.set(piece.subarray(this.#head, this.#head + take), at);
      at += take;
      this.#advance(take);
    }
    return out;
  }

  /** Remove everything, returning whether it was all zero bytes. */
  drainIsZero(): boolean {
    let zero = true;
    while (this.#length > 0) {
      const piece = this.#pieces[0]!;
      for (let i = this.#head; i < piece.length && zero; i++) if (piece[i] !== 0) zero = false;
      this.#advance(piece.length - this.#head);
    }
    return zero;
  }

  #peek(n: number): Uint8Array {
    const first = this.#pieces[0]!;
    if (first.length - this.#head >= n) return first.subarray(this.#head, this.#head + n);
    const out = new Uint8Array(n);
    let at = 0;
    for (let p = 0, head = this.#head; at < n; p++, head = 0) {
      const piece = this.#pieces[p]!;
      const take = Math.min(n - at, piece.length - head);
      out.set(piece.subarray(head, head + take), at);
      at += take;
    }
    return out;
  }

  #advance(n: number): void {
    this.#length -= n;
    this.#head += n;
    while (this.#pieces.length > 0 && this.#head >= this.#pieces[0]!.length) {
      this.#head -= this.#pieces[0]!.length;
      this.#pieces.shift();
    }
  }
}
