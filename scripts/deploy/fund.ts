/**
 * Give test accounts tokens on the local chain, from the deployer (who holds the whole supply there).
 *
 *   npx hardhat run scripts/deploy/fund.ts --network localhost
 *
 * TESSERA_FUND_AMOUNT   whole tokens per account (default 100000); accounts are topped up to it
 * TESSERA_FUND_ACCOUNTS comma-separated addresses (default: the node's accounts 1..19)
 * TESSERA_RPC_URL, TESSERA_DEPLOYMENTS_DIR as for deploy.ts
 */
import { join } from "node:path";
import hre, { network } from "hardhat";
import type { Address } from "viem";
import { getAddress, isAddress, parseUnits } from "viem";
import { LOCAL_CHAIN_ID, readDeployment, REPO_ROOT } from "./lib.ts";

const networkName = hre.globalOptions.network ?? "default";
const url = process.env.TESSERA_RPC_URL;
const connection = await network.create(
  url && networkName !== "default"
    ? { network: networkName, override: { url } }
    : { network: networkName },
);
const publicClient = await connection.viem.getPublicClient();
const chainId = await publicClient.getChainId();
if (chainId !== LOCAL_CHAIN_ID)
  throw new Error(`fund.ts only funds the local chain (31337); this is chain ${chainId}.`);

const deployment = readDeployment(
  chainId,
  process.env.TESSERA_DEPLOYMENTS_DIR ?? join(REPO_ROOT, "deployments"),
);
if (!deployment?.TesseraToken) {
  throw new Error(`No deployments/${chainId}/addresses.json: run scripts/deploy/deploy.ts first.`);
}
const [deployer, ...others] = await connection.viem.getWalletClients();
const token = await connection.viem.getContractAt("TesseraToken", deployment.TesseraToken, {
  client: { wallet: deployer! },
});
const amount = parseUnits(process.env.TESSERA_FUND_AMOUNT ?? "100000", 18);

let accounts: Address[];
if (process.env.TESSERA_FUND_ACCOUNTS) {
  accounts = process.env.TESSERA_FUND_ACCOUNTS.split(",").map((a) => {
    if (!isAddress(a.trim())) throw new Error(`TESSERA_FUND_ACCOUNTS: "${a}" is not an address.`);
    return getAddress(a.trim());
  });
} else {
  accounts = others.map((w) => w.account.address);
}

for (const account of accounts) {
  const balance = await token.read.balanceOf([account]);
  if (balance >= amount) continue;
  const hash = await token.write.transfer([account, amount - balance]);
  await publicClient.waitForTransactionReceipt({ hash });
}
console.log(
  `Funded ${accounts.length} accounts with ${process.env.TESSERA_FUND_AMOUNT ?? "100000"} TSR each (topped up).`,
);
