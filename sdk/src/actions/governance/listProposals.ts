/**
 * Every proposal of the Governor, oldest first: `ProposalCreated` logs scanned from the
 * deployment block in pages of `blockRange` blocks (RPC providers cap `eth_getLogs` ranges), then
 * each proposal's state, tallies, quorum, times and whether `account` voted.
 */
import type { Address } from "viem";
import type { TesseraClient } from "../../client/createTesseraClient.ts";
import type { ChainError } from "../../errors/chain.ts";
import type { GovernanceNotDeployedError } from "./errors.ts";
import { loadProposalInfo, readMarketParams } from "./getProposal.ts";
import { scanProposalsCreated, type ProposalCreatedLog } from "./internal.ts";
import type { ProposalInfo, ProposalStateName } from "./types.ts";

export type ListProposalsParameters = {
  /** First block to scan (default: the deployment block). */
  fromBlock?: bigint;
  /** Last block to scan (default: latest). */
  toBlock?: bigint;
  /** Blocks per `eth_getLogs` request (default 10,000). */
  blockRange?: bigint;
  /** Keep only proposals in these states. */
  states?: readonly ProposalStateName[];
  /** Whose `hasVoted` to report (default: the wallet's account, if any). */
  account?: Address;
  /** At most this many, the newest ones (after the state filter). */
  limit?: number;
};
export type ListProposalsReturnType = ProposalInfo[];
export type ListProposalsErrorType = GovernanceNotDeployedError | ChainError;

export async function listProposals(
  client: TesseraClient,
  parameters: ListProposalsParameters = {},
): Promise<ListProposalsReturnType> {
  const logs: ProposalCreatedLog[] = [];
  await scanProposalsCreated(client, {
    ...(parameters.fromBlock !== undefined ? { fromBlock: parameters.fromBlock } : {}),
    ...(parameters.toBlock !== undefined ? { toBlock: parameters.toBlock } : {}),
    ...(parameters.blockRange !== undefined ? { blockRange: parameters.blockRange } : {}),
    visit: (log) => {
      logs.push(log);
    },
  });
  const account = parameters.account ?? client.walletClient?.account.address;
  const currentParams = logs.length ? await readMarketParams(client) : undefined;
  const out: ProposalInfo[] = [];
  const CONCURRENCY = 8;
  for (let i = 0; i < logs.length; i += CONCURRENCY) {
    out.push(
      ...(await Promise.all(
        logs.slice(i, i + CONCURRENCY).map((log) =>
          loadProposalInfo(client, log, {
            ...(account ? { account } : {}),
            ...(currentParams ? { currentParams } : {}),
          }),
        ),
      )),
    );
  }
  const filtered = parameters.states
    ? out.filter((p) => parameters.states!.includes(p.state))
    : out;
  return parameters.limit !== undefined
    ? filtered.slice(Math.max(0, filtered.length - parameters.limit))
    : filtered;
}
