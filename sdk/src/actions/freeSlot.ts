/** Free a slot whose holder missed too many proofs, so it can be repaired. Anyone may call it. */
import type { Hash } from "viem";
import { marketplaceAbi } from "../generated/abis.ts";
import type { TesseraClient } from "../client/createTesseraClient.ts";
import type { ChainError, ContractRevertError, WalletRequiredError } from "../errors/chain.ts";
import { writeAndWait, type WriteOptions } from "./internal/write.ts";
import type { RequestId } from "./types.ts";

export type FreeSlotParameters = { requestId: RequestId; slot: number | bigint };
export type FreeSlotReturnType = { txHash: Hash };
export type FreeSlotErrorType = ContractRevertError | ChainError | WalletRequiredError;

export async function freeSlot(
  client: TesseraClient,
  parameters: FreeSlotParameters,
  options: WriteOptions = {},
): Promise<FreeSlotReturnType> {
  const { hash } = await writeAndWait(
    client,
    {
      address: client.addresses.Marketplace,
      abi: marketplaceAbi,
      functionName: "freeSlot",
      args: [parameters.requestId, BigInt(parameters.slot)],
    },
    options,
  );
  return { txHash: hash };
}
