/**
 * The UnixFS DAG of a shard from its raw leaves' SHA-256 digests, with the importer settings of
 * cid.ts (CIDv1, raw leaves of `chunkBytes`, balanced layout with ≤ `maxChildren` links per
 * dag-pb node; a single leaf is its own root). The same reduction as ipfs-unixfs-importer's
 * balanced layout + file reducer (and the sdk's UnixFsFileHasher), but fed with leaf digests
 * computed elsewhere (the tree workers hash each 1 MiB batch = one leaf), so the upload path
 * never hashes bytes on the main thread. Returns the root CID and the dag-pb blocks to store;
 * test/unixfs-dag.test.ts checks both against the importer.
 */
import * as dagPb from "@ipld/dag-pb";
import { UnixFS } from "ipfs-unixfs";
import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";
import { createHash } from "node:crypto";

const RAW = 0x55;
const DAG_PB = 0x70;
const SHA2_256 = 0x12;

type Node = { cid: CID; size: number; fileSize: bigint };

export class UnixFsDag {
  readonly #maxChildren: number;
  readonly #pending: Node[][] = [[]];
  readonly #produced: number[] = [0];
  readonly blocks: { cid: CID; bytes: Uint8Array }[] = [];
  #done = false;

  constructor(maxChildren: number) {
    this.#maxChildren = maxChildren;
  }

  /** The next raw leaf (in file order): its SHA-256 digest and length. */
  addLeaf(sha256: Uint8Array, length: number): void {
    if (this.#done) throw new Error("UnixFsDag.addLeaf() after finish()");
    const cid = CID.createV1(RAW, Digest.create(SHA2_256, sha256));
    this.#add(0, { cid, size: length, fileSize: BigInt(length) });
  }

  /** Root CID; `blocks` then holds every dag-pb node (none for a single-leaf file). */
  finish(): CID {
    if (this.#done) throw new Error("UnixFsDag.finish() called twice");
    if (this.#produced[0] === 0) throw new Error("UnixFsDag: no leaves");
    this.#done = true;
    for (let level = 0; ; level++) {
      if (this.#produced[level] === 1 && this.#pending[level]!.length === 1)
        return this.#pending[level]![0]!.cid;
      if (this.#pending[level]!.length > 0) this.#reduce(level);
    }
  }

  #add(level: number, node: Node): void {
    (this.#pending[level] ??= []).push(node);
    this.#produced[level] = (this.#produced[level] ?? 0) + 1;
    if (this.#pending[level]!.length === this.#maxChildren) this.#reduce(level);
  }

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
    const bytes = dagPb.encode(dagPb.prepare({ Data: file.marshal(), Links: links }));
    const digest = new Uint8Array(createHash("sha256").update(bytes).digest());
    const cid = CID.createV1(DAG_PB, Digest.create(SHA2_256, digest));
    this.blocks.push({ cid, bytes });
    const size = bytes.length + links.reduce((acc, l) => acc + (l.Tsize ?? 0), 0);
    const fileSize = children.reduce((acc, c) => acc + c.fileSize, 0n);
    this.#pending[level + 1] ??= [];
    this.#add(level + 1, { cid, size, fileSize });
  }
}
