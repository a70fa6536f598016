/** Shard store on temporary files (Node): memory stays flat however large the file. */
import { mkdtemp, open, rm, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ShardStore } from "./store.ts";

export function tempFileShardStore(dir?: string): ShardStore {
  let root: Promise<string> | undefined;
  const base = () => (root ??= mkdtemp(join(dir ?? tmpdir(), "tessera-shards-")));
  const handles = new Set<FileHandle>();
  let counter = 0;
  return {
    async create(shard) {
      const path = join(await base(), `shard-${shard}-${counter++}`);
      const handle = await open(path, "w+");
      handles.add(handle);
      let size = 0;
      return {
        async write(piece) {
          let at = 0;
          while (at < piece.length) {
            const { bytesWritten } = await handle.write(piece, at, piece.length - at, size + at);
            at += bytesWritten;
          }
          size += piece.length;
        },
        commit() {
          return {
            async read(offset, length, into) {
              const out = into ?? new Uint8Array(length);
              let at = 0;
              while (at < length) {
                const { bytesRead } = await handle.read(out, at, length - at, offset + at);
                if (bytesRead === 0)
                  throw new Error(`Shard ${shard} temp file is shorter than expected.`);
                at += bytesRead;
              }
              return out;
            },
          };
        },
        async discard() {
          handles.delete(handle);
          await handle.close().catch(() => {});
          await rm(path, { force: true });
        },
      };
    },
    async close() {
      await Promise.allSettled([...handles].map((h) => h.close()));
      handles.clear();
      if (root) await rm(await root, { recursive: true, force: true });
    },
  };
}
