/**
 * Delegate the wallet's voting power (its whole token balance, now and later) to `to` — itself by
 * default. Tokens vote only once delegated; the power counts for proposals created after the
 * delegation's block.
 */
import { getAddress, type Address, type Hash } from "viem";
import { tesseraTokenAbi } from "../../generated/abis.ts";
import { requireWallet, type TesseraClient } from "../../client/createTesseraClient.ts";
import type { ChainError, ContractRevertError, WalletRequiredError } from "../../errors/chain.ts";
import { readOrThrow, writeAndWait, type WriteOptions } from "../internal/write.ts";
import { governanceError } from "./internal.ts";

export type DelegateParameters = { to?: Address };
export type DelegateReturnType = {
  txHash: Hash;
  delegatee: Address;
  /** Tokens the wallet holds, all of which now vote for `delegatee`. */
  balance: bigint;
  /** Votes of `delegatee` after this delegation. */
  votes: bigint;
};
export type DelegateErrorType = ContractRevertError | ChainError | WalletRequiredError;

export async function delegate(
  client: TesseraClient,
  parameters: DelegateParameters = {},
  options: WriteOptions = {},
): Promise<DelegateReturnType> {
  const { address } = requireWallet(client, "delegate");
  const delegatee = getAddress(parameters.to ?? address);
  const token = client.addresses.TesseraToken;
  let txHash: Hash;
  try {
    ({ hash: txHash } = await writeAndWait(
      client,
      { address: token, abi: tesseraTokenAbi, functionName: "delegate", args: [delegatee] },
      options,
    ));
  } catch (e) {
    throw governanceError(e, "delegate");
  }
  const [balance, votes] = await readOrThrow("getVotes", () =>
    Promise.all([
      client.publicClient.readContract({
        address: token,
        abi: tesseraTokenAbi,
        functionName: "balanceOf",
        args: [address],
      }),
      client.publicClient.readContract({
        address: token,
        abi: tesseraTokenAbi,
        functionName: "getVotes",
        args: [delegatee],
      }),
    ]),
  );
  return { txHash, delegatee, balance, votes };
}
