/**
 * Repair worker (DESIGN §4.5, §5; opt-in): refills a freed slot of a request this node holds no
 * slot of. It fetches any k of the other shards from their holders (endpoints from the registry,
 * shard CIDs from `RequestCreated`), rebuilds the missing shard stripe by stripe with the sdk's
 * Reed-Solomon coder and streams it through the same verify-and-store path as an upload
 * (size, Merkle root against the chain's `roots[slot]`, UnixFS CID against `cids[slot]`), then
 * fills the slot (the contract credits the repair bounty). No keys: shards are ciphertext.
 *
 * Layout (sdk pipeline/encode.ts): a shard is cut into pieces of `DEFAULT_PIECE_BYTES`; stripe s
 * is piece s of every shard (data shards 0…k-1, then parity); the last piece of every shard is
 * `shardSize − (stripes − 1) · pieceBytes` bytes. Memory: one stripe (n × pieceBytes) at a time.
 * Source pieces are fetched with HTTP ranges (a range cannot be checked against a CID alone);
 * a source that serves wrong bytes makes the rebuilt shard fail the root/CID check, and nothing
 * is stored or spent.
 */
import { DEFAULT_PIECE_BYTES, fetchShard, loadErasureCoder } from "@tessera/sdk";
import type { Hex } from "viem";
import type { Logger } from "pino";
import { errInfo, type ChainService } from "../chain/chain-service.ts";
import type { ShardStore } from "../storage/shard-store.ts";

type Source = { index: number; endpoint: string; cid: string };

/**
 * Rebuild shard `slot` of a k + m encoding, stripe by stripe, from k other shards: yields the
 * shard's pieces in order (one stripe of n × piece bytes in memory at a time). `readPiece`
 * returns `length` bytes of a source shard at `start`; when it throws, `onSourceFailed` may name
 * a replacement (else the rebuild fails with the source's error).
 */
export async function* rebuildShard<S extends { index: number }>(options: {
  k: number;
  m: number;
  slot: number;
  shardSize: number;
  pieceBytes: number;
  sources: readonly S[];
  readPiece(source: S, start: number, length: number): Promise<Uint8Array>;
  onSourceFailed?(source: S, error: unknown): S | undefined;
  onPiece?(source: S): void;
}): AsyncGenerator<Uint8Array> {
  const { k, m, slot, shardSize: size, pieceBytes: P } = options;
  const n = k + m;
  if (options.sources.length < k)
    throw new Error(
      `need k = ${k} source shards to rebuild shard ${slot}, got ${options.sources.length}`,
    );
  if (options.sources.some((s) => s.index === slot || s.index < 0 || s.index >= n))
    throw new Error(`source shard indexes must be in 0…${n - 1} and differ from ${slot}`);
  const coder = await loadErasureCoder({ k, m });
  const active = options.sources.slice(0, k);
  const stripes = Math.ceil(size / P);
  for (let s = 0; s < stripes; s++) {
    // every shard's last piece is the same, possibly shorter, length (sdk pipeline/encode.ts)
    const piece = s < stripes - 1 ? P : size - (stripes - 1) * P;
    const stripe = new Uint8Array(n * piece);
    const present = new Array<boolean>(n).fill(false);
    for (let j = 0; j < active.length; j++) {
      for (;;) {
        const src = active[j]!;
        try {
          const bytes = await options.readPiece(src, s * P, piece);
          if (bytes.length !== piece)
            throw new Error(
              `got ${bytes.length} bytes of piece ${s} of shard ${src.index}, expected ${piece}`,
            );
          stripe.set(bytes, src.index * piece);
          present[src.index] = true;
          options.onPiece?.(src);
          break;
        } catch (err) {
          const next = options.onSourceFailed?.(src, err);
          if (!next || present[next.index] || active.some((a) => a.index === next.index))
            throw new Error(
              `cannot rebuild shard ${slot}: fewer than k = ${k} source shards answered (last error: ${(err as Error).message})`,
              { cause: err },
            );
          active[j] = next;
        }
      }
    }
    coder.reconstruct(stripe, present);
    yield stripe.slice(slot * piece, (slot + 1) * piece);
  }
}

export type RepairResult = { requestId: Hex; slot: number; cid: string; txHash: Hex };

export class RepairWorker {
  readonly #chain: ChainService;
  readonly #store: ShardStore;
  readonly #capacity: () => number;
  readonly #log: Logger;
  readonly #pieceBytes: number;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #pending = new Set<string>();
  readonly repaired: RepairResult[] = [];

  constructor(
    chain: ChainService,
    store: ShardStore,
    deps: { capacity: () => number; log: Logger; pieceBytes?: number },
  ) {
    this.#chain = chain;
    this.#store = store;
    this.#capacity = deps.capacity;
    this.#log = deps.log;
    this.#pieceBytes = deps.pieceBytes ?? DEFAULT_PIECE_BYTES;
  }

  /** Queue a repair (one at a time; failures are logged, never thrown); `done` runs after it. */
  enqueue(requestId: Hex, slot: number, done?: () => void): void {
    const key = `${requestId.toLowerCase()}:${slot}`;
    if (this.#pending.has(key)) return;
    this.#pending.add(key);
    this.#queue = this.#queue.then(async () => {
      try {
        await this.repair(requestId, slot);
      } catch (err) {
        this.#log.warn({ err: errInfo(err), requestId, slot }, "repair not done");
      } finally {
        this.#pending.delete(key);
        done?.();
      }
    });
  }

  /** Resolves when every queued repair has finished. */
  async idle(): Promise<void> {
    await this.#queue;
  }

  /** Rebuild and fill `slot` of `requestId`; resolves undefined when this node declines. */
  async repair(requestId: Hex, slot: number): Promise<RepairResult | undefined> {
    const id = requestId.toLowerCase() as Hex;
    const decline = (reason: string) => {
      this.#log.info({ requestId: id, slot, reason }, "not repairing freed slot");
      return undefined;
    };
    if (this.#store.list().some((m) => m.requestId === id))
      return decline("this node holds a slot of the request");
    const offer = await this.#chain.getSlotOffer(id, slot); // throws ApiError (taken, ended, …)
    const ask = this.#chain.askFor(offer.shardSize);
    if (offer.pricePerSlotPeriod < ask)
      return decline(`price ${offer.pricePerSlotPeriod} is below this node's ask ${ask}`);
    const free = this.#capacity() - this.#store.bytesStored;
    if (offer.shardSize > free)
      return decline(`${free} bytes free, the shard needs ${offer.shardSize}`);

    const req = await this.#chain.read<{ k: number; m: number; maxMisses: number }>("getRequest", [
      id,
    ]);
    const { k, m } = req;
    // what fillSlot would refuse after all the work: a slot of this request freed from us before
    // (AlreadyHoldsSlot), or our own misses at maxMisses (ProviderDelinquent)
    const me = await this.#chain.read<{ consecutiveMisses: number }>("getProvider", [
      this.#chain.address,
    ]);
    if (me.consecutiveMisses >= req.maxMisses)
      return decline(`this provider has ${me.consecutiveMisses} misses in a row (delinquent)`);
    const d = this.#chain.config.deployment;
    const freedFromUs = await this.#chain.public.getContractEvents({
      address: d.marketplace,
      abi: d.marketplaceAbi,
      eventName: "SlotFreed",
      args: { id, provider: this.#chain.address },
      fromBlock: d.deployBlock,
      toBlock: "latest",
    });
    if (freedFromUs.length > 0)
      return decline("a slot of this request was freed from this provider before");
    const n = k + m;
    const cids = await this.#cids(id);
    const sources: Source[] = [];
    for (let i = 0; i < n; i++) {
      if (i === slot || !cids[i]) continue;
      const s = await this.#chain.read<{ state: number; provider: Hex }>("getSlot", [
        id,
        BigInt(i),
      ]);
      if (s.state !== 1) continue; // Filled
      const p = await this.#chain.read<{ httpEndpoint: string }>("getProvider", [s.provider]);
      if (p.httpEndpoint) sources.push({ index: i, endpoint: p.httpEndpoint, cid: cids[i]! });
    }
    if (sources.length < k)
      throw new Error(
        `cannot repair slot ${slot} of ${id}: only ${sources.length} of the k = ${k} shards needed have a holder`,
      );

    const P = this.#pieceBytes;
    const spare = sources.slice(k);
    const log = this.#log;
    const readPiece = async (src: Source, start: number, length: number) => {
      const { bytes } = await fetchShard({
        endpoint: src.endpoint,
        cid: src.cid,
        range: { start, end: start + length - 1 },
        maxBytes: length,
      });
      return bytes;
    };
    const used = new Set<number>();
    const size = offer.shardSize;
    const stripes = rebuildShard({
      k,
      m,
      slot,
      shardSize: size,
      pieceBytes: P,
      sources: sources.slice(0, k),
      readPiece,
      onSourceFailed: (src, err) => {
        const next = spare.shift();
        log.warn(
          { err: errInfo(err), endpoint: src.endpoint, shard: src.index, next: next?.index },
          "repair source failed; trying another shard",
        );
        return next;
      },
      onPiece: (src) => used.add(src.index),
    });
    const meta = await this.#store.receive(
      { requestId: id, slot, size, root: offer.root, cid: offer.cid },
      stripes,
    );
    let txHash: Hex;
    try {
      txHash = await this.#chain.fill(meta, offer);
    } catch (err) {
      await this.#store.remove({ requestId: id, slot });
      throw err;
    }
    await this.#store.update({ requestId: id, slot }, { fillTx: txHash });
    const result = { requestId: id, slot, cid: meta.cid, txHash };
    this.repaired.push(result);
    this.#log.info(
      { ...result, from: [...used].sort((a, b) => a - b) },
      "repaired a freed slot (rebuilt from k shards) and filled it",
    );
    return result;
  }

  async #cids(id: Hex): Promise<readonly string[]> {
    const d = this.#chain.config.deployment;
    const logs = await this.#chain.public.getContractEvents({
      address: d.marketplace,
      abi: d.marketplaceAbi,
      eventName: "RequestCreated",
      args: { id },
      fromBlock: d.deployBlock,
      toBlock: "latest",
    });
    const params = (logs[0] as unknown as { args?: { params?: { cids?: readonly string[] } } })
      ?.args?.params;
    return params?.cids ?? [];
  }
}
