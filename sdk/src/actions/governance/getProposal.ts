/**
 * One proposal with its state, tallies and times, found by id among the Governor's
 * `ProposalCreated` logs (scanned from the deployment block in pages of `blockRange` blocks).
 */
import type { Address } from "viem";
import { marketplaceAbi } from "../../generated/abis.ts";
import type { TesseraClient } from "../../client/createTesseraClient.ts";
import type { ChainError } from "../../errors/chain.ts";
import { readOrThrow } from "../internal/write.ts";
import { ProposalNotFoundError, type GovernanceNotDeployedError } from "./errors.ts";
import {
  describeActions,
  readGovernor,
  scanProposalsCreated,
  toProposalId,
  type ProposalCreatedLog,
} from "./internal.ts";
import { PROPOSAL_STATES, type MarketParams, type ProposalInfo } from "./types.ts";

export type GetProposalParameters = {
  proposalId: bigint | string;
  /** Whose `hasVoted` to report (default: the wallet's account, if any). */
  account?: Address;
  /** Where to start looking (default: the deployment block). */
  fromBlock?: bigint;
  blockRange?: bigint;
};
export type GetProposalReturnType = ProposalInfo;
export type GetProposalErrorType = ProposalNotFoundError | GovernanceNotDeployedError | ChainError;

export async function getProposal(
  client: TesseraClient,
  parameters: GetProposalParameters,
): Promise<GetProposalReturnType> {
  const id = toProposalId(parameters.proposalId);
  let found: ProposalCreatedLog | undefined;
  await scanProposalsCreated(client, {
    ...(parameters.fromBlock !== undefined ? { fromBlock: parameters.fromBlock } : {}),
    ...(parameters.blockRange !== undefined ? { blockRange: parameters.blockRange } : {}),
    visit: (log) => {
      if (log.id === id) {
        found = log;
        return true;
      }
    },
  });
  if (!found) throw new ProposalNotFoundError(id);
  const account = parameters.account ?? client.walletClient?.account.address;
  return loadProposalInfo(client, found, {
    ...(account ? { account } : {}),
    currentParams: await readMarketParams(client),
  });
}

export function readMarketParams(client: TesseraClient): Promise<MarketParams> {
  return readOrThrow("params", () =>
    client.publicClient.readContract({
      address: client.addresses.Marketplace,
      abi: marketplaceAbi,
      functionName: "params",
    }),
  ) as Promise<MarketParams>;
}

/** State, tallies, quorum, times and `hasVoted` of a proposal found in the logs. */
export async function loadProposalInfo(
  client: TesseraClient,
  log: ProposalCreatedLog,
  options: { account?: Address; currentParams?: MarketParams } = {},
): Promise<ProposalInfo> {
  const id = log.id;
  const [now, state, votes, snapshot, deadline, eta, expiry, hasVoted] = (await Promise.all([
    readGovernor(client, "clock"),
    readGovernor(client, "state", [id]),
    readGovernor(client, "proposalVotes", [id]),
    readGovernor(client, "proposalSnapshot", [id]),
    readGovernor(client, "proposalDeadline", [id]),
    readGovernor(client, "proposalEta", [id]),
    readGovernor(client, "proposalExpiry", [id]),
    options.account ? readGovernor(client, "hasVoted", [id, options.account]) : undefined,
  ])) as [
    number | bigint,
    number,
    readonly [bigint, bigint, bigint],
    bigint,
    bigint,
    bigint,
    bigint,
    boolean | undefined,
  ];
  const clock = BigInt(now);
  // quorum(timepoint) needs a timepoint in the past.
  const quorum =
    snapshot < clock ? ((await readGovernor(client, "quorum", [snapshot])) as bigint) : undefined;
  const firstLine = log.description.split("\n").find((l) => l.trim() !== "") ?? "";
  return {
    id,
    proposer: log.proposer,
    state: PROPOSAL_STATES[state] ?? "pending",
    title: firstLine.replace(/^#+\s*/, "").trim(),
    description: log.description,
    targets: log.targets,
    values: log.values,
    calldatas: log.calldatas,
    actions: describeActions(client, log, options.currentParams),
    votes: { against: votes[0], for: votes[1], abstain: votes[2] },
    quorum,
    snapshot,
    deadline,
    eta: eta > 0n ? eta : undefined,
    expiry: expiry > 0n ? expiry : undefined,
    hasVoted,
    createdBlock: log.blockNumber,
    createdTxHash: log.transactionHash,
    now: clock,
  };
}
