/** Cancel a request that was not fully filled by its fill deadline (anyone may call it): the escrow goes back to the client's pull balance. */
import type { Hash } from "viem";
import { marketplaceAbi } from "../generated/abis.ts";
import type { TesseraClient } from "../client/createTesseraClient.ts";
import type { ChainError, ContractRevertError, WalletRequiredError } from "../errors/chain.ts";
import { writeAndWait, type WriteOptions } from "./internal/write.ts";
import type { RequestId } from "./types.ts";

export type CancelRequestParameters = { requestId: RequestId };
export type CancelRequestReturnType = { txHash: Hash };
export type CancelRequestErrorType = ContractRevertError | ChainError | WalletRequiredError;

export async function cancelRequest(
  client: TesseraClient,
  parameters: CancelRequestParameters,
  options: WriteOptions = {},
): Promise<CancelRequestReturnType> {
  const { hash } = await writeAndWait(
    client,
    {
      address: client.addresses.Marketplace,
      abi: marketplaceAbi,
      functionName: "cancelRequest",
      args: [parameters.requestId],
    },
    options,
  );
  return { txHash: hash };
}
