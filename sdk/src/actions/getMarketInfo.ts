/** Marketplace parameters, period length and the current period (what a client needs to price a request). */
import { marketplaceAbi } from "../generated/abis.ts";
import type { TesseraClient } from "../client/createTesseraClient.ts";
import type { ChainError } from "../errors/chain.ts";
import { readOrThrow } from "./internal/write.ts";

export type GetMarketInfoParameters = Record<string, never>;
export type GetMarketInfoReturnType = {
  params: Awaited<ReturnType<typeof readParams>>;
  periodBlocks: bigint;
  currentPeriod: bigint;
  paused: boolean;
};
export type GetMarketInfoErrorType = ChainError;

const readParams = (client: TesseraClient) =>
  client.publicClient.readContract({
    address: client.addresses.Marketplace,
    abi: marketplaceAbi,
    functionName: "params",
  });

export async function getMarketInfo(
  client: TesseraClient,
  _p: GetMarketInfoParameters = {},
): Promise<GetMarketInfoReturnType> {
  const address = client.addresses.Marketplace;
  const [params, periodBlocks, currentPeriod, paused] = await readOrThrow("getMarketInfo", () =>
    Promise.all([
      readParams(client),
      client.publicClient.readContract({
        address,
        abi: marketplaceAbi,
        functionName: "periodBlocks",
      }),
      client.publicClient.readContract({
        address,
        abi: marketplaceAbi,
        functionName: "currentPeriod",
      }),
      client.publicClient.readContract({ address, abi: marketplaceAbi, functionName: "paused" }),
    ]),
  );
  return { params, periodBlocks, currentPeriod, paused };
}
