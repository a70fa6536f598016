/**
 * The provider's IPFS node: Helia light (no public defaults) + libp2p over TCP and WebSockets,
 * noise, yamux, identify, bitswap. Blocks in blockstore-fs, peer key and peer data in
 * datastore-level, both under the data directory. No bootstrap list, no DHT: peers are dialled
 * from `peers` (multiaddrs) only, so several nodes run side by side on one machine.
 */
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { withBitswap } from "@helia/bitswap";
import { withLibp2pLight, type HeliaWithLibp2p } from "@helia/libp2p";
import { identify } from "@libp2p/identify";
import { tcp } from "@libp2p/tcp";
import { webSockets } from "@libp2p/websockets";
import { multiaddr } from "@multiformats/multiaddr";
import { FsBlockstore } from "blockstore-fs";
import { ShardBlockstore } from "./shard-blockstore.ts";
import { LevelDatastore } from "datastore-level";
import { createHeliaLight } from "helia";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";

export type HeliaNodeConfig = {
  dataDir: string;
  /** Listen host for libp2p (default 127.0.0.1). */
  host?: string;
  /** TCP port (0 = any); WebSockets listens on tcpPort+1 when tcpPort ≠ 0, else any. */
  tcpPort?: number;
  wsPort?: number;
  /** Multiaddrs announced instead of the listen addresses (e.g. a public IP). */
  announce?: string[];
  /** Multiaddrs (with /p2p/…) dialled at start. */
  peers?: string[];
};

export type HeliaNode = HeliaWithLibp2p<{ identify: ReturnType<ReturnType<typeof identify>> }>;

/** LevelDatastore that ignores writes racing with shutdown (libp2p's peer store can flush late). */
class ClosableLevelDatastore extends LevelDatastore {
  #closed = false;
  override async close(): Promise<void> {
    this.#closed = true;
    await super.close();
  }
  override async put(
    ...args: Parameters<LevelDatastore["put"]>
  ): ReturnType<LevelDatastore["put"]> {
    if (this.#closed) return args[0];
    return super.put(...args);
  }
}

const rawStores = new WeakMap<object, { blockstore: ShardBlockstore; datastore: LevelDatastore }>();

export async function createHeliaNode(config: HeliaNodeConfig): Promise<HeliaNode> {
  const blocksDir = join(config.dataDir, "blocks");
  const dsDir = join(config.dataDir, "datastore");
  await mkdir(blocksDir, { recursive: true });
  await mkdir(dsDir, { recursive: true });
  const blockstore = new ShardBlockstore(new FsBlockstore(blocksDir));
  const datastore = new ClosableLevelDatastore(dsDir);
  await blockstore.open();
  await datastore.open();
  const host = config.host ?? "127.0.0.1";
  const tcpPort = config.tcpPort ?? 0;
  const wsPort = config.wsPort ?? (tcpPort === 0 ? 0 : tcpPort + 1);
  const helia = createHeliaLight({ blockstore, datastore });
  const withP2p = withLibp2pLight(helia, {
    addresses: {
      listen: [`/ip4/${host}/tcp/${tcpPort}`, `/ip4/${host}/tcp/${wsPort}/ws`],
      ...(config.announce?.length ? { announce: config.announce } : {}),
    },
    transports: [tcp(), webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() },
  });
  const node = withBitswap(withP2p) as unknown as HeliaNode;
  rawStores.set(node, { blockstore, datastore });
  await node.start();
  for (const peer of config.peers ?? []) {
    try {
      await node.libp2p.dial(multiaddr(peer));
    } catch {
      // peers are best effort: the node still serves whoever dials it
    }
  }
  return node;
}

/** The on-disk blockstore under Helia (no network fetch on a miss). */
export function localBlockstore(node: HeliaNode): ShardBlockstore {
  const stores = rawStores.get(node);
  if (!stores) throw new Error("not a node from createHeliaNode");
  return stores.blockstore;
}

export async function stopHeliaNode(node: HeliaNode): Promise<void> {
  await node.stop();
  // createHeliaLight does not own the stores' lifecycle
  const stores = rawStores.get(node);
  await stores?.blockstore.close();
  await stores?.datastore.close();
}
