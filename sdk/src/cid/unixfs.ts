/**
 * Synchronous, streaming UnixFS file CID with the @helia/unixfs defaults (see index.ts):
 * CIDv1, raw leaves of 1 MiB, balanced layout with ≤ 1024 links per dag-pb node, a single
 * leaf is its own root. A re-implementation of ipfs-unixfs-importer's fixed-size chunker +
 * balanced layout + file reducer for exactly these settings, so a shard is hashed straight
 * from the caller's buffers (no copies, no read-ahead, nothing async per piece). Equality with
 * Helia is tested in test/cid.test.ts, including a two-level DAG (> 1024 leaves).
 */
import * as dagPb from "@ipld/dag-pb";
import { UnixFS } from "ipfs-unixfs";
import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";
import { createSha256 } from "#sha256-stream";

const RAW = 0x55;
const DAG_PB = 0x70;
const SHA2_256 = 0x12;

type Node = {
  cid: CID;
  /** Tsize: block size including children */ size: number;
  /** file bytes below */ fileSize: bigint;
};

type Sha256Factory = () => { update(data: Uint8Array): void; digest(): Uint8Array };

export class UnixFsFileHasher {
  readonly #chunkBytes: number;
  readonly #maxChildren: number;
  readonly #sha: Sha256Factory;
  #hash: ReturnType<Sha256Factory>;
  #leafBytes = 0;
  #leaves = 0;
  /** levels[0] = pending leaves, levels[1] = pending level-1 nodes, … */
  readonly #pending: Node[][] = [[]];
  /** total nodes ever produced per level */
  readonly #produced: number[] = [0];

  constructor(chunkBytes: number, maxChildren: number, sha: Sha256Factory = createSha256) {
    this.#chunkBytes = chunkBytes;
    this.#maxChildren = maxChildren;
    this.#sha = sha;
    this.#hash = sha();
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
    if (this.#leafBytes > 0 || this.#leaves === 0) this.#endLeaf();
    for (let level = 0; ; level++) {
      if (this.#produced[level] === 1 && this.#pending[level]!.length === 1)
        return this.#pending[level]![0]!.cid;
      if (this.#pending[level]!.length > 0) this.#reduce(level);
    }
  }

  #endLeaf(): void {
    const cid = CID.createV1(RAW, Digest.create(SHA2_256, this.#hash.digest()));
    this.#hash = this.#sha();
    this.#add(0, { cid, size: this.#leafBytes, fileSize: BigInt(this.#leafBytes) });
    this.#leafBytes = 0;
    this.#leaves++;
  }

  #add(level: number, node: Node): void {
    (this.#pending[level] ??= []).push(node);
    this.#produced[level] = (this.#produced[level] ?? 0) + 1;
    if (this.#pending[level]!.length === this.#maxChildren) this.#reduce(level);
  }

  /** One dag-pb node over the pending nodes of `level`, added to level + 1. */
  #reduce(level: number): void {
    const children = this.#pending[level]!;
    this.#pending[level] = [];
    const file = new UnixFS({ type: "file" });
    const links: dagPb.PBLink[] = [];
    for (const child of children) {
      if (child.fileSize === 0n) continue; // the importer drops empty children
      file.addBlockSize(child.fileSize);
      links.push({ Name: "", Tsize: child.size, Hash: child.cid });
    }
    const block = dagPb.encode(dagPb.prepare({ Data: file.marshal(), Links: links }));
    const h = this.#sha();
    h.update(block);
    const cid = CID.createV1(DAG_PB, Digest.create(SHA2_256, h.digest()));
    const size = block.length + links.reduce((acc, l) => acc + (l.Tsize ?? 0), 0);
    const fileSize = children.reduce((acc, c) => acc + c.fileSize, 0n);
    this.#pending[level + 1] ??= [];
    this.#add(level + 1, { cid, size, fileSize });
  }
}
