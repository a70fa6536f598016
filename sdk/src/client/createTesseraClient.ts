/**
 * The handle every chain action takes: viem clients + the addresses of the Tessera contracts.
 *
 * ```ts
 * const client = createTesseraClient({ publicClient, walletClient, addresses })
 * // Node: addresses from deployments/<chainId>/addresses.json
 * const client = createTesseraClient({ publicClient, walletClient, addresses: await loadDeployment(chainId) })
 * ```
 */
import type { Account, Address, Chain, PublicClient, Transport, WalletClient } from "viem";
import type { TesseraAddresses } from "../deployments/index.ts";
import { ChainError, WalletRequiredError } from "../errors/chain.ts";

export type TesseraClient = {
  chainId: number;
  addresses: TesseraAddresses;
  publicClient: PublicClient;
  walletClient?: WalletClient<Transport, Chain | undefined, Account>;
};

export function createTesseraClient(args: {
  publicClient: PublicClient;
  walletClient?: WalletClient<Transport, Chain | undefined, Account | undefined>;
  addresses: TesseraAddresses;
}): TesseraClient {
  const { publicClient, walletClient, addresses } = args;
  if (walletClient && !walletClient.account)
    throw new WalletRequiredError("A wallet client without an account");
  return {
    chainId: addresses.chainId,
    addresses,
    publicClient,
    ...(walletClient
      ? { walletClient: walletClient as WalletClient<Transport, Chain | undefined, Account> }
      : {}),
  };
}

/** The wallet and its account, or a WalletRequiredError naming the action. */
export function requireWallet(
  client: TesseraClient,
  action: string,
): { wallet: NonNullable<TesseraClient["walletClient"]>; account: Account; address: Address } {
  const wallet = client.walletClient;
  if (!wallet?.account) throw new WalletRequiredError(action);
  return { wallet, account: wallet.account, address: wallet.account.address };
}

export function requireFileIndex(client: TesseraClient): Address {
  const a = client.addresses.FileIndex;
  if (!a)
    throw new ChainError(
      `No FileIndex address for chain ${client.chainId}: pass it in the client's addresses.`,
    );
  return a;
}
