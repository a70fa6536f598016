/** Approve the marketplace to pull `amount` tokens from the wallet if the allowance is short. */
import type { Hash } from "viem";
import { tesseraTokenAbi } from "../../generated/abis.ts";
import { requireWallet, type TesseraClient } from "../../client/createTesseraClient.ts";
import { readOrThrow, writeAndWait, type WriteOptions } from "./write.ts";

export async function ensureAllowance(
  client: TesseraClient,
  amount: bigint,
  options: WriteOptions = {},
): Promise<Hash | undefined> {
  if (amount === 0n) return undefined;
  const { address } = requireWallet(client, "approve");
  const { TesseraToken: token, Marketplace: spender } = client.addresses;
  const allowance = await readOrThrow("allowance", () =>
    client.publicClient.readContract({
      address: token,
      abi: tesseraTokenAbi,
      functionName: "allowance",
      args: [address, spender],
    }),
  );
  if (allowance >= amount) return undefined;
  const { hash } = await writeAndWait(
    client,
    { address: token, abi: tesseraTokenAbi, functionName: "approve", args: [spender, amount] },
    options,
  );
  return hash;
}
