/** Change a registered provider's capacity, price or endpoints. */
import type { Hash } from "viem";
import { marketplaceAbi } from "../generated/abis.ts";
import type { TesseraClient } from "../client/createTesseraClient.ts";
import type { ChainError, ContractRevertError, WalletRequiredError } from "../errors/chain.ts";
import { writeAndWait, type WriteOptions } from "./internal/write.ts";

export type UpdateProviderParameters = {
  capacityBytes: bigint;
  pricePerBytePeriod: bigint;
  httpEndpoint: string;
  multiaddr?: string;
};
export type UpdateProviderReturnType = { txHash: Hash };
export type UpdateProviderErrorType = ContractRevertError | ChainError | WalletRequiredError;

export async function updateProvider(
  client: TesseraClient,
  p: UpdateProviderParameters,
  options: WriteOptions = {},
): Promise<UpdateProviderReturnType> {
  const { hash } = await writeAndWait(
    client,
    {
      address: client.addresses.Marketplace,
      abi: marketplaceAbi,
      functionName: "updateProvider",
      args: [p.capacityBytes, p.pricePerBytePeriod, p.httpEndpoint, p.multiaddr ?? ""],
    },
    options,
  );
  return { txHash: hash };
}
