/** Report that `provider` did not prove a closed period; the caller earns part of the slash. */
import type { Hash } from "viem";
import { marketplaceAbi } from "../generated/abis.ts";
import type { TesseraClient } from "../client/createTesseraClient.ts";
import type { ChainError, ContractRevertError, WalletRequiredError } from "../errors/chain.ts";
import { writeAndWait, type WriteOptions } from "./internal/write.ts";

export type MarkProofAsMissingParameters = { provider: `0x${string}`; period: bigint };
export type MarkProofAsMissingReturnType = { txHash: Hash };
export type MarkProofAsMissingErrorType = ContractRevertError | ChainError | WalletRequiredError;

export async function markProofAsMissing(
  client: TesseraClient,
  parameters: MarkProofAsMissingParameters,
  options: WriteOptions = {},
): Promise<MarkProofAsMissingReturnType> {
  const { hash } = await writeAndWait(
    client,
    {
      address: client.addresses.Marketplace,
      abi: marketplaceAbi,
      functionName: "markProofAsMissing",
      args: [parameters.provider, parameters.period],
    },
    options,
  );
  return { txHash: hash };
}
