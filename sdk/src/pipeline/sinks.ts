/**
 * Where encoded shards go. The encoder awaits every `write` before producing the next stripe,
 * so a slow sink (an upload, a disk) slows the whole pipeline instead of filling memory.
 * `piece` is a view into a stripe buffer the encoder reuses after the write resolved: a sink
 * that keeps the bytes longer must copy them (memorySink and readableSinks do).
 */
import { concatBytes } from "../crypto/bytes.ts";

export type ShardSink = {
  write(piece: Uint8Array): Promise<void> | void;
  close?(): Promise<void> | void;
  abort?(reason: unknown): Promise<void> | void;
};

/** Collects a shard in memory (tests, small files). `bytes()` after the encoder finished. */
export function memorySink(): ShardSink & { bytes(): Uint8Array } {
  const parts: Uint8Array[] = [];
  return {
    write(piece) {
      parts.push(piece.slice());
    },
    bytes() {
      return concatBytes(...parts);
    },
  };
}

/** Adapts a WHATWG WritableStream (a fetch upload body pipe, an OPFS file, a Node stream via Writable.toWeb). */
export function writableSink(stream: WritableStream<Uint8Array>): ShardSink {
  const writer = stream.getWriter();
  return {
    async write(piece) {
      await writer.ready;
      await writer.write(piece);
    },
    async close() {
      await writer.close();
    },
    async abort(reason) {
      await writer.abort(reason);
    },
  };
}

/**
 * n ReadableStreams fed by the encoder: shard i's stream yields its pieces as they are made.
 * The encoder waits while any stream has `highWaterMark` pieces unread, so all n must be read
 * concurrently (e.g. n parallel uploads).
 */
export function readableSinks(
  n: number,
  highWaterMark = 2,
): { sinks: ShardSink[]; streams: ReadableStream<Uint8Array>[] } {
  const sinks: ShardSink[] = [];
  const streams: ReadableStream<Uint8Array>[] = [];
  for (let i = 0; i < n; i++) {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let wake: (() => void) | undefined;
    let cancelled: unknown;
    const stream = new ReadableStream<Uint8Array>(
      {
        start(c) {
          controller = c;
        },
        pull() {
          const w = wake;
          wake = undefined;
          w?.();
        },
        cancel(reason) {
          cancelled = reason ?? new Error(`Shard ${i} stream was cancelled.`);
          const w = wake;
          wake = undefined;
          w?.();
        },
      },
      { highWaterMark },
    );
    sinks.push({
      async write(piece) {
        if (cancelled !== undefined) throw cancelled;
        controller.enqueue(piece.slice());
        while ((controller.desiredSize ?? 1) <= 0 && cancelled === undefined)
          await new Promise<void>((r) => (wake = r));
        if (cancelled !== undefined) throw cancelled;
      },
      close() {
        controller.close();
      },
      abort(reason) {
        controller.error(reason);
      },
    });
    streams.push(stream);
  }
  return { sinks, streams };
}
