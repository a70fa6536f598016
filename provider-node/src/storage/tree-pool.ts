/**
 * Shard tree building spread over worker threads. A shard is cut into 1 MiB batches (aligned
 * to 2^CUT_LEVEL segments); each batch is hashed up to the cut level on a worker (batches are
 * independent: merkle.ts `hashBatchToCut`), its nodes land at the batch's place in the cut
 * layer, and `finish()` hashes the small upper part on the calling thread.
 *
 * Bytes are copied once into a pooled batch buffer, optionally written to the shard file at
 * their offset, then transferred to a worker (no clone), which also computes the batch's
 * SHA-256 (one UnixFS raw leaf) and transfers the buffer back for reuse.
 * Backpressure: `update` waits while MAX_IN_FLIGHT batches are being written or hashed. Workers are terminated
 * after 2 s without work, so they never keep a process alive. Shards under
 * OFF_THREAD_MIN_BYTES are hashed in-thread (a worker round trip costs more than they do).
 */
import { createHash } from "node:crypto";
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

type Reply = {
  job: number;
  index: number;
  nodes?: Uint8Array;
  digest?: Uint8Array;
  bytes?: Uint8Array;
  error?: string;
  /** Batches of this job lost with a dead worker (they will never be answered). */
  lost?: number;
};
const workers: Worker[] = [];
const jobs = new Map<number, (r: Reply) => void>();
/** Outstanding batches per worker and job, so a worker's death fails exactly those. */
const outstanding = new Map<Worker, Map<number, number>>();
let nextJob = 1;
let rr = 0;
let idleTimer: NodeJS.Timeout | undefined;

function pickWorker(): Worker {
  clearTimeout(idleTimer);
  if (workers.length < WORKERS) {
    const w = new Worker(new URL("./tree-worker.ts", import.meta.url));
    const counts = new Map<number, number>();
    outstanding.set(w, counts);
    w.on("message", (r: Reply) => {
      const n = (counts.get(r.job) ?? 1) - 1;
      if (n > 0) counts.set(r.job, n);
      else counts.delete(r.job);
      jobs.get(r.job)?.(r);
    });
    w.on("error", (err) => {
      const i = workers.indexOf(w);
      if (i >= 0) workers.splice(i, 1);
      outstanding.delete(w);
      for (const [job, lost] of counts)
        jobs.get(job)?.({ job, index: -1, error: `tree worker failed: ${err.message}`, lost });
      counts.clear();
    });
    workers.push(w);
    return w;
  }
  return workers[rr++ % workers.length]!;
}

function post(job: number, msg: object, transfer: ArrayBuffer[]): void {
  const w = pickWorker();
  const counts = outstanding.get(w)!;
  counts.set(job, (counts.get(job) ?? 0) + 1);
  w.postMessage(msg, transfer);
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
  for (const w of all) w.removeAllListeners("message"); // from here on, unanswered = lost
  await Promise.all(all.map((w) => w.terminate()));
  // batches that were still on a stopped worker fail their uploads (never a silent hang)
  for (const w of all) {
    for (const [job, lost] of outstanding.get(w) ?? [])
      jobs.get(job)?.({ job, index: -1, error: "tree workers were stopped", lost });
    outstanding.delete(w);
  }
}

/** Where a builder writes the shard's bytes: `bytes` at file offset `position`, fully. */
export type ShardWriter = (bytes: Uint8Array, position: number) => Promise<void>;

export type TreeResult = {
  root: Uint8Array;
  layers: Uint8Array;
  /** SHA-256 of each UnixFS raw leaf (1 MiB piece) in order, when asked for (`leafDigests`). */
  leafDigests?: Uint8Array[];
};

export type TreeBuilder = {
  readonly received: number;
  update(chunk: Uint8Array): Promise<void> | void;
  finish(): Promise<TreeResult> | TreeResult;
  /** Stop; resolves once no write or hash of this builder is in flight any more. */
  abort(): Promise<void> | void;
};

export type TreeBuilderOptions = {
  /** Also write every byte through this (positional writes, possibly several in flight). */
  write?: ShardWriter;
  /** Also compute the SHA-256 of every 1 MiB leaf (UnixFS raw leaves, cid.ts). */
  leafDigests?: boolean;
};

/**
 * Pipeline per 1 MiB batch: bytes are copied once from the body chunks into a pooled batch
 * buffer → written at their offset (libuv thread pool, not awaited by the receive loop) → then
 * transferred to a worker that hashes them (Merkle up to the cut level + SHA-256 of the leaf)
 * and transfers the buffer back for reuse. At most MAX_IN_FLIGHT batches are between
 * "full" and "hashed", which bounds memory and is the backpressure on the body.
 */
class ParallelTree implements TreeBuilder {
  readonly #job = nextJob++;
  readonly #size: number;
  readonly #nLeaves: number;
  readonly #cut: number;
  readonly #cutLayer: Uint8Array;
  readonly #nodesPerBatch: number;
  readonly #write: ShardWriter | undefined;
  readonly #digests: Uint8Array[] | undefined;
  readonly #free: Uint8Array[] = [];
  #received = 0;
  #batch: Uint8Array;
  #fill = 0;
  #index = 0;
  #inFlight = 0;
  #waiters: (() => void)[] = [];
  #failure: Error | undefined;
  #stopped = false;

  constructor(size: number, options: TreeBuilderOptions) {
    this.#size = size;
    this.#nLeaves = leafCount(size);
    this.#cut = cutLevel(this.#nLeaves);
    this.#cutLayer = new Uint8Array(layerLengths(this.#nLeaves)[this.#cut]! * NODE_BYTES);
    this.#nodesPerBatch = BATCH_BYTES / 64 / 2 ** this.#cut;
    this.#write = options.write;
    this.#digests = options.leafDigests ? [] : undefined;
    this.#batch = new Uint8Array(BATCH_BYTES);
    jobs.set(this.#job, (r) => {
      if (r.error !== undefined) {
        this.#failure ??= new Error(r.error);
        this.#inFlight -= r.lost ?? 1;
      } else {
        this.#cutLayer.set(r.nodes!, r.index * this.#nodesPerBatch * NODE_BYTES);
        if (this.#digests) this.#digests[r.index] = r.digest!;
        if (r.bytes!.length === BATCH_BYTES && !this.#stopped) this.#free.push(r.bytes!);
        this.#inFlight--;
      }
      this.#wake();
    });
  }

  get received(): number {
    return this.#received;
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  #dispatch(): void {
    const bytes = this.#fill === BATCH_BYTES ? this.#batch : this.#batch.slice(0, this.#fill);
    const index = this.#index++;
    this.#inFlight++;
    this.#batch = this.#free.pop() ?? new Uint8Array(BATCH_BYTES);
    this.#fill = 0;
    const hash = () => {
      if (this.#stopped) {
        this.#inFlight--;
        this.#wake();
        return;
      }
      post(
        this.#job,
        { job: this.#job, index, bytes, cut: this.#cut, sha: this.#digests !== undefined },
        [bytes.buffer as ArrayBuffer],
      );
    };
    if (!this.#write) return hash();
    this.#write(bytes, index * BATCH_BYTES).then(hash, (err: Error) => {
      this.#failure ??= err;
      this.#inFlight--;
      this.#wake();
    });
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
        this.#dispatch();
      }
    }
  }

  async finish(): Promise<TreeResult> {
    if (this.#failure || this.#received !== this.#size) {
      await this.abort();
      if (this.#failure) throw this.#failure;
      throw new RangeError(`received ${this.#received} of ${this.#size} bytes`);
    }
    if (this.#fill > 0) this.#dispatch();
    while (this.#inFlight > 0) await new Promise<void>((r) => this.#waiters.push(r));
    await this.abort();
    if (this.#failure) throw this.#failure;
    return {
      ...layersFromCut(this.#cutLayer, this.#nLeaves),
      ...(this.#digests ? { leafDigests: this.#digests } : {}),
    };
  }

  async abort(): Promise<void> {
    this.#stopped = true;
    this.#free.length = 0;
    while (this.#inFlight > 0) await new Promise<void>((r) => this.#waiters.push(r));
    jobs.delete(this.#job);
    scheduleIdleStop();
  }
}

/** Small shards: everything on the calling thread (a worker round trip costs more). */
class InThreadTree implements TreeBuilder {
  readonly #b: ShardTreeBuilder;
  readonly #write: ShardWriter | undefined;
  readonly #digests: Uint8Array[] | undefined;
  #leaf = createHash("sha256");
  #leafFill = 0;
  constructor(size: number, options: TreeBuilderOptions) {
    this.#b = new ShardTreeBuilder(size);
    this.#write = options.write;
    this.#digests = options.leafDigests ? [] : undefined;
  }
  get received(): number {
    return this.#b.received;
  }
  async update(chunk: Uint8Array): Promise<void> {
    const position = this.#b.received;
    this.#b.update(chunk);
    if (this.#digests) {
      let off = 0;
      while (off < chunk.length) {
        const n = Math.min(chunk.length - off, BATCH_BYTES - this.#leafFill);
        this.#leaf.update(chunk.subarray(off, off + n));
        this.#leafFill += n;
        off += n;
        if (this.#leafFill === BATCH_BYTES) this.#endLeaf();
      }
    }
    if (this.#write) await this.#write(chunk, position);
  }
  #endLeaf(): void {
    this.#digests!.push(new Uint8Array(this.#leaf.digest()));
    this.#leaf = createHash("sha256");
    this.#leafFill = 0;
  }
  finish(): TreeResult {
    const tree = this.#b.finish();
    if (!this.#digests) return tree;
    if (this.#leafFill > 0) this.#endLeaf();
    return { ...tree, leafDigests: this.#digests };
  }
  abort(): void {}
}

/** Leaf size of the SHA-256 digests builders report: one UnixFS raw leaf. */
export const LEAF_BYTES = BATCH_BYTES;

export function createTreeBuilder(size: number, options: TreeBuilderOptions = {}): TreeBuilder {
  return size >= OFF_THREAD_MIN_BYTES
    ? new ParallelTree(size, options)
    : new InThreadTree(size, options);
}
