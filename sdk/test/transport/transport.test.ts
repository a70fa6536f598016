/**
 * The provider client against a loopback HTTP server that speaks the provider protocol
 * (transport/README-protocol.md) with scripted failures: 429s, dropped connections, slow peers.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CID } from "multiformats/cid";
import { create as createDigest } from "multiformats/hashes/digest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AbortedError,
  ShardsUnavailableError,
  ProviderHttpError,
  UploadFailedError,
} from "../../src/errors/transport.ts";
import { fetchAnyK } from "../../src/transport/anyK.ts";
import { fetchShard, ShardRejectedError } from "../../src/transport/fetchShard.ts";
import { fetchShardsFromProviders } from "../../src/transport/fetchShards.ts";
import { uploadShard, type UploadProgressEvent } from "../../src/transport/uploadShard.ts";

type Behaviour = {
  busyFirst?: number;
  dropFirst?: number;
  delayMs?: number;
  corrupt?: boolean;
  down?: boolean;
};

function rawCid(bytes: Uint8Array): string {
  const digest = createHash("sha256").update(bytes).digest();
  return CID.createV1(0x55, createDigest(0x12, digest)).toString();
}

class FakeProvider {
  server!: Server;
  url = "";
  readonly stored = new Map<string, Uint8Array>(); // cid → bytes
  readonly puts: string[] = [];
  behaviour: Behaviour = {};
  #busy = 0;
  #drops = 0;

  async start() {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }
  async stop() {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
  json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  }
  async handle(req: IncomingMessage, res: ServerResponse) {
    const b = this.behaviour;
    if (b.down) return req.socket.destroy();
    if (b.delayMs) await new Promise((r) => setTimeout(r, b.delayMs));
    const url = new URL(req.url!, "http://x");
    let m: RegExpExecArray | null;
    if (
      (m = /^\/v1\/requests\/(0x[0-9a-f]{64})\/slots\/(\d+)$/.exec(url.pathname)) &&
      req.method === "PUT"
    ) {
      this.puts.push(url.pathname);
      if (req.headers["content-length"] === undefined)
        return this.json(res, 411, {
          error: { code: "LENGTH_REQUIRED", message: "send Content-Length" },
        });
      if ((b.busyFirst ?? 0) > this.#busy) {
        this.#busy++;
        return this.json(
          res,
          429,
          { error: { code: "BUSY", message: "too many uploads" } },
          { "retry-after": "0" },
        );
      }
      const parts: Buffer[] = [];
      for await (const p of req) parts.push(p as Buffer);
      const bytes = new Uint8Array(Buffer.concat(parts));
      if (bytes.length !== Number(req.headers["content-length"]))
        return this.json(res, 413, { error: { code: "SIZE_MISMATCH", message: "size" } });
      if (bytes.length === 13)
        return this.json(res, 422, {
          error: { code: "ROOT_MISMATCH", message: "bytes do not match the root" },
        });
      const cid = rawCid(bytes);
      this.stored.set(cid, bytes);
      if ((b.dropFirst ?? 0) > this.#drops) {
        this.#drops++; // stored, but the answer is lost
        return req.socket.destroy();
      }
      return this.json(res, 201, {
        requestId: m[1],
        slot: Number(m[2]),
        cid,
        root: "0x" + "ab".repeat(16),
        size: bytes.length,
        txHash: "0x" + "cd".repeat(32),
      });
    }
    const cid = (m =
      /^\/v1\/shards\/([^/]+)$/.exec(url.pathname) ?? /^\/ipfs\/([^/]+)$/.exec(url.pathname))
      ? m[1]!
      : "";
    const bytes = this.stored.get(cid);
    if (!bytes) return this.json(res, 404, { error: { code: "NOT_FOUND", message: `no ${cid}` } });
    let body = b.corrupt ? Uint8Array.from(bytes, (x, i) => (i === 0 ? x ^ 1 : x)) : bytes;
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? "");
    const headers: Record<string, string> = { "content-type": "application/octet-stream" };
    let status = 200;
    if (range) {
      const [s, e] = [Number(range[1]), Number(range[2])];
      headers["content-range"] = `bytes ${s}-${e}/${body.length}`;
      body = body.subarray(s, e + 1);
      status = 206;
    }
    headers["content-length"] = String(body.length);
    res.writeHead(status, headers);
    res.end(req.method === "HEAD" ? undefined : body);
  }
}

const REQ = `0x${"11".repeat(32)}` as const;
const data = (n: number, seed = 1) =>
  Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe("provider transport", () => {
  const providers = Array.from({ length: 4 }, () => new FakeProvider());
  beforeAll(async () => {
    for (const p of providers) await p.start();
  });
  afterAll(async () => {
    for (const p of providers) await p.stop();
  });
  const reset = () =>
    providers.forEach((p) => ((p.behaviour = {}), p.stored.clear(), (p.puts.length = 0)));

  it("uploads a streamed shard with Content-Length and reports progress", async () => {
    reset();
    const shard = data(300_000);
    const events: UploadProgressEvent[] = [];
    const result = await uploadShard(
      {
        endpoint: providers[0]!.url,
        requestId: REQ,
        slot: 3,
        size: shard.length,
        body: async function* () {
          for (let o = 0; o < shard.length; o += 65536) yield shard.subarray(o, o + 65536);
        },
      },
      { onProgress: (e) => events.push(e) },
    );
    expect(result).toMatchObject({
      slot: 3,
      cid: rawCid(shard),
      alreadyStored: false,
      attempts: 1,
    });
    expect(providers[0]!.stored.get(rawCid(shard))).toEqual(shard);
    const bytes = events.filter((e) => e.type === "upload:bytes");
    expect(bytes.at(-1)).toMatchObject({ bytes: shard.length, total: shard.length });
    expect(events.at(-1)).toEqual({ type: "upload:done", slot: 3, alreadyStored: false });
  });

  it("retries BUSY with backoff, and does not resend a shard the provider already stored", async () => {
    reset();
    const p = providers[0]!;
    p.behaviour = { busyFirst: 2 };
    const shard = data(1000);
    const r1 = await uploadShard({
      endpoint: p.url,
      requestId: REQ,
      slot: 0,
      size: shard.length,
      body: shard,
      retry: { baseDelayMs: 1 },
    });
    expect(r1.attempts).toBe(3);

    reset();
    p.behaviour = { dropFirst: 1 };
    const r2 = await uploadShard({
      endpoint: p.url,
      requestId: REQ,
      slot: 1,
      size: shard.length,
      body: shard,
      cid: rawCid(shard),
      retry: { baseDelayMs: 1 },
    });
    expect(r2).toMatchObject({ alreadyStored: true, attempts: 2 });
    expect(p.puts).toHaveLength(1);
  });

  it("fails fast on a refusal, gives up after the attempts on an outage, and aborts", async () => {
    reset();
    const p = providers[1]!;
    const err = await uploadShard({
      endpoint: p.url,
      requestId: REQ,
      slot: 0,
      size: 13,
      body: data(13),
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderHttpError);
    expect(err).toMatchObject({ status: 422, code: "ROOT_MISMATCH" });
    expect(p.puts).toHaveLength(1);

    p.behaviour = { down: true };
    const down = await uploadShard({
      endpoint: p.url,
      requestId: REQ,
      slot: 0,
      size: 10,
      body: data(10),
      retry: { attempts: 3, baseDelayMs: 1 },
    }).catch((e) => e);
    expect(down).toBeInstanceOf(UploadFailedError);
    expect(down.shortMessage).toMatch(/failed after 3 attempts.*unreachable/);

    p.behaviour = { delayMs: 5_000 };
    const ac = new AbortController();
    const pending = uploadShard(
      { endpoint: p.url, requestId: REQ, slot: 0, size: 10, body: data(10) },
      { signal: ac.signal },
    );
    setTimeout(() => ac.abort(), 20);
    await expect(pending).rejects.toThrow(AbortedError);
  });

  it("fetches whole shards, ranges and verified raw blocks", async () => {
    reset();
    const p = providers[2]!;
    const shard = data(5000, 7);
    const cid = rawCid(shard);
    p.stored.set(cid, shard);
    expect((await fetchShard({ endpoint: p.url, cid })).bytes).toEqual(shard);
    const part = await fetchShard({ endpoint: p.url, cid, range: { start: 100, end: 199 } });
    expect(part).toMatchObject({ partial: true });
    expect(part.bytes).toEqual(shard.subarray(100, 200));
    expect((await fetchShard({ endpoint: p.url, cid, mode: "raw" })).bytes).toEqual(shard);
    p.behaviour = { corrupt: true };
    await expect(fetchShard({ endpoint: p.url, cid, mode: "raw" })).rejects.toThrow(
      ShardRejectedError,
    );
    await expect(fetchShard({ endpoint: p.url, cid, maxBytes: 100 })).rejects.toThrow(
      /exceeds 100/,
    );
    p.behaviour = {};
    await expect(fetchShard({ endpoint: p.url, cid: rawCid(data(1)) })).rejects.toMatchObject({
      status: 404,
      code: "NOT_FOUND",
    });
  });

  it("fetches any k of n from several providers, skipping bad ones and cancelling the slow tail", async () => {
    reset();
    const shards = Array.from({ length: 6 }, (_, i) => data(2000, i));
    const cids = shards.map(rawCid);
    const [good, corrupt, slow, down] = providers as [
      FakeProvider,
      FakeProvider,
      FakeProvider,
      FakeProvider,
    ];
    shards.forEach((s, i) => [good, corrupt, slow].forEach((p) => p.stored.set(cids[i]!, s)));
    corrupt.behaviour = { corrupt: true };
    slow.behaviour = { delayMs: 10_000 };
    down.behaviour = { down: true };
    const locations = shards.map((_, i) => ({
      index: i,
      cid: cids[i]!,
      // shards 0-1: only corrupt / down copies; 2-3: corrupt then good; 4-5: slow only
      endpoints: i < 2 ? [corrupt.url, down.url] : i < 4 ? [corrupt.url, good.url] : [slow.url],
    }));
    const cancelled: number[] = [];
    const got = await fetchShardsFromProviders(
      { shards: locations, k: 2, parallel: 6, mode: "raw" },
      { onProgress: (e) => void (e.type === "fetch:cancelled" && cancelled.push(e.index)) },
    );
    expect([...got.keys()].sort()).toEqual([2, 3]);
    expect(got.get(2)).toEqual(shards[2]);
    expect(cancelled.sort()).toEqual([4, 5]);

    const err = await fetchShardsFromProviders({
      shards: locations.slice(0, 3),
      k: 2,
      mode: "raw",
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ShardsUnavailableError);
    expect(err.details).toMatch(/shard 0: .*unreachable/);
  });

  it("fetchAnyK respects the caller's abort", async () => {
    const ac = new AbortController();
    const p = fetchAnyK(
      {
        candidates: [
          { index: 0, sources: [1] },
          { index: 1, sources: [1] },
        ],
        k: 2,
        fetchOne: (_c, _s, signal) =>
          new Promise((_, rej) => signal.addEventListener("abort", () => rej(signal.reason))),
      },
      { signal: ac.signal },
    );
    ac.abort();
    await expect(p).rejects.toThrow(AbortedError);
  });
});
