/**
 * The provider's HTTP API (see provider-node/README.md): shard upload for open slots, shard
 * retrieval (fast path + IPFS trustless gateway), /status, /metrics. node:http, no framework:
 * the upload body is consumed as a stream straight into the shard store.
 */
import { CarWriter } from "@ipld/car";
import * as dagPb from "@ipld/dag-pb";
import type { Blockstore } from "interface-blockstore";
import { CID } from "multiformats/cid";
import { createReadStream } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { UploadAuthority } from "../chain/types.ts";
import type { ProviderMetrics } from "../services/metrics.ts";
import { StoreError, type ShardStore } from "../storage/shard-store.ts";
import { ApiError } from "./errors.ts";

export type HttpServerConfig = {
  host: string;
  port: number;
  /** Max concurrent uploads (default 4). */
  maxConcurrentUploads?: number;
  /** Largest shard accepted in one upload (default 1 GiB). */
  maxShardBytes?: number;
  /** Total bytes this node offers. */
  capacityBytes: number;
  /** Abort an upload that sends nothing for this long (default 60 s). */
  idleTimeoutMs?: number;
};

export type HttpServerDeps = {
  store: ShardStore;
  blockstore: Blockstore;
  authority: UploadAuthority | undefined;
  metrics: ProviderMetrics;
  log: Logger;
  status: () => Promise<unknown>;
  /** Current capacity in bytes (the on-chain registration may change it). */
  capacity?: () => number;
};

const RAW = 0x55;

async function collect(gen: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of gen) parts.push(p);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | undefined | "invalid" {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return "invalid";
  let start: number;
  let end: number;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start > end || start >= size) return "invalid";
  return { start, end };
}

export class ProviderHttpServer {
  readonly #config: Required<HttpServerConfig>;
  readonly #deps: HttpServerDeps;
  #server: Server | undefined;
  #uploads = 0;
  #reserved = 0;
  readonly #inFlight = new Set<string>();

  constructor(config: HttpServerConfig, deps: HttpServerDeps) {
    this.#config = {
      maxConcurrentUploads: 4,
      maxShardBytes: 1 << 30,
      idleTimeoutMs: 60_000,
      ...config,
    };
    this.#deps = deps;
  }

  get url(): string {
    const addr = this.#server?.address() as AddressInfo | null;
    if (!addr) throw new Error("HTTP server not started");
    return `http://${addr.address.includes(":") ? `[${addr.address}]` : addr.address}:${addr.port}`;
  }

  get reservedBytes(): number {
    return this.#reserved;
  }

  async start(): Promise<void> {
    const server = createServer({ requestTimeout: 0, keepAliveTimeout: 5_000 }, (req, res) => {
      this.#handle(req, res).catch((err) => this.#fail(res, err, req));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.#config.port, this.#config.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.#server = server;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 2_000).unref();
    });
  }

  #send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    if (res.headersSent) return;
    const text = JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
    res.writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  }

  #fail(res: ServerResponse, err: unknown, req?: IncomingMessage): void {
    const apiErr =
      err instanceof ApiError
        ? err
        : err instanceof StoreError
          ? new ApiError(
              err.code === "ABORTED" || err.code === "ALREADY_STORED"
                ? err.code === "ABORTED"
                  ? "SIZE_MISMATCH"
                  : "SLOT_TAKEN"
                : err.code,
              err.message,
            )
          : new ApiError("INTERNAL", "internal error; see the provider's log", { cause: err });
    if (apiErr.code === "INTERNAL") this.#deps.log.error({ err }, "request failed");
    else this.#deps.log.info({ code: apiErr.code, reason: apiErr.message }, "request refused");
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // the client may still be sending a body we will not read: close the connection after the reply
    const unread = req !== undefined && !req.readableEnded;
    this.#send(res, apiErr.status, apiErr.toJSON(), {
      ...(unread ? { connection: "close" } : {}),
      ...(apiErr.code === "BUSY" ? { "retry-after": "1" } : {}),
    });
    if (unread) res.on("finish", () => req.destroy());
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname;
    let m: RegExpExecArray | null;
    if ((m = /^\/v1\/requests\/([^/]+)\/slots\/([^/]+)$/.exec(path))) {
      if (req.method !== "PUT") throw new ApiError("NOT_FOUND", `use PUT to upload a shard`);
      return this.#upload(req, res, m[1]!, m[2]!);
    }
    if (req.method !== "GET" && req.method !== "HEAD")
      throw new ApiError("NOT_FOUND", `no route ${req.method} ${path}`);
    if ((m = /^\/v1\/shards\/([^/]+)$/.exec(path))) return this.#shard(req, res, m[1]!);
    if ((m = /^\/ipfs\/([^/]+)$/.exec(path))) return this.#gateway(req, res, m[1]!, url);
    if (path === "/status") return this.#send(res, 200, await this.#deps.status());
    if (path === "/metrics") {
      const text = this.#deps.metrics.registry.render();
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      res.end(text);
      return;
    }
    if (path === "/health") return this.#send(res, 200, { ok: true });
    throw new ApiError("NOT_FOUND", `no route ${req.method} ${path}`);
  }

  async #upload(
    req: IncomingMessage,
    res: ServerResponse,
    rawId: string,
    rawSlot: string,
  ): Promise<void> {
    const { store, authority, metrics, log } = this.#deps;
    const count = (result: string) => metrics.uploads({ result });
    if (!/^0x[0-9a-fA-F]{64}$/.test(rawId))
      throw new ApiError("INVALID_ARGUMENT", "request id must be 0x followed by 64 hex digits");
    if (!/^\d{1,6}$/.test(rawSlot))
      throw new ApiError("INVALID_ARGUMENT", "slot must be a decimal integer");
    const requestId = rawId.toLowerCase() as `0x${string}`;
    const slot = Number(rawSlot);
    const key = `${requestId}-${slot}`;
    const lengthHeader = req.headers["content-length"];
    if (lengthHeader === undefined) {
      count("LENGTH_REQUIRED");
      throw new ApiError(
        "LENGTH_REQUIRED",
        "send Content-Length equal to the request's shard size",
      );
    }
    const length = Number(lengthHeader);
    if (this.#uploads >= this.#config.maxConcurrentUploads) {
      count("BUSY");
      throw new ApiError("BUSY", "too many uploads in progress; retry shortly");
    }
    if (this.#inFlight.has(key) || store.get({ requestId, slot })) {
      count("SLOT_TAKEN");
      throw new ApiError(
        "SLOT_TAKEN",
        `slot ${slot} of ${requestId} is already stored or being uploaded here`,
      );
    }
    if (!authority)
      throw new ApiError(
        "CHAIN_UNAVAILABLE",
        "this provider has no chain connection configured; it accepts no uploads",
      );
    this.#uploads++;
    this.#inFlight.add(key);
    let reserved = 0;
    try {
      const offer = await authority.getSlotOffer(requestId, slot);
      if (length !== offer.shardSize) {
        throw new ApiError(
          "SIZE_MISMATCH",
          `Content-Length ${length} differs from the request's shard size ${offer.shardSize}`,
        );
      }
      if (offer.shardSize > this.#config.maxShardBytes) {
        throw new ApiError(
          "NO_CAPACITY",
          `shards larger than ${this.#config.maxShardBytes} bytes are not accepted here`,
        );
      }
      const ask = authority.askFor(offer.shardSize);
      if (offer.pricePerSlotPeriod < ask) {
        throw new ApiError(
          "PRICE_BELOW_ASK",
          `the request pays ${offer.pricePerSlotPeriod} per slot-period; this provider asks ${ask}`,
          {
            details: { ask: ask.toString() },
          },
        );
      }
      const capacityBytes = this.#deps.capacity?.() ?? this.#config.capacityBytes;
      const free = capacityBytes - store.bytesStored - this.#reserved;
      if (offer.shardSize > free) {
        throw new ApiError(
          "NO_CAPACITY",
          `this provider has ${Math.max(0, free)} bytes free, the shard needs ${offer.shardSize}`,
        );
      }
      this.#reserved += offer.shardSize;
      reserved = offer.shardSize;
      const abort = new AbortController();
      req.setTimeout(this.#config.idleTimeoutMs, () => abort.abort());
      req.once("aborted", () => abort.abort());
      const meta = await store.receive(
        { requestId, slot, size: offer.shardSize, root: offer.root, cid: offer.cid },
        req,
        {
          signal: abort.signal,
        },
      );
      let txHash: `0x${string}`;
      try {
        txHash = await authority.fill(meta, offer);
      } catch (err) {
        await store.remove({ requestId, slot });
        throw err instanceof ApiError
          ? err
          : new ApiError(
              "FILL_FAILED",
              `filling the slot on chain failed: ${(err as Error).message}`,
              { cause: err },
            );
      }
      await store.update({ requestId, slot }, { fillTx: txHash });
      metrics.uploadBytes({}, offer.shardSize);
      count("ok");
      log.info({ requestId, slot, cid: meta.cid, txHash }, "shard stored and slot filled");
      this.#send(res, 201, {
        requestId,
        slot,
        cid: meta.cid,
        root: meta.root,
        size: meta.size,
        txHash,
        provider: (authority as { address?: string }).address,
      });
    } catch (err) {
      const code = err instanceof ApiError || err instanceof StoreError ? err.code : "INTERNAL";
      count(code);
      throw err;
    } finally {
      this.#uploads--;
      this.#inFlight.delete(key);
      this.#reserved -= reserved;
    }
  }

  async #shard(req: IncomingMessage, res: ServerResponse, cid: string): Promise<void> {
    const meta = this.#deps.store.getByCid(cid);
    if (!meta) throw new ApiError("NOT_FOUND", `this provider does not store ${cid}`);
    const range = parseRange(req.headers.range, meta.size);
    if (range === "invalid")
      throw new ApiError("RANGE_NOT_SATISFIABLE", `range not satisfiable for ${meta.size} bytes`);
    const headers: Record<string, string> = {
      "content-type": "application/octet-stream",
      "accept-ranges": "bytes",
      etag: `"${cid}"`,
      "cache-control": "public, max-age=29030400, immutable",
    };
    const { start, end } = range ?? { start: 0, end: meta.size - 1 };
    headers["content-length"] = String(end - start + 1);
    if (range) headers["content-range"] = `bytes ${start}-${end}/${meta.size}`;
    res.writeHead(range ? 206 : 200, headers);
    if (req.method === "HEAD") return void res.end();
    await pipeTo(
      createReadStream(this.#deps.store.shardPath(meta), { start, end, highWaterMark: 1 << 20 }),
      res,
    );
  }

  async #gateway(
    req: IncomingMessage,
    res: ServerResponse,
    rawCid: string,
    url: URL,
  ): Promise<void> {
    let cid: CID;
    try {
      cid = CID.parse(rawCid);
    } catch {
      throw new ApiError("INVALID_ARGUMENT", `${rawCid} is not a CID`);
    }
    const accept = req.headers.accept ?? "";
    const format =
      url.searchParams.get("format") ??
      (accept.includes("application/vnd.ipld.car")
        ? "car"
        : accept.includes("application/vnd.ipld.raw")
          ? "raw"
          : "");
    const { blockstore } = this.#deps;
    if (!(await blockstore.has(cid)))
      throw new ApiError("NOT_FOUND", `this provider does not hold ${cid}`);
    const common = {
      etag: `"${cid}.${format}"`,
      "x-ipfs-path": `/ipfs/${cid}`,
      "cache-control": "public, max-age=29030400, immutable",
      "x-content-type-options": "nosniff",
    };
    if (format === "raw") {
      const block = await collect(blockstore.get(cid));
      const range = parseRange(req.headers.range, block.length);
      if (range === "invalid")
        throw new ApiError(
          "RANGE_NOT_SATISFIABLE",
          `range not satisfiable for ${block.length} bytes`,
        );
      const { start, end } = range ?? { start: 0, end: block.length - 1 };
      res.writeHead(range ? 206 : 200, {
        ...common,
        "content-type": "application/vnd.ipld.raw",
        "accept-ranges": "bytes",
        "content-length": String(end - start + 1),
        ...(range ? { "content-range": `bytes ${start}-${end}/${block.length}` } : {}),
      });
      res.end(req.method === "HEAD" ? undefined : block.subarray(start, end + 1));
      return;
    }
    if (format === "car") {
      res.writeHead(200, {
        ...common,
        "content-type": "application/vnd.ipld.car; version=1; order=dfs; dups=n",
      });
      if (req.method === "HEAD") return void res.end();
      const { writer, out } = CarWriter.create([cid]);
      const pump = pipeTo(out, res);
      const seen = new Set<string>();
      const visit = async (c: CID): Promise<void> => {
        if (seen.has(c.toString())) return;
        seen.add(c.toString());
        const bytes = await collect(blockstore.get(c));
        await writer.put({ cid: c, bytes });
        if (c.code === dagPb.code)
          for (const link of dagPb.decode(bytes).Links) await visit(link.Hash);
        else if (c.code !== RAW) throw new Error(`unsupported codec 0x${c.code.toString(16)}`);
      };
      try {
        await visit(cid);
      } finally {
        await writer.close();
      }
      await pump;
      return;
    }
    throw new ApiError(
      "NOT_ACCEPTABLE",
      "this is a trustless gateway: ask for application/vnd.ipld.raw or application/vnd.ipld.car (or ?format=raw|car)",
    );
  }
}

async function pipeTo(source: AsyncIterable<Uint8Array>, res: ServerResponse): Promise<void> {
  for await (const chunk of source) {
    if (res.destroyed) return;
    if (!res.write(chunk))
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off("drain", done);
          res.off("close", done);
          resolve();
        };
        res.once("drain", done);
        res.once("close", done);
      });
  }
  res.end();
}
