/** A targeted challenge (challengeSlot): who, which leaf, the bond, the answer deadline and its status. */
import type { Address } from "viem";
import { marketplaceAbi } from "../generated/abis.ts";
import type { TesseraClient } from "../client/createTesseraClient.ts";
import type { ChainError, ContractRevertError } from "../errors/chain.ts";
import { readOrThrow } from "./internal/write.ts";
import type { RequestId } from "./types.ts";

export const CHALLENGE_STATUSES = ["none", "open", "answered", "failed"] as const;

export type GetTargetedChallengeParameters = { challengeId: bigint };
export type GetTargetedChallengeReturnType = {
  challengeId: bigint;
  requestId: RequestId;
  slot: bigint;
  provider: Address;
  challenger: Address;
  leaf: bigint;
  bond: bigint;
  deadlineBlock: bigint;
  status: (typeof CHALLENGE_STATUSES)[number];
};
export type GetTargetedChallengeErrorType = ContractRevertError | ChainError;

export async function getTargetedChallenge(
  client: TesseraClient,
  { challengeId }: GetTargetedChallengeParameters,
): Promise<GetTargetedChallengeReturnType> {
  const c = await readOrThrow("getChallenge", () =>
    client.publicClient.readContract({
      address: client.addresses.Marketplace,
      abi: marketplaceAbi,
      functionName: "getChallenge",
      args: [challengeId],
    }),
  );
  const { id, status, ...rest } = c;
  return { challengeId, requestId: id, ...rest, status: CHALLENGE_STATUSES[status] ?? "none" };
}
