/** Answer a targeted challenge with segment ‖ siblings (docs/protocol.md §4). */
import type { Hash } from "viem";
import { marketplaceAbi } from "../generated/abis.ts";
import type { TesseraClient } from "../client/createTesseraClient.ts";
import type { ChainError, ContractRevertError, WalletRequiredError } from "../errors/chain.ts";
import { writeAndWait, type WriteOptions } from "./internal/write.ts";

export type AnswerChallengeParameters = { challengeId: bigint; proof: `0x${string}` };
export type AnswerChallengeReturnType = { txHash: Hash };
export type AnswerChallengeErrorType = ContractRevertError | ChainError | WalletRequiredError;

export async function answerChallenge(
  client: TesseraClient,
  parameters: AnswerChallengeParameters,
  options: WriteOptions = {},
): Promise<AnswerChallengeReturnType> {
  const { hash } = await writeAndWait(
    client,
    {
      address: client.addresses.Marketplace,
      abi: marketplaceAbi,
      functionName: "answerChallenge",
      args: [parameters.challengeId, parameters.proof],
    },
    options,
  );
  return { txHash: hash };
}
