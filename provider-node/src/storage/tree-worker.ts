/**
 * Worker thread for tree-pool.ts: hashes one batch of shard bytes up to the cut level
 * (merkle.ts `hashBatchToCut`). In: {job, index, bytes, cut}. Out: {job, index, nodes}.
 */
import { parentPort } from "node:worker_threads";
import { hashBatchToCut } from "./merkle.ts";

parentPort!.on("message", (msg: { job: number; index: number; bytes: Uint8Array; cut: number }) => {
  try {
    const nodes = hashBatchToCut(msg.bytes, msg.cut);
    parentPort!.postMessage({ job: msg.job, index: msg.index, nodes }, [
      nodes.buffer as ArrayBuffer,
    ]);
  } catch (err) {
    parentPort!.postMessage({ job: msg.job, index: msg.index, error: (err as Error).message });
  }
});
