/** Settle a slot's closed periods (proven → provider, others → client); after the end also returns collateral. Anyone may call it. */
import type { Hash } from "viem";
import { marketplaceAbi } from "../generated/abis.ts";
import type { TesseraClient } from "../client/createTesseraClient.ts";
import type { ChainError, ContractRevertError, WalletRequiredError } from "../errors/chain.ts";
import { writeAndWait, type WriteOptions } from "./internal/write.ts";
import type { RequestId } from "./types.ts";

export type ClaimSlotParameters = { requestId: RequestId; slot: number | bigint };
export type ClaimSlotReturnType = { txHash: Hash };
export type ClaimSlotErrorType = ContractRevertError | ChainError | WalletRequiredError;

export async function claimSlot(
  client: TesseraClient,
  parameters: ClaimSlotParameters,
  options: WriteOptions = {},
): Promise<ClaimSlotReturnType> {
  const { hash } = await writeAndWait(
    client,
    {
      address: client.addresses.Marketplace,
      abi: marketplaceAbi,
      functionName: "claimSlot",
      args: [parameters.requestId, BigInt(parameters.slot)],
    },
    options,
  );
  return { txHash: hash };
}
