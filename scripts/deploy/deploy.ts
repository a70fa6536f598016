/**
 * Deploy (or re-use) the whole Tessera protocol and write deployments/<chainId>/.
 *
 *   npx hardhat run scripts/deploy/deploy.ts --network localhost      # local node (short durations)
 *   npx hardhat run scripts/deploy/deploy.ts --network baseSepolia    # see docs/deploy.md
 *
 * Idempotent: Ignition's journal (ignition/deployments/chain-<id>/) records what is deployed, so
 * a second run on the same chain deploys nothing and rewrites the same addresses. The local chain
 * (31337) journal is ignition/deployments/chain-31337-<genesis hash prefix>/: one per node
 * instance, so a restarted node gets a fresh deployment; TESSERA_FRESH_CHAIN=1 discards it anyway.
 *
 * Environment: TESSERA_RPC_URL overrides the network's URL; TESSERA_DEPLOY_PARAMETERS=<file.json>
 * (Ignition parameters format) and TESSERA_PERIOD_BLOCKS=<n> adjust parameters;
 * TESSERA_DEPLOYMENTS_DIR changes where deployments/ is written.
 */
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import hre, { network } from "hardhat";
import type { Abi, Address } from "viem";
import { getAddress } from "viem";
import TesseraModule from "../../ignition/modules/Tessera.ts";
import {
  type Addresses,
  CONTRACT_NAMES,
  checkDeployment,
  confirmedTxHash,
  type ContractName,
  FUTURE_IDS,
  ignitionDeploymentDir,
  LOCAL_CHAIN_ID,
  parametersFor,
  pruneLocalJournals,
  readDeployment,
  readIgnitionAddresses,
  REPO_ROOT,
  resetIgnitionDeployment,
  writeDeployment,
} from "./lib.ts";

const BASE_MAINNET = 8453;

const networkName = hre.globalOptions.network ?? "default";
const url = process.env.TESSERA_RPC_URL;
const connection = await network.create(
  url && networkName !== "default"
    ? { network: networkName, override: { url } }
    : { network: networkName },
);
const publicClient = await connection.viem.getPublicClient();
const chainId = await publicClient.getChainId();
const local = chainId === LOCAL_CHAIN_ID;
// Local chains all have id 31337 (the demo, system tests, a developer's node), so the local journal
// is keyed by the chain's genesis hash as well: each node instance gets its own journal, a restarted
// node starts a fresh one, and two local chains never share (or corrupt) a journal.
const genesis = local ? (await publicClient.getBlock({ blockNumber: 0n })).hash : undefined;
const deploymentId = local ? `chain-${chainId}-${genesis!.slice(2, 12)}` : `chain-${chainId}`;
const journalDir = ignitionDeploymentDir(hre.config.paths.ignition, deploymentId);
const deploymentsRoot = process.env.TESSERA_DEPLOYMENTS_DIR ?? join(REPO_ROOT, "deployments");
const rel = (p: string) => relative(process.cwd(), p) || ".";

// 1. Journals of local chains that are long gone; a stale journal on a public chain is an error.
if (local) {
  pruneLocalJournals(
    join(hre.config.paths.ignition, "deployments"),
    `chain-${chainId}-`,
    deploymentId,
  );
  if (process.env.TESSERA_FRESH_CHAIN === "1" && existsSync(journalDir))
    resetIgnitionDeployment(journalDir);
} else {
  const recordedToken = readIgnitionAddresses(journalDir)[FUTURE_IDS.TesseraToken];
  if (recordedToken !== undefined && !(await publicClient.getCode({ address: recordedToken }))) {
    throw new Error(
      `Ignition's journal ${rel(journalDir)} says TesseraToken is at ${recordedToken}, but chain ${chainId} has no code there. ` +
        `Check that --network points at the right chain; if the old deployment is really gone, move that directory away and deploy again.`,
    );
  }
}

// 2. Parameters.
const parameters = parametersFor(chainId);
if (chainId === BASE_MAINNET && parameters.TesseraGovernance?.tokenRecipient === undefined) {
  throw new Error(
    "On Base mainnet set TesseraGovernance.tokenRecipient (the multisig or distribution contract that receives the fixed supply) " +
      "in the file named by TESSERA_DEPLOY_PARAMETERS; the deployer key should not hold the supply.",
  );
}

// 3. Deploy (Ignition skips whatever its journal says is done).
console.log(
  `Deploying Tessera to ${networkName} (chain ${chainId}) as Ignition deployment "${deploymentId}"…`,
);
let deployed: Record<string, { address: Address }>;
try {
  deployed = (await connection.ignition.deploy(TesseraModule, {
    parameters: parameters as never,
    deploymentId,
    displayUi: true,
  })) as Record<string, { address: Address }>;
} catch (error) {
  const hint = local
    ? `To start over on this local chain run again with TESSERA_FRESH_CHAIN=1 (or restart the node).`
    : `Fix the cause, then run again: Ignition resumes from ${rel(journalDir)}; a failed step may need ` +
      `\`npx hardhat ignition wipe ${deploymentId} <futureId>\`.`;
  throw new Error(`Deployment to chain ${chainId} failed. ${hint}`, { cause: error });
}

const byName: Partial<Record<ContractName, Address>> = {
  TesseraToken: deployed.token?.address,
  TesseraTimelock: deployed.timelock?.address,
  TesseraGovernor: deployed.governor?.address,
  Marketplace: deployed.marketplace?.address,
  FileIndex: deployed.fileIndex?.address,
};

// 4. The deploy block: where indexers start scanning (the token's deployment, the first one).
async function findDeployBlock(): Promise<number> {
  const previous = readDeployment(chainId, deploymentsRoot);
  if (
    previous?.TesseraToken &&
    byName.TesseraToken &&
    getAddress(previous.TesseraToken) === getAddress(byName.TesseraToken)
  ) {
    return previous.deployBlock;
  }
  const hash = confirmedTxHash(journalDir, FUTURE_IDS.TesseraToken);
  if (hash) return Number((await publicClient.getTransactionReceipt({ hash })).blockNumber);
  throw new Error(
    `Could not find the TesseraToken deployment transaction in ${rel(journalDir)}/journal.jsonl.`,
  );
}

const addresses: Addresses = { chainId, deployBlock: await findDeployBlock(), ...byName };
const abis: Partial<Record<ContractName, Abi>> = {};
for (const name of CONTRACT_NAMES) {
  if (byName[name]) abis[name] = (await hre.artifacts.readArtifact(name)).abi as Abi;
}
const dir = writeDeployment(addresses, abis, deploymentsRoot);

// 5. Nobody but governance controls anything: check the wiring on chain.
const eoas = (await connection.viem.getWalletClients()).map((w) => w.account.address);
const problems = await checkDeployment(publicClient as never, addresses, eoas);
if (problems.length > 0) {
  throw new Error(
    `The deployment on chain ${chainId} is not wired as it must be:\n  - ${problems.join("\n  - ")}`,
  );
}

console.log(`\nTessera on chain ${chainId} (from block ${addresses.deployBlock}):`);
for (const name of CONTRACT_NAMES)
  if (byName[name]) console.log(`  ${name.padEnd(16)} ${byName[name]}`);
console.log(`Written to ${rel(dir)}/ (addresses.json, abis/)`);
console.log(
  "Checked: the Timelock owns the Marketplace and is its treasury; only the Governor proposes; no EOA holds a role.",
);
if (local)
  console.log(
    "Local chain: the deployer holds the whole supply; fund accounts with scripts/deploy/fund.ts.",
  );
await connection.close?.();
