/**
 * Read `deployments/<chainId>/addresses.json` in Node. The directory is, in order: the `dir`
 * option, `$TESSERA_DEPLOYMENTS_DIR`, or `deployments/` of the repository this sdk lives in.
 * Node only: import it as `@tessera/sdk/deployments/node`.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Account, Chain, PublicClient, Transport, WalletClient } from "viem";
import { createTesseraClient, type TesseraClient } from "../client/createTesseraClient.ts";
import { DeploymentNotFoundError } from "../errors/chain.ts";
import { parseDeployment, type TesseraAddresses } from "./index.ts";

export function defaultDeploymentsDir(env: Record<string, string | undefined> = process.env): string {
  return env.TESSERA_DEPLOYMENTS_DIR || fileURLToPath(new URL("../../../deployments/", import.meta.url));
}

export async function loadDeployment(chainId: number, options: { dir?: string } = {}): Promise<TesseraAddresses> {
  const file = join(options.dir ?? defaultDeploymentsDir(), String(chainId), "addresses.json");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new DeploymentNotFoundError(chainId, file, { cause });
  }
  const deployment = parseDeployment(JSON.parse(text));
  if (deployment.chainId !== chainId) throw new DeploymentNotFoundError(chainId, `${file} (it is for chain ${deployment.chainId})`);
  return deployment;
}

/**
 * A TesseraClient for the chain `publicClient` is connected to, with addresses from
 * `deployments/<chainId>/addresses.json`.
 */
export async function createTesseraClientFromDeployments(args: {
  publicClient: PublicClient;
  walletClient?: WalletClient<Transport, Chain | undefined, Account | undefined>;
  dir?: string;
}): Promise<TesseraClient> {
  const chainId = await args.publicClient.getChainId();
  const addresses = await loadDeployment(chainId, args.dir ? { dir: args.dir } : {});
  return createTesseraClient({
    publicClient: args.publicClient,
    ...(args.walletClient ? { walletClient: args.walletClient } : {}),
    addresses,
  });
}
