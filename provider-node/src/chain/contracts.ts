/**
 * Contract addresses and ABIs from a deployments directory (`<dir>/<chainId>/addresses.json`,
 * `<dir>/<chainId>/abis/<Name>.json`), the layout the deploy script writes.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Abi, Address } from "viem";

export type Deployment = {
  chainId: number;
  deployBlock: bigint;
  marketplace: Address;
  token: Address;
  marketplaceAbi: Abi;
  tokenAbi: Abi;
};

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8"));
}

function abiFrom(json: unknown): Abi {
  if (Array.isArray(json)) return json as Abi;
  const abi = (json as { abi?: unknown }).abi;
  if (Array.isArray(abi)) return abi as Abi;
  throw new Error("not an ABI file (expected an array or { abi: [...] })");
}

export function loadDeployment(deploymentsDir: string, chainId: number): Deployment {
  const dir = existsSync(join(deploymentsDir, String(chainId), "addresses.json"))
    ? join(deploymentsDir, String(chainId))
    : deploymentsDir;
  const addressesFile = join(dir, "addresses.json");
  if (!existsSync(addressesFile)) {
    throw new Error(
      `no deployment for chain ${chainId} in ${deploymentsDir}: deploy the contracts first (npm run deploy) or pass --deployments-dir`,
    );
  }
  const a = readJson(addressesFile) as Record<string, unknown>;
  if (typeof a.Marketplace !== "string" || typeof a.TesseraToken !== "string") {
    throw new Error(`${addressesFile} lacks Marketplace or TesseraToken`);
  }
  return {
    chainId: Number(a.chainId ?? chainId),
    deployBlock: BigInt((a.deployBlock as number | string | undefined) ?? 0),
    marketplace: a.Marketplace as Address,
    token: a.TesseraToken as Address,
    marketplaceAbi: abiFrom(readJson(join(dir, "abis", "Marketplace.json"))),
    tokenAbi: abiFrom(readJson(join(dir, "abis", "TesseraToken.json"))),
  };
}
