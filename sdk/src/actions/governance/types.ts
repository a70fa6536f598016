/** Governance types shared by the governance actions (docs/governance.md). */
import type { Address, ContractFunctionArgs, Hash, Hex } from "viem";
import type { marketplaceAbi } from "../../generated/abis.ts";

/** IGovernor.ProposalState, in enum order. */
export const PROPOSAL_STATES = [
  "pending",
  "active",
  "canceled",
  "defeated",
  "succeeded",
  "queued",
  "expired",
  "executed",
] as const;
export type ProposalStateName = (typeof PROPOSAL_STATES)[number];

/** GovernorCountingSimple.VoteType: against 0, for 1, abstain 2. */
export const VOTE_SUPPORT = { against: 0, for: 1, abstain: 2 } as const;
export type VoteSupportName = keyof typeof VOTE_SUPPORT;
export type VoteSupport = VoteSupportName | 0 | 1 | 2;

/** The Marketplace `Params` struct as viem reads it (`params()`) and writes it (`setParams`). */
export type MarketParams = ContractFunctionArgs<
  typeof marketplaceAbi,
  "nonpayable",
  "setParams"
>[0];
export type MarketParamName = keyof MarketParams;

/** One call of a proposal, as sent by the Timelock. */
export type ProposalAction = {
  target: Address;
  value: bigint;
  calldata: Hex;
  /** Readable form, e.g. `Marketplace.setParams(protocolFeeBps: 100 → 250)`. */
  summary: string;
};

/** A proposal as listed: what it does, where it stands, the tallies and its times (unix seconds). */
export type ProposalInfo = {
  id: bigint;
  proposer: Address;
  state: ProposalStateName;
  /** First line of the description (without a leading `#`). */
  title: string;
  description: string;
  targets: readonly Address[];
  values: readonly bigint[];
  calldatas: readonly Hex[];
  actions: ProposalAction[];
  votes: { for: bigint; against: bigint; abstain: bigint };
  /** Votes needed (for + abstain) — known once the snapshot is in the past. */
  quorum: bigint | undefined;
  /** Voting opens after this time (the vote snapshot). */
  snapshot: bigint;
  /** Voting closes at this time (inclusive). */
  deadline: bigint;
  /** Executable from this time (set when queued). */
  eta: bigint | undefined;
  /** Not executable after this time (eta + the Timelock's grace period). */
  expiry: bigint | undefined;
  /** Whether `account` (the parameter, else the wallet's account) voted; undefined without one. */
  hasVoted: boolean | undefined;
  createdBlock: bigint;
  createdTxHash: Hash;
  /** The chain's clock when this was read. */
  now: bigint;
};
