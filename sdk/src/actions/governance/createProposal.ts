/**
 * Submit a proposal (any calls, run by the Timelock if it passes). Checks first that the wallet
 * has the delegated votes `proposalThreshold()` asks for, so the answer to "not enough votes" says
 * what to do. proposeParameterChange and proposeTreasurySpend build their calls and use this.
 */
import { decodeEventLog, getAddress, type Address, type Hash, type Hex } from "viem";
import { tesseraGovernorAbi, tesseraTokenAbi } from "../../generated/abis.ts";
import { requireWallet, type TesseraClient } from "../../client/createTesseraClient.ts";
import type { ChainError, ContractRevertError, WalletRequiredError } from "../../errors/chain.ts";
import { readOrThrow, writeAndWait, type WriteOptions } from "../internal/write.ts";
import {
  GovernanceError,
  ProposalStateError,
  ProposalThresholdError,
  type GovernanceNotDeployedError,
} from "./errors.ts";
import { governanceAddresses, governanceError, readGovernor, revertOf } from "./internal.ts";
import { PROPOSAL_STATES } from "./types.ts";

export type CreateProposalParameters = {
  targets: readonly Address[];
  values: readonly bigint[];
  calldatas: readonly Hex[];
  /** Markdown; its first line is the title. Part of the proposal id. */
  description: string;
};
export type CreateProposalReturnType = {
  proposalId: bigint;
  txHash: Hash;
  description: string;
  targets: readonly Address[];
  values: readonly bigint[];
  calldatas: readonly Hex[];
  /** Voting opens after this time (the snapshot), unix seconds. */
  voteStart: bigint;
  /** Voting closes at this time. */
  voteEnd: bigint;
};
export type CreateProposalErrorType =
  | ProposalThresholdError
  | ProposalStateError
  | GovernanceNotDeployedError
  | ContractRevertError
  | ChainError
  | WalletRequiredError;

export async function createProposal(
  client: TesseraClient,
  parameters: CreateProposalParameters,
  options: WriteOptions = {},
): Promise<CreateProposalReturnType> {
  const { address } = requireWallet(client, "propose");
  const { governor } = governanceAddresses(client);
  const { targets, values, calldatas, description } = parameters;
  if (
    targets.length === 0 ||
    targets.length !== values.length ||
    targets.length !== calldatas.length
  )
    throw new GovernanceError(
      `A proposal needs at least one call and as many targets, values and calldatas (got ${targets.length}, ${values.length}, ${calldatas.length}).`,
    );
  if (description.trim() === "")
    throw new GovernanceError("A proposal needs a description: say what it changes and why.");

  // The Governor counts the proposer's votes at clock() - 1.
  const clock = BigInt((await readGovernor(client, "clock")) as number | bigint);
  const [votes, threshold, balance, delegatee] = await Promise.all([
    readGovernor(client, "getVotes", [address, clock - 1n]) as Promise<bigint>,
    readGovernor(client, "proposalThreshold") as Promise<bigint>,
    readOrThrow("balanceOf", () =>
      client.publicClient.readContract({
        address: client.addresses.TesseraToken,
        abi: tesseraTokenAbi,
        functionName: "balanceOf",
        args: [address],
      }),
    ),
    readOrThrow("delegates", () =>
      client.publicClient.readContract({
        address: client.addresses.TesseraToken,
        abi: tesseraTokenAbi,
        functionName: "delegates",
        args: [address],
      }),
    ),
  ]);
  if (votes < threshold)
    throw new ProposalThresholdError({
      proposer: address,
      votes,
      threshold,
      undelegated: delegatee.toLowerCase() === address.toLowerCase() ? 0n : balance,
    });

  let sent: Awaited<ReturnType<typeof writeAndWait>>;
  try {
    sent = await writeAndWait(
      client,
      {
        address: governor,
        abi: tesseraGovernorAbi,
        functionName: "propose",
        args: [targets.map((t) => getAddress(t)), [...values], [...calldatas], description],
      },
      options,
    );
  } catch (e) {
    const r = revertOf(e);
    if (r?.name === "GovernorUnexpectedProposalState") {
      const state = PROPOSAL_STATES[Number(r.args[1])] ?? String(r.args[1]);
      throw new ProposalStateError(
        `An identical proposal (same calls and description) already exists: ${String(r.args[0])}, ${state}. Change the description to propose it again.`,
        state,
        e,
      );
    }
    throw governanceError(e, "propose");
  }
  for (const log of sent.receipt.logs) {
    if (log.address.toLowerCase() !== governor.toLowerCase()) continue;
    try {
      const ev = decodeEventLog({ abi: tesseraGovernorAbi, data: log.data, topics: log.topics });
      if (ev.eventName === "ProposalCreated")
        return {
          proposalId: ev.args.proposalId,
          txHash: sent.hash,
          description,
          targets,
          values,
          calldatas,
          voteStart: ev.args.voteStart,
          voteEnd: ev.args.voteEnd,
        };
    } catch {
      /* another event */
    }
  }
  throw new GovernanceError(
    `propose (${sent.hash}) was mined but emitted no ProposalCreated event.`,
  );
}
