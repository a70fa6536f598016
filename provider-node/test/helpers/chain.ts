/**
 * A real local chain for tests: `hardhat node` spawned on a free loopback port (stopped by PID),
 * TesseraToken + Marketplace deployed from the repo's compiled artifacts with viem, and a
 * deployments directory in the layout the provider reads (`<dir>/<chainId>/…`).
 */
import { encodeFile, memorySink, type EncodeResult } from "@tessera/sdk";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  http,
  parseEventLogs,
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { mnemonicToAccount, type HDAccount } from "viem/accounts";

export const REPO = new URL("../../../", import.meta.url).pathname;
const MNEMONIC = "test test test test test test test test test test test junk";

export function account(index: number): HDAccount & { privateKey: Hex } {
  const acc = mnemonicToAccount(MNEMONIC, { addressIndex: index });
  const key = acc.getHdKey().privateKey!;
  return Object.assign(acc, { privateKey: `0x${Buffer.from(key).toString("hex")}` as Hex });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function artifact(path: string): { abi: Abi; bytecode: Hex } {
  const file = join(REPO, "artifacts", "contracts", path);
  if (!existsSync(file)) {
    const cli = join(REPO, "node_modules", "hardhat", "dist", "src", "cli.js");
    const r = spawnSync(process.execPath, [cli, "build"], { cwd: REPO, stdio: "inherit" });
    if (r.status !== 0) throw new Error("hardhat build failed");
  }
  const a = JSON.parse(readFileSync(file, "utf8")) as { abi: Abi; bytecode: Hex };
  return a;
}

export type TestChain = {
  rpcUrl: string;
  chainId: number;
  publicClient: PublicClient;
  token: Address;
  marketplace: Address;
  tokenAbi: Abi;
  marketplaceAbi: Abi;
  deploymentsDir: string;
  periodBlocks: bigint;
  mine(blocks: number): Promise<void>;
  mineToPeriod(period: bigint): Promise<void>;
  write(
    from: HDAccount,
    target: "token" | "market",
    functionName: string,
    args: readonly unknown[],
  ): Promise<{ hash: Hex; logs: unknown[] }>;
  read<T>(target: "token" | "market", functionName: string, args?: readonly unknown[]): Promise<T>;
  stop(): Promise<void>;
};

export async function startChain(options: {
  dir: string;
  periodBlocks?: bigint;
}): Promise<TestChain> {
  const port = await freePort();
  const cli = join(REPO, "node_modules", "hardhat", "dist", "src", "cli.js");
  const proc: ChildProcess = spawn(
    process.execPath,
    [
      cli,
      "--config",
      join(REPO, "provider-node/test/helpers/hardhat-node.config.ts"),
      "--network",
      "local",
      "node",
      "--hostname",
      "127.0.0.1",
      "--port",
      String(port),
    ],
    {
      cwd: REPO,
      stdio: ["ignore", "ignore", "pipe"],
      detached: false,
    },
  );
  writeFileSync(join(options.dir, "hardhat.pid"), String(proc.pid));
  let stderr = "";
  proc.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const rpcUrl = `http://127.0.0.1:${port}`;
  const chain = defineChain({
    id: 31337,
    name: "hardhat",
    nativeCurrency: { name: "ETH", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const publicClient = createPublicClient({
    chain,
    transport: http(rpcUrl),
    pollingInterval: 50,
    cacheTime: 0,
  }) as PublicClient;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await publicClient.getChainId();
      break;
    } catch {
      if (proc.exitCode !== null || Date.now() > deadline)
        throw new Error(`hardhat node did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const testClient = createTestClient({ chain, mode: "hardhat", transport: http(rpcUrl) });
  const deployer = account(0);
  const wallet = (acc: HDAccount) =>
    createWalletClient({ chain, transport: http(rpcUrl), account: acc });
  const tokenArt = artifact("token/TesseraToken.sol/TesseraToken.json");
  const marketArt = artifact("market/Marketplace.sol/Marketplace.json");
  const deploy = async (art: { abi: Abi; bytecode: Hex }, args: unknown[]) => {
    const hash = await wallet(deployer).deployContract({
      abi: art.abi,
      bytecode: art.bytecode,
      args,
    });
    const r = await publicClient.waitForTransactionReceipt({ hash });
    return r.contractAddress!;
  };
  const periodBlocks = options.periodBlocks ?? 10n;
  const token = await deploy(tokenArt, [deployer.address]);
  const params = {
    protocolFeeBps: 100,
    slashBps: 500,
    reporterRewardBps: 5000,
    repairBountyBps: 5000,
    maxMisses: 3,
    challengesPerPeriod: 8,
    missGracePeriods: 16,
    challengeWindowBlocks: 100,
    unbondingDelay: 60n,
    maxShardSize: 268435456n,
    maxDurationPeriods: 3650,
    targetedBond: 10n ** 17n,
    minStake: 10n ** 20n,
  };
  const marketplace = await deploy(marketArt, [
    token,
    deployer.address,
    deployer.address,
    periodBlocks,
    params,
  ]);
  const deployBlock = await publicClient.getBlockNumber();
  const deploymentsDir = join(options.dir, "deployments");
  mkdirSync(join(deploymentsDir, "31337", "abis"), { recursive: true });
  writeFileSync(
    join(deploymentsDir, "31337", "addresses.json"),
    JSON.stringify({
      chainId: 31337,
      deployBlock: Number(deployBlock),
      TesseraToken: token,
      Marketplace: marketplace,
    }),
  );
  writeFileSync(
    join(deploymentsDir, "31337", "abis", "TesseraToken.json"),
    JSON.stringify(tokenArt.abi),
  );
  writeFileSync(
    join(deploymentsDir, "31337", "abis", "Marketplace.json"),
    JSON.stringify(marketArt.abi),
  );

  const tc: TestChain = {
    rpcUrl,
    chainId: 31337,
    publicClient,
    token,
    marketplace,
    tokenAbi: tokenArt.abi,
    marketplaceAbi: marketArt.abi,
    deploymentsDir,
    periodBlocks,
    async mine(blocks) {
      await testClient.mine({ blocks });
    },
    async mineToPeriod(period) {
      const head = await publicClient.getBlockNumber();
      const target = period * periodBlocks;
      if (head < target) await testClient.mine({ blocks: Number(target - head) });
    },
    async write(from, target, functionName, args) {
      const address = target === "token" ? token : marketplace;
      const abi = target === "token" ? tokenArt.abi : marketArt.abi;
      const { request } = await publicClient.simulateContract({
        address,
        abi,
        functionName,
        args,
        account: from,
      });
      const hash = await wallet(from).writeContract(request as never);
      const r = await publicClient.waitForTransactionReceipt({ hash });
      if (r.status !== "success") throw new Error(`${functionName} reverted`);
      return { hash, logs: r.logs };
    },
    read(target, functionName, args = []) {
      const address = target === "token" ? token : marketplace;
      const abi = target === "token" ? tokenArt.abi : marketArt.abi;
      return publicClient.readContract({ address, abi, functionName, args }) as never;
    },
    async stop() {
      if (proc.exitCode === null) {
        proc.kill("SIGTERM");
        await new Promise((r) => proc.once("exit", r));
      }
    },
  };
  return tc;
}

export type StoredRequest = {
  requestId: Hex;
  /** The encoded shards, slot order. */
  shards: Uint8Array[];
  encoded: EncodeResult;
  /** Tokens per slot per period (twice the 1 wei/byte/period ask). */
  price: bigint;
  collateral: bigint;
};

/**
 * What a client does before uploading: encode `plaintext` into k + m shards with the sdk,
 * approve the escrow and create the storage request (collateral 10 tokens per slot).
 */
export async function createStoredRequest(
  chain: TestChain,
  client: HDAccount,
  plaintext: Uint8Array,
  { k, m, durationPeriods }: { k: number; m: number; durationPeriods: number },
): Promise<StoredRequest> {
  const sinks = Array.from({ length: k + m }, () => memorySink());
  const encoded = await encodeFile(plaintext, {
    k,
    m,
    fileKey: randomBytes(32),
    fileId: randomBytes(16),
    sinks,
  });
  const price = BigInt(encoded.shardSize) * 2n;
  const collateral = 10n * 10n ** 18n;
  await chain.write(client, "token", "approve", [
    chain.marketplace,
    price * BigInt(k + m) * BigInt(durationPeriods),
  ]);
  const { logs } = await chain.write(client, "market", "createRequest", [
    {
      k,
      m,
      shardSize: BigInt(encoded.shardSize),
      durationPeriods,
      pricePerSlotPeriod: price,
      collateralPerSlot: collateral,
      fillDeadline: BigInt(Math.floor(Date.now() / 1000) + 3600),
      roots: encoded.shards.map((s) => s.root),
      cids: encoded.shards.map((s) => s.cid),
    },
  ]);
  const created = parseEventLogs({
    abi: chain.marketplaceAbi,
    logs: logs as never,
    eventName: "RequestCreated",
  })[0] as unknown as { args: { id: Hex } };
  return {
    requestId: created.args.id,
    shards: sinks.map((s) => s.bytes()),
    encoded,
    price,
    collateral,
  };
}
