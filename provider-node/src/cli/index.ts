#!/usr/bin/env node
/**
 * tessera-provider — init | start | status | withdraw | unstake.
 * Config precedence: flags > env (TESSERA_PROVIDER_*) > --config file or <data-dir>/config.json > defaults.
 */
import { Command, Option } from "commander";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { pino } from "pino";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { FsBlockstore } from "blockstore-fs";
import { ChainService, INITIAL_CHAIN_STATE, type ChainState } from "../chain/chain-service.ts";
import { loadDeployment } from "../chain/contracts.ts";
import { loadConfig, type PartialConfig, type ProviderConfig } from "../config.ts";
import { createProviderNode } from "../services/provider-node.ts";
import { ShardBlockstore } from "../storage/shard-blockstore.ts";
import { ShardStore } from "../storage/shard-store.ts";
import { StateFile } from "../storage/state.ts";

type Flags = {
  config?: string;
  dataDir?: string;
  rpc?: string;
  chainId?: string;
  key?: string;
  deploymentsDir?: string;
  httpHost?: string;
  httpPort?: string;
  httpEndpoint?: string;
  p2pPort?: string;
  wsPort?: string;
  peer?: string[];
  stake?: string;
  capacity?: string;
  price?: string;
  maxGasPriceGwei?: string;
  withdrawEvery?: string;
  pollMs?: string;
  watchMarkMissing?: boolean;
  watchRepair?: boolean;
  logLevel?: string;
};

function withCommonOptions(cmd: Command): Command {
  return cmd
    .option("-c, --config <file>", "config file (default <data-dir>/config.json)")
    .option("-d, --data-dir <dir>", "data directory (shards, blocks, state, config)")
    .option("--rpc <url>", "JSON-RPC URL of the chain")
    .option("--chain-id <n>", "chain id (default 31337)")
    .option(
      "--key <hex>",
      "provider private key (0x…); prefer the config file or TESSERA_PROVIDER_PRIVATE_KEY",
    )
    .option("--deployments-dir <dir>", "deployments directory (default ./deployments)")
    .option("--http-host <host>", "HTTP bind address (default 127.0.0.1)")
    .option("--http-port <port>", "HTTP port (default 8600)")
    .option("--http-endpoint <url>", "public URL announced on chain")
    .option("--p2p-port <port>", "libp2p TCP port (default 4100; WebSockets on +1)")
    .option("--ws-port <port>", "libp2p WebSockets port")
    .option("--peer <multiaddr...>", "libp2p peers to dial at start")
    .option("--stake <tokens>", "register with this stake (whole tokens) on first start")
    .option("--capacity <bytes>", "capacity offered, bytes")
    .option("--price <wei>", "price per byte per period, token wei")
    .option("--max-gas-price-gwei <gwei>", "never send a transaction above this gas price")
    .option("--withdraw-every <periods>", "claim and withdraw earnings every N periods (0 = never)")
    .option("--poll-ms <ms>", "chain poll interval")
    .option(
      "--watch-mark-missing",
      "report other providers' missing proofs and free delinquent slots",
    )
    .option("--watch-repair", "rebuild and refill freed slots of other requests")
    .addOption(
      new Option("--log-level <level>", "log level").choices([
        "trace",
        "debug",
        "info",
        "warn",
        "error",
        "silent",
      ]),
    );
}

function flagsToConfig(f: Flags): PartialConfig {
  const num = (v?: string) => (v === undefined ? undefined : Number(v));
  const c: PartialConfig = {
    dataDir: f.dataDir,
    rpcUrl: f.rpc,
    chainId: num(f.chainId),
    privateKey: f.key as `0x${string}` | undefined,
    deploymentsDir: f.deploymentsDir,
    httpEndpoint: f.httpEndpoint,
    http: { host: f.httpHost, port: num(f.httpPort) },
    libp2p: { tcpPort: num(f.p2pPort), wsPort: num(f.wsPort), peers: f.peer },
    capacityBytes: f.capacity,
    maxGasPriceGwei: f.maxGasPriceGwei,
    withdrawEveryPeriods: num(f.withdrawEvery),
    pollIntervalMs: num(f.pollMs),
    ...(f.watchMarkMissing || f.watchRepair
      ? { watcher: { markMissing: f.watchMarkMissing, repair: f.watchRepair } }
      : {}),
    logLevel: f.logLevel,
  };
  if (f.stake !== undefined)
    c.register = {
      stake: f.stake,
      capacityBytes: f.capacity ?? String(1 << 30),
      pricePerBytePeriod: f.price ?? "1",
    };
  return c;
}

function resolveConfig(f: Flags): ProviderConfig {
  return loadConfig({
    ...(f.config ? { configFile: resolve(f.config) } : {}),
    flags: flagsToConfig(f),
  });
}

function print(value: unknown): void {
  process.stdout.write(
    JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n",
  );
}

/** A chain service without the daemon (for withdraw/unstake from the command line). */
async function offlineChain(config: ProviderConfig) {
  if (!config.rpcUrl || !config.privateKey)
    throw new Error("withdraw/unstake need rpcUrl and privateKey in the config, env or flags");
  const chainId = config.chainId ?? 31337;
  // stdout carries the command's JSON result; logs go to stderr
  const log = pino({ level: config.logLevel ?? "warn" }, pino.destination(2));
  const blockstore = new ShardBlockstore(new FsBlockstore(join(config.dataDir, "blocks")));
  await blockstore.open();
  const store = new ShardStore(config.dataDir, blockstore);
  await store.open();
  const { providerMetrics } = await import("../services/metrics.ts");
  const chain = new ChainService(
    {
      rpcUrl: config.rpcUrl,
      chainId,
      privateKey: config.privateKey,
      deployment: loadDeployment(
        config.deploymentsDir ?? join(process.cwd(), "deployments"),
        chainId,
      ),
      httpEndpoint: config.httpEndpoint ?? "",
      multiaddr: "",
      maxGasPriceGwei: config.maxGasPriceGwei ?? "1000",
      withdrawEveryPeriods: 0,
      pollIntervalMs: 1000,
    },
    {
      store,
      state: new StateFile<ChainState>(join(config.dataDir, "state.json"), {
        ...INITIAL_CHAIN_STATE,
      }),
      metrics: providerMetrics(),
      log,
    },
  );
  return { chain, close: () => blockstore.close() };
}

export function buildProgram(): Command {
  const program = new Command("tessera-provider")
    .description("Tessera storage provider daemon")
    .showHelpAfterError();

  withCommonOptions(
    program
      .command("init")
      .description(
        "create the data directory and its config.json (generates a key if none is given)",
      ),
  ).action(async (f: Flags) => {
    if (!f.dataDir) throw new Error("init needs --data-dir");
    const dataDir = resolve(f.dataDir);
    const file = f.config ? resolve(f.config) : join(dataDir, "config.json");
    if (existsSync(file)) throw new Error(`${file} exists; edit it or remove it first`);
    await mkdir(dataDir, { recursive: true });
    const config = loadConfig({ flags: flagsToConfig({ ...f, dataDir }), env: {} });
    config.privateKey ??= generatePrivateKey();
    await writeFile(file, JSON.stringify(config, null, 2) + "\n", { mode: 0o600 });
    await chmod(file, 0o600);
    print({ config: file, address: privateKeyToAddress(config.privateKey), dataDir });
  });

  withCommonOptions(
    program
      .command("start")
      .description("run the provider daemon (SIGINT/SIGTERM stop it gracefully)"),
  ).action(async (f: Flags) => {
    const config = resolveConfig(f);
    const node = await createProviderNode(config);
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      node.log.info({ signal }, "shutting down");
      node.stop().then(
        () => process.exit(0),
        (err) => {
          node.log.error({ err }, "shutdown failed");
          process.exit(1);
        },
      );
    };
    process.on("SIGINT", () => shutdown("SIGINT"));
    process.on("SIGTERM", () => shutdown("SIGTERM"));
    await node.start();
  });

  withCommonOptions(
    program.command("status").description("print the running daemon's /status"),
  ).action(async (f: Flags) => {
    const config = resolveConfig(f);
    const host = config.http.host === "0.0.0.0" ? "127.0.0.1" : config.http.host;
    const url = `http://${host}:${config.http.port}/status`;
    const res = await fetch(url).catch((err: unknown) => {
      throw new Error(
        `the daemon is not answering at ${url}; is it running? (${(err as Error).message})`,
      );
    });
    print(await res.json());
  });

  withCommonOptions(
    program
      .command("withdraw")
      .description("claim earned periods of every held slot and withdraw the balance"),
  ).action(async (f: Flags) => {
    const { chain, close } = await offlineChain(resolveConfig(f));
    try {
      print(await chain.withdraw());
    } finally {
      await close();
    }
  });

  withCommonOptions(
    program
      .command("unstake")
      .description(
        "request unstaking (whole stake by default); --complete withdraws an unbonded stake",
      ),
  )
    .option("--amount <wei>", "amount to unstake, token wei")
    .option("--complete", "withdraw stake whose unbonding delay has passed")
    .action(async (f: Flags & { amount?: string; complete?: boolean }) => {
      const { chain, close } = await offlineChain(resolveConfig(f));
      try {
        print({
          txHash: f.complete
            ? await chain.withdrawStake()
            : await chain.requestUnstake(f.amount ? BigInt(f.amount) : undefined),
        });
      } finally {
        await close();
      }
    });

  return program;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("/cli/index.ts")) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      process.stderr.write(`tessera-provider: ${(err as Error).message}\n`);
      process.exit(1);
    });
}
