/**
 * The local Tessera stack as a library: a Hardhat node with interval mining, the contracts
 * deployed by the repo's deploy script, funded test accounts and N provider processes.
 * `npm run demo` (demo.ts) and the system tests (test/system/) both start it through
 * `startStack()`; everything runs on 127.0.0.1 and lives under one state directory.
 *
 * Layout of the state directory (`.demo/` for the demo, a temp dir for tests):
 *   pids/<name>.pid      one per background process (see processes.ts)
 *   logs/<name>.log      stdout+stderr of each process
 *   providers/<i>/       data dir and config of provider i
 *   stack.json           what a person or a test needs: URLs, addresses, keys
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createPublicClient,
  createWalletClient,
  http,
  parseAbi,
  parseUnits,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import type { TesseraAddresses } from "@tessera/sdk/deployments/index";
import { reapStale, startProcess, stopProcess, tail, waitFor, type ManagedProcess } from "./processes.ts";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Hardhat's well-known development mnemonic: the keys are public, for local use only. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** Account roles on the local chain (Hardhat's 20 funded accounts). */
export const ACCOUNT_INDEX = { deployer: 0, firstClient: 1, clients: 3, firstProvider: 4 } as const;
export const MAX_PROVIDERS = 20 - ACCOUNT_INDEX.firstProvider;

export type DevAccount = { index: number; address: Address; privateKey: Hex };

export function devAccount(index: number): DevAccount {
  const account = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index });
  const key = account.getHdKey().privateKey;
  if (!key) throw new Error("could not derive a dev key");
  return { index, address: account.address, privateKey: `0x${Buffer.from(key).toString("hex")}` };
}

/** deployments/<chainId>/addresses.json as the deploy script writes it (FileIndex included). */
export type Deployment = TesseraAddresses & { FileIndex: Address };

export type StackOptions = {
  /** State directory (PID files, logs, provider data). */
  dir: string;
  rpcPort?: number;
  /** Interval mining period; automine stays on so transactions confirm at once. */
  blockTimeMs?: number;
  providers?: number;
  /** Provider i listens on HTTP port `providerPortBase + i` (and libp2p on +100, +200). */
  providerPortBase?: number;
  /** Tokens (whole units) sent to each client and provider account. */
  fundTokens?: string;
  /** Extra environment for the deploy script (e.g. TESSERA_PERIOD_BLOCKS). */
  deployEnv?: Record<string, string>;
  /** Ignition parameters merged over the local defaults (e.g. a short challenge window for tests). */
  deployParameters?: Record<string, Record<string, unknown>>;
  /** Where deployments/<chainId>/ is written; default the repo's deployments/ (what the CLI reads). */
  deploymentsDir?: string;
  /** Start the dApp (dapp/, `npm run dev`) on this port when it exists; 0 to skip. */
  dappPort?: number;
  /** Compile the contracts before deploying (default true; tests compile once up front). */
  compile?: boolean;
  /** Chain poll interval of the provider nodes. */
  providerPollMs?: number;
  /** Extra environment for every provider process. */
  providerEnv?: Record<string, string>;
  log?: (line: string) => void;
};

export type ProviderHandle = {
  index: number;
  account: DevAccount;
  url: string;
  dataDir: string;
  configFile: string;
  proc?: ManagedProcess;
  readonly running: boolean;
};

export type Stack = {
  dir: string;
  rpcUrl: string;
  chainId: number;
  deployment?: Deployment;
  deploymentsDir: string;
  deployer: DevAccount;
  clients: DevAccount[];
  providers: ProviderHandle[];
  publicClient: PublicClient;
  /** Stop provider i (SIGTERM by default; SIGKILL to simulate a crash). */
  stopProvider(index: number, signal?: NodeJS.Signals): Promise<void>;
  startProvider(index: number): Promise<void>;
  /** Stops every process of the stack (providers first, then the chain). */
  stop(): Promise<void>;
  /** What is missing from the stack because another part has not landed yet. */
  notes: string[];
};

const erc20Abi = parseAbi([
  "function transfer(address to, uint256 amount) returns (bool)",
  "function balanceOf(address owner) view returns (uint256)",
  "function decimals() view returns (uint8)",
]);

async function portFree(port: number): Promise<boolean> {
  return await new Promise((resolvePort) => {
    const server = createServer();
    server.once("error", () => resolvePort(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolvePort(true)));
  });
}

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

/** A base port b such that b…b+n-1, b+100…, b+200… are free on 127.0.0.1 (provider HTTP, TCP, WS). */
export async function findFreePortBase(n: number, from = 20_000, span = 20_000): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = from + Math.floor(Math.random() * span);
    const ports = [0, 100, 200].flatMap((off) => Array.from({ length: n }, (_, i) => base + off + i));
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new Error("Could not find a free range of loopback ports.");
}

export function readDeployment(deploymentsDir: string, chainId: number): Deployment | undefined {
  const file = join(deploymentsDir, String(chainId), "addresses.json");
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, "utf8")) as Deployment;
}

/** The deploy entry point written by the contracts part (scripts/deploy/). */
export function findDeployScript(): string | undefined {
  for (const candidate of ["scripts/deploy/deploy.ts", "scripts/deploy/index.ts", "scripts/deploy/main.ts"]) {
    if (existsSync(join(REPO_ROOT, candidate))) return candidate;
  }
  return undefined;
}

/** The provider daemon's CLI entry point (provider-node/). */
export function findProviderCli(): string | undefined {
  const pkgFile = join(REPO_ROOT, "provider-node", "package.json");
  if (existsSync(pkgFile)) {
    const pkg = JSON.parse(readFileSync(pkgFile, "utf8")) as { bin?: string | Record<string, string> };
    const bin = typeof pkg.bin === "string" ? pkg.bin : pkg.bin?.["tessera-provider"];
    if (bin && existsSync(join(REPO_ROOT, "provider-node", bin))) return join("provider-node", bin);
  }
  for (const candidate of ["provider-node/src/cli/index.ts", "provider-node/src/cli.ts", "provider-node/src/cli/main.ts"]) {
    if (existsSync(join(REPO_ROOT, candidate))) return candidate;
  }
  return undefined;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const log = options.log ?? (() => {});
  const dir = resolve(options.dir);
  const rpcPort = options.rpcPort ?? 8545;
  const rpcUrl = `http://127.0.0.1:${rpcPort}`;
  const providerCount = options.providers ?? 6;
  const portBase = options.providerPortBase ?? 4100;
  if (providerCount > MAX_PROVIDERS) throw new Error(`At most ${MAX_PROVIDERS} providers (Hardhat has 20 accounts).`);
  mkdirSync(dir, { recursive: true });
  await reapStale(dir, log);
  const notes: string[] = [];
  const procs: ManagedProcess[] = [];
  const node = process.execPath; // Node 22 when run through npm / node_modules/.bin/node
  const env = { ...process.env, TESSERA_STACK_DIR: dir };

  const stopAll = async (): Promise<void> => {
    await Promise.all(providers.map((provider) => (provider.proc ? stopProcess(provider.proc) : undefined)));
    for (const proc of procs.reverse()) await stopProcess(proc);
  };
  const providers: ProviderHandle[] = [];

  try {
    // 1. Chain.
    if (!(await portFree(rpcPort))) {
      throw new Error(
        `Port ${rpcPort} on 127.0.0.1 is in use. Stop whatever listens there (another demo?) or choose another port.`,
      );
    }
    log(`starting Hardhat node on ${rpcUrl}`);
    const chain = startProcess({
      name: "hardhat-node",
      command: node,
      args: [join(REPO_ROOT, "node_modules/hardhat/dist/src/cli.js"), "node", "--hostname", "127.0.0.1", "--port", String(rpcPort)],
      cwd: REPO_ROOT,
      env,
      stateDir: dir,
    });
    procs.push(chain);
    const chainIdHex = await waitFor("the JSON-RPC server", async () => (await rpc(rpcUrl, "eth_chainId")) as string, {
      timeoutMs: 90_000,
      proc: chain,
    });
    const chainId = Number(chainIdHex);
    await rpc(rpcUrl, "evm_setIntervalMining", [options.blockTimeMs ?? 1000]);

    const publicClient = createPublicClient({ transport: http(rpcUrl) }) as PublicClient;
    const deployer = devAccount(ACCOUNT_INDEX.deployer);
    const clients = Array.from({ length: ACCOUNT_INDEX.clients }, (_, i) => devAccount(ACCOUNT_INDEX.firstClient + i));
    const deploymentsDir = resolve(options.deploymentsDir ?? join(REPO_ROOT, "deployments"));

    // 2. Contracts.
    let deployment: Deployment | undefined;
    const deployScript = findDeployScript();
    if (!deployScript) {
      notes.push("contracts not deployed: the deploy script (scripts/deploy/) has not landed yet");
    } else {
      log(`deploying contracts (${deployScript})`);
      // A fresh Hardhat node has no contracts: Ignition's journal for this chain id is stale.
      const deployEnv: Record<string, string> = {
        TESSERA_RPC_URL: rpcUrl,
        TESSERA_FRESH_CHAIN: "1",
        TESSERA_DEPLOYMENTS_DIR: deploymentsDir,
        ...options.deployEnv,
      };
      if (options.deployParameters) {
        const file = join(dir, "deploy-parameters.json");
        writeFileSync(file, JSON.stringify(options.deployParameters, (_k, v) => (typeof v === "bigint" ? `${v}n` : v), 2));
        deployEnv.TESSERA_DEPLOY_PARAMETERS = file;
      }
      const deployProc = startProcess({
        name: "deploy",
        command: node,
        args: [
          join(REPO_ROOT, "node_modules/hardhat/dist/src/cli.js"),
          "run",
          "--network",
          "localhost",
          ...(options.compile === false ? ["--no-compile"] : []),
          deployScript,
        ],
        cwd: REPO_ROOT,
        env: { ...env, ...deployEnv },
        stateDir: dir,
      });
      const code = await deployProc.exited;
      if (code !== 0) throw new Error(`Deploying the contracts failed (exit ${code}); see ${deployProc.logFile}\n${tail(deployProc.logFile)}`);
      deployment = readDeployment(deploymentsDir, chainId);
      if (!deployment) throw new Error(`The deploy script did not write deployments/${chainId}/addresses.json`);
    }

    // 3. Tokens for clients and providers.
    const providerAccounts = Array.from({ length: providerCount }, (_, i) => devAccount(ACCOUNT_INDEX.firstProvider + i));
    if (deployment) {
      const wallet = createWalletClient({ account: mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 0 }), transport: http(rpcUrl) });
      const decimals = await publicClient.readContract({ address: deployment.TesseraToken, abi: erc20Abi, functionName: "decimals" });
      const amount = parseUnits(options.fundTokens ?? "100000", decimals);
      for (const account of [...clients, ...providerAccounts]) {
        const balance = await publicClient.readContract({
          address: deployment.TesseraToken,
          abi: erc20Abi,
          functionName: "balanceOf",
          args: [account.address],
        });
        if (balance >= amount) continue;
        const hash = await wallet.writeContract({
          address: deployment.TesseraToken,
          abi: erc20Abi,
          functionName: "transfer",
          args: [account.address, amount - balance],
          chain: null,
        });
        await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 100 });
      }
      log(`funded ${clients.length} clients and ${providerAccounts.length} providers`);
    }

    // 4. Providers.
    const providerCli = findProviderCli();
    for (let i = 0; i < providerCount; i++) {
      const dataDir = join(dir, "providers", String(i));
      mkdirSync(dataDir, { recursive: true });
      const account = providerAccounts[i]!;
      const port = portBase + i;
      const configFile = join(dataDir, "config.json");
      const handle: ProviderHandle = {
        index: i,
        account,
        url: `http://127.0.0.1:${port}`,
        dataDir,
        configFile,
        get running() {
          return this.proc !== undefined && !this.proc.hasExited;
        },
      };
      providers.push(handle);
      writeFileSync(
        configFile,
        JSON.stringify(
          {
            dataDir,
            rpcUrl,
            chainId,
            privateKey: account.privateKey,
            http: { host: "127.0.0.1", port },
            httpEndpoint: handle.url,
            libp2p: { tcpPort: port + 100, wsPort: port + 200 },
            register: { stake: "10000", capacityBytes: String(8 * 1024 ** 3), pricePerBytePeriod: "1" },
            deploymentsDir,
            pollIntervalMs: options.providerPollMs ?? 500,
            logLevel: "info",
          },
          null,
          2,
        ),
      );
    }

    const startProvider = async (index: number): Promise<void> => {
      const handle = providers[index];
      if (!handle) throw new Error(`No provider ${index}`);
      if (handle.running) return;
      if (!providerCli) throw new Error("The provider daemon (provider-node/) has not landed yet.");
      if (!deployment) throw new Error("Providers need deployed contracts.");
      handle.proc = startProcess({
        name: `provider-${index}`,
        command: node,
        args: [join(REPO_ROOT, providerCli), "start", "--config", handle.configFile],
        cwd: REPO_ROOT,
        env: { ...env, ...options.providerEnv },
        stateDir: dir,
      });
      const proc = handle.proc;
      await waitFor(
        `provider ${index} at ${handle.url}`,
        async () => {
          const response = await fetch(`${handle.url}/status`);
          if (!response.ok) return undefined;
          const status = (await response.json()) as { registered?: boolean; stake?: string };
          return status.registered === false ? undefined : status;
        },
        { timeoutMs: 120_000, proc, intervalMs: 300 },
      );
    };

    if (!providerCli) notes.push("no provider nodes: the provider daemon (provider-node/) has not landed yet");
    else if (deployment) {
      log(`starting ${providerCount} provider nodes`);
      // Start in parallel (each registers with its own account), then wait for all.
      await Promise.all(providers.map((p) => startProvider(p.index)));
    }

    // 5. The dApp, once it exists (dapp/package.json with a "dev" script).
    const dappPkg = join(REPO_ROOT, "dapp", "package.json");
    if (options.dappPort && existsSync(dappPkg) && (JSON.parse(readFileSync(dappPkg, "utf8")) as { scripts?: Record<string, string> }).scripts?.dev) {
      const dappUrl = `http://127.0.0.1:${options.dappPort}`;
      log(`starting the dApp on ${dappUrl}`);
      const dapp = startProcess({
        name: "dapp",
        command: "npm",
        args: ["run", "dev", "-w", "dapp", "--", "--hostname", "127.0.0.1", "--port", String(options.dappPort)],
        cwd: REPO_ROOT,
        env: { ...env, NEXT_PUBLIC_TESSERA_RPC_URL: rpcUrl, NEXT_PUBLIC_TESSERA_CHAIN_ID: String(chainId) },
        stateDir: dir,
      });
      procs.push(dapp);
      await waitFor("the dApp", async () => ((await fetch(dappUrl)).status < 500 ? true : undefined), { timeoutMs: 180_000, proc: dapp, intervalMs: 1000 });
      notes.push(`dapp: ${dappUrl}`);
    }

    const stack: Stack = {
      dir,
      rpcUrl,
      chainId,
      deployment,
      deploymentsDir,
      deployer,
      clients,
      providers,
      publicClient,
      notes,
      stopProvider: async (index, signal = "SIGTERM") => {
        const proc = providers[index]?.proc;
        if (proc) await stopProcess(proc, { signal });
      },
      startProvider,
      stop: stopAll,
    };
    writeFileSync(
      join(dir, "stack.json"),
      JSON.stringify(
        {
          rpcUrl,
          chainId,
          deployment,
          clients,
          providers: providers.map((p) => ({ url: p.url, address: p.account.address, dataDir: p.dataDir })),
          notes,
        },
        null,
        2,
      ),
    );
    return stack;
  } catch (error) {
    await stopAll();
    throw error;
  }
}
