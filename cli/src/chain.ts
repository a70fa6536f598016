/**
 * Thin typed-enough access to the deployed contracts for commands that only read the chain
 * (providers, deals, balance). ABIs come from deployments/<chainId>/abis/ (written by the
 * deploy script), so the CLI works against whatever is deployed on the chain it talks to.
 */
import type { Abi, Address, Hex, TransactionReceipt } from "viem";
import type { Context } from "./context.ts";

export type ProviderView = {
  registered: boolean;
  stake: bigint;
  unbonding: bigint;
  unbondingReadyAt: bigint;
  capacityBytes: bigint;
  usedBytes: bigint;
  pricePerBytePeriod: bigint;
  httpEndpoint: string;
  multiaddr: string;
  slotsFilled: number;
  proofsSubmitted: number;
  proofsMissed: number;
  slashes: number;
  repairs: number;
  consecutiveMisses: number;
  activeSlots: number;
};

export const REQUEST_STATES = ["none", "open", "started", "cancelled", "failed"] as const;
export const SLOT_STATES = ["empty", "filled", "freed", "closed"] as const;

export type RequestView = {
  client: Address;
  state: number;
  k: number;
  m: number;
  filled: number;
  freed: number;
  shardSize: bigint;
  nLeaves: number;
  durationPeriods: number;
  startPeriod: number;
  endPeriod: number;
  fillDeadline: bigint;
  pricePerSlotPeriod: bigint;
  collateralPerSlot: bigint;
  escrow: bigint;
  roots: readonly Hex[];
};

export type SlotView = { state: number; provider: Address; settledUntil: number; misses: number; collateral: bigint; bounty: bigint };

export class Contracts {
  readonly ctx: Context;
  constructor(ctx: Context) {
    this.ctx = ctx;
  }

  async read<T>(name: "TesseraToken" | "Marketplace" | "FileIndex", functionName: string, args: readonly unknown[] = []): Promise<T> {
    const deployment = await this.ctx.deployment();
    const abi: Abi = await this.ctx.abi(name);
    return (await this.ctx.publicClient.readContract({ address: deployment[name], abi, functionName, args })) as T;
  }

  /** Sends a transaction from the configured account and waits for it; throws if it reverts. */
  async write(
    name: "TesseraToken" | "Marketplace" | "FileIndex",
    functionName: string,
    args: readonly unknown[] = [],
  ): Promise<{ txHash: Hex; receipt: TransactionReceipt }> {
    const deployment = await this.ctx.deployment();
    const abi: Abi = await this.ctx.abi(name);
    const wallet = await this.ctx.walletClient();
    const txHash = await wallet.writeContract({
      address: deployment[name],
      abi,
      functionName,
      args,
      account: wallet.account,
      chain: null,
    });
    const receipt = await this.ctx.publicClient.waitForTransactionReceipt({ hash: txHash, pollingInterval: 200 });
    if (receipt.status !== "success") throw new Error(`${name}.${functionName} reverted (${txHash})`);
    return { txHash, receipt };
  }

  async listProviders(): Promise<Array<ProviderView & { address: Address }>> {
    const count = await this.read<bigint>("Marketplace", "providerCount");
    const addresses = await Promise.all(
      Array.from({ length: Number(count) }, (_, i) => this.read<Address>("Marketplace", "providerAt", [BigInt(i)])),
    );
    const views = await Promise.all(addresses.map((a) => this.read<ProviderView>("Marketplace", "getProvider", [a])));
    return views.map((v, i) => ({ ...v, address: addresses[i]! }));
  }

  getRequest(id: Hex): Promise<RequestView> {
    return this.read<RequestView>("Marketplace", "getRequest", [id]);
  }

  getSlot(id: Hex, slot: number): Promise<SlotView> {
    return this.read<SlotView>("Marketplace", "getSlot", [id, BigInt(slot)]);
  }

  /** The shard CIDs a request published in its RequestCreated event. */
  async requestCids(id: Hex): Promise<readonly string[]> {
    const deployment = await this.ctx.deployment();
    const abi = await this.ctx.abi("Marketplace");
    const logs = await this.ctx.publicClient.getContractEvents({
      address: deployment.Marketplace,
      abi,
      eventName: "RequestCreated",
      args: { id },
      fromBlock: BigInt(deployment.deployBlock ?? 0),
    });
    const args = (logs[0] as unknown as { args: { params: { cids: readonly string[] } } } | undefined)?.args;
    if (!args) throw new Error(`No RequestCreated event for ${id}`);
    return args.params.cids;
  }

  /** Requests created by `client` (from RequestCreated events since the deploy block). */
  async requestsOf(client: Address): Promise<Array<{ id: Hex; blockNumber: bigint; cids: readonly string[] }>> {
    const deployment = await this.ctx.deployment();
    const abi = await this.ctx.abi("Marketplace");
    const logs = await this.ctx.publicClient.getContractEvents({
      address: deployment.Marketplace,
      abi,
      eventName: "RequestCreated",
      args: { client },
      fromBlock: BigInt(deployment.deployBlock ?? 0),
    });
    return logs.map((log) => {
      const args = (log as unknown as { args: { id: Hex; params: { cids: readonly string[] } } }).args;
      return { id: args.id, blockNumber: log.blockNumber ?? 0n, cids: args.params.cids };
    });
  }
}

/** Formats token wei with 18 decimals, trimming zeros: 1500000000000000000n → "1.5". */
export function formatTokens(wei: bigint, decimals = 18): string {
  const negative = wei < 0n;
  if (wei !== 0n && (negative ? -wei : wei) < 10n ** BigInt(Math.max(decimals - 6, 0))) return `${wei} wei`;
  const abs = negative ? -wei : wei;
  const unit = 10n ** BigInt(decimals);
  const whole = abs / unit;
  const frac = (abs % unit).toString().padStart(decimals, "0").replace(/0+$/, "").slice(0, 6);
  return `${negative ? "-" : ""}${whole}${frac ? `.${frac}` : ""}`;
}

export function formatBytes(n: bigint | number): string {
  let v = Number(n);
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd()).join("\n");
}
