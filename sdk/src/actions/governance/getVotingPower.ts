/**
 * An account's place in governance — balance, delegate, current votes — and the Governor's
 * settings (threshold, quorum, voting delay and period, timelock delay and grace period).
 */
import { getAddress, zeroAddress, type Address } from "viem";
import { tesseraTimelockAbi, tesseraTokenAbi } from "../../generated/abis.ts";
import type { TesseraClient } from "../../client/createTesseraClient.ts";
import type { ChainError } from "../../errors/chain.ts";
import { WalletRequiredError } from "../../errors/chain.ts";
import { readOrThrow } from "../internal/write.ts";
import type { GovernanceNotDeployedError } from "./errors.ts";
import { governanceAddresses, readGovernor } from "./internal.ts";

export type GetVotingPowerParameters = { account?: Address };
export type GetVotingPowerReturnType = {
  account: Address;
  balance: bigint;
  /** Who the account's tokens vote for; undefined if never delegated (then they do not vote). */
  delegatee: Address | undefined;
  /** Votes delegated to the account (by itself and others). */
  votes: bigint;
  proposalThreshold: bigint;
  canPropose: boolean;
  /** Quorum now (4 % of the supply by default; for + abstain votes count). */
  quorum: bigint;
  votingDelay: bigint;
  votingPeriod: bigint;
  timelockDelay: bigint;
  gracePeriod: bigint;
  /** The Timelock's token balance: the treasury. */
  treasury: bigint;
  timelock: Address;
  now: bigint;
};
export type GetVotingPowerErrorType = GovernanceNotDeployedError | WalletRequiredError | ChainError;

export async function getVotingPower(
  client: TesseraClient,
  parameters: GetVotingPowerParameters = {},
): Promise<GetVotingPowerReturnType> {
  const account = parameters.account ?? client.walletClient?.account.address;
  if (!account) throw new WalletRequiredError("getVotingPower without an account");
  const { timelock } = governanceAddresses(client);
  const token = client.addresses.TesseraToken;
  const read = (functionName: "balanceOf" | "delegates" | "getVotes", who: Address) =>
    readOrThrow(functionName, () =>
      client.publicClient.readContract({
        address: token,
        abi: tesseraTokenAbi,
        functionName,
        args: [who],
      }),
    );
  const [
    balance,
    delegatee,
    votes,
    treasury,
    now,
    threshold,
    votingDelay,
    votingPeriod,
    timelockDelay,
    gracePeriod,
  ] = await Promise.all([
    read("balanceOf", account) as Promise<bigint>,
    read("delegates", account) as Promise<Address>,
    read("getVotes", account) as Promise<bigint>,
    read("balanceOf", timelock) as Promise<bigint>,
    readGovernor(client, "clock") as Promise<number | bigint>,
    readGovernor(client, "proposalThreshold") as Promise<bigint>,
    readGovernor(client, "votingDelay") as Promise<bigint>,
    readGovernor(client, "votingPeriod") as Promise<bigint>,
    readOrThrow("getMinDelay", () =>
      client.publicClient.readContract({
        address: timelock,
        abi: tesseraTimelockAbi,
        functionName: "getMinDelay",
      }),
    ),
    readOrThrow("gracePeriod", () =>
      client.publicClient.readContract({
        address: timelock,
        abi: tesseraTimelockAbi,
        functionName: "gracePeriod",
      }),
    ),
  ]);
  const clock = BigInt(now);
  const quorum = (await readGovernor(client, "quorum", [clock - 1n])) as bigint;
  return {
    account: getAddress(account),
    balance,
    delegatee: delegatee === zeroAddress ? undefined : getAddress(delegatee),
    votes,
    proposalThreshold: threshold,
    canPropose: votes >= threshold,
    quorum,
    votingDelay,
    votingPeriod,
    timelockDelay,
    gracePeriod,
    treasury,
    timelock,
    now: clock,
  };
}
