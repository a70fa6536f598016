/**
 * The UnixFS DAG of a shard from its raw leaves' SHA-256 digests, with the importer settings of
 * cid.ts. The tree workers hash each 1 MiB batch (= one raw leaf), so the upload path never
 * hashes shard bytes on the main thread; the sdk's UnixFsDagBuilder (the same reduction that
 * gives the client's CID) builds the rest. Collects the dag-pb blocks to store;
 * test/unixfs-dag.test.ts checks root and blocks against ipfs-unixfs-importer.
 */
import { UnixFsDagBuilder } from "@tessera/sdk/cid/dag";
import type { CID } from "multiformats/cid";

export class UnixFsDag extends UnixFsDagBuilder {
  /** Every dag-pb node made so far (none for a single-leaf file). */
  readonly blocks: { cid: CID; bytes: Uint8Array }[] = [];

  constructor(maxChildren: number) {
    const blocks: { cid: CID; bytes: Uint8Array }[] = [];
    super(maxChildren, { onBlock: (cid, bytes) => blocks.push({ cid, bytes }) });
    this.blocks = blocks;
  }
}
