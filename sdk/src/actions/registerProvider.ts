/** Register as a storage provider: approve and lock `stake`, announce capacity, price and endpoints. */
import type { Hash } from "viem";
import { marketplaceAbi } from "../generated/abis.ts";
import type { TesseraClient } from "../client/createTesseraClient.ts";
import type { ChainError, WalletRequiredError } from "../errors/chain.ts";
import { ContractRevertError } from "../errors/chain.ts";
import { requireWallet } from "../client/createTesseraClient.ts";
import { revertMessage } from "./internal/revertMessages.ts";
import { getProvider } from "./getProvider.ts";
import { writeWithAllowance, type WriteOptions } from "./internal/write.ts";

export type RegisterProviderParameters = {
  stake: bigint;
  capacityBytes: bigint;
  pricePerBytePeriod: bigint;
  httpEndpoint: string;
  multiaddr?: string;
};
export type RegisterProviderReturnType = { txHash: Hash; approveTxHash?: Hash };
export type RegisterProviderErrorType = ContractRevertError | ChainError | WalletRequiredError;

export async function registerProvider(
  client: TesseraClient,
  p: RegisterProviderParameters,
  options: WriteOptions = {},
): Promise<RegisterProviderReturnType> {
  const { address } = requireWallet(client, "registerProvider");
  // Checked first: the clearest message, before anything is simulated or approved.
  if ((await getProvider(client, { provider: address })).registered) {
    const args = [address] as const;
    throw new ContractRevertError({
      shortMessage: revertMessage("Registry__AlreadyRegistered", args),
      errorName: "Registry__AlreadyRegistered",
      errorArgs: args,
      functionName: "register",
    });
  }
  const { hash, approveTxHash } = await writeWithAllowance(
    client,
    {
      address: client.addresses.Marketplace,
      abi: marketplaceAbi,
      functionName: "register",
      args: [p.stake, p.capacityBytes, p.pricePerBytePeriod, p.httpEndpoint, p.multiaddr ?? ""],
    },
    p.stake,
    options,
  );
  return { txHash: hash, ...(approveTxHash ? { approveTxHash } : {}) };
}
