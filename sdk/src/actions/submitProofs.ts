/** Submit this provider's aggregated proofs for `period` (docs/protocol.md §3): for each challenge in order, segment ‖ siblings. */
import type { Hash } from "viem";
import { marketplaceAbi } from "../generated/abis.ts";
import type { TesseraClient } from "../client/createTesseraClient.ts";
import type { ChainError, ContractRevertError, WalletRequiredError } from "../errors/chain.ts";
import { writeAndWait, type WriteOptions } from "./internal/write.ts";

export type SubmitProofsParameters = { period: bigint; proofs: `0x${string}` };
export type SubmitProofsReturnType = { txHash: Hash };
export type SubmitProofsErrorType = ContractRevertError | ChainError | WalletRequiredError;

export async function submitProofs(
  client: TesseraClient,
  parameters: SubmitProofsParameters,
  options: WriteOptions = {},
): Promise<SubmitProofsReturnType> {
  const { hash } = await writeAndWait(
    client,
    {
      address: client.addresses.Marketplace,
      abi: marketplaceAbi,
      functionName: "submitProofs",
      args: [parameters.period, parameters.proofs],
    },
    options,
  );
  return { txHash: hash };
}
