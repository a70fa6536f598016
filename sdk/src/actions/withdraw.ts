/** Withdraw the caller's whole pull balance (earnings, refunds, rewards) from the marketplace. */
import type { Hash } from "viem";
import { marketplaceAbi } from "../generated/abis.ts";
import { requireWallet, type TesseraClient } from "../client/createTesseraClient.ts";
import type { ChainError, ContractRevertError, WalletRequiredError } from "../errors/chain.ts";
import { readOrThrow, writeAndWait, type WriteOptions } from "./internal/write.ts";

export type WithdrawParameters = Record<string, never>;
export type WithdrawReturnType = { txHash: Hash; amount: bigint };
export type WithdrawErrorType = ContractRevertError | ChainError | WalletRequiredError;

export async function withdraw(
  client: TesseraClient,
  _parameters: WithdrawParameters = {},
  options: WriteOptions = {},
): Promise<WithdrawReturnType> {
  const { address } = requireWallet(client, "withdraw");
  const amount = await readOrThrow("balanceOf", () =>
    client.publicClient.readContract({
      address: client.addresses.Marketplace,
      abi: marketplaceAbi,
      functionName: "balanceOf",
      args: [address],
    }),
  );
  const { hash } = await writeAndWait(
    client,
    {
      address: client.addresses.Marketplace,
      abi: marketplaceAbi,
      functionName: "withdraw",
      args: [],
    },
    options,
  );
  return { txHash: hash, amount };
}
