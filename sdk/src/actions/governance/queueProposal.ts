/**
 * Queue a passed proposal in the Timelock. Its calls and description are rebuilt from the
 * `ProposalCreated` event (or taken from `proposal`, e.g. an item of listProposals). Returns the
 * time from which it can be executed.
 */
import { keccak256, toBytes, type Hash } from "viem";
import { tesseraGovernorAbi } from "../../generated/abis.ts";
import type { TesseraClient } from "../../client/createTesseraClient.ts";
import type { ChainError, WalletRequiredError } from "../../errors/chain.ts";
import { writeAndWait, type WriteOptions } from "../internal/write.ts";
import type { GovernanceError } from "./errors.ts";
import { getProposal } from "./getProposal.ts";
import {
  governanceAddresses,
  governanceError,
  queueOrExecuteBlocker,
  readGovernor,
  readProposalStatus,
  toProposalId,
} from "./internal.ts";
import type { ProposalInfo } from "./types.ts";

export type QueueProposalParameters =
  | { proposalId: bigint | string; fromBlock?: bigint; blockRange?: bigint }
  | { proposal: Pick<ProposalInfo, "id" | "targets" | "values" | "calldatas" | "description"> };
export type QueueProposalReturnType = { txHash: Hash; proposalId: bigint; eta: bigint };
export type QueueProposalErrorType = GovernanceError | ChainError | WalletRequiredError;

export async function resolveProposal(
  client: TesseraClient,
  parameters: QueueProposalParameters,
): Promise<Pick<ProposalInfo, "id" | "targets" | "values" | "calldatas" | "description">> {
  if ("proposal" in parameters) return parameters.proposal;
  return getProposal(client, {
    proposalId: toProposalId(parameters.proposalId),
    ...(parameters.fromBlock !== undefined ? { fromBlock: parameters.fromBlock } : {}),
    ...(parameters.blockRange !== undefined ? { blockRange: parameters.blockRange } : {}),
  });
}

export async function queueProposal(
  client: TesseraClient,
  parameters: QueueProposalParameters,
  options: WriteOptions = {},
): Promise<QueueProposalReturnType> {
  const { governor } = governanceAddresses(client);
  const p = await resolveProposal(client, parameters);
  const blocker = await queueOrExecuteBlocker(
    client,
    await readProposalStatus(client, p.id),
    "queue",
  );
  if (blocker) throw blocker;
  let txHash: Hash;
  try {
    ({ hash: txHash } = await writeAndWait(
      client,
      {
        address: governor,
        abi: tesseraGovernorAbi,
        functionName: "queue",
        args: [[...p.targets], [...p.values], [...p.calldatas], keccak256(toBytes(p.description))],
      },
      options,
    ));
  } catch (e) {
    const again = await queueOrExecuteBlocker(
      client,
      await readProposalStatus(client, p.id),
      "queue",
    ).catch(() => undefined);
    throw again ?? governanceError(e, "queue", { proposalId: p.id });
  }
  const eta = (await readGovernor(client, "proposalEta", [p.id])) as bigint;
  return { txHash, proposalId: p.id, eta };
}
