/** The `challengesPerPeriod` challenges `provider` must answer for `period`, in order (docs/protocol.md §3). */
import type { Address, Hex } from "viem";
import { marketplaceAbi } from "../generated/abis.ts";
import type { TesseraClient } from "../client/createTesseraClient.ts";
import type { ChainError, ContractRevertError } from "../errors/chain.ts";
import { readOrThrow } from "./internal/write.ts";
import type { RequestId } from "./types.ts";

export type GetChallengesParameters = { provider: Address; period?: bigint };
export type Challenge = {
  requestId: RequestId;
  slot: bigint;
  leaf: bigint;
  nLeaves: bigint;
  root: Hex;
};
export type GetChallengesReturnType = { period: bigint; challenges: Challenge[] };
export type GetChallengesErrorType = ContractRevertError | ChainError;

export async function getChallenges(
  client: TesseraClient,
  parameters: GetChallengesParameters,
): Promise<GetChallengesReturnType> {
  const address = client.addresses.Marketplace;
  const period =
    parameters.period ??
    (await readOrThrow("currentPeriod", () =>
      client.publicClient.readContract({
        address,
        abi: marketplaceAbi,
        functionName: "currentPeriod",
      }),
    ));
  const list = await readOrThrow("challengesFor", () =>
    client.publicClient.readContract({
      address,
      abi: marketplaceAbi,
      functionName: "challengesFor",
      args: [parameters.provider, period],
    }),
  );
  return {
    period,
    challenges: list.map((c) => ({
      requestId: c.id,
      slot: c.slot,
      leaf: c.leaf,
      nLeaves: c.nLeaves,
      root: c.root,
    })),
  };
}
