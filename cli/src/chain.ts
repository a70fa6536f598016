/**
 * Access to the deployed contracts for the commands. Providers, requests, slots and a request's
 * CIDs come from the sdk's actions (sdk/src/actions); writes go through the sdk's actions in the
 * commands themselves. `read` is for the few view functions the sdk has no action for; it uses
 * the ABIs from deployments/<chainId>/abis/ (written by the deploy script).
 */
import type { Abi, Address, Hex } from "viem";
import { listProviders as sdkListProviders } from "@tessera/sdk/actions/listProviders";
import { getRequest as sdkGetRequest } from "@tessera/sdk/actions/getRequest";
import { getSlot as sdkGetSlot } from "@tessera/sdk/actions/getSlot";
import { getRequestCreated } from "@tessera/sdk/actions/getRequestCreated";
import { getMarketInfo, type GetMarketInfoReturnType } from "@tessera/sdk/actions/getMarketInfo";
import { getProvider } from "@tessera/sdk/actions/getProvider";
import { REQUEST_STATES, SLOT_STATES, type ProviderInfo, type RequestInfo, type SlotInfo } from "@tessera/sdk/actions/types";
import type { Context } from "./context.ts";

export { REQUEST_STATES, SLOT_STATES };

/** A provider as the marketplace holds it (the sdk's ProviderInfo). */
export type ProviderView = Omit<ProviderInfo, "address" | "units"> & { units?: bigint };

/** A request as the marketplace holds it; `state` is an index into REQUEST_STATES. */
export type RequestView = Omit<RequestInfo, "id" | "state"> & { state: number };

/** `state` is an index into SLOT_STATES. */
export type SlotView = Omit<SlotInfo, "state"> & { state: number };

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

  /** Every provider that ever registered (registered or not), in registration order. */
  async listProviders(): Promise<Array<ProviderView & { address: Address }>> {
    const { providers } = await sdkListProviders(await this.ctx.readClient(), { onlyRegistered: false, limit: Number.MAX_SAFE_INTEGER });
    return providers;
  }

  async getRequest(id: Hex): Promise<RequestView> {
    const { id: _id, state, ...view } = await sdkGetRequest(await this.ctx.readClient(), { requestId: id });
    return { ...view, state: REQUEST_STATES.indexOf(state) };
  }

  async getSlot(id: Hex, slot: number): Promise<SlotView> {
    const { state, ...view } = await sdkGetSlot(await this.ctx.readClient(), { requestId: id, slot });
    return { ...view, state: SLOT_STATES.indexOf(state) };
  }

  /** Protocol parameters, period length and the current period (sdk getMarketInfo). */
  async marketInfo(): Promise<GetMarketInfoReturnType> {
    return getMarketInfo(await this.ctx.readClient());
  }

  async currentPeriod(): Promise<bigint> {
    return (await this.marketInfo()).currentPeriod;
  }

  async getProvider(address: Address): Promise<ProviderView & { address: Address }> {
    return getProvider(await this.ctx.readClient(), { provider: address });
  }

  /** The shard CIDs a request published in its RequestCreated event. */
  async requestCids(id: Hex): Promise<readonly string[]> {
    return (await getRequestCreated(await this.ctx.readClient(), { requestId: id })).cids;
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
