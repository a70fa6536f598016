/**
 * Storage + HTTP + Helia on loopback, with the chain side replaced by a fixed set of offers
 * (the chain-backed flow is in chain.test.ts). Real shard store, real Helia nodes, real HTTP.
 */
import { CarReader } from "@ipld/car";
import { unixfs } from "@helia/unixfs";
import { merkleRoot } from "@tessera/sdk";
import { shardCid } from "@tessera/sdk/cid/index";
import { CID } from "multiformats/cid";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlotOffer, UploadAuthority } from "../src/chain/types.ts";
import { ApiError } from "../src/http/errors.ts";
import { ProviderHttpServer } from "../src/http/server.ts";
import { providerMetrics } from "../src/services/metrics.ts";
import {
  createHeliaNode,
  localBlockstore,
  stopHeliaNode,
  type HeliaNode,
} from "../src/storage/helia.ts";
import { leafCount, verifyProof } from "../src/storage/merkle.ts";
import { ShardBlockstore } from "../src/storage/shard-blockstore.ts";
import { ShardStore } from "../src/storage/shard-store.ts";
import { FsBlockstore } from "blockstore-fs";

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}` as `0x${string}`;
const reqId = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as `0x${string}`;

class FixedOffers implements UploadAuthority {
  offers = new Map<string, SlotOffer>();
  fills: string[] = [];
  async getSlotOffer(requestId: `0x${string}`, slot: number): Promise<SlotOffer> {
    const o = this.offers.get(`${requestId}-${slot}`);
    if (!o) throw new ApiError("UNKNOWN_REQUEST", `no request ${requestId}`);
    return o;
  }
  async fill(meta: { requestId: string; slot: number }): Promise<`0x${string}`> {
    this.fills.push(`${meta.requestId}-${meta.slot}`);
    return reqId(0xf111);
  }
  askFor(size: number): bigint {
    return BigInt(size);
  }
}

async function offerFor(
  id: `0x${string}`,
  slot: number,
  data: Uint8Array,
  price?: bigint,
): Promise<SlotOffer> {
  return {
    requestId: id,
    slot,
    shardSize: data.length,
    root: hex(merkleRoot(data)),
    cid: (await shardCid(data)).toString(),
    pricePerSlotPeriod: price ?? BigInt(data.length),
    collateralPerSlot: 0n,
  };
}

async function listFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** PUT announcing `length` bytes but sending none: the reply must come before the body. */
function headersOnlyPut(
  url: string,
  length: number,
): Promise<{ status: number; body: { error: { code: string } } }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const r = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: "PUT",
        headers: { "content-length": length },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on("data", (d: Buffer) => parts.push(d));
        res.on("end", () =>
          resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(parts).toString()) }),
        );
      },
    );
    r.on("error", reject);
    r.flushHeaders();
  });
}

describe("shard upload, storage and retrieval", () => {
  let dir: string;
  let helia: HeliaNode;
  let store: ShardStore;
  let server: ProviderHttpServer;
  const authority = new FixedOffers();
  const metrics = providerMetrics();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tessera-provider-"));
    helia = await createHeliaNode({ dataDir: dir });
    store = new ShardStore(dir, localBlockstore(helia));
    await store.open();
    server = new ProviderHttpServer(
      { host: "127.0.0.1", port: 0, capacityBytes: 64 << 20 },
      {
        store,
        blockstore: localBlockstore(helia),
        authority,
        metrics,
        log: pino({ level: "silent" }),
        status: async () => ({ ok: true }),
      },
    );
    await server.start();
  });
  afterAll(async () => {
    await server?.stop();
    if (helia) await stopHeliaNode(helia);
    await rm(dir, { recursive: true, force: true });
  });

  const put = (id: string, slot: number, body: Uint8Array, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/v1/requests/${id}/slots/${slot}`, {
      method: "PUT",
      body: body as BodyInit,
      headers: { "content-type": "application/octet-stream", ...headers },
    });

  it("stores a verified shard, fills the slot and serves it back (whole, ranged, raw block, CAR)", async () => {
    const data = randomBytes((2 << 20) + 777); // 3 UnixFS chunks → dag-pb root
    const offer = await offerFor(reqId(1), 2, data);
    authority.offers.set(`${reqId(1)}-2`, offer);
    const res = await put(reqId(1), 2, data);
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body).toMatchObject({
      requestId: reqId(1),
      slot: 2,
      cid: offer.cid,
      root: offer.root,
      size: data.length,
      txHash: reqId(0xf111),
    });
    expect(authority.fills).toContain(`${reqId(1)}-2`);

    const whole = await fetch(`${server.url}/v1/shards/${offer.cid}`);
    expect(Buffer.from(await whole.arrayBuffer()).equals(data)).toBe(true);
    const ranged = await fetch(`${server.url}/v1/shards/${offer.cid}`, {
      headers: { range: "bytes=1048570-1048600" },
    });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get("content-range")).toBe(`bytes 1048570-1048600/${data.length}`);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(data.subarray(1048570, 1048601))).toBe(
      true,
    );

    const car = await fetch(`${server.url}/ipfs/${offer.cid}`, {
      headers: { accept: "application/vnd.ipld.car" },
    });
    expect(car.status).toBe(200);
    const reader = await CarReader.fromBytes(new Uint8Array(await car.arrayBuffer()));
    expect((await reader.getRoots()).map(String)).toEqual([offer.cid]);
    const blocks = [];
    for await (const b of reader.blocks()) blocks.push(b);
    expect(blocks.length).toBe(4); // root + 3 raw leaves
    const leaf = blocks[1]!.cid;
    const raw = await fetch(`${server.url}/ipfs/${leaf}?format=raw`, {
      headers: { range: "bytes=0-9" },
    });
    expect(raw.status).toBe(206);
    expect(Buffer.from(await raw.arrayBuffer()).equals(data.subarray(0, 10))).toBe(true);
    const notAcceptable = await fetch(`${server.url}/ipfs/${offer.cid}`);
    expect(notAcceptable.status).toBe(406);

    // proofs come from 4 KiB + stored layers and verify against the committed root
    const n = leafCount(data.length);
    for (const leafIndex of [0, n - 1, 12345]) {
      const proof = await store.prove({ requestId: reqId(1), slot: 2 }, leafIndex);
      expect(verifyProof(Buffer.from(offer.root.slice(2), "hex"), n, leafIndex, proof)).toBe(true);
    }
    expect(metrics.registry.render()).toMatch(/tessera_provider_uploads_total\{result="ok"\} 1/);

    // the bytes are on disk once: blocks/ holds only the dag-pb root, leaves come from the shard file
    const blockBytes = (await listFiles(join(dir, "blocks"))).length;
    expect(blockBytes).toBe(1);
    // after a restart the leaf index is rebuilt from the shard DAGs
    const again = new ShardBlockstore(new FsBlockstore(join(dir, "blocks")));
    await again.open();
    const reopened = new ShardStore(dir, again);
    await reopened.open();
    expect(await reopened.repairBlockstore()).toBe(0);
    expect(await again.has(leaf)).toBe(true);
    const chunks: Uint8Array[] = [];
    for await (const c of again.get(leaf)) chunks.push(c);
    expect(Buffer.concat(chunks).equals(data.subarray(0, 1 << 20))).toBe(true);
    await again.close();
  });

  it("refuses a corrupted shard with ROOT_MISMATCH and stores nothing", async () => {
    const data = randomBytes(300_000);
    authority.offers.set(`${reqId(2)}-0`, await offerFor(reqId(2), 0, data));
    const before = await listFiles(join(dir, "blocks"));
    const bad = Buffer.from(data);
    bad[123_456]! ^= 1;
    const res = await put(reqId(2), 0, bad);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("ROOT_MISMATCH");
    expect(store.get({ requestId: reqId(2), slot: 0 })).toBeUndefined();
    expect(await listFiles(join(dir, "tmp"))).toEqual([]);
    expect(await listFiles(join(dir, "blocks"))).toEqual(before);
  });

  it("refuses bytes whose CID differs from the committed one and removes the imported blocks", async () => {
    const data = randomBytes(1_500_000);
    const offer = await offerFor(reqId(3), 0, data);
    const other = (await shardCid(randomBytes(10))).toString();
    authority.offers.set(`${reqId(3)}-0`, { ...offer, cid: other });
    const before = await listFiles(join(dir, "blocks"));
    const res = await put(reqId(3), 0, data);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("CID_MISMATCH");
    expect(await listFiles(join(dir, "blocks"))).toEqual(before);
    expect(await listFiles(join(dir, "tmp"))).toEqual([]);
    expect(await localBlockstore(helia).has(CID.parse(offer.cid))).toBe(false);
  });

  it("refuses a wrong Content-Length, a truncated body, unknown requests, a low price and a taken slot", async () => {
    const data = randomBytes(200_000);
    authority.offers.set(`${reqId(4)}-1`, await offerFor(reqId(4), 1, data));
    const short = await put(reqId(4), 1, data.subarray(0, 1000));
    expect(short.status).toBe(413);
    expect(((await short.json()) as { error: { code: string } }).error.code).toBe("SIZE_MISMATCH");

    // the client announces the full length, sends half and disconnects
    await new Promise<void>((resolve) => {
      const url = new URL(`${server.url}/v1/requests/${reqId(4)}/slots/1`);
      const r = request({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "PUT",
        headers: { "content-length": data.length },
      });
      r.on("error", () => resolve());
      r.write(data.subarray(0, 100_000), () => setTimeout(() => r.destroy(), 50));
      r.on("close", () => resolve());
    });
    await expect.poll(async () => (await listFiles(join(dir, "tmp"))).length).toBe(0);
    expect(store.get({ requestId: reqId(4), slot: 1 })).toBeUndefined();

    const unknown = await put(reqId(99), 0, data);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe(
      "UNKNOWN_REQUEST",
    );
    const bad = await put("0x1234", 0, data);
    expect(bad.status).toBe(400);

    authority.offers.set(`${reqId(5)}-0`, await offerFor(reqId(5), 0, data, 1n));
    const cheap = await put(reqId(5), 0, data);
    expect(cheap.status).toBe(402);
    expect((await cheap.json()) as unknown).toMatchObject({
      error: { code: "PRICE_BELOW_ASK", details: { ask: String(data.length) } },
    });

    const ok = await put(reqId(4), 1, data);
    expect(ok.status).toBe(201);
    const again = await put(reqId(4), 1, data);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe("SLOT_TAKEN");
  });

  it("refuses a shard larger than the free capacity", async () => {
    authority.offers.set(`${reqId(6)}-0`, {
      ...(await offerFor(reqId(6), 0, randomBytes(10))),
      shardSize: 65 << 20,
      pricePerSlotPeriod: 10n ** 30n,
    });
    const res = await headersOnlyPut(`${server.url}/v1/requests/${reqId(6)}/slots/0`, 65 << 20);
    expect(res.status).toBe(507);
    expect(res.body.error.code).toBe("NO_CAPACITY");
  });

  it("serves a stored shard over bitswap to a separate Helia peer, matching its CID", async () => {
    const data = randomBytes((1 << 20) + 4096);
    const offer = await offerFor(reqId(7), 0, data);
    authority.offers.set(`${reqId(7)}-0`, offer);
    expect((await put(reqId(7), 0, data)).status).toBe(201);
    const peerDir = await mkdtemp(join(tmpdir(), "tessera-peer-"));
    const peer = await createHeliaNode({
      dataDir: peerDir,
      peers: [
        helia.libp2p
          .getMultiaddrs()
          .map(String)
          .find((a) => a.includes("/ws/"))!,
      ],
    });
    try {
      const chunks: Uint8Array[] = [];
      for await (const c of unixfs(peer).cat(CID.parse(offer.cid), {
        signal: AbortSignal.timeout(20_000),
      }))
        chunks.push(c);
      expect(Buffer.concat(chunks).equals(data)).toBe(true);
      // the peer re-derives the same CID from the bytes it received
      expect((await shardCid(Buffer.concat(chunks))).toString()).toBe(offer.cid);
    } finally {
      await stopHeliaNode(peer);
      await rm(peerDir, { recursive: true, force: true });
    }
  });
});
