/**
 * Worker thread that builds shard trees (merkle.ts) off the main thread, so Merkle hashing
 * overlaps with receiving, writing and the UnixFS import. Jobs are multiplexed by id.
 * Messages in: {id, op:"init", size} | {id, op:"data", bytes} | {id, op:"finish"} | {id, op:"drop"}.
 * Messages out: {id, op:"ack"} per data message | {id, op:"done", root, layers} | {id, op:"error", message}.
 */
import { parentPort } from "node:worker_threads";
import { ShardTreeBuilder } from "./merkle.ts";

const jobs = new Map<number, ShardTreeBuilder>();

parentPort!.on("message", (msg: { id: number; op: string; size?: number; bytes?: Uint8Array }) => {
  try {
    switch (msg.op) {
      case "init":
        jobs.set(msg.id, new ShardTreeBuilder(msg.size!));
        return;
      case "data":
        jobs.get(msg.id)?.update(msg.bytes!);
        parentPort!.postMessage({ id: msg.id, op: "ack" });
        return;
      case "finish": {
        const b = jobs.get(msg.id);
        jobs.delete(msg.id);
        if (!b) throw new Error(`no tree job ${msg.id}`);
        const { root, layers } = b.finish();
        parentPort!.postMessage({ id: msg.id, op: "done", root, layers }, [
          layers.buffer as ArrayBuffer,
        ]);
        return;
      }
      case "drop":
        jobs.delete(msg.id);
        return;
    }
  } catch (err) {
    jobs.delete(msg.id);
    parentPort!.postMessage({ id: msg.id, op: "error", message: (err as Error).message });
  }
});
