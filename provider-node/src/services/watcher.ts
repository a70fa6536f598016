/**
 * Watcher (DESIGN §5, opt-in): follows every slot holder of the marketplace from its own scan of
 * `SlotFilled` / `SlotFreed` / `SlotReleased` events, and after each period closes
 *  - `markMissing`: reports providers that hold slots and did not prove the period
 *    (`isProven` view → `markProofAsMissing`, within `missGracePeriods`; the reporter reward is
 *    credited to this node's pull balance), then frees (`freeSlot`, permissionless) the slots of
 *    providers whose misses reached the request's `maxMisses`;
 *  - `repair`: hands every `SlotFreed` of another provider to the RepairWorker (repair.ts).
 * Transactions go through the chain service's queue (one nonce stream per account).
 * State (scan cursor, last checked period, known holders, queued repairs) is kept in
 * `<dataDir>/watcher.json` when a StateFile is given, so a restart resumes where it stopped.
 */
import type { Hex } from "viem";
import type { Logger } from "pino";
import { errInfo, type ChainService } from "../chain/chain-service.ts";
import type { StateFile } from "../storage/state.ts";
import type { RepairWorker } from "./repair.ts";

export type WatcherConfig = { markMissing: boolean; repair: boolean };

const LOG_RANGE = 2000n;
/** Reverts that only mean "nothing to report here" (not due, already reported, void period…). */
const BENIGN =
  /ProofNotMissing|AlreadyReported|PeriodVoid|ReportTooLate|PeriodNotClosed|NotFreeable|SlotNotFilled|RequestEnded|WrongRequestState/;

type Held = { requestId: Hex; slot: bigint };

export type WatcherState = {
  lastBlock: string;
  lastCheckedPeriod: string;
  /** provider (lower-case) → ["<requestId>:<slot>", …] */
  holders: Record<string, string[]>;
  /** freed slots seen but not yet handled by the repair worker: "<requestId>:<slot>" */
  repairs: string[];
};

export const INITIAL_WATCHER_STATE: WatcherState = {
  lastBlock: "-1",
  lastCheckedPeriod: "-1",
  holders: {},
  repairs: [],
};

export class ChainWatcher {
  readonly #chain: ChainService;
  readonly #config: WatcherConfig;
  readonly #repair: RepairWorker | undefined;
  readonly #log: Logger;
  readonly #pollMs: number;
  readonly #state: StateFile<WatcherState> | undefined;
  /** provider (lower-case) → `${requestId}:${slot}` → slot */
  readonly #holders = new Map<string, Map<string, Held>>();
  readonly #maxMisses = new Map<string, number>();
  #cursor = -1n;
  #lastCheckedPeriod = -1n;
  #grace = 0n;
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  #stopped = true;
  /** Reports this node made (reward credited to its pull balance). */
  readonly stats = { reported: 0, freed: 0, rewards: 0n };

  constructor(
    chain: ChainService,
    config: WatcherConfig,
    deps: {
      repair?: RepairWorker;
      log: Logger;
      pollIntervalMs: number;
      state?: StateFile<WatcherState>;
    },
  ) {
    this.#state = deps.state;
    this.#chain = chain;
    this.#config = config;
    this.#repair = deps.repair;
    this.#log = deps.log;
    this.#pollMs = deps.pollIntervalMs;
  }

  async start(): Promise<void> {
    const params = await this.#chain.read<{ missGracePeriods: number | bigint }>("params");
    this.#grace = BigInt(params.missGracePeriods);
    this.#cursor = this.#chain.config.deployment.deployBlock - 1n;
    const saved = this.#state?.value;
    if (saved && BigInt(saved.lastBlock) > this.#cursor) {
      this.#cursor = BigInt(saved.lastBlock);
      this.#lastCheckedPeriod = BigInt(saved.lastCheckedPeriod);
      for (const [provider, keys] of Object.entries(saved.holders)) {
        const held = new Map<string, Held>();
        for (const key of keys) {
          const [requestId, slot] = key.split(":");
          held.set(key, { requestId: requestId as Hex, slot: BigInt(slot!) });
        }
        this.#holders.set(provider, held);
      }
    }
    if (this.#config.repair && this.#repair)
      for (const key of saved?.repairs ?? []) {
        const [requestId, slot] = key.split(":");
        this.#enqueueRepair(requestId as Hex, Number(slot));
      }
    this.#stopped = false;
    const loop = async () => {
      if (this.#stopped) return;
      this.#ticking = this.tick().catch((err) =>
        this.#log.warn({ err: errInfo(err) }, "watcher tick failed; retrying"),
      );
      await this.#ticking;
      if (!this.#stopped) this.#timer = setTimeout(loop, this.#pollMs);
    };
    this.#timer = setTimeout(loop, 0);
    this.#log.info(this.#config, "watcher started");
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#ticking;
    await this.#repair?.idle();
  }

  /** The last closed period checked for missing proofs (-1 before the first check). */
  get lastCheckedPeriod(): bigint {
    return this.#lastCheckedPeriod;
  }

  /** Providers currently holding slots, as seen by the scan (lower-case addresses). */
  holders(): string[] {
    return [...this.#holders.entries()].filter(([, s]) => s.size > 0).map(([p]) => p);
  }

  async tick(): Promise<void> {
    const head = await this.#chain.public.getBlockNumber();
    await this.#scan(head);
    if (!this.#config.markMissing) return;
    const periodBlocks = this.#chain.periodBlocks;
    if (periodBlocks === 0n) return;
    const current = head / periodBlocks;
    if (current === 0n) return;
    let from = this.#lastCheckedPeriod + 1n;
    if (current - from > this.#grace) from = current - this.#grace;
    if (from < 0n) from = 0n;
    const me = this.#chain.address.toLowerCase();
    const candidates = this.holders().filter((p) => p !== me);
    for (let period = from; period < current; period++) {
      for (const provider of candidates) await this.#report(provider as Hex, period);
    }
    this.#lastCheckedPeriod = current - 1n;
    await this.#save();
    for (const provider of candidates) await this.#freeIfDelinquent(provider as Hex);
  }

  async #scan(head: bigint): Promise<void> {
    const d = this.#chain.config.deployment;
    let from = this.#cursor + 1n;
    while (from <= head) {
      const to = from + LOG_RANGE - 1n < head ? from + LOG_RANGE - 1n : head;
      const logs = (await this.#chain.public.getContractEvents({
        address: d.marketplace,
        abi: d.marketplaceAbi,
        fromBlock: from,
        toBlock: to,
      })) as unknown as { eventName: string; args: Record<string, unknown> }[];
      for (const log of logs) this.#onEvent(log.eventName, log.args);
      this.#cursor = to;
      await this.#save();
      from = to + 1n;
    }
  }

  async #save(): Promise<void> {
    if (!this.#state) return;
    const holders: Record<string, string[]> = {};
    for (const [p, held] of this.#holders) if (held.size > 0) holders[p] = [...held.keys()];
    await this.#state.update({
      lastBlock: this.#cursor.toString(),
      lastCheckedPeriod: this.#lastCheckedPeriod.toString(),
      holders,
      repairs: this.#pendingRepairs(),
    });
  }

  #repairsQueued = new Set<string>();

  #pendingRepairs(): string[] {
    return [...this.#repairsQueued];
  }

  #enqueueRepair(requestId: Hex, slot: number): void {
    const key = `${requestId}:${slot}`;
    if (this.#repairsQueued.has(key)) return;
    this.#repairsQueued.add(key);
    this.#repair!.enqueue(requestId, slot, () => {
      this.#repairsQueued.delete(key);
      void this.#save().catch(() => {});
    });
  }

  #onEvent(name: string, args: Record<string, unknown>): void {
    const id = args.id as Hex;
    const slot = args.slot as bigint;
    const provider = (args.provider as string | undefined)?.toLowerCase();
    if (name === "SlotFilled" && provider) {
      let held = this.#holders.get(provider);
      if (!held) this.#holders.set(provider, (held = new Map()));
      held.set(`${id}:${slot}`, { requestId: id, slot });
    } else if ((name === "SlotFreed" || name === "SlotReleased") && provider) {
      this.#holders.get(provider)?.delete(`${id}:${slot}`);
      if (
        name === "SlotFreed" &&
        this.#config.repair &&
        this.#repair &&
        provider !== this.#chain.address.toLowerCase()
      )
        this.#enqueueRepair(id, Number(slot));
    }
  }

  async #report(provider: Hex, period: bigint): Promise<void> {
    if (await this.#chain.read<boolean>("isProven", [provider, period])) return;
    try {
      const txHash = await this.#chain.send("markProofAsMissing", [provider, period]);
      this.stats.reported++;
      this.#log.info(
        { provider, period: Number(period), txHash },
        "reported a missing proof (reporter reward credited)",
      );
    } catch (err) {
      const e = errInfo(err);
      if (e.revert && BENIGN.test(e.revert)) return;
      this.#log.warn({ err: e, provider, period: Number(period) }, "markProofAsMissing failed");
    }
  }

  async #freeIfDelinquent(provider: Hex): Promise<void> {
    const held = this.#holders.get(provider.toLowerCase());
    if (!held || held.size === 0) return;
    const p = await this.#chain.read<{ consecutiveMisses: number }>("getProvider", [provider]);
    for (const { requestId, slot } of [...held.values()]) {
      let max = this.#maxMisses.get(requestId);
      if (max === undefined) {
        max = (await this.#chain.read<{ maxMisses: number }>("getRequest", [requestId])).maxMisses;
        this.#maxMisses.set(requestId, max);
      }
      const s = await this.#chain.read<{ misses: number }>("getSlot", [requestId, slot]);
      if (Math.max(p.consecutiveMisses, s.misses) < max) continue;
      try {
        const txHash = await this.#chain.send("freeSlot", [requestId, slot]);
        this.stats.freed++;
        held.delete(`${requestId}:${slot}`);
        this.#log.info(
          { provider, requestId, slot: Number(slot), misses: p.consecutiveMisses, txHash },
          "freed the slot of a delinquent provider",
        );
      } catch (err) {
        const e = errInfo(err);
        if (e.revert && BENIGN.test(e.revert)) continue;
        this.#log.warn({ err: e, provider, requestId, slot: Number(slot) }, "freeSlot failed");
      }
    }
  }
}
