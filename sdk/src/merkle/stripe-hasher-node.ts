/**
 * Node: shard commitments (Merkle roots + CIDs) on one shared worker thread (started on first use, kept for the
 * process, unref'd while idle). Stripes live in SharedArrayBuffers, so nothing is copied; the
 * encoder awaits each stripe's ack before the buffer could be reused, and at most two stripes
 * are in the worker's queue (bounded memory). `workers: false` hashes in the calling thread.
 */
import { Worker } from "node:worker_threads";
import { inThreadStripeHasher, type ShardRoots, type StripeHasher } from "./stripe-hasher.ts";

export type { ShardRoots, StripeHasher } from "./stripe-hasher.ts";

type Reply = {
  type: "ack" | "error";
  job: number;
  seq: number;
  roots?: ShardRoots;
  message?: string;
};

let worker: Worker | undefined;
let active = 0;
let nextJob = 1;
const waiters = new Map<string, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();

function getWorker(): Worker {
  if (worker) return worker;
  // The worker allocates little: small V8 heaps keep its share of the RSS down.
  const w = new Worker(new URL("./stripe-hasher-worker.ts", import.meta.url), {
    resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 },
  });
  w.on("message", (reply: Reply) => {
    const key = `${reply.job}:${reply.seq}`;
    const waiter = waiters.get(key);
    if (reply.type === "error") {
      // an error answers the pending request of that job (seq may be unknown)
      for (const [k, wt] of waiters) {
        if (!k.startsWith(`${reply.job}:`)) continue;
        waiters.delete(k);
        wt.reject(new Error(`Merkle worker: ${reply.message}`));
      }
      return;
    }
    if (waiter) {
      waiters.delete(key);
      waiter.resolve(reply);
    }
  });
  w.on("error", (error) => {
    for (const wt of waiters.values()) wt.reject(error);
    waiters.clear();
    worker = undefined;
  });
  w.on("exit", () => {
    if (worker === w) worker = undefined;
  });
  w.unref();
  worker = w;
  return w;
}

export function createStripeHasher(n: number, options: { workers?: boolean } = {}): StripeHasher {
  if (options.workers === false) return inThreadStripeHasher(n);
  const w = getWorker();
  const job = nextJob++;
  let seq = 0;
  let finished = false;
  if (active++ === 0) w.ref();
  const release = () => {
    if (finished) return;
    finished = true;
    if (--active === 0) w.unref();
  };
  const request = (message: { type: string; [key: string]: unknown }, transfer?: never) =>
    new Promise<Reply>((resolve, reject) => {
      const s = seq++;
      waiters.set(`${job}:${s}`, { resolve, reject });
      w.postMessage({ ...message, job, seq: s }, transfer);
    });
  w.postMessage({ type: "start", job, n });
  return {
    allocate: (bytes) => new Uint8Array(new SharedArrayBuffer(bytes)),
    async update(stripe, piece) {
      if (!(stripe.buffer instanceof SharedArrayBuffer)) {
        const shared = new Uint8Array(new SharedArrayBuffer(stripe.length));
        shared.set(stripe);
        stripe = shared;
      }
      await request({
        type: "stripe",
        buffer: stripe.buffer,
        offset: stripe.byteOffset,
        length: stripe.length,
        piece,
      });
    },
    async digest() {
      try {
        return (await request({ type: "digest" })).roots!;
      } finally {
        release();
      }
    },
    abort() {
      if (finished) return;
      w.postMessage({ type: "abort", job });
      release();
    },
  };
}
