import type { Address } from "viem";
import { marketplaceAbi } from "../generated/abis.ts";
import type { TesseraClient } from "../client/createTesseraClient.ts";
import type { ChainError, ContractRevertError } from "../errors/chain.ts";
import { readOrThrow } from "./internal/write.ts";
import type { ProviderInfo } from "./types.ts";

export type GetProviderParameters = { provider: Address };
export type GetProviderReturnType = ProviderInfo;
export type GetProviderErrorType = ContractRevertError | ChainError;

/** A provider's registration, stake, capacity, price, endpoints and reputation counters. */
export async function getProvider(
  client: TesseraClient,
  { provider }: GetProviderParameters,
): Promise<GetProviderReturnType> {
  const p = await readOrThrow("getProvider", () =>
    client.publicClient.readContract({
      address: client.addresses.Marketplace,
      abi: marketplaceAbi,
      functionName: "getProvider",
      args: [provider],
    }),
  );
  return { address: provider, ...p };
}
