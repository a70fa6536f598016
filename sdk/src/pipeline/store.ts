/**
 * Where downloaded shards wait between "fetched and verified" and "decoded". A shard is only
 * used after its whole content matched its commitment, so it has to be held somewhere:
 * temporary files in Node (store-node.ts, the default there), memory or an OPFS-backed store
 * in browsers (pass one; the memory store grows with the file).
 */
import { concatBytes } from "../crypto/bytes.ts";

export type ShardWriter = {
  write(piece: Uint8Array): Promise<void> | void;
  /** Keep the bytes: the shard verified. */
  commit(): Promise<ShardReader> | ShardReader;
  /** Drop the bytes: the fetch failed or the shard did not verify. */
  discard(): Promise<void> | void;
};

export type ShardReader = {
  /** Exactly `length` bytes at `offset`, written into `into` (and returned) when given. */
  read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> | Uint8Array;
};

export type ShardStore = {
  create(shard: number): Promise<ShardWriter> | ShardWriter;
  /** Release everything (called when decoding ends, successfully or not). */
  close(): Promise<void> | void;
};

export function memoryShardStore(): ShardStore {
  return {
    create() {
      const parts: Uint8Array[] = [];
      return {
        write(piece) {
          parts.push(piece.slice());
        },
        commit() {
          const all = concatBytes(...parts);
          parts.length = 0;
          return {
            read(offset, length, into) {
              const view = all.subarray(offset, offset + length);
              if (!into) return view;
              into.set(view);
              return into;
            },
          };
        },
        discard() {
          parts.length = 0;
        },
      };
    },
    close() {},
  };
}
