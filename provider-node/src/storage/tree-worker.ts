/**
 * Worker thread for tree-pool.ts: hashes one 1 MiB batch of shard bytes up to the cut level
 * (merkle.ts `BatchHasher`) and, when asked, its SHA-256 (the batch is exactly one UnixFS raw
 * leaf). In: {job, index, bytes, cut, sha}. Out: {job, index, nodes, digest?, bytes} — the batch
 * buffer is transferred back so the receiving side can reuse it.
 */
import { createHash } from "node:crypto";
import { parentPort } from "node:worker_threads";
import { BatchHasher } from "./merkle.ts";

const hasher = new BatchHasher();

parentPort!.on(
  "message",
  (msg: { job: number; index: number; bytes: Uint8Array; cut: number; sha: boolean }) => {
    try {
      const nodes = hasher.toCut(msg.bytes, msg.cut);
      const digest = msg.sha
        ? new Uint8Array(createHash("sha256").update(msg.bytes).digest())
        : undefined;
      parentPort!.postMessage({ job: msg.job, index: msg.index, nodes, digest, bytes: msg.bytes }, [
        nodes.buffer as ArrayBuffer,
        msg.bytes.buffer as ArrayBuffer,
      ]);
    } catch (err) {
      parentPort!.postMessage({ job: msg.job, index: msg.index, error: (err as Error).message });
    }
  },
);
