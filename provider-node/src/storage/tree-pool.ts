/**
 * Off-thread shard tree building (see tree-worker.ts) with the same surface as
 * ShardTreeBuilder. One shared worker, created on first use and unref'd; at most
 * MAX_IN_FLIGHT batches per job are queued before `update` waits (backpressure).
 */
import { Worker } from "node:worker_threads";
import { ShardTreeBuilder } from "./merkle.ts";

const MAX_IN_FLIGHT = 8;
let worker: Worker | undefined;
let idleTimer: NodeJS.Timeout | undefined;
let nextId = 1;

/** Terminate the worker once no job has used it for a while (it must not keep the process alive). */
function scheduleIdleStop(): void {
  if (handlers.size > 0 || !worker) return;
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => void stopTreeWorker(), 2_000);
  idleTimer.unref();
}

export async function stopTreeWorker(): Promise<void> {
  clearTimeout(idleTimer);
  const w = worker;
  worker = undefined;
  if (w) await w.terminate();
}
const handlers = new Map<
  number,
  (msg: { op: string; root?: Uint8Array; layers?: Uint8Array; message?: string }) => void
>();

function getWorker(): Worker {
  clearTimeout(idleTimer);
  if (worker) return worker;
  const w = new Worker(new URL("./tree-worker.ts", import.meta.url));
  w.on("message", (msg: { id: number; op: string }) => handlers.get(msg.id)?.(msg));
  w.on("error", (err) => {
    for (const h of handlers.values())
      h({ op: "error", message: `tree worker failed: ${err.message}` });
    worker = undefined;
  });
  worker = w;
  return w;
}

export type TreeBuilder = {
  readonly received: number;
  update(chunk: Uint8Array): Promise<void> | void;
  finish():
    Promise<{ root: Uint8Array; layers: Uint8Array }> | { root: Uint8Array; layers: Uint8Array };
  abort(): void;
};

class OffThreadTree implements TreeBuilder {
  readonly #id = nextId++;
  readonly #size: number;
  #received = 0;
  #inFlight = 0;
  #waiters: (() => void)[] = [];
  #result: Promise<{ root: Uint8Array; layers: Uint8Array }>;
  #failure: Error | undefined;

  constructor(size: number) {
    this.#size = size;
    const w = getWorker();
    let resolveDone!: (v: { root: Uint8Array; layers: Uint8Array }) => void;
    let rejectDone!: (e: Error) => void;
    this.#result = new Promise((res, rej) => {
      resolveDone = res;
      rejectDone = rej;
    });
    this.#result.catch(() => {});
    handlers.set(this.#id, (msg) => {
      if (msg.op === "ack") {
        this.#inFlight--;
        this.#waiters.shift()?.();
      } else if (msg.op === "done") {
        handlers.delete(this.#id);
        scheduleIdleStop();
        resolveDone({ root: msg.root!, layers: msg.layers! });
      } else if (msg.op === "error") {
        handlers.delete(this.#id);
        scheduleIdleStop();
        this.#failure = new Error(msg.message);
        rejectDone(this.#failure);
        for (const wake of this.#waiters.splice(0)) wake();
      }
    });
    w.postMessage({ id: this.#id, op: "init", size });
  }

  get received(): number {
    return this.#received;
  }

  async update(chunk: Uint8Array): Promise<void> {
    if (this.#failure) throw this.#failure;
    if (this.#received + chunk.length > this.#size)
      throw new RangeError(`received more than the declared ${this.#size} bytes`);
    this.#received += chunk.length;
    while (this.#inFlight >= MAX_IN_FLIGHT && !this.#failure)
      await new Promise<void>((r) => this.#waiters.push(r));
    this.#inFlight++;
    getWorker().postMessage({ id: this.#id, op: "data", bytes: chunk });
  }

  finish(): Promise<{ root: Uint8Array; layers: Uint8Array }> {
    getWorker().postMessage({ id: this.#id, op: "finish" });
    return this.#result;
  }

  abort(): void {
    handlers.delete(this.#id);
    worker?.postMessage({ id: this.#id, op: "drop" });
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

/** Shards of at least this size are hashed on the worker thread. */
export const OFF_THREAD_MIN_BYTES = 8 << 20;

export function createTreeBuilder(size: number): TreeBuilder {
  return size >= OFF_THREAD_MIN_BYTES ? new OffThreadTree(size) : new InThreadTree(size);
}
