/** The file-index pointer recorded for `owner` (default: the wallet's account); `undefined` if none yet. */
import type { Address } from "viem";
import { fileIndexAbi } from "../generated/abis.ts";
import { requireFileIndex, type TesseraClient } from "../client/createTesseraClient.ts";
import type { ChainError, ContractRevertError, WalletRequiredError } from "../errors/chain.ts";
import { WalletRequiredError as WalletRequired } from "../errors/chain.ts";
import { readOrThrow } from "./internal/write.ts";

export type GetFileIndexParameters = { owner?: Address };
export type GetFileIndexReturnType =
  { cid: string; version: bigint; updatedAt: bigint } | undefined;
export type GetFileIndexErrorType = ContractRevertError | ChainError | WalletRequiredError;

export async function getFileIndex(
  client: TesseraClient,
  p: GetFileIndexParameters = {},
): Promise<GetFileIndexReturnType> {
  const owner = p.owner ?? client.walletClient?.account.address;
  if (!owner) throw new WalletRequired("getFileIndex without an owner");
  const [cid, version, updatedAt] = await readOrThrow("fileIndexOf", () =>
    client.publicClient.readContract({
      address: requireFileIndex(client),
      abi: fileIndexAbi,
      functionName: "fileIndexOf",
      args: [owner],
    }),
  );
  return version === 0n ? undefined : { cid, version, updatedAt };
}
