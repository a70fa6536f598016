/**
 * Shard tree building spread over worker threads. A shard is cut into 1 MiB batches (aligned
 * to 2^CUT_LEVEL segments); each batch is hashed up to the cut level on a worker (batches are
 * independent: merkle.ts `hashBatchToCut`), its nodes land at the batch's place in the cut
 * layer, and `finish()` hashes the small upper part on the calling thread.
 *
 * Bytes are copied once into a batch buffer whose ArrayBuffer is then transferred (no clone).
 * Backpressure: `update` waits while MAX_IN_FLIGHT batches are queued. Workers are terminated
 * after 2 s without work, so they never keep a process alive. Shards under
 * OFF_THREAD_MIN_BYTES are hashed in-thread (a worker round trip costs more than they do).
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import {
  ShardTreeBuilder,
  cutLevel,
  layerLengths,
  layersFromCut,
  leafCount,
  NODE_BYTES,
} from "./merkle.ts";

const BATCH_BYTES = 1 << 20;
const MAX_IN_FLIGHT = 8;
/** Shards of at least this size are hashed on worker threads. */
export const OFF_THREAD_MIN_BYTES = 8 << 20;
const WORKERS =
  Number(process.env.TESSERA_TREE_WORKERS) || Math.max(1, Math.min(4, availableParallelism()));

type Reply = { job: number; index: number; nodes?: Uint8Array; error?: string };
const workers: Worker[] = [];
const jobs = new Map<number, (r: Reply) => void>();
let nextJob = 1;
let rr = 0;
let idleTimer: NodeJS.Timeout | undefined;

function pickWorker(): Worker {
  clearTimeout(idleTimer);
  if (workers.length < WORKERS) {
    const w = new Worker(new URL("./tree-worker.ts", import.meta.url));
    w.on("message", (r: Reply) => jobs.get(r.job)?.(r));
    w.on("error", (err) => {
      const i = workers.indexOf(w);
      if (i >= 0) workers.splice(i, 1);
      for (const h of jobs.values())
        h({ job: 0, index: -1, error: `tree worker failed: ${err.message}` });
    });
    workers.push(w);
    return w;
  }
  return workers[rr++ % workers.length]!;
}

function scheduleIdleStop(): void {
  if (jobs.size > 0 || workers.length === 0) return;
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => void stopTreeWorker(), 2_000);
  idleTimer.unref();
}

export async function stopTreeWorker(): Promise<void> {
  clearTimeout(idleTimer);
  const all = workers.splice(0);
  await Promise.all(all.map((w) => w.terminate()));
}

export type TreeBuilder = {
  readonly received: number;
  update(chunk: Uint8Array): Promise<void> | void;
  finish():
    Promise<{ root: Uint8Array; layers: Uint8Array }> | { root: Uint8Array; layers: Uint8Array };
  abort(): void;
};

class ParallelTree implements TreeBuilder {
  readonly #job = nextJob++;
  readonly #size: number;
  readonly #nLeaves: number;
  readonly #cut: number;
  readonly #cutLayer: Uint8Array;
  readonly #nodesPerBatch: number;
  #received = 0;
  #batch = new Uint8Array(BATCH_BYTES);
  #fill = 0;
  #index = 0;
  #inFlight = 0;
  #waiters: (() => void)[] = [];
  #failure: Error | undefined;

  constructor(size: number) {
    this.#size = size;
    this.#nLeaves = leafCount(size);
    this.#cut = cutLevel(this.#nLeaves);
    this.#cutLayer = new Uint8Array(layerLengths(this.#nLeaves)[this.#cut]! * NODE_BYTES);
    this.#nodesPerBatch = BATCH_BYTES / 64 / 2 ** this.#cut;
    jobs.set(this.#job, (r) => {
      if (r.error !== undefined) this.#failure ??= new Error(r.error);
      else this.#cutLayer.set(r.nodes!, r.index * this.#nodesPerBatch * NODE_BYTES);
      this.#inFlight--;
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  get received(): number {
    return this.#received;
  }

  #post(): void {
    const bytes = this.#fill === BATCH_BYTES ? this.#batch : this.#batch.slice(0, this.#fill);
    this.#inFlight++;
    pickWorker().postMessage({ job: this.#job, index: this.#index++, bytes, cut: this.#cut }, [
      bytes.buffer as ArrayBuffer,
    ]);
    this.#batch = new Uint8Array(BATCH_BYTES);
    this.#fill = 0;
  }

  async update(chunk: Uint8Array): Promise<void> {
    if (this.#failure) throw this.#failure;
    if (this.#received + chunk.length > this.#size) {
      throw new RangeError(`received more than the declared ${this.#size} bytes`);
    }
    this.#received += chunk.length;
    let off = 0;
    while (off < chunk.length) {
      const n = Math.min(chunk.length - off, BATCH_BYTES - this.#fill);
      this.#batch.set(chunk.subarray(off, off + n), this.#fill);
      this.#fill += n;
      off += n;
      if (this.#fill === BATCH_BYTES) {
        while (this.#inFlight >= MAX_IN_FLIGHT && !this.#failure) {
          await new Promise<void>((r) => this.#waiters.push(r));
        }
        if (this.#failure) throw this.#failure;
        this.#post();
      }
    }
  }

  async finish(): Promise<{ root: Uint8Array; layers: Uint8Array }> {
    try {
      if (this.#received !== this.#size)
        throw new RangeError(`received ${this.#received} of ${this.#size} bytes`);
      if (this.#fill > 0) this.#post();
      while (this.#inFlight > 0) await new Promise<void>((r) => this.#waiters.push(r));
      if (this.#failure) throw this.#failure;
      return layersFromCut(this.#cutLayer, this.#nLeaves);
    } finally {
      this.abort();
    }
  }

  abort(): void {
    jobs.delete(this.#job);
    scheduleIdleStop();
  }
}

class InThreadTree implements TreeBuilder {
  readonly #b: ShardTreeBuilder;
  constructor(size: number) {
    this.#b = new ShardTreeBuilder(size);
  }
  get received(): number {
    return this.#b.received;
  }
  update(chunk: Uint8Array): void {
    this.#b.update(chunk);
  }
  finish() {
    return this.#b.finish();
  }
  abort(): void {}
}

export function createTreeBuilder(size: number): TreeBuilder {
  return size >= OFF_THREAD_MIN_BYTES ? new ParallelTree(size) : new InThreadTree(size);
}
