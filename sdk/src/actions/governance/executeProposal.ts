/**
 * Execute a queued proposal once the timelock delay has passed (anyone may). The calls run from
 * the Timelock; a call that reverts (e.g. a parameter outside its hard limits) is reported with
 * its decoded error.
 */
import { keccak256, toBytes, type Hash } from "viem";
import { tesseraGovernorAbi } from "../../generated/abis.ts";
import type { TesseraClient } from "../../client/createTesseraClient.ts";
import type { ChainError, WalletRequiredError } from "../../errors/chain.ts";
import { writeAndWait, type WriteOptions } from "../internal/write.ts";
import type { GovernanceError } from "./errors.ts";
import {
  governanceAddresses,
  governanceError,
  queueOrExecuteBlocker,
  readProposalStatus,
  revertOf,
} from "./internal.ts";
import { resolveProposal, type QueueProposalParameters } from "./queueProposal.ts";

export type ExecuteProposalParameters = QueueProposalParameters;
export type ExecuteProposalReturnType = { txHash: Hash; proposalId: bigint };
export type ExecuteProposalErrorType = GovernanceError | ChainError | WalletRequiredError;

export async function executeProposal(
  client: TesseraClient,
  parameters: ExecuteProposalParameters,
  options: WriteOptions = {},
): Promise<ExecuteProposalReturnType> {
  const { governor } = governanceAddresses(client);
  const p = await resolveProposal(client, parameters);
  const blocker = await queueOrExecuteBlocker(
    client,
    await readProposalStatus(client, p.id),
    "execute",
  );
  if (blocker) throw blocker;
  try {
    const { hash } = await writeAndWait(
      client,
      {
        address: governor,
        abi: tesseraGovernorAbi,
        functionName: "execute",
        args: [[...p.targets], [...p.values], [...p.calldatas], keccak256(toBytes(p.description))],
      },
      options,
    );
    return { txHash: hash, proposalId: p.id };
  } catch (e) {
    const name = revertOf(e)?.name;
    if (name === "GovernorUnexpectedProposalState" || name === "TimelockUnexpectedOperationState") {
      const again = await queueOrExecuteBlocker(
        client,
        await readProposalStatus(client, p.id),
        "execute",
      ).catch(() => undefined);
      if (again) throw again;
    }
    throw governanceError(e, "execute", { proposalId: p.id, atExecution: true });
  }
}
