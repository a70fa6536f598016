/**
 * Helpers for the governance tests: deploy through the real Ignition modules, move tokens to
 * voters, and walk a proposal through propose → vote → queue → execute.
 * (No tests in this file; Hardhat's node:test runner loads it and finds none.)
 */
import assert from "node:assert/strict";
import type { Address, Hex } from "viem";
import { encodeFunctionData, keccak256, toBytes } from "viem";
import type { network } from "hardhat";
import GovernanceModule from "../../../ignition/modules/Governance.ts";

export type Connection = Awaited<ReturnType<typeof network.create>>;

/** Governor.ProposalState, in enum order. */
export const ProposalState = {
  Pending: 0,
  Active: 1,
  Canceled: 2,
  Defeated: 3,
  Succeeded: 4,
  Queued: 5,
  Expired: 6,
  Executed: 7,
} as const;

/** GovernorCountingSimple.VoteType. */
export const Vote = { Against: 0, For: 1, Abstain: 2 } as const;

export const TOKEN = 10n ** 18n;

/** The bitmap OpenZeppelin puts in GovernorUnexpectedProposalState / TimelockUnexpectedOperationState. */
export function stateBitmap(...states: number[]): Hex {
  let bits = 0n;
  for (const s of states) bits |= 1n << BigInt(s);
  return `0x${bits.toString(16).padStart(64, "0")}`;
}

export async function deployGovernance(
  connection: Connection,
  parameters: Record<string, unknown> = {},
) {
  const { token, timelock, governor } = await connection.ignition.deploy(GovernanceModule, {
    parameters: { TesseraGovernance: parameters } as never,
  });
  return { token, timelock, governor };
}

export type Governance = Awaited<ReturnType<typeof deployGovernance>>;

export type Proposal = {
  targets: Address[];
  values: bigint[];
  calldatas: Hex[];
  description: string;
};

export function descriptionHash(description: string): Hex {
  return keccak256(toBytes(description));
}

export async function proposalIdOf(gov: Governance, p: Proposal): Promise<bigint> {
  return await gov.governor.read.hashProposal([
    p.targets,
    p.values,
    p.calldatas,
    descriptionHash(p.description),
  ]);
}

/** Contracts bound to one account's wallet. */
export async function as(connection: Connection, gov: Governance, account: Address) {
  const client = { wallet: await connection.viem.getWalletClient(account) };
  return {
    token: await connection.viem.getContractAt("TesseraToken", gov.token.address, { client }),
    governor: await connection.viem.getContractAt("TesseraGovernor", gov.governor.address, {
      client,
    }),
    timelock: await connection.viem.getContractAt("TesseraTimelock", gov.timelock.address, {
      client,
    }),
  };
}

/** Give each `[account, amount]` tokens from the deployer and self-delegate them. */
export async function makeVoters(
  connection: Connection,
  gov: Governance,
  voters: Array<[Address, bigint]>,
) {
  for (const [account, amount] of voters) {
    await gov.token.write.transfer([account, amount]);
    const { token } = await as(connection, gov, account);
    await token.write.delegate([account]);
  }
  await connection.networkHelpers.mine(); // checkpoints must be in the past to count
}

export async function propose(
  connection: Connection,
  gov: Governance,
  proposer: Address,
  p: Proposal,
) {
  const { governor } = await as(connection, gov, proposer);
  await governor.write.propose([p.targets, p.values, p.calldatas, p.description]);
  const id = await proposalIdOf(gov, p);
  assert.equal(await gov.governor.read.state([id]), ProposalState.Pending);
  return id;
}

export async function startVoting(connection: Connection, gov: Governance) {
  await connection.networkHelpers.time.increase((await gov.governor.read.votingDelay()) + 1n);
}

export async function endVoting(connection: Connection, gov: Governance) {
  await connection.networkHelpers.time.increase((await gov.governor.read.votingPeriod()) + 1n);
}

export async function castVotes(
  connection: Connection,
  gov: Governance,
  id: bigint,
  votes: Array<[Address, number, string?]>,
) {
  for (const [voter, support, reason] of votes) {
    const { governor } = await as(connection, gov, voter);
    if (reason === undefined) await governor.write.castVote([id, support]);
    else await governor.write.castVoteWithReason([id, support, reason]);
  }
}

export function tokenTransferCall(gov: Governance, to: Address, amount: bigint): Hex {
  return encodeFunctionData({ abi: gov.token.abi, functionName: "transfer", args: [to, amount] });
}
