/**
 * Deployment library shared by scripts/deploy/deploy.ts, the contract tests and the ABI generator.
 *
 *   parametersFor(chainId)     Ignition parameters: module defaults (public chains) or the short
 *                              local values, plus a JSON file from TESSERA_DEPLOY_PARAMETERS and
 *                              TESSERA_PERIOD_BLOCKS
 *   deployTessera(connection)  runs the Ignition module (idempotent: Ignition's journal for the
 *                              chain decides what is already deployed) and returns the addresses
 *   writeDeployment(...)       deployments/<chainId>/addresses.json + abis/<Name>.json
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Abi, Address } from "viem";
import { getAddress } from "viem";
import { LOCAL_PARAMETERS, MARKETPLACE_DEFAULTS } from "../../ignition/defaults.ts";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const LOCAL_CHAIN_ID = 31337;

/** Contract names in deployments/<chainId>/addresses.json, in deployment order. */
export const CONTRACT_NAMES = [
  "TesseraToken",
  "TesseraTimelock",
  "TesseraGovernor",
  "Marketplace",
  "FileIndex",
] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];

export type Addresses = { chainId: number; deployBlock: number } & Partial<
  Record<ContractName, Address>
>;

/** Ignition future ids of the contracts (module id # contract name). */
export const FUTURE_IDS: Record<ContractName, string> = {
  TesseraToken: "TesseraGovernance#TesseraToken",
  TesseraTimelock: "TesseraGovernance#TesseraTimelock",
  TesseraGovernor: "TesseraGovernance#TesseraGovernor",
  Marketplace: "TesseraMarketplace#Marketplace",
  FileIndex: "TesseraFileIndex#FileIndex",
};

type Parameters = Record<string, Record<string, unknown>>;

/** Reads an Ignition parameters JSON file ("123n" strings become bigints, as Ignition does). */
export function readParametersFile(file: string): Parameters {
  const text = readFileSync(file, "utf8");
  return JSON.parse(text, (_key, value: unknown) =>
    typeof value === "string" && /^-?\d+n$/.test(value) ? BigInt(value.slice(0, -1)) : value,
  ) as Parameters;
}

function merge(into: Parameters, from: Parameters): Parameters {
  const out: Parameters = { ...into };
  for (const [module, values] of Object.entries(from))
    out[module] = { ...(out[module] ?? {}), ...values };
  return out;
}

/**
 * Ignition parameters for `chainId`: the local chain gets the short governance durations and
 * 20-block periods; any chain can be adjusted with TESSERA_DEPLOY_PARAMETERS=<file.json> (same
 * format as `ignition deploy --parameters`; a partial `TesseraMarketplace.params` is completed
 * with the defaults) and TESSERA_PERIOD_BLOCKS=<n>.
 */
export function parametersFor(chainId: number, env: NodeJS.ProcessEnv = process.env): Parameters {
  let parameters: Parameters =
    chainId === LOCAL_CHAIN_ID ? merge({}, LOCAL_PARAMETERS as unknown as Parameters) : {};
  const file = env.TESSERA_DEPLOY_PARAMETERS;
  if (file) {
    if (!existsSync(file))
      throw new Error(`TESSERA_DEPLOY_PARAMETERS points to ${file}, which does not exist.`);
    parameters = merge(parameters, readParametersFile(file));
  }
  if (env.TESSERA_PERIOD_BLOCKS) {
    const blocks = BigInt(env.TESSERA_PERIOD_BLOCKS);
    if (blocks < 1n)
      throw new Error(`TESSERA_PERIOD_BLOCKS must be >= 1 (got ${env.TESSERA_PERIOD_BLOCKS}).`);
    parameters = merge(parameters, { TesseraMarketplace: { periodBlocks: blocks } });
  }
  // `params` is one struct parameter: complete a partial one with the defaults.
  const params = parameters.TesseraMarketplace?.params;
  if (params !== undefined) {
    const unknown = Object.keys(params as object).filter(
      (k) => !(k in MARKETPLACE_DEFAULTS.params),
    );
    if (unknown.length > 0) {
      throw new Error(
        `TesseraMarketplace.params has unknown fields: ${unknown.join(", ")} (see docs/contracts-api.md).`,
      );
    }
    parameters.TesseraMarketplace = {
      ...parameters.TesseraMarketplace,
      params: { ...MARKETPLACE_DEFAULTS.params, ...(params as object) },
    };
  }
  return parameters;
}

/** Directory of Ignition's journal for a deployment id (http networks only). */
export function ignitionDeploymentDir(ignitionPath: string, deploymentId: string): string {
  return join(ignitionPath, "deployments", deploymentId);
}

/** Addresses Ignition recorded for a deployment, by future id (empty if none). */
export function readIgnitionAddresses(dir: string): Record<string, Address> {
  const file = join(dir, "deployed_addresses.json");
  if (!existsSync(file)) return {};
  return JSON.parse(readFileSync(file, "utf8")) as Record<string, Address>;
}

/** Block in which Ignition's journal says `futureId` was confirmed (undefined if not found). */
export function confirmedTxHash(dir: string, futureId: string): `0x${string}` | undefined {
  const file = join(dir, "journal.jsonl");
  if (!existsSync(file)) return undefined;
  let hash: `0x${string}` | undefined;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const message = JSON.parse(line) as { type?: string; futureId?: string; hash?: `0x${string}` };
    if (message.type === "TRANSACTION_CONFIRM" && message.futureId === futureId && message.hash)
      hash = message.hash;
  }
  return hash;
}

/**
 * Removes Ignition's journal for a deployment. Only for the local chain, whose state disappears
 * when the node restarts while the journal on disk remains.
 */
export function resetIgnitionDeployment(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Removes local-chain journals (`<prefix>*`) untouched for a day, except `keep`. */
export function pruneLocalJournals(
  deploymentsPath: string,
  prefix: string,
  keep: string,
  maxAgeMs = 86_400_000,
): void {
  if (!existsSync(deploymentsPath)) return;
  for (const name of readdirSync(deploymentsPath)) {
    if (!name.startsWith(prefix) || name === keep) continue;
    const dir = join(deploymentsPath, name);
    if (Date.now() - statSync(dir).mtimeMs > maxAgeMs)
      rmSync(dir, { recursive: true, force: true });
  }
}

export function deploymentDir(chainId: number, root = join(REPO_ROOT, "deployments")): string {
  return join(root, String(chainId));
}

export function readDeployment(chainId: number, root?: string): Addresses | undefined {
  const file = join(deploymentDir(chainId, root), "addresses.json");
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, "utf8")) as Addresses;
}

/** Writes deployments/<chainId>/addresses.json and abis/<Name>.json (only for deployed names). */
export function writeDeployment(
  addresses: Addresses,
  abis: Partial<Record<ContractName, Abi>>,
  root?: string,
): string {
  const dir = deploymentDir(addresses.chainId, root);
  mkdirSync(join(dir, "abis"), { recursive: true });
  const ordered: Record<string, unknown> = {
    chainId: addresses.chainId,
    deployBlock: addresses.deployBlock,
  };
  for (const name of CONTRACT_NAMES) {
    const address = addresses[name];
    if (address) ordered[name] = getAddress(address);
  }
  writeFileSync(join(dir, "addresses.json"), `${JSON.stringify(ordered, null, 2)}\n`);
  for (const name of CONTRACT_NAMES) {
    const abi = abis[name];
    if (abi && addresses[name])
      writeFileSync(join(dir, "abis", `${name}.json`), `${JSON.stringify(abi, null, 2)}\n`);
  }
  return dir;
}

/** Minimal ABI fragments the post-deployment check reads. */
const CHECK_ABI = [
  {
    type: "function",
    name: "hasRole",
    stateMutability: "view",
    inputs: [
      { name: "role", type: "bytes32" },
      { name: "account", type: "address" },
    ],
    outputs: [{ type: "bool" }],
  },
  {
    type: "function",
    name: "owner",
    stateMutability: "view",
    inputs: [],
    outputs: [{ type: "address" }],
  },
  {
    type: "function",
    name: "pendingOwner",
    stateMutability: "view",
    inputs: [],
    outputs: [{ type: "address" }],
  },
  {
    type: "function",
    name: "treasury",
    stateMutability: "view",
    inputs: [],
    outputs: [{ type: "address" }],
  },
  {
    type: "function",
    name: "timelock",
    stateMutability: "view",
    inputs: [],
    outputs: [{ type: "address" }],
  },
  {
    type: "function",
    name: "token",
    stateMutability: "view",
    inputs: [],
    outputs: [{ type: "address" }],
  },
] as const;

type Reader = {
  readContract(args: {
    address: Address;
    abi: typeof CHECK_ABI;
    functionName: string;
    args?: readonly unknown[];
  }): Promise<unknown>;
};

/**
 * Post-deployment check of the ownership wiring; returns the problems found (empty = good):
 * the Timelock administers itself and nobody else does, the Governor is its only proposer and
 * canceller, anyone may execute, and the Marketplace is owned by (and pays) the Timelock.
 */
export async function checkDeployment(
  client: Reader,
  addresses: Addresses,
  eoas: readonly Address[],
): Promise<string[]> {
  const problems: string[] = [];
  const {
    TesseraTimelock: timelock,
    TesseraGovernor: governor,
    Marketplace: marketplace,
    TesseraToken: token,
  } = addresses;
  if (!timelock || !governor || !token)
    return ["TesseraToken, TesseraTimelock and TesseraGovernor must all be deployed"];
  const read = (address: Address, functionName: string, args: readonly unknown[] = []) =>
    client.readContract({ address, abi: CHECK_ABI, functionName, args });
  const hasRole = async (role: `0x${string}`, account: Address) =>
    (await read(timelock, "hasRole", [role, account])) as boolean;
  const same = (a: unknown, b: Address) => typeof a === "string" && getAddress(a) === getAddress(b);
  const ROLES = {
    admin: `0x${"00".repeat(32)}`,
    proposer: "0xb09aa5aeb3702cfd50b6b62bc4532604938f21248a27a1d5ca736082b6819cc1",
    canceller: "0xfd643c72710c63c0180259aba6b2d05451e3591a24e58b62239378085726f783",
    executor: "0xd8aa0f3194971a2a116679f7c2090f6939c8d4e01a2a8d7e41d55e5351469e63",
  } as const;

  if (!(await hasRole(ROLES.admin, timelock)))
    problems.push("the Timelock does not administer itself");
  for (const eoa of eoas) {
    for (const [name, role] of Object.entries(ROLES)) {
      if (await hasRole(role, eoa)) problems.push(`${eoa} holds the Timelock ${name} role`);
    }
  }
  if (!(await hasRole(ROLES.proposer, governor)))
    problems.push("the Governor is not a Timelock proposer");
  if (!(await hasRole(ROLES.canceller, governor)))
    problems.push("the Governor is not a Timelock canceller");
  if (!(await hasRole(ROLES.executor, "0x0000000000000000000000000000000000000000")))
    problems.push("Timelock execution is not open to anyone");
  if (!same(await read(governor, "timelock"), timelock))
    problems.push("the Governor executes through another timelock");
  if (!same(await read(governor, "token"), token))
    problems.push("the Governor counts votes of another token");
  if (marketplace) {
    if (!same(await read(marketplace, "owner"), timelock))
      problems.push("the Marketplace is not owned by the Timelock");
    const pending = (await read(marketplace, "pendingOwner")) as string;
    if (BigInt(pending) !== 0n) problems.push(`the Marketplace has a pending owner ${pending}`);
    if (!same(await read(marketplace, "treasury"), timelock))
      problems.push("the Marketplace treasury is not the Timelock");
    if (!same(await read(marketplace, "token"), token))
      problems.push("the Marketplace uses another token");
  }
  return problems;
}
