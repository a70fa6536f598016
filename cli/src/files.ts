/**
 * Files, versions and the encrypted file index, on top of the sdk pipeline.
 *
 * put:  source file ─► encodeFile (compress, encrypt, RS k+m, Merkle roots + CIDs) ─► shard files
 *       in $TESSERA_HOME/uploads/<fileId>/ ─► storeShards (pay + upload with failover)
 *       ─► manifest (file key wrapped under the master key) ─► new index version
 * index: the FileIndex (sdk/index) sealed under the master key's file-index subkey, stored like
 *       any file (its own storage request); its manifest, sealed under the master key's
 *       manifest subkey, is the pointer recorded on chain with FileIndex.setFileIndex:
 *       "tsi1:<base64url sealed manifest>". A wallet plus the master key therefore finds the
 *       index, and the index lists every file with its manifest.
 * get:  manifest ─► one source per shard (the slot's current provider from the chain, then the
 *       provider recorded at upload) ─► decodeFile (verifies every shard, any k rebuild)
 *       ─► temp file ─► rename.
 */
import { createReadStream, createWriteStream, mkdirSync, readdirSync, readFileSync, rmSync, statSync, renameSync, writeFileSync, type WriteStream } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Address, Hex } from "viem";
import { encodeFile, decodeFile, pipelineEncoding, NotEnoughShardsErrorGuard, DEFAULT_CHUNK_SIZE, DEFAULT_PIECE_BYTES, type EncodeResult, type ShardSource } from "./sdk.ts";
import { buildManifest, newFileId, newFileKeyFor, type Manifest } from "./sdk.ts";
import { createFileIndex, encryptFileIndex, decryptFileIndex, addFileVersion, normalizePath, type FileIndex } from "./sdk.ts";
import { fromBase64Url, toBase64Url, hkdfSha256, deriveSubkey, wrapFileKey } from "./sdk.ts";
import type { Context } from "./context.ts";
import { setFileIndex } from "@tessera/sdk/actions/setFileIndex";
import { getFileIndex } from "@tessera/sdk/actions/getFileIndex";
import { Contracts } from "./chain.ts";
import { CliError, EXIT } from "./errors.ts";
import { Progress } from "./progress.ts";
import { fetchShard } from "./transport.ts";
import { dropPending, listPending, storeShards, uploadSlots, type PendingUpload, type ShardOnDisk, type StoreResult } from "./upload.ts";
import { rankProviders } from "./select.ts";


export type PutFileOptions = {
  k: number;
  m: number;
  duration: { seconds: number } | { periods: number };
  clampDuration?: boolean;
  maxPricePerSlotPeriod?: bigint;
  fillWindowSeconds?: number;
  confirm: boolean;
  stallMs?: number;
};

type ResumeInfo = {
  kind: "file" | "index";
  source?: string;
  sourceSize?: number;
  sourceMtimeMs?: number;
  remotePath?: string;
  dir: string;
  fileId: string;
  wrappedFileKey: string;
  encoded: Omit<EncodeResult, "fileId"> & { fileId: string };
  name: string;
};

class FileSink {
  private stream: WriteStream;
  constructor(path: string) {
    this.stream = createWriteStream(path);
  }
  async write(piece: Uint8Array): Promise<void> {
    // The encoder reuses its buffers: copy before handing the bytes to the write queue.
    if (!this.stream.write(Buffer.from(piece))) await new Promise<void>((r) => this.stream.once("drain", () => r()));
  }
  async close(): Promise<void> {
    await new Promise<void>((resolveClose, reject) => this.stream.end((e?: Error | null) => (e ? reject(e) : resolveClose())));
  }
  abort(): void {
    this.stream.destroy();
  }
}

/** Encodes `source` into shard files under `dir`; returns the commitments. */
async function encodeToDir(
  source: AsyncIterable<Uint8Array> | Uint8Array,
  dir: string,
  options: { k: number; m: number; fileKey: Uint8Array; fileId: Uint8Array; size: number; progress?: Progress },
): Promise<{ encoded: EncodeResult; shards: ShardOnDisk[] }> {
  mkdirSync(dir, { recursive: true });
  const n = options.k + options.m;
  const files = Array.from({ length: n }, (_, i) => join(dir, `shard-${i}`));
  const sinks = files.map((f) => new FileSink(f));
  const encoded = await encodeFile(source, {
    k: options.k,
    m: options.m,
    fileKey: options.fileKey,
    fileId: options.fileId,
    sinks,
    onProgress: (event) => {
      if (event.stage === "upload") return; // shard writes to disk: the upload bars come later
      const total = event.stage === "merkle" ? undefined : options.size;
      if (total !== undefined) options.progress?.update(event.stage, event.stage, event.bytes, total);
    },
  });
  const shards = encoded.shards.map((s, i) => ({ index: i, file: files[i]!, size: s.size, root: s.root as Hex, cid: s.cid }));
  return { encoded, shards };
}

function serializeEncoded(encoded: EncodeResult): ResumeInfo["encoded"] {
  return { ...encoded, fileId: toBase64Url(encoded.fileId) };
}

function manifestFor(
  info: ResumeInfo,
  store: { chainId: number; requestId: Hex; providers: (Address | null)[] },
): Manifest {
  const e = info.encoded;
  return buildManifest({
    fileId: info.fileId,
    name: info.name,
    size: e.plaintextSize,
    chunkSize: e.chunkSize,
    compression: "auto",
    encodedSize: e.encryptedSize,
    erasure: { k: e.k, m: e.m, shardSize: e.shardSize },
    shards: e.shards.map((s) => ({ cid: s.cid, root: s.root.toLowerCase() })),
    storage: store,
    encoding: { ...pipelineEncoding(e), chunks: e.chunks },
    wrappedFileKey: info.wrappedFileKey,
  });
}

/**
 * Encodes and stores one object (a file or the index). Resumes a pending upload of the same
 * source if one exists (a client killed mid-upload pays nothing twice).
 */
async function storeObject(
  ctx: Context,
  masterKey: Uint8Array,
  input: {
    kind: "file" | "index";
    name: string;
    label: string;
    source?: string;
    bytes?: Uint8Array;
    remotePath?: string;
    /** Derive the file key from the file id instead of drawing it at random (the index object). */
    keyFor?: (fileId: Uint8Array) => Uint8Array;
  },
  options: PutFileOptions,
  progress: Progress,
): Promise<{ manifest: Manifest; store: Pick<StoreResult, "requestId" | "escrow" | "durationPeriods"> & { resumed: boolean } }> {
  const chainId = await ctx.chainId();
  const stat = input.source ? statSync(input.source) : undefined;
  // 1. A pending upload of the same bytes: finish it instead of paying again.
  if (input.kind === "file" && stat) {
    for (const pending of listPending(ctx)) {
      const r = pending.resume as ResumeInfo | undefined;
      if (!r || r.kind !== "file" || r.source !== input.source || r.sourceSize !== stat.size || r.sourceMtimeMs !== stat.mtimeMs) continue;
      if (r.remotePath !== input.remotePath) continue;
      const contracts = new Contracts(ctx);
      const view = await contracts.getRequest(pending.requestId);
      const now = (await ctx.publicClient.getBlock()).timestamp;
      if (view.state === 1 && now < view.fillDeadline) {
        progress.log(`resuming the interrupted upload of ${input.label} (request ${pending.requestId})`);
        const ranked = await rankProviders(await contracts.listProviders(), { shardSize: BigInt(pending.shardSize) });
        const price = BigInt(pending.pricePerSlotPeriod);
        const candidates = ranked.filter((p) => p.eligible && p.askPerSlotPeriod <= price);
        const slots = await uploadSlots(ctx, pending, candidates, { progress, stallMs: options.stallMs });
        return finishObject(ctx, r, chainId, pending, slots.map((s) => ({ slot: s.slot, provider: s.provider })), true);
      }
      if (view.state === 2) {
        // Every slot got filled after all (providers finished the fills): nothing to upload.
        dropPending(ctx, pending.requestId);
        const slots = await Promise.all(
          Array.from({ length: view.k + view.m }, async (_, i) => ({ slot: i, provider: (await contracts.getSlot(pending.requestId, i)).provider })),
        );
        return finishObject(ctx, r, chainId, pending, slots, true);
      }
    }
  }

  // 2. Fresh upload.
  const { bytes: fileIdBytes, id: fileId } = newFileId();
  let { fileKey, wrappedFileKey } = newFileKeyFor(masterKey, fileId);
  if (input.keyFor) {
    fileKey.fill(0);
    fileKey = input.keyFor(fileIdBytes);
    wrappedFileKey = toBase64Url(wrapFileKey(masterKey, fileKey, fileIdBytes));
  }
  const dir = ctx.path("uploads", fileId);
  try {
    const size = stat?.size ?? input.bytes?.length ?? 0;
    const source: AsyncIterable<Uint8Array> | Uint8Array = input.source
      ? (createReadStream(input.source, { highWaterMark: 1 << 20 }) as AsyncIterable<Uint8Array>)
      : (input.bytes ?? new Uint8Array(0));
    const { encoded, shards } = await encodeToDir(source, dir, { k: options.k, m: options.m, fileKey, fileId: fileIdBytes, size, progress });
    const resume: ResumeInfo = {
      kind: input.kind,
      source: input.source,
      sourceSize: stat?.size,
      sourceMtimeMs: stat?.mtimeMs,
      remotePath: input.remotePath,
      dir,
      fileId,
      wrappedFileKey,
      encoded: serializeEncoded(encoded),
      name: input.name,
    };
    const stored = await storeShards(ctx, {
      k: options.k,
      m: options.m,
      shardSize: encoded.shardSize,
      shards,
      duration: options.duration,
      clampDuration: options.clampDuration,
      maxPricePerSlotPeriod: options.maxPricePerSlotPeriod,
      fillWindowSeconds: options.fillWindowSeconds,
      label: input.label,
      resume,
      confirm: options.confirm,
      progress,
      stallMs: options.stallMs,
    });
    const manifest = manifestFor(resume, {
      chainId,
      requestId: stored.requestId,
      providers: Array.from({ length: options.k + options.m }, (_, i) => stored.slots.find((s) => s.slot === i)?.provider ?? null),
    });
    rmSync(dir, { recursive: true, force: true });
    return { manifest, store: { requestId: stored.requestId, escrow: stored.escrow, durationPeriods: stored.durationPeriods, resumed: false } };
  } finally {
    fileKey.fill(0);
  }
}

function finishObject(
  ctx: Context,
  r: ResumeInfo,
  chainId: number,
  pending: PendingUpload,
  slots: { slot: number; provider: Address }[],
  resumed: boolean,
): { manifest: Manifest; store: Pick<StoreResult, "requestId" | "escrow" | "durationPeriods"> & { resumed: boolean } } {
  const n = pending.k + pending.m;
  const manifest = manifestFor(r, {
    chainId,
    requestId: pending.requestId,
    providers: Array.from({ length: n }, (_, i) => slots.find((s) => s.slot === i)?.provider ?? null),
  });
  rmSync(r.dir, { recursive: true, force: true });
  void ctx;
  return { manifest, store: { requestId: pending.requestId, escrow: BigInt(pending.escrow), durationPeriods: pending.durationPeriods, resumed } };
}

// ---------------------------------------------------------------------------------------------
// The index
//
// On-chain pointer (FileIndex.setFileIndex, at most 256 bytes): "tsi1:<requestId>:<fileId>".
// The index object is encoded with the sdk's default chunk and piece sizes and a file key derived
// from the master key and its file id, so the pointer, the chain (k, m, shard size, roots, CIDs)
// and the master key are all that is needed to fetch and open it.

const INDEX_OBJECT_KEY_INFO = "tessera/v1/index-object-key";

function indexObjectKey(masterKey: Uint8Array, fileId: Uint8Array): Uint8Array {
  const base = deriveSubkey(masterKey, "fileIndex");
  try {
    return hkdfSha256(base, fileId, INDEX_OBJECT_KEY_INFO, 32);
  } finally {
    base.fill(0);
  }
}

export function parsePointer(pointer: string): { requestId: Hex; fileId: string } | undefined {
  const m = /^tsi1:(0x[0-9a-fA-F]{64}):([A-Za-z0-9_-]{22})$/.exec(pointer);
  return m ? { requestId: m[1]!.toLowerCase() as Hex, fileId: m[2]! } : undefined;
}

export type LoadedIndex = { index: FileIndex; pointer?: string; onChainVersion: bigint };

export async function loadIndex(ctx: Context, masterKey: Uint8Array, progress?: Progress): Promise<LoadedIndex> {
  const contracts = new Contracts(ctx);
  const account = await ctx.account();
  const onChain = await getFileIndex(await ctx.readClient(), { owner: account.address });
  const pointer = onChain?.cid ?? "";
  const version = onChain?.version ?? 0n;
  if (!pointer) return { index: createFileIndex(), onChainVersion: version };
  const parsed = parsePointer(pointer);
  if (!parsed) {
    throw new CliError(`The file-index pointer of ${account.address} is not in a format this CLI reads (${pointer.slice(0, 24)}…).`, {
      exitCode: EXIT.CONFIG,
    });
  }
  const request = await contracts.getRequest(parsed.requestId);
  const cids = await contracts.requestCids(parsed.requestId);
  const fileId = fromBase64Url(parsed.fileId);
  const fileKey = indexObjectKey(masterKey, fileId);
  const chunks: Uint8Array[] = [];
  try {
    const layout: ObjectLayout = {
      k: request.k,
      m: request.m,
      chunkSize: DEFAULT_CHUNK_SIZE,
      pieceBytes: DEFAULT_PIECE_BYTES,
      shardSize: Number(request.shardSize),
      shards: request.roots.map((root, i) => ({ root: root.toLowerCase(), cid: cids[i] })),
      fileId,
    };
    for await (const piece of downloadObject(ctx, layout, fileKey, parsed.requestId, [], progress, "the file index")) chunks.push(Buffer.from(piece));
  } finally {
    fileKey.fill(0);
  }
  let index: FileIndex;
  try {
    index = decryptFileIndex(masterKey, Buffer.concat(chunks));
  } catch (cause) {
    throw new CliError(`This master key cannot open the file index of ${account.address}.`, {
      exitCode: EXIT.INTEGRITY,
      hint: "Is TESSERA_PRIVATE_KEY the account that stored the files, and is this the master key you used with it (tessera keys show)?",
      cause,
    });
  }
  return { index, pointer, onChainVersion: version };
}

export async function saveIndex(
  ctx: Context,
  masterKey: Uint8Array,
  index: FileIndex,
  options: PutFileOptions,
  progress: Progress,
): Promise<{ requestId: Hex; version: number; txHash: Hex }> {
  const sealed = encryptFileIndex(masterKey, index);
  const { manifest, store } = await storeObject(
    ctx,
    masterKey,
    {
      kind: "index",
      name: "tessera-file-index",
      label: "the file index",
      bytes: sealed,
      keyFor: (fileId) => indexObjectKey(masterKey, fileId),
    },
    { ...options, confirm: false },
    progress,
  );
  const pointer = `tsi1:${store.requestId}:${manifest.fileId}`;
  const { txHash } = await setFileIndex(await ctx.tesseraClient(), { cid: pointer, version: index.seq });
  return { requestId: store.requestId, version: index.seq, txHash };
}

// ---------------------------------------------------------------------------------------------
// put

export type PutResult = {
  path: string;
  version: number;
  size: number;
  requestId: Hex;
  escrow: bigint;
  durationPeriods: number;
  resumed: boolean;
};

export async function putFiles(
  ctx: Context,
  masterKey: Uint8Array,
  entries: { source: string; remotePath: string }[],
  options: PutFileOptions,
): Promise<{ files: PutResult[]; index: { requestId: Hex; version: number; txHash: Hex } }> {
  const progress = new Progress(ctx);
  try {
    const loaded = await loadIndex(ctx, masterKey, progress);
    let index = loaded.index;
    const files: PutResult[] = [];
    // Files stored by an earlier run that stopped before the index was saved.
    const journalDir = ctx.path("unindexed");
    mkdirSync(journalDir, { recursive: true });
    const journal = readdirSync(journalDir).filter((f) => f.endsWith(".json"));
    type JournalEntry = { remotePath: string; manifest: Manifest; source?: string; sourceSize?: number; sourceMtimeMs?: number };
    const journaled: JournalEntry[] = [];
    for (const name of journal) {
      const entry = JSON.parse(readFileSync(join(journalDir, name), "utf8")) as JournalEntry;
      journaled.push(entry);
      const known = Object.values(index.files).some((f) => f.versions.some((v) => v.fileId === entry.manifest.fileId));
      if (!known) {
        index = addFileVersion(index, entry.remotePath, { manifest: entry.manifest }).index;
        progress.log(`adding ${entry.remotePath} (stored by an interrupted run) to the index`);
      }
    }
    for (const entry of entries) {
      const stat = statSync(entry.source);
      const done = journaled.find(
        (j) => j.source === entry.source && j.sourceSize === stat.size && j.sourceMtimeMs === stat.mtimeMs && j.remotePath === entry.remotePath,
      );
      if (done) {
        // Stored completely by an interrupted run (and added to the index above): nothing to pay.
        const version = index.files[normalizePath(entry.remotePath)]?.versions.find((v) => v.fileId === done.manifest.fileId);
        files.push({
          path: normalizePath(entry.remotePath),
          version: version?.version ?? 0,
          size: done.manifest.size,
          requestId: done.manifest.storage!.requestId as Hex,
          escrow: 0n,
          durationPeriods: 0,
          resumed: true,
        });
        continue;
      }
      const { manifest, store } = await storeObject(
        ctx,
        masterKey,
        { kind: "file", name: basename(entry.remotePath), label: entry.remotePath, source: entry.source, remotePath: entry.remotePath },
        options,
        progress,
      );
      writeFileSync(
        join(journalDir, `${store.requestId}.json`),
        JSON.stringify({ remotePath: entry.remotePath, manifest, source: entry.source, sourceSize: stat.size, sourceMtimeMs: stat.mtimeMs }),
      );
      journal.push(`${store.requestId}.json`);
      const added = addFileVersion(index, entry.remotePath, { manifest });
      index = added.index;
      files.push({
        path: normalizePath(entry.remotePath),
        version: added.version.version,
        size: manifest.size,
        requestId: store.requestId,
        escrow: store.escrow,
        durationPeriods: store.durationPeriods,
        resumed: store.resumed,
      });
    }
    const saved = await saveIndex(ctx, masterKey, index, options, progress);
    for (const name of journal) rmSync(join(journalDir, name), { force: true });
    return { files, index: saved };
  } finally {
    progress.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// get

export type ObjectLayout = {
  k: number;
  m: number;
  chunkSize: number;
  pieceBytes: number;
  shardSize: number;
  shards: readonly { cid?: string; root?: string }[];
  fileId: Uint8Array;
  plaintextSize?: number;
};

export function layoutOf(manifest: Manifest): ObjectLayout {
  const encoding = (manifest.encoding ?? {}) as { pieceBytes?: number };
  return {
    k: manifest.erasure.k,
    m: manifest.erasure.m,
    chunkSize: manifest.chunkSize,
    pieceBytes: encoding.pieceBytes ?? DEFAULT_PIECE_BYTES,
    shardSize: manifest.erasure.shardSize,
    shards: manifest.shards,
    fileId: fromBase64Url(manifest.fileId),
    plaintextSize: manifest.size,
  };
}

/** Shard sources: the slot's current holder (chain), then the provider recorded at upload. */
export async function shardSources(
  ctx: Context,
  layout: Pick<ObjectLayout, "k" | "m" | "shards">,
  requestId: Hex | undefined,
  recorded: readonly (string | null)[],
): Promise<{ sources: ShardSource[]; holders: { shard: number; provider?: Address; endpoint?: string }[] }> {
  const n = layout.k + layout.m;
  const contracts = new Contracts(ctx);
  const endpointOf = new Map<string, Promise<string | undefined>>();
  const endpoint = (address: Address) => {
    const key = address.toLowerCase();
    if (!endpointOf.has(key)) {
      endpointOf.set(
        key,
        contracts
          .getProvider(address)
          .then((p) => p.httpEndpoint || undefined)
          .catch(() => undefined),
      );
    }
    return endpointOf.get(key)!;
  };
  const sources: ShardSource[] = [];
  const holdersOut: { shard: number; provider?: Address; endpoint?: string }[] = [];
  const slots = requestId
    ? await Promise.all(Array.from({ length: n }, (_, i) => contracts.getSlot(requestId, i).catch(() => undefined)))
    : [];
  for (let i = 0; i < n; i++) {
    const holders: Address[] = [];
    const slot = slots[i];
    if (slot && slot.state === 1) holders.push(slot.provider);
    const r = recorded[i];
    if (r && !holders.some((h) => h.toLowerCase() === r.toLowerCase())) holders.push(r as Address);
    const cid = layout.shards[i]?.cid;
    holdersOut.push({ shard: i, ...(holders[0] ? { provider: holders[0] } : {}) });
    if (!cid) continue;
    for (const holder of holders) {
      const url = await endpoint(holder);
      if (!url) continue;
      holdersOut[i]!.endpoint ??= url;
      sources.push({ shard: i, label: `${url} (${holder})`, fetch: ({ signal }) => fetchShard(url, cid, { signal }) });
    }
  }
  return { sources, holders: holdersOut };
}

export async function* downloadObject(
  ctx: Context,
  layout: ObjectLayout,
  fileKey: Uint8Array,
  requestId: Hex | undefined,
  recorded: readonly (string | null)[],
  progress: Progress | undefined,
  what: string,
): AsyncGenerator<Uint8Array> {
  const { sources, holders } = await shardSources(ctx, layout, requestId, recorded);
  const failures: string[] = [];
  const n = layout.k + layout.m;
  for (const h of holders) {
    if (!h.endpoint) failures.push(`shard ${h.shard}: no provider holds it${h.provider ? ` (${h.provider} has no endpoint)` : ""}`);
  }
  const stream = decodeFile(
    sources,
    { ...layout, fileKey, ...(layout.plaintextSize !== undefined ? { plaintextSize: layout.plaintextSize } : {}) },
    {
      onProgress: (event) => {
        if (event.stage === "download" && event.shard !== undefined) {
          progress?.update(`${what}:download:${event.shard}`, `download shard ${event.shard}`, event.bytes, event.total ?? layout.shardSize);
        } else if (event.stage === "decode" && layout.plaintextSize !== undefined) {
          progress?.update(`${what}:decode`, "decode", event.bytes, layout.plaintextSize);
        }
      },
      onShardFailure: (event) => {
        const line = `shard ${event.shard}${event.source ? ` from ${event.source}` : ""}: ${event.error.message}`;
        failures.push(line);
        progress?.log(line);
      },
    },
  );
  try {
    for await (const piece of Readable.fromWeb(stream as import("node:stream/web").ReadableStream<Uint8Array>)) yield piece as Uint8Array;
  } catch (error) {
    if (NotEnoughShardsErrorGuard(error)) {
      throw new CliError(`Cannot rebuild ${what}: ${(error as Error).message}`, {
        exitCode: EXIT.UNAVAILABLE,
        hint: `Any ${layout.k} of the ${n} shards are needed. ${failures.length ? `Missing or bad: ${failures.join("; ")}` : ""}`,
        details: { failures },
        cause: error,
      });
    }
    throw error;
  }
}

export function downloadStream(ctx: Context, manifest: Manifest, fileKey: Uint8Array, progress?: Progress, what = manifest.name) {
  return downloadObject(ctx, layoutOf(manifest), fileKey, manifest.storage?.requestId as Hex | undefined, manifest.storage?.providers ?? [], progress, what);
}

/** Downloads to `out` through a temp file in the same directory (no partial file on failure). */
export async function downloadToFile(ctx: Context, manifest: Manifest, fileKey: Uint8Array, out: string): Promise<number> {
  const target = resolve(out);
  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.tessera-${process.pid}.part`;
  const progress = new Progress(ctx);
  let bytes = 0;
  try {
    const counted = async function* (source: AsyncGenerator<Uint8Array>) {
      for await (const piece of source) {
        bytes += piece.length;
        yield Buffer.from(piece); // the decoder may reuse its buffers once we ask for the next piece
      }
    };
    await pipeline(Readable.from(counted(downloadStream(ctx, manifest, fileKey, progress))), createWriteStream(tmp));
    renameSync(tmp, target);
    return bytes;
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  } finally {
    progress.stop();
  }
}
