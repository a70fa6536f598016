/** Worker thread body for stripe-hasher-node.ts: Merkle + CID hashers per shard per job. */
import { parentPort } from "node:worker_threads";
import { createShardHashers, digestShardHashers, updateShardHashers } from "./stripe-hasher.ts";

type Message =
  | { type: "start"; job: number; n: number }
  | {
      type: "stripe";
      job: number;
      seq: number;
      buffer: SharedArrayBuffer;
      offset: number;
      length: number;
      piece: number;
    }
  | { type: "digest"; job: number; seq: number }
  | { type: "abort"; job: number };

const jobs = new Map<number, ReturnType<typeof createShardHashers>>();
const port = parentPort!;

port.on("message", (msg: Message) => {
  try {
    if (msg.type === "start") {
      jobs.set(msg.job, createShardHashers(msg.n));
    } else if (msg.type === "abort") {
      jobs.delete(msg.job);
    } else if (msg.type === "stripe") {
      const builders = jobs.get(msg.job);
      if (!builders) throw new Error(`unknown job ${msg.job}`);
      updateShardHashers(builders, new Uint8Array(msg.buffer, msg.offset, msg.length), msg.piece);
      port.postMessage({ type: "ack", job: msg.job, seq: msg.seq });
    } else if (msg.type === "digest") {
      const builders = jobs.get(msg.job);
      if (!builders) throw new Error(`unknown job ${msg.job}`);
      jobs.delete(msg.job);
      const roots = digestShardHashers(builders);
      port.postMessage({ type: "ack", job: msg.job, seq: msg.seq, roots });
    }
  } catch (error) {
    port.postMessage({
      type: "error",
      job: msg.job,
      seq: "seq" in msg ? msg.seq : -1,
      message: (error as Error).message,
    });
  }
});
