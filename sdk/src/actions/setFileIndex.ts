/**
 * Record the pointer to the caller's encrypted file index on chain (FileIndex.setFileIndex).
 * `version` must be above the current one: use the index's `seq` (index/fileIndex.ts).
 */
import type { Hash } from "viem";
import { fileIndexAbi } from "../generated/abis.ts";
import { requireFileIndex, type TesseraClient } from "../client/createTesseraClient.ts";
import type { ChainError, ContractRevertError, WalletRequiredError } from "../errors/chain.ts";
import { writeAndWait, type WriteOptions } from "./internal/write.ts";

export type SetFileIndexParameters = { cid: string; version: bigint | number };
export type SetFileIndexReturnType = { txHash: Hash };
export type SetFileIndexErrorType = ContractRevertError | ChainError | WalletRequiredError;

export async function setFileIndex(
  client: TesseraClient,
  p: SetFileIndexParameters,
  options: WriteOptions = {},
): Promise<SetFileIndexReturnType> {
  const { hash } = await writeAndWait(
    client,
    {
      address: requireFileIndex(client),
      abi: fileIndexAbi,
      functionName: "setFileIndex",
      args: [p.cid, BigInt(p.version)],
    },
    options,
  );
  return { txHash: hash };
}
