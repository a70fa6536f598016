/** Record the challenge seed of `period` (docs/protocol.md §2); anyone may call it in the period's first 256 blocks. */
import type { Hash } from "viem";
import { marketplaceAbi } from "../generated/abis.ts";
import type { TesseraClient } from "../client/createTesseraClient.ts";
import type { ChainError, ContractRevertError, WalletRequiredError } from "../errors/chain.ts";
import { writeAndWait, type WriteOptions } from "./internal/write.ts";

export type RecordSeedParameters = { period: bigint };
export type RecordSeedReturnType = { txHash: Hash };
export type RecordSeedErrorType = ContractRevertError | ChainError | WalletRequiredError;

export async function recordSeed(
  client: TesseraClient,
  parameters: RecordSeedParameters,
  options: WriteOptions = {},
): Promise<RecordSeedReturnType> {
  const { hash } = await writeAndWait(
    client,
    {
      address: client.addresses.Marketplace,
      abi: marketplaceAbi,
      functionName: "recordSeed",
      args: [parameters.period],
    },
    options,
  );
  return { txHash: hash };
}
