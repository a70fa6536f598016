/** Chain-side types shared by the actions (mirrors contracts/types/, docs/contracts-api.md). */
import type { Address, Hex } from "viem";

export type RequestId = Hex;

export const REQUEST_STATES = ["none", "open", "started", "cancelled", "failed"] as const;
export type RequestState = (typeof REQUEST_STATES)[number];
export const SLOT_STATES = ["empty", "filled", "freed", "closed"] as const;
export type SlotState = (typeof SLOT_STATES)[number];

export type RequestInfo = {
  id: RequestId;
  client: Address;
  state: RequestState;
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
  protocolFeeBps: number;
  slashBps: number;
  reporterRewardBps: number;
  repairBountyBps: number;
  maxMisses: number;
  roots: readonly Hex[];
};

export type SlotInfo = {
  state: SlotState;
  provider: Address;
  settledUntil: number;
  misses: number;
  collateral: bigint;
  bounty: bigint;
};

export type ProviderInfo = {
  address: Address;
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
  units: bigint;
};
