/**
 * Vote on a proposal — for, against or abstain — optionally with a reason (recorded in the
 * VoteCast event). Checked first: voting is open, the wallet has not voted, and it had delegated
 * votes at the snapshot; each failure says when or how it could work.
 */
import type { Hash } from "viem";
import { tesseraGovernorAbi } from "../../generated/abis.ts";
import { requireWallet, type TesseraClient } from "../../client/createTesseraClient.ts";
import type { ChainError, WalletRequiredError } from "../../errors/chain.ts";
import { writeAndWait, type WriteOptions } from "../internal/write.ts";
import {
  AlreadyVotedError,
  InvalidVoteError,
  NoVotingPowerError,
  ProposalStateError,
  VotingClosedError,
  VotingNotStartedError,
  type GovernanceError,
} from "./errors.ts";
import {
  governanceAddresses,
  governanceError,
  readGovernor,
  readProposalStatus,
  revertOf,
  toProposalId,
} from "./internal.ts";
import { VOTE_SUPPORT, type VoteSupport, type VoteSupportName } from "./types.ts";

export type CastVoteParameters = {
  proposalId: bigint | string;
  /** "for" | "against" | "abstain", or 1 | 0 | 2. */
  support: VoteSupport | string;
  reason?: string;
  /** Send even if the wallet had no votes at the snapshot (the vote then counts 0). */
  allowZeroWeight?: boolean;
};
export type CastVoteReturnType = {
  txHash: Hash;
  proposalId: bigint;
  support: VoteSupportName;
  /** Votes counted: the wallet's delegated votes at the snapshot. */
  weight: bigint;
  reason: string;
};
export type CastVoteErrorType = GovernanceError | ChainError | WalletRequiredError;

/** "for" / "against" / "abstain" / "yes" / "no" / 0 / 1 / 2 → the Governor's support value. */
export function parseVoteSupport(value: VoteSupport | string): {
  support: 0 | 1 | 2;
  name: VoteSupportName;
} {
  const v = typeof value === "string" ? value.trim().toLowerCase() : value;
  const aliases: Record<string, VoteSupportName> = {
    for: "for",
    yes: "for",
    y: "for",
    "1": "for",
    against: "against",
    no: "against",
    n: "against",
    "0": "against",
    abstain: "abstain",
    "2": "abstain",
  };
  const name = aliases[String(v)];
  if (!name) throw new InvalidVoteError(value);
  return { support: VOTE_SUPPORT[name], name };
}

/** Throws the error that explains why `voter` cannot vote on `id` now; returns the vote weight. */
async function checkCanVote(
  client: TesseraClient,
  id: bigint,
  voter: `0x${string}`,
  allowZeroWeight: boolean,
): Promise<bigint> {
  const status = await readProposalStatus(client, id);
  const { now, state } = status;
  if (state === "pending") throw new VotingNotStartedError({ opensAt: status.snapshot + 1n, now });
  if (state === "canceled")
    throw new ProposalStateError("The proposal was canceled; there is nothing to vote on.", state);
  if (state !== "active") throw new VotingClosedError({ closedAt: status.deadline, now, state });
  if ((await readGovernor(client, "hasVoted", [id, voter])) as boolean)
    throw new AlreadyVotedError({ voter, proposalId: id });
  const weight = (await readGovernor(client, "getVotes", [voter, status.snapshot])) as bigint;
  if (weight === 0n && !allowZeroWeight)
    throw new NoVotingPowerError({ voter, snapshot: status.snapshot, now });
  return weight;
}

export async function castVote(
  client: TesseraClient,
  parameters: CastVoteParameters,
  options: WriteOptions = {},
): Promise<CastVoteReturnType> {
  const { address } = requireWallet(client, "castVote");
  const { governor } = governanceAddresses(client);
  const id = toProposalId(parameters.proposalId);
  const { support, name } = parseVoteSupport(parameters.support);
  const reason = parameters.reason ?? "";
  const weight = await checkCanVote(client, id, address, parameters.allowZeroWeight ?? false);
  try {
    const { hash } = await writeAndWait(
      client,
      reason
        ? {
            address: governor,
            abi: tesseraGovernorAbi,
            functionName: "castVoteWithReason",
            args: [id, support, reason],
          }
        : {
            address: governor,
            abi: tesseraGovernorAbi,
            functionName: "castVote",
            args: [id, support],
          },
      options,
    );
    return { txHash: hash, proposalId: id, support: name, weight, reason };
  } catch (e) {
    // The state moved between the check and the send (e.g. voting just closed): explain it again.
    if (revertOf(e)?.name === "GovernorUnexpectedProposalState")
      await checkCanVote(client, id, address, true);
    throw governanceError(e, "castVote", { proposalId: id });
  }
}
