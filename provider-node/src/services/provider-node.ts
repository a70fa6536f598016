/**
 * `createProviderNode(config)`: assembles the daemon from its real parts — Helia node, shard
 * store, chain service (when an RPC and key are configured), HTTP API — as one Startable.
 * Start order: Helia (peer id) → shard store (index, repair) → chain (register, reconcile) →
 * HTTP. Stop in reverse; nothing acknowledged is in memory only.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { pino, type Logger } from "pino";
import { ChainService, INITIAL_CHAIN_STATE, type ChainState } from "../chain/chain-service.ts";
import { loadDeployment, type Deployment } from "../chain/contracts.ts";
import type { ProviderConfig } from "../config.ts";
import { ProviderHttpServer } from "../http/server.ts";
import {
  createHeliaNode,
  localBlockstore,
  stopHeliaNode,
  type HeliaNode,
} from "../storage/helia.ts";
import { ShardStore } from "../storage/shard-store.ts";
import { StateFile } from "../storage/state.ts";
import { stopTreeWorker } from "../storage/tree-pool.ts";
import { providerMetrics, type ProviderMetrics } from "./metrics.ts";
import { RepairWorker } from "./repair.ts";
import { ChainWatcher, INITIAL_WATCHER_STATE, type WatcherState } from "./watcher.ts";

export type ProviderNode = {
  readonly config: ProviderConfig;
  readonly log: Logger;
  readonly metrics: ProviderMetrics;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Available after start(). */
  readonly httpUrl: string;
  readonly peerId: string;
  readonly multiaddrs: string[];
  readonly helia: HeliaNode;
  readonly store: ShardStore;
  readonly chain: ChainService | undefined;
  /** Set after start() when `config.watcher` enables marking missing proofs or repairs. */
  readonly watcher: ChainWatcher | undefined;
  readonly repair: RepairWorker | undefined;
  status(): Promise<Record<string, unknown>>;
};

export type CreateProviderNodeOptions = { logger?: Logger; deployment?: Deployment };

export async function createProviderNode(
  config: ProviderConfig,
  options: CreateProviderNodeOptions = {},
): Promise<ProviderNode> {
  const log =
    options.logger ??
    pino({ level: config.logLevel ?? "info", base: { service: "tessera-provider" } });
  const metrics = providerMetrics();
  let helia: HeliaNode | undefined;
  let store: ShardStore | undefined;
  let chain: ChainService | undefined;
  let http: ProviderHttpServer | undefined;
  let watcher: ChainWatcher | undefined;
  let repair: RepairWorker | undefined;
  let started = false;

  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`${what} is not available before start()`);
    return v;
  };

  const capacity = (): number => {
    if (chain && chain.capacityBytes > 0n) return Number(chain.capacityBytes);
    return Number(config.capacityBytes ?? config.register?.capacityBytes ?? 0);
  };

  const node: ProviderNode = {
    config,
    log,
    metrics,
    get httpUrl() {
      return need(http, "httpUrl").url;
    },
    get peerId() {
      return need(helia, "peerId").libp2p.peerId.toString();
    },
    get multiaddrs() {
      return need(helia, "multiaddrs").libp2p.getMultiaddrs().map(String);
    },
    get helia() {
      return need(helia, "helia");
    },
    get store() {
      return need(store, "store");
    },
    get chain() {
      return chain;
    },
    get watcher() {
      return watcher;
    },
    get repair() {
      return repair;
    },
    async status() {
      const s = need(store, "status");
      const used = s.bytesStored;
      const total = capacity();
      return {
        ...(chain ? await chain.status() : { address: null, registered: false }),
        peerId: node.peerId,
        multiaddrs: node.multiaddrs,
        httpEndpoint: config.httpEndpoint ?? (http ? http.url : undefined),
        capacity: { total, used, free: Math.max(0, total - used - (http?.reservedBytes ?? 0)) },
        slots: s.list().map((m) => ({
          requestId: m.requestId,
          slot: m.slot,
          cid: m.cid,
          size: m.size,
          state: m.fillTx ? "filled" : "stored",
          endPeriod: m.endPeriod,
        })),
      };
    },
    async start() {
      if (started) return;
      await mkdir(config.dataDir, { recursive: true });
      helia = await createHeliaNode({
        dataDir: config.dataDir,
        host: config.libp2p.host ?? "127.0.0.1",
        tcpPort: config.libp2p.tcpPort,
        ...(config.libp2p.wsPort !== undefined ? { wsPort: config.libp2p.wsPort } : {}),
        ...(config.libp2p.peers ? { peers: config.libp2p.peers } : {}),
        ...(config.libp2p.announce ? { announce: config.libp2p.announce } : {}),
      });
      const blockstore = localBlockstore(helia);
      store = new ShardStore(config.dataDir, blockstore);
      await store.open();
      const repaired = await store.repairBlockstore();
      if (repaired > 0) log.warn({ repaired }, "re-imported shards missing from the blockstore");
      const s = store;
      metrics.registry.gauge(
        "tessera_provider_bytes_stored",
        "Bytes of shards stored.",
        () => s.bytesStored,
      );
      metrics.registry.gauge(
        "tessera_provider_slots",
        "Shards (slots) stored.",
        () => s.list().length,
      );
      const httpHost = config.http.host;
      const httpEndpoint = config.httpEndpoint ?? `http://${httpHost}:${config.http.port}`;
      if (config.rpcUrl && config.privateKey) {
        const chainId = config.chainId ?? 31337;
        const deployment =
          options.deployment ??
          loadDeployment(config.deploymentsDir ?? join(process.cwd(), "deployments"), chainId);
        const state = new StateFile<ChainState>(join(config.dataDir, "state.json"), {
          ...INITIAL_CHAIN_STATE,
        });
        chain = new ChainService(
          {
            rpcUrl: config.rpcUrl,
            chainId,
            privateKey: config.privateKey,
            deployment,
            httpEndpoint,
            multiaddr: node.multiaddrs[0] ?? "",
            ...(config.register ? { register: config.register } : {}),
            maxGasPriceGwei: config.maxGasPriceGwei ?? "1000",
            withdrawEveryPeriods: config.withdrawEveryPeriods ?? 0,
            pollIntervalMs: config.pollIntervalMs ?? 1000,
          },
          { store, state, metrics, log: log.child({ component: "chain" }) },
        );
        await chain.start();
      } else {
        log.warn(
          "no rpcUrl/privateKey configured: the node serves stored shards but accepts no uploads",
        );
      }
      http = new ProviderHttpServer(
        {
          host: httpHost,
          port: config.http.port,
          capacityBytes: 0,
          ...(config.http.maxConcurrentUploads !== undefined
            ? { maxConcurrentUploads: config.http.maxConcurrentUploads }
            : {}),
          ...(config.http.maxShardBytes !== undefined
            ? { maxShardBytes: config.http.maxShardBytes }
            : {}),
        },
        {
          store,
          blockstore,
          authority: chain,
          metrics,
          log: log.child({ component: "http" }),
          status: () => node.status(),
          capacity,
        },
      );
      await http.start();
      if (chain && (config.watcher?.markMissing || config.watcher?.repair)) {
        const wlog = log.child({ component: "watcher" });
        if (config.watcher.repair) repair = new RepairWorker(chain, store, { capacity, log: wlog });
        watcher = new ChainWatcher(
          chain,
          { markMissing: !!config.watcher.markMissing, repair: !!config.watcher.repair },
          {
            ...(repair ? { repair } : {}),
            log: wlog,
            pollIntervalMs: config.pollIntervalMs ?? 1000,
            state: new StateFile<WatcherState>(join(config.dataDir, "watcher.json"), {
              ...INITIAL_WATCHER_STATE,
            }),
          },
        );
        await watcher.start();
      }
      started = true;
      log.info(
        {
          http: http.url,
          peerId: node.peerId,
          multiaddrs: node.multiaddrs,
          address: chain?.address,
        },
        "provider node started",
      );
    },
    async stop() {
      await watcher?.stop();
      await http?.stop();
      await chain?.stop();
      if (helia) await stopHeliaNode(helia);
      await stopTreeWorker();
      started = false;
      log.info("provider node stopped");
    },
  };
  return node;
}
