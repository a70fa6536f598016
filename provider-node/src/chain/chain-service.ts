/**
 * Chain service: everything the provider does on chain, driven by one poll loop.
 *
 * Each tick: (1) read Marketplace events from the last processed block (persisted in
 * state.json, so a restart resumes where it stopped) and react to the ones about this
 * provider's slots (freed, cancelled, failed, challenged); (2) in the current period, record
 * the seed if nobody did, read `challengesFor(me, period)`, build every proof from the shard
 * store (4 KiB + stored layers each) and send them in one `submitProofs`, under a gas-price
 * cap; (3) answer open targeted challenges; (4) release slots whose deal ended (claimSlot,
 * delete the shard); (5) claim + withdraw on schedule. Transactions go through one queue
 * with a local nonce manager.
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeAbiParameters,
  http,
  keccak256,
  maxUint256,
  parseGwei,
  parseUnits,
  type Address,
  type Hex,
  type PublicClient,
  type WalletClient,
} from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import type { Logger } from "pino";
import { ApiError } from "../http/errors.ts";
import type { ProviderMetrics } from "../services/metrics.ts";
import { leafCount, verifyProof } from "../storage/merkle.ts";
import type { ShardMeta, ShardStore } from "../storage/shard-store.ts";
import type { StateFile } from "../storage/state.ts";
import type { Deployment } from "./contracts.ts";
import type { SlotOffer, UploadAuthority } from "./types.ts";

export type ChainServiceConfig = {
  rpcUrl: string;
  chainId: number;
  privateKey: Hex;
  deployment: Deployment;
  httpEndpoint: string;
  multiaddr: string;
  register?: { stake: string; capacityBytes: string; pricePerBytePeriod: string };
  maxGasPriceGwei: string;
  withdrawEveryPeriods: number;
  pollIntervalMs: number;
};

export type ChainState = {
  lastBlock: string;
  lastProvenPeriod: number;
  lastProof: { period: number; txHash: Hex } | null;
  answeredChallenges: string[];
  lastWithdrawPeriod: number;
  withdrawn: string;
};

const REQUEST_STATE = ["None", "Open", "Started", "Cancelled", "Failed"] as const;
const SLOT_STATE = ["Empty", "Filled", "Freed", "Closed"] as const;
const LOG_RANGE = 2000n;

type RequestView = {
  client: Address;
  state: number;
  k: number;
  m: number;
  shardSize: bigint;
  nLeaves: number;
  startPeriod: number;
  endPeriod: number;
  pricePerSlotPeriod: bigint;
  collateralPerSlot: bigint;
  roots: readonly Hex[];
};
type SlotView = { state: number; provider: Address };
type ChallengeView = { id: Hex; slot: bigint; leaf: bigint; nLeaves: bigint; root: Hex };
type ProviderView = {
  registered: boolean;
  stake: bigint;
  capacityBytes: bigint;
  usedBytes: bigint;
  pricePerBytePeriod: bigint;
  activeSlots: number;
  units: bigint;
};

function revertName(err: unknown): string | undefined {
  if (err instanceof BaseError) {
    const revert = err.walk((e) => e instanceof ContractFunctionRevertedError);
    if (revert instanceof ContractFunctionRevertedError)
      return revert.data?.errorName ?? revert.reason;
  }
  return undefined;
}

/** Compact, log-friendly view of a viem error (never the whole ABI). */
export function errInfo(err: unknown): { message: string; revert?: string } {
  const revert = revertName(err);
  const message =
    err instanceof BaseError ? err.shortMessage : err instanceof Error ? err.message : String(err);
  return revert ? { message, revert } : { message };
}

class Mutex {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(fn, fn);
    this.#tail = next.catch(() => {});
    return next;
  }
}

export class ChainService implements UploadAuthority {
  readonly config: ChainServiceConfig;
  readonly account: PrivateKeyAccount;
  readonly public: PublicClient;
  readonly wallet: WalletClient;
  readonly #store: ShardStore;
  readonly #state: StateFile<ChainState>;
  readonly #metrics: ProviderMetrics;
  readonly #log: Logger;
  readonly #txQueue = new Mutex();
  readonly #cids = new Map<string, readonly string[]>();
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  #stopped = true;
  #periodBlocks = 0n;
  #price = 0n;
  #capacity = 0n;
  #provider: ProviderView | undefined;
  #lastError: string | undefined;
  #lateWarned = -1n;
  readonly #startChecked = new Map<string, bigint>();

  constructor(
    config: ChainServiceConfig,
    deps: {
      store: ShardStore;
      state: StateFile<ChainState>;
      metrics: ProviderMetrics;
      log: Logger;
    },
  ) {
    this.config = config;
    this.#store = deps.store;
    this.#state = deps.state;
    this.#metrics = deps.metrics;
    this.#log = deps.log;
    // No local nonce manager: transactions are serialised (one in flight, receipt awaited), so
    // the node's pending nonce is always right, and a send that fails before broadcast (gas
    // estimation reverting) cannot leave a nonce gap that would stall every later transaction.
    this.account = privateKeyToAccount(config.privateKey);
    const chain = defineChain({
      id: config.chainId,
      name: `chain-${config.chainId}`,
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [config.rpcUrl] } },
    });
    this.public = createPublicClient({
      chain,
      transport: http(config.rpcUrl),
      pollingInterval: 100,
      cacheTime: 0, // a stale block number would mis-time period work
    }) as PublicClient;
    this.wallet = createWalletClient({
      chain,
      transport: http(config.rpcUrl),
      account: this.account,
    });
  }

  get address(): Address {
    return this.account.address;
  }

  get periodBlocks(): bigint {
    return this.#periodBlocks;
  }

  askFor(size: number): bigint {
    return this.#price * BigInt(size);
  }

  get capacityBytes(): bigint {
    return this.#capacity;
  }

  // ------------------------------------------------------------------ contract helpers

  #read<T>(functionName: string, args: readonly unknown[] = []): Promise<T> {
    const d = this.config.deployment;
    return this.public.readContract({
      address: d.marketplace,
      abi: d.marketplaceAbi,
      functionName,
      args,
    }) as Promise<T>;
  }

  /** Simulate (to surface a decoded revert before spending gas), send under the gas cap, wait. */
  async #write(
    functionName: string,
    args: readonly unknown[],
    target: "market" | "token" = "market",
  ): Promise<Hex> {
    const d = this.config.deployment;
    const address = target === "market" ? d.marketplace : d.token;
    const abi = target === "market" ? d.marketplaceAbi : d.tokenAbi;
    const cap = parseGwei(this.config.maxGasPriceGwei);
    return this.#txQueue.run(async () => {
      const gasPrice = await this.public.getGasPrice();
      if (gasPrice > cap)
        throw new Error(
          `gas price ${gasPrice} wei is above the cap of ${this.config.maxGasPriceGwei} gwei; not sending ${functionName}`,
        );
      const { request } = await this.public.simulateContract({
        address,
        abi,
        functionName,
        args,
        account: this.account,
      });
      // State can change between estimation and inclusion (another provider's fill can make ours
      // the one that starts the deal, which costs more), so every transaction gets headroom over
      // its estimate; unused gas is not charged.
      const estimate = await this.public.estimateContractGas({
        address,
        abi,
        functionName,
        args,
        account: this.account,
      });
      const gas = estimate + estimate / 4n + 50_000n;
      const hash = await this.wallet.writeContract({ ...(request as object), gas } as never);
      this.#log.debug({ functionName, hash }, "transaction sent");
      const receipt = await this.public.waitForTransactionReceipt({ hash, timeout: 180_000 });
      this.#metrics.gasSpent({}, Number(receipt.gasUsed * receipt.effectiveGasPrice));
      if (receipt.status !== "success")
        throw new Error(`${functionName} transaction ${hash} reverted`);
      return hash;
    });
  }

  /** Send a Marketplace transaction through this node's one transaction queue (simulated first, gas cap). */
  send(functionName: string, args: readonly unknown[]): Promise<Hex> {
    return this.#write(functionName, args);
  }

  /** Read a Marketplace view. */
  read<T>(functionName: string, args: readonly unknown[] = []): Promise<T> {
    return this.#read<T>(functionName, args);
  }

  // ------------------------------------------------------------------ lifecycle

  async start(): Promise<void> {
    const chainId = await this.public.getChainId();
    if (chainId !== this.config.chainId)
      throw new Error(
        `RPC ${this.config.rpcUrl} is chain ${chainId}, the config says ${this.config.chainId}`,
      );
    this.#periodBlocks = await this.#read<bigint>("periodBlocks");
    await this.#ensureRegistered();
    await this.#reconcileUnconfirmedFills();
    this.#stopped = false;
    const loop = async () => {
      if (this.#stopped) return;
      this.#ticking = this.tick().catch((err) => {
        this.#metrics.errors({ kind: "tick" });
        this.#lastError = errInfo(err).message;
        this.#log.warn({ err: errInfo(err) }, "chain tick failed; retrying");
      });
      await this.#ticking;
      if (!this.#stopped) this.#timer = setTimeout(loop, this.config.pollIntervalMs);
    };
    this.#timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#ticking;
  }

  async #refreshProvider(): Promise<ProviderView> {
    const p = await this.#read<ProviderView>("getProvider", [this.address]);
    this.#provider = p;
    if (p.registered) {
      this.#price = p.pricePerBytePeriod;
      this.#capacity = p.capacityBytes;
    }
    return p;
  }

  async #ensureRegistered(): Promise<void> {
    const p = await this.#refreshProvider();
    if (p.registered) {
      this.#log.info(
        { address: this.address, stake: p.stake.toString(), capacity: p.capacityBytes.toString() },
        "provider registered on chain",
      );
      return;
    }
    const reg = this.config.register;
    if (!reg) {
      this.#log.warn(
        { address: this.address },
        "provider is not registered and no `register` config is set: uploads will be refused",
      );
      return;
    }
    const stake = parseUnits(reg.stake, 18);
    await this.#approve(stake);
    const hash = await this.#write("register", [
      stake,
      BigInt(reg.capacityBytes),
      BigInt(reg.pricePerBytePeriod),
      this.config.httpEndpoint,
      this.config.multiaddr,
    ]);
    await this.#refreshProvider();
    this.#log.info(
      { address: this.address, txHash: hash, stake: reg.stake },
      "registered and staked",
    );
  }

  async #approve(amount: bigint): Promise<void> {
    const d = this.config.deployment;
    const allowance = (await this.public.readContract({
      address: d.token,
      abi: d.tokenAbi,
      functionName: "allowance",
      args: [this.address, d.marketplace],
    })) as bigint;
    if (allowance >= amount) return;
    await this.#write("approve", [d.marketplace, maxUint256], "token");
  }

  /** After a crash between a mined fill and the meta update: keep the shard only if we hold the slot. */
  async #reconcileUnconfirmedFills(): Promise<void> {
    for (const meta of this.#store.list()) {
      if (meta.fillTx) continue;
      const slot = await this.#read<SlotView>("getSlot", [meta.requestId, BigInt(meta.slot)]);
      if (
        slot.provider.toLowerCase() === this.address.toLowerCase() &&
        SLOT_STATE[slot.state] === "Filled"
      ) {
        await this.#store.update(meta, { fillTx: "0x" });
        this.#log.info(
          { requestId: meta.requestId, slot: meta.slot },
          "recovered a fill that was mined before a crash",
        );
      } else {
        await this.#store.remove(meta);
        this.#log.info(
          { requestId: meta.requestId, slot: meta.slot },
          "dropped a shard whose fill never happened",
        );
      }
    }
  }

  // ------------------------------------------------------------------ upload authority

  async #requestCids(requestId: Hex): Promise<readonly string[]> {
    const cached = this.#cids.get(requestId);
    if (cached) return cached;
    const d = this.config.deployment;
    const logs = await this.public.getContractEvents({
      address: d.marketplace,
      abi: d.marketplaceAbi,
      eventName: "RequestCreated",
      args: { id: requestId },
      fromBlock: d.deployBlock,
      toBlock: "latest",
    });
    const params = (
      logs[0] as unknown as { args?: { params?: { cids?: readonly string[] } } } | undefined
    )?.args?.params;
    const cids = params?.cids ?? [];
    this.#cids.set(requestId, cids);
    return cids;
  }

  async getSlotOffer(requestId: Hex, slot: number): Promise<SlotOffer> {
    let req: RequestView;
    try {
      req = await this.#read<RequestView>("getRequest", [requestId]);
    } catch (err) {
      if (revertName(err)?.includes("UnknownRequest"))
        throw new ApiError(
          "UNKNOWN_REQUEST",
          `request ${requestId} does not exist on chain ${this.config.chainId}`,
        );
      throw new ApiError(
        "CHAIN_UNAVAILABLE",
        `cannot read request ${requestId} from the chain: ${(err as Error).message.split("\n")[0]}`,
        { cause: err },
      );
    }
    const state = REQUEST_STATE[req.state];
    if (state === "None")
      throw new ApiError(
        "UNKNOWN_REQUEST",
        `request ${requestId} does not exist on chain ${this.config.chainId}`,
      );
    if (state === "Cancelled" || state === "Failed")
      throw new ApiError("REQUEST_NOT_OPEN", `request ${requestId} is ${state.toLowerCase()}`);
    const n = req.k + req.m;
    if (slot >= n)
      throw new ApiError(
        "SLOT_OUT_OF_RANGE",
        `request ${requestId} has ${n} slots (0…${n - 1}); slot ${slot} does not exist`,
      );
    if (!this.#provider?.registered)
      throw new ApiError(
        "CHAIN_UNAVAILABLE",
        "this provider is not registered on chain; it accepts no uploads",
      );
    if (state === "Started") {
      const period = await this.#currentPeriod();
      if (BigInt(req.endPeriod) <= period)
        throw new ApiError(
          "REQUEST_NOT_OPEN",
          `request ${requestId} ended at period ${req.endPeriod}`,
        );
    }
    const s = await this.#read<SlotView>("getSlot", [requestId, BigInt(slot)]);
    const slotState = SLOT_STATE[s.state];
    if (slotState === "Filled" || slotState === "Closed")
      throw new ApiError(
        "SLOT_TAKEN",
        `slot ${slot} of ${requestId} is ${slotState.toLowerCase()}; choose another slot or provider`,
      );
    if (this.#store.list().some((m) => m.requestId === requestId.toLowerCase())) {
      throw new ApiError(
        "ALREADY_HOLDING",
        `this provider already holds a slot of ${requestId}; a provider may hold only one`,
      );
    }
    const cids = await this.#requestCids(requestId);
    const cid = cids[slot];
    if (!cid)
      throw new ApiError(
        "UNKNOWN_REQUEST",
        `request ${requestId} published no CID for slot ${slot}; this provider only stores content-addressed shards`,
      );
    return {
      requestId,
      slot,
      shardSize: Number(req.shardSize),
      root: req.roots[slot]!,
      cid,
      pricePerSlotPeriod: req.pricePerSlotPeriod,
      collateralPerSlot: req.collateralPerSlot,
    };
  }

  async fill(meta: ShardMeta, offer: SlotOffer): Promise<Hex> {
    try {
      await this.#approve(offer.collateralPerSlot);
      // proofBlock: the block before the latest (an eth_call may run in the latest block's
      // context, where blockhash(latest) is 0); the fill is mined within 256 blocks of it.
      const head = await this.public.getBlockNumber();
      const block = await this.public.getBlock({ blockNumber: head > 0n ? head - 1n : 0n });
      const nLeaves = leafCount(meta.size);
      const leaf = Number(
        BigInt(
          keccak256(
            encodeAbiParameters(
              [{ type: "bytes32" }, { type: "bytes32" }, { type: "uint256" }],
              [block.hash!, meta.requestId, BigInt(meta.slot)],
            ),
          ),
        ) % BigInt(nLeaves),
      );
      const proof = await this.#store.prove(meta, leaf);
      if (!verifyProof(Buffer.from(meta.root.slice(2), "hex"), nLeaves, leaf, proof))
        throw new Error("local proof does not verify; shard store is corrupt");
      const hash = await this.#write("fillSlot", [
        meta.requestId,
        BigInt(meta.slot),
        block.number!,
        `0x${Buffer.from(proof).toString("hex")}`,
      ]);
      await this.#refreshProvider().catch(() => {});
      return hash;
    } catch (err) {
      const name = revertName(err);
      if (name === undefined) {
        // not a revert (timeout, RPC hiccup after sending): the fill may have been mined anyway,
        // and a slot we hold must never lose its shard
        const slot = await this.#read<SlotView>("getSlot", [
          meta.requestId,
          BigInt(meta.slot),
        ]).catch(() => undefined);
        if (
          slot &&
          SLOT_STATE[slot.state] === "Filled" &&
          slot.provider.toLowerCase() === this.address.toLowerCase()
        ) {
          this.#log.warn(
            { err: errInfo(err), requestId: meta.requestId, slot: meta.slot },
            "fill confirmed on chain after an error",
          );
          return "0x";
        }
      }
      if (name?.includes("SlotNotFillable"))
        throw new ApiError(
          "SLOT_TAKEN",
          `slot ${meta.slot} of ${meta.requestId} was filled by someone else`,
          { cause: err },
        );
      if (name?.includes("AlreadyHoldsSlot"))
        throw new ApiError(
          "ALREADY_HOLDING",
          `this provider already holds a slot of ${meta.requestId}`,
          { cause: err },
        );
      if (name?.includes("PriceBelowAsk"))
        throw new ApiError(
          "PRICE_BELOW_ASK",
          `the request pays less than this provider's on-chain ask`,
          { cause: err },
        );
      if (name?.includes("Capacity"))
        throw new ApiError("NO_CAPACITY", `the registry says this provider has no free capacity`, {
          cause: err,
        });
      throw new ApiError(
        "FILL_FAILED",
        `fillSlot failed${name ? ` (${name})` : ""}: ${(err as Error).message.split("\n")[0]}`,
        { cause: err },
      );
    }
  }

  // ------------------------------------------------------------------ loop

  async #currentPeriod(): Promise<bigint> {
    const block = await this.public.getBlockNumber();
    return block / this.#periodBlocks;
  }

  async tick(): Promise<void> {
    const head = await this.public.getBlockNumber();
    await this.#processEvents(head);
    if (!this.#provider?.registered) return;
    const period = head / this.#periodBlocks;
    await this.#prove(period, head);
    await this.#releaseEnded(period);
    if (
      this.config.withdrawEveryPeriods > 0 &&
      Number(period) - this.#state.value.lastWithdrawPeriod >= this.config.withdrawEveryPeriods
    ) {
      await this.withdraw().catch((err) =>
        this.#log.warn({ err: errInfo(err) }, "scheduled withdraw failed"),
      );
      await this.#state.update({ lastWithdrawPeriod: Number(period) });
    }
  }

  #mine(
    meta: { requestId: string; slot: number } | undefined,
    slot?: bigint,
    id?: Hex,
  ): ShardMeta | undefined {
    if (meta) return this.#store.get({ requestId: meta.requestId as Hex, slot: meta.slot });
    if (id === undefined || slot === undefined) return undefined;
    return this.#store.get({ requestId: id, slot: Number(slot) });
  }

  async #processEvents(head: bigint): Promise<void> {
    const d = this.config.deployment;
    let from = BigInt(this.#state.value.lastBlock) + 1n;
    if (from <= d.deployBlock) from = d.deployBlock;
    while (from <= head) {
      const to = from + LOG_RANGE - 1n < head ? from + LOG_RANGE - 1n : head;
      const logs = await this.public.getContractEvents({
        address: d.marketplace,
        abi: d.marketplaceAbi,
        fromBlock: from,
        toBlock: to,
      });
      for (const log of logs as unknown as { eventName: string; args: Record<string, unknown> }[]) {
        await this.#onEvent(log.eventName, log.args);
      }
      await this.#state.update({ lastBlock: to.toString() });
      from = to + 1n;
    }
  }

  async #onEvent(name: string, args: Record<string, unknown>): Promise<void> {
    const me = this.address.toLowerCase();
    const id = args.id as Hex | undefined;
    switch (name) {
      case "RequestCreated": {
        const params = args.params as { cids?: readonly string[] } | undefined;
        if (id && params?.cids) this.#cids.set(id, params.cids);
        return;
      }
      case "SlotFreed": {
        if ((args.provider as string).toLowerCase() !== me) return;
        const meta = this.#mine(undefined, args.slot as bigint, id);
        if (meta) {
          this.#log.warn(
            { requestId: id, slot: meta.slot },
            "our slot was freed; deleting the shard",
          );
          await this.#store.remove(meta);
        }
        return;
      }
      case "RequestCancelled":
      case "RequestFailed": {
        for (const meta of this.#store.list().filter((m) => m.requestId === id?.toLowerCase())) {
          await this.#write("claimSlot", [meta.requestId, BigInt(meta.slot)]).catch((err) =>
            this.#log.warn({ err: errInfo(err) }, "claimSlot failed"),
          );
          await this.#store.remove(meta);
          this.#log.info({ requestId: id, slot: meta.slot, reason: name }, "released slot");
        }
        return;
      }
      case "RequestStarted": {
        const endPeriod = Number(args.endPeriod as bigint);
        for (const m of this.#store.list().filter((x) => x.requestId === id?.toLowerCase())) {
          await this.#store.update(m, { endPeriod });
        }
        return;
      }
      case "SlotChallenged": {
        if ((args.provider as string).toLowerCase() !== me) return;
        await this.#answerChallenge(
          args.challengeId as bigint,
          id!,
          args.slot as bigint,
          args.leaf as bigint,
        );
        return;
      }
      default:
        return;
    }
  }

  async #answerChallenge(challengeId: bigint, id: Hex, slot: bigint, leaf: bigint): Promise<void> {
    const key = challengeId.toString();
    if (this.#state.value.answeredChallenges.includes(key)) return;
    const meta = this.#mine(undefined, slot, id);
    if (!meta) {
      this.#log.error(
        { challengeId: key, requestId: id, slot: Number(slot) },
        "targeted challenge on a slot we do not store",
      );
      return;
    }
    const c = await this.#read<{ status: number; deadlineBlock: bigint }>("getChallenge", [
      challengeId,
    ]);
    if (c.status !== 1) {
      await this.#state.update({
        answeredChallenges: [...this.#state.value.answeredChallenges, key],
      });
      return;
    }
    const proof = await this.#store.prove(meta, Number(leaf));
    if (
      !verifyProof(
        Buffer.from(meta.root.slice(2), "hex"),
        leafCount(meta.size),
        Number(leaf),
        proof,
      )
    ) {
      // the stored bytes no longer match the commitment: do not spend gas on a reverting answer
      this.#metrics.errors({ kind: "damaged_shard" });
      this.#log.error(
        { challengeId: key, requestId: id, slot: Number(slot), leaf: Number(leaf) },
        "cannot answer targeted challenge: the stored shard is damaged at the challenged leaf",
      );
      await this.#state.update({
        answeredChallenges: [...this.#state.value.answeredChallenges, key].slice(-1000),
      });
      return;
    }
    const hash = await this.#write("answerChallenge", [
      challengeId,
      `0x${Buffer.from(proof).toString("hex")}`,
    ]);
    this.#metrics.challengesAnswered();
    await this.#state.update({
      answeredChallenges: [...this.#state.value.answeredChallenges, key].slice(-1000),
    });
    this.#log.info(
      { challengeId: key, requestId: id, slot: Number(slot), txHash: hash },
      "answered targeted challenge",
    );
  }

  /** Build the packed proofs for `period` (exported for the benchmark). */
  async buildProofs(challenges: readonly ChallengeView[]): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    for (const c of challenges) {
      const meta = this.#store.get({ requestId: c.id, slot: Number(c.slot) });
      if (!meta)
        throw new Error(`challenged on slot ${c.slot} of ${c.id}, which this node does not store`);
      const proof = await this.#store.prove(meta, Number(c.leaf));
      if (
        !verifyProof(Buffer.from(c.root.slice(2), "hex"), Number(c.nLeaves), Number(c.leaf), proof)
      ) {
        throw new Error(
          `proof for slot ${c.slot} of ${c.id} leaf ${c.leaf} does not verify: the stored shard is damaged`,
        );
      }
      parts.push(proof);
    }
    return Buffer.concat(parts);
  }

  async #prove(period: bigint, head: bigint): Promise<void> {
    const st = this.#state.value;
    if (st.lastProvenPeriod >= Number(period)) return;
    const provider = await this.#refreshProvider();
    if (provider.units === 0n) return;
    if (st.lastProvenPeriod >= 0 && Number(period) > st.lastProvenPeriod + 1 && st.lastProof) {
      // periods between the last proof and now that we did not prove (node was down)
      const proven = await this.#read<boolean>("isProven", [this.address, period - 1n]).catch(
        () => true,
      );
      if (!proven) this.#metrics.proofsMissed();
    }
    const start = period * this.#periodBlocks;
    if (head === start + this.#periodBlocks - 1n) {
      // the next transaction is mined in the next period: too late for this one
      if (this.#lateWarned !== period) {
        this.#lateWarned = period;
        this.#log.warn(
          { period: Number(period) },
          "period ends with this block; cannot prove it in time",
        );
      }
      return;
    }
    const seed = await this.#read<Hex>("seedOf", [period]);
    if (BigInt(seed) === 0n) {
      if (head - start >= 256n) return; // seed can no longer be recorded: the period is void
      await this.#write("recordSeed", [period]).catch((err) => {
        if (!revertName(err)?.includes("Seed")) throw err; // someone else recorded it first
      });
    }
    if (await this.#read<boolean>("isProven", [this.address, period])) {
      await this.#state.update({ lastProvenPeriod: Number(period) });
      return;
    }
    const challenges = await this.#read<readonly ChallengeView[]>("challengesFor", [
      this.address,
      period,
    ]);
    this.#log.debug(
      { period: Number(period), head: Number(head), challenges: challenges.length },
      "proving period",
    );
    if (challenges.length === 0) return;
    const t0 = performance.now();
    const proofs = await this.buildProofs(challenges);
    const buildMs = performance.now() - t0;
    const hash = await this.#write("submitProofs", [
      period,
      `0x${Buffer.from(proofs).toString("hex")}`,
    ]);
    this.#metrics.proofsSubmitted();
    await this.#state.update({
      lastProvenPeriod: Number(period),
      lastProof: { period: Number(period), txHash: hash },
    });
    this.#log.info(
      {
        period: Number(period),
        challenges: challenges.length,
        buildMs: Math.round(buildMs),
        txHash: hash,
      },
      "period proven",
    );
  }

  async #releaseEnded(period: bigint): Promise<void> {
    const byRequest = new Map<string, ShardMeta[]>();
    for (const m of this.#store.list())
      if (m.fillTx) byRequest.set(m.requestId, [...(byRequest.get(m.requestId) ?? []), m]);
    for (const [requestId, metas] of byRequest) {
      const meta = metas[0]!;
      let endPeriod = meta.endPeriod;
      if (endPeriod === undefined) {
        // normally set from RequestStarted; look it up at most once per period otherwise
        if (this.#startChecked.get(requestId) === period) continue;
        this.#startChecked.set(requestId, period);
        const req = await this.#read<RequestView>("getRequest", [requestId]);
        if (REQUEST_STATE[req.state] !== "Started") continue;
        endPeriod = req.endPeriod;
        for (const m of metas) await this.#store.update(m, { endPeriod });
      }
      if (period < BigInt(endPeriod)) continue;
      for (const m of metas) {
        await this.#write("claimSlot", [m.requestId, BigInt(m.slot)]).catch((err) =>
          this.#log.warn({ err: errInfo(err) }, "claimSlot at deal end failed"),
        );
        await this.#store.remove(m);
        this.#log.info(
          { requestId, slot: m.slot, endPeriod },
          "deal ended; collateral claimed and space released",
        );
      }
    }
  }

  // ------------------------------------------------------------------ commands

  /** Claim every held slot's earned periods, then withdraw the pull balance. */
  async withdraw(): Promise<{ amount: bigint; txHash?: Hex }> {
    for (const m of this.#store.list()) {
      if (!m.fillTx) continue;
      await this.#write("claimSlot", [m.requestId, BigInt(m.slot)]).catch((err) =>
        this.#log.debug({ err: errInfo(err) }, "claimSlot skipped"),
      );
    }
    const amount = await this.#read<bigint>("balanceOf", [this.address]);
    if (amount === 0n) return { amount };
    const txHash = await this.#write("withdraw", []);
    await this.#state.update({
      withdrawn: (BigInt(this.#state.value.withdrawn) + amount).toString(),
    });
    this.#log.info({ amount: amount.toString(), txHash }, "earnings withdrawn");
    return { amount, txHash };
  }

  async requestUnstake(amount?: bigint): Promise<Hex> {
    const p = await this.#refreshProvider();
    return this.#write("requestUnstake", [amount ?? p.stake]);
  }

  async withdrawStake(): Promise<Hex> {
    return this.#write("withdrawStake", []);
  }

  async status(): Promise<Record<string, unknown>> {
    const p = this.#provider;
    const balance = await this.#read<bigint>("balanceOf", [this.address]).catch(() => undefined);
    return {
      address: this.address,
      chainId: this.config.chainId,
      registered: p?.registered ?? false,
      stake: p?.stake.toString(),
      pricePerBytePeriod: p?.pricePerBytePeriod.toString(),
      onChain: p
        ? {
            capacityBytes: p.capacityBytes.toString(),
            usedBytes: p.usedBytes.toString(),
            activeSlots: p.activeSlots,
          }
        : undefined,
      lastProof: this.#state.value.lastProof,
      lastProcessedBlock: Number(this.#state.value.lastBlock),
      earnings: { withdrawable: balance?.toString(), withdrawn: this.#state.value.withdrawn },
      lastError: this.#lastError,
    };
  }
}

export const INITIAL_CHAIN_STATE: ChainState = {
  lastBlock: "-1",
  lastProvenPeriod: -1,
  lastProof: null,
  answeredChallenges: [],
  lastWithdrawPeriod: 0,
  withdrawn: "0",
};
