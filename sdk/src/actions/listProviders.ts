/** Registered providers, in registration order (paged: `offset`, `limit`). */
import { marketplaceAbi } from "../generated/abis.ts";
import type { TesseraClient } from "../client/createTesseraClient.ts";
import type { ChainError, ContractRevertError } from "../errors/chain.ts";
import { readOrThrow } from "./internal/write.ts";
import { getProvider } from "./getProvider.ts";
import type { ProviderInfo } from "./types.ts";

export type ListProvidersParameters = { offset?: number; limit?: number; onlyRegistered?: boolean };
export type ListProvidersReturnType = { total: number; providers: ProviderInfo[] };
export type ListProvidersErrorType = ContractRevertError | ChainError;

export async function listProviders(
  client: TesseraClient,
  parameters: ListProvidersParameters = {},
): Promise<ListProvidersReturnType> {
  const address = client.addresses.Marketplace;
  const total = Number(
    await readOrThrow("providerCount", () =>
      client.publicClient.readContract({
        address,
        abi: marketplaceAbi,
        functionName: "providerCount",
      }),
    ),
  );
  const offset = parameters.offset ?? 0;
  const end = Math.min(total, offset + (parameters.limit ?? 100));
  const providers: ProviderInfo[] = [];
  const CONCURRENCY = 8;
  for (let i = offset; i < end; i += CONCURRENCY) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(CONCURRENCY, end - i) }, async (_, j) => {
        const provider = await readOrThrow("providerAt", () =>
          client.publicClient.readContract({
            address,
            abi: marketplaceAbi,
            functionName: "providerAt",
            args: [BigInt(i + j)],
          }),
        );
        return getProvider(client, { provider });
      }),
    );
    providers.push(...batch);
  }
  return {
    total,
    providers:
      parameters.onlyRegistered === false ? providers : providers.filter((p) => p.registered),
  };
}
