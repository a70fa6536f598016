/**
 * Provider configuration: defaults < `<dataDir>/config.json` (or `--config FILE`) < env
 * (`TESSERA_PROVIDER_*`) < flags. The file shape is the one scripts/demo writes.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

export type ProviderConfig = {
  dataDir: string;
  /** JSON-RPC URL; without it the node stores nothing (uploads need the chain). */
  rpcUrl?: string;
  chainId?: number;
  /** 0x-prefixed secp256k1 key of the provider account. */
  privateKey?: `0x${string}`;
  /** Directory holding `<chainId>/addresses.json` and `<chainId>/abis/*.json` (repo `deployments/`). */
  deploymentsDir?: string;
  http: { host: string; port: number; maxConcurrentUploads?: number; maxShardBytes?: number };
  /** URL announced on chain at registration (default http://host:port). */
  httpEndpoint?: string;
  libp2p: {
    host?: string;
    tcpPort: number;
    wsPort?: number;
    peers?: string[];
    announce?: string[];
  };
  /**
   * Register and stake on first start when not registered yet. `stake` in whole tokens
   * (decimal string), `capacityBytes` in bytes, `pricePerBytePeriod` in token wei.
   */
  register?: { stake: string; capacityBytes: string; pricePerBytePeriod: string };
  /** Capacity offered when not registering here (default: the on-chain capacity). */
  capacityBytes?: string;
  /** Refuse to send transactions above this gas price (gwei, decimal string). Default 1000. */
  maxGasPriceGwei?: string;
  /** Claim + withdraw earnings every N periods (0 = only on command). Default 0. */
  withdrawEveryPeriods?: number;
  /** Chain poll interval in ms. Default 1000. */
  pollIntervalMs?: number;
  /** Opt-in watcher: report other providers' missing proofs (+ free delinquent slots), repair freed slots. Default off. */
  watcher?: { markMissing?: boolean; repair?: boolean };
  logLevel?: string;
};

export const DEFAULTS = {
  http: { host: "127.0.0.1", port: 8600 },
  libp2p: { host: "127.0.0.1", tcpPort: 4100 },
  maxGasPriceGwei: "1000",
  withdrawEveryPeriods: 0,
  pollIntervalMs: 1000,
  logLevel: "info",
} as const;

type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K];
};
export type PartialConfig = DeepPartial<ProviderConfig>;

function merge<T>(base: T, over: DeepPartial<T> | undefined): T {
  if (!over) return base;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const cur = out[k];
    out[k] =
      v && typeof v === "object" && !Array.isArray(v) && cur && typeof cur === "object"
        ? merge(cur, v as never)
        : v;
  }
  return out as T;
}

/** Environment overrides: TESSERA_PROVIDER_RPC_URL, _PRIVATE_KEY, _HTTP_PORT, _HTTP_HOST, … */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): PartialConfig {
  const e = (name: string) => env[`TESSERA_PROVIDER_${name}`];
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const bool = (v: string | undefined) => (v === undefined ? undefined : /^(1|true|yes)$/i.test(v));
  const c: PartialConfig = {
    dataDir: e("DATA_DIR"),
    rpcUrl: e("RPC_URL"),
    chainId: num(e("CHAIN_ID")),
    privateKey: e("PRIVATE_KEY") as `0x${string}` | undefined,
    deploymentsDir: e("DEPLOYMENTS_DIR"),
    httpEndpoint: e("HTTP_ENDPOINT"),
    http: { host: e("HTTP_HOST"), port: num(e("HTTP_PORT")) },
    libp2p: {
      tcpPort: num(e("TCP_PORT")),
      wsPort: num(e("WS_PORT")),
      peers: e("PEERS")?.split(",").filter(Boolean),
    },
    capacityBytes: e("CAPACITY_BYTES"),
    maxGasPriceGwei: e("MAX_GAS_PRICE_GWEI"),
    withdrawEveryPeriods: num(e("WITHDRAW_EVERY_PERIODS")),
    pollIntervalMs: num(e("POLL_INTERVAL_MS")),
    watcher: { markMissing: bool(e("WATCHER_MARK_MISSING")), repair: bool(e("WATCHER_REPAIR")) },
    logLevel: e("LOG_LEVEL"),
  };
  return c;
}

export function readConfigFile(path: string): PartialConfig {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as PartialConfig;
  } catch (err) {
    throw new Error(`cannot read provider config ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Resolve the effective config. `configFile` wins over `<dataDir>/config.json`. */
export function loadConfig(
  options: { configFile?: string; flags?: PartialConfig; env?: NodeJS.ProcessEnv } = {},
): ProviderConfig {
  const env = configFromEnv(options.env);
  const dataDirHint = options.flags?.dataDir ?? env.dataDir;
  const file = options.configFile ?? (dataDirHint ? join(dataDirHint, "config.json") : undefined);
  const fromFile = file && existsSync(file) ? readConfigFile(file) : {};
  const base = {
    ...DEFAULTS,
    http: { ...DEFAULTS.http },
    libp2p: { ...DEFAULTS.libp2p },
    dataDir: "",
  } as ProviderConfig;
  const config = merge(merge(merge(base, fromFile), env), options.flags);
  if (!config.dataDir)
    throw new Error("no data directory: pass --data-dir or set TESSERA_PROVIDER_DATA_DIR");
  config.dataDir = resolve(config.dataDir);
  if (config.privateKey && !/^0x[0-9a-fA-F]{64}$/.test(config.privateKey))
    throw new Error("privateKey must be 0x followed by 64 hex digits");
  return config;
}
