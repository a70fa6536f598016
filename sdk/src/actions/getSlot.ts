import { marketplaceAbi } from "../generated/abis.ts";
import type { TesseraClient } from "../client/createTesseraClient.ts";
import type { ChainError, ContractRevertError } from "../errors/chain.ts";
import { readOrThrow } from "./internal/write.ts";
import { SLOT_STATES, type RequestId, type SlotInfo } from "./types.ts";

export type GetSlotParameters = { requestId: RequestId; slot: number | bigint };
export type GetSlotReturnType = SlotInfo;
export type GetSlotErrorType = ContractRevertError | ChainError;

export async function getSlot(
  client: TesseraClient,
  { requestId, slot }: GetSlotParameters,
): Promise<GetSlotReturnType> {
  const s = await readOrThrow("getSlot", () =>
    client.publicClient.readContract({
      address: client.addresses.Marketplace,
      abi: marketplaceAbi,
      functionName: "getSlot",
      args: [requestId, BigInt(slot)],
    }),
  );
  return { ...s, state: SLOT_STATES[s.state] ?? "empty" };
}
