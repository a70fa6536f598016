/**
 * The UnixFS file DAG over raw leaves, given each leaf's SHA-256 digest and length: CIDv1, raw
 * leaves, balanced layout with ≤ `maxChildren` links per dag-pb node, a single leaf is its own
 * root. A re-implementation of ipfs-unixfs-importer's balanced layout + file reducer, shared by
 * the sdk's streaming file hasher (unixfs.ts) and the provider node, which gets leaf digests
 * from its hashing workers. Equality with the importer and with Helia is tested in
 * sdk/test/cid.test.ts and provider-node/test/unixfs-dag.test.ts.
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

export type Sha256Factory = () => { update(data: Uint8Array): void; digest(): Uint8Array };

export type UnixFsDagOptions = {
  /** SHA-256 for the dag-pb nodes (default: native in Node, WASM in browsers). */
  sha?: Sha256Factory;
  /** Called with every dag-pb node as it is made (none for a single-leaf file). */
  onBlock?: (cid: CID, bytes: Uint8Array) => void;
};

export class UnixFsDagBuilder {
  readonly #maxChildren: number;
  readonly #sha: Sha256Factory;
  readonly #onBlock: ((cid: CID, bytes: Uint8Array) => void) | undefined;
  /** pending[0] = pending leaves, pending[1] = pending level-1 nodes, … */
  readonly #pending: Node[][] = [[]];
  /** total nodes ever produced per level */
  readonly #produced: number[] = [0];
  #done = false;

  constructor(maxChildren: number, options: UnixFsDagOptions = {}) {
    this.#maxChildren = maxChildren;
    this.#sha = options.sha ?? createSha256;
    this.#onBlock = options.onBlock;
  }

  /** The next raw leaf, in file order: its SHA-256 digest and length. */
  addLeaf(sha256: Uint8Array, length: number): void {
    if (this.#done) throw new Error("UnixFsDagBuilder.addLeaf() after finish()");
    const cid = CID.createV1(RAW, Digest.create(SHA2_256, sha256));
    this.#add(0, { cid, size: length, fileSize: BigInt(length) });
  }

  /** The root CID. */
  finish(): CID {
    if (this.#done) throw new Error("UnixFsDagBuilder.finish() called twice");
    if (this.#produced[0] === 0) throw new Error("UnixFsDagBuilder: no leaves");
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
    this.#onBlock?.(cid, block);
    const size = block.length + links.reduce((acc, l) => acc + (l.Tsize ?? 0), 0);
    const fileSize = children.reduce((acc, c) => acc + c.fileSize, 0n);
    this.#pending[level + 1] ??= [];
    this.#add(level + 1, { cid, size, fileSize });
  }
}
