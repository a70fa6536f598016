/** Challenge one slot at a chosen leaf, posting the targeted-challenge bond (approved here if needed). */
import { parseEventLogs, type Hash } from "viem";
import { marketplaceAbi } from "../generated/abis.ts";
import type { TesseraClient } from "../client/createTesseraClient.ts";
import type { ChainError, ContractRevertError, WalletRequiredError } from "../errors/chain.ts";
import { readOrThrow, writeWithAllowance, type WriteOptions } from "./internal/write.ts";
import type { RequestId } from "./types.ts";

export type ChallengeSlotParameters = { requestId: RequestId; slot: number | bigint; leaf: bigint };
export type ChallengeSlotReturnType = { txHash: Hash; challengeId: bigint; deadlineBlock: bigint };
export type ChallengeSlotErrorType = ContractRevertError | ChainError | WalletRequiredError;

export async function challengeSlot(
  client: TesseraClient,
  parameters: ChallengeSlotParameters,
  options: WriteOptions = {},
): Promise<ChallengeSlotReturnType> {
  const params = await readOrThrow("params", () =>
    client.publicClient.readContract({
      address: client.addresses.Marketplace,
      abi: marketplaceAbi,
      functionName: "params",
    }),
  );
  const { hash, receipt } = await writeWithAllowance(
    client,
    {
      address: client.addresses.Marketplace,
      abi: marketplaceAbi,
      functionName: "challengeSlot",
      args: [parameters.requestId, BigInt(parameters.slot), parameters.leaf],
    },
    params.targetedBond,
    options,
  );
  const [event] = parseEventLogs({
    abi: marketplaceAbi,
    eventName: "SlotChallenged",
    logs: receipt.logs,
  });
  return {
    txHash: hash,
    challengeId: event?.args.challengeId ?? 0n,
    deadlineBlock: event?.args.deadlineBlock ?? 0n,
  };
}
