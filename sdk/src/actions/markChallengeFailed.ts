/** After the answer window of a targeted challenge passed unanswered: slash the slot, reward the challenger. */
import type { Hash } from "viem";
import { marketplaceAbi } from "../generated/abis.ts";
import type { TesseraClient } from "../client/createTesseraClient.ts";
import type { ChainError, ContractRevertError, WalletRequiredError } from "../errors/chain.ts";
import { writeAndWait, type WriteOptions } from "./internal/write.ts";

export type MarkChallengeFailedParameters = { challengeId: bigint };
export type MarkChallengeFailedReturnType = { txHash: Hash };
export type MarkChallengeFailedErrorType = ContractRevertError | ChainError | WalletRequiredError;

export async function markChallengeFailed(
  client: TesseraClient,
  parameters: MarkChallengeFailedParameters,
  options: WriteOptions = {},
): Promise<MarkChallengeFailedReturnType> {
  const { hash } = await writeAndWait(
    client,
    {
      address: client.addresses.Marketplace,
      abi: marketplaceAbi,
      functionName: "markChallengeFailed",
      args: [parameters.challengeId],
    },
    options,
  );
  return { txHash: hash };
}
