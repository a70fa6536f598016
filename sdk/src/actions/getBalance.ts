/** An account's token balance, its pull balance in the marketplace, and its allowance to the marketplace. */
import type { Address } from "viem";
import { marketplaceAbi, tesseraTokenAbi } from "../generated/abis.ts";
import type { TesseraClient } from "../client/createTesseraClient.ts";
import type { ChainError, WalletRequiredError } from "../errors/chain.ts";
import { WalletRequiredError as WalletRequired } from "../errors/chain.ts";
import { readOrThrow } from "./internal/write.ts";

export type GetBalanceParameters = { account?: Address };
export type GetBalanceReturnType = { token: bigint; withdrawable: bigint; allowance: bigint };
export type GetBalanceErrorType = ChainError | WalletRequiredError;

export async function getBalance(
  client: TesseraClient,
  p: GetBalanceParameters = {},
): Promise<GetBalanceReturnType> {
  const account = p.account ?? client.walletClient?.account.address;
  if (!account) throw new WalletRequired("getBalance without an account");
  const { TesseraToken: token, Marketplace: market } = client.addresses;
  const [tokenBalance, withdrawable, allowance] = await readOrThrow("getBalance", () =>
    Promise.all([
      client.publicClient.readContract({
        address: token,
        abi: tesseraTokenAbi,
        functionName: "balanceOf",
        args: [account],
      }),
      client.publicClient.readContract({
        address: market,
        abi: marketplaceAbi,
        functionName: "balanceOf",
        args: [account],
      }),
      client.publicClient.readContract({
        address: token,
        abi: tesseraTokenAbi,
        functionName: "allowance",
        args: [account, market],
      }),
    ]),
  );
  return { token: tokenBalance, withdrawable, allowance };
}
