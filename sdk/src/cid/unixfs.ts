/**
 * Synchronous, streaming UnixFS file CID with the @helia/unixfs defaults (see index.ts):
 * CIDv1, raw leaves of 1 MiB, balanced layout with ≤ 1024 links per dag-pb node, a single
 * leaf is its own root. ipfs-unixfs-importer's fixed-size chunker for exactly these settings,
 * feeding the balanced DAG of dag.ts, so a shard is hashed straight from the caller's buffers
 * (no copies, no read-ahead, nothing async per piece). Equality with Helia is tested in
 * test/cid.test.ts, including a two-level DAG (> 1024 leaves).
 */
import type { CID } from "multiformats/cid";
import { createSha256 } from "#sha256-stream";
import { UnixFsDagBuilder, type Sha256Factory } from "./dag.ts";

export class UnixFsFileHasher {
  readonly #chunkBytes: number;
  readonly #sha: Sha256Factory;
  readonly #dag: UnixFsDagBuilder;
  #hash: ReturnType<Sha256Factory>;
  #leafBytes = 0;
  #leaves = 0;

  constructor(chunkBytes: number, maxChildren: number, sha: Sha256Factory = createSha256) {
    this.#chunkBytes = chunkBytes;
    this.#sha = sha;
    this.#hash = sha();
    this.#dag = new UnixFsDagBuilder(maxChildren, { sha });
  }

  update(data: Uint8Array): void {
    let off = 0;
    while (off < data.length) {
      const take = Math.min(this.#chunkBytes - this.#leafBytes, data.length - off);
      this.#hash.update(off === 0 && take === data.length ? data : data.subarray(off, off + take));
      this.#leafBytes += take;
      off += take;
      if (this.#leafBytes === this.#chunkBytes) this.#endLeaf();
    }
  }

  digest(): CID {
    // an empty file is one empty raw leaf, as with the importer
    if (this.#leafBytes > 0 || this.#leaves === 0) this.#endLeaf();
    return this.#dag.finish();
  }

  #endLeaf(): void {
    this.#dag.addLeaf(this.#hash.digest(), this.#leafBytes);
    this.#hash = this.#sha();
    this.#leafBytes = 0;
    this.#leaves++;
  }
}
