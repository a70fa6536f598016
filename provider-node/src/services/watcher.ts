/**
 * Watcher (DESIGN §5, opt-in): follows every slot holder of the marketplace from its own scan of
 * `SlotFilled` / `SlotFreed` / `SlotReleased` events, and after each period closes
 *  - `markMissing`: reports providers that hold slots and did not prove the period
 *    (`isProven` view → `markProofAsMissing`, within `missGracePeriods`; the reporter reward is
 *    credited to this node's pull balance), then frees (`freeSlot`, permissionless) the slots of
 *    providers whose misses reached the request's `maxMisses`;
 *  - `repair`: hands every `SlotFreed` of another provider to the RepairWorker (repair.ts).
 * Transactions go through the chain service's queue (one nonce stream per account).
 * The scan cursor is in memory: after a restart the watcher rescans from the deploy block.
 */
import type { Hex } from "viem";
import type { Logger } from "pino";
import { errInfo, type ChainService } from "../chain/chain-service.ts";
import type { RepairWorker } from "./repair.ts";

export type WatcherConfig = { markMissing: boolean; repair: boolean };

const LOG_RANGE = 2000n;
/** Reverts that only mean "nothing to report here" (not due, already reported, void period…). */
const BENIGN =
  /ProofNotMissing|AlreadyReported|PeriodVoid|ReportTooLate|PeriodNotClosed|NotFreeable|SlotNotFilled|RequestEnded|WrongRequestState/;

type Held = { requestId: Hex; slot: bigint };

export class ChainWatcher {
  readonly #chain: ChainService;
  readonly #config: WatcherConfig;
  readonly #repair: RepairWorker | undefined;
  readonly #log: Logger;
  readonly #pollMs: number;
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
    deps: { repair?: RepairWorker; log: Logger; pollIntervalMs: number },
  ) {
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
      from = to + 1n;
    }
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
        this.#repair.enqueue(id, Number(slot));
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
