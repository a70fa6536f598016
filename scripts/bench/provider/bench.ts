/**
 * Provider benchmarks (JSON on stdout). Run: `npm run bench -w provider-node` or
 * `node scripts/bench/provider/bench.ts [--shard-mib 256] [--rss-gib 1] [--slots 10,10000]`.
 *
 * 1. upload: one shard PUT over loopback HTTP to the provider (verify Merkle root + CID while
 *    storing, fsync) vs a plain node:http server that reads the same body into a file (fsync),
 *    and vs one that discards it — same bytes, same run, both servers in child processes.
 * 2. rss: the provider's RSS sampled every 100 ms while it receives `rss-gib` GiB of shards.
 * 3. prove: time and peak RSS to build one period's packed proofs (8 challenges, as
 *    challengesPerPeriod) for a provider holding 10 and 10,000 slots; bytes read per proof.
 *    Gas is O(challenges), not O(slots), by construction; it is measured in the contract tests.
 *
 * Child roles: `--role provider|plain` start a server and print its port.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, open, readFile, rm, mkdir, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { request } from "node:http";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(import.meta.url);
const REPO = join(here, "../../../../");
const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const MiB = 1 << 20;

/** user+system CPU seconds of a process (all its threads), from /proc. */
async function cpuOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function rssOf(pid: number): Promise<number> {
  const s = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(s)![1]) * 1024;
}

// ------------------------------------------------------------------------------ child roles

async function providerRole(dataDir: string, shardFile: string) {
  const { pino } = await import("pino");
  const { shardCid } = await import("@tessera/sdk/cid/index");
  const { ShardTreeBuilder } = await import(join(REPO, "provider-node/src/storage/merkle.ts"));
  const { ShardStore } = await import(join(REPO, "provider-node/src/storage/shard-store.ts"));
  const { ProviderHttpServer } = await import(join(REPO, "provider-node/src/http/server.ts"));
  const { providerMetrics } = await import(join(REPO, "provider-node/src/services/metrics.ts"));
  const { createHeliaNode, localBlockstore } = await import(
    join(REPO, "provider-node/src/storage/helia.ts")
  );
  // commitments of the shard the client will send (computed before timing starts)
  const bytes = await readFile(shardFile);
  const b = new ShardTreeBuilder(bytes.length);
  b.update(bytes);
  const root = `0x${Buffer.from(b.finish().root).toString("hex")}`;
  const cid = (await shardCid(bytes)).toString();
  const helia = await createHeliaNode({ dataDir });
  const store = new ShardStore(dataDir, localBlockstore(helia));
  await store.open();
  let fills = 0;
  const authority = {
    getSlotOffer: async (requestId: string, slot: number) => ({
      requestId,
      slot,
      shardSize: bytes.length,
      root,
      cid,
      pricePerSlotPeriod: 10n ** 30n,
      collateralPerSlot: 0n,
    }),
    fill: async () => `0x${(++fills).toString(16).padStart(64, "0")}`,
    askFor: () => 0n,
  };
  const server = new ProviderHttpServer(
    { host: "127.0.0.1", port: 0, capacityBytes: Number.MAX_SAFE_INTEGER, maxShardBytes: 1 << 30 },
    {
      store,
      blockstore: localBlockstore(helia),
      authority: authority as never,
      metrics: providerMetrics(),
      log: pino({ level: "silent" }),
      status: async () => ({}),
    },
  );
  await server.start();
  process.stdout.write(`${new URL(server.url).port}\n`);
}

async function plainRole(dir: string, mode: string) {
  await mkdir(dir, { recursive: true });
  let n = 0;
  const server = createServer(async (req, res) => {
    if (mode === "discard") {
      for await (const _ of req);
    } else {
      const fh = await open(join(dir, `plain-${n++}`), "w");
      for await (const chunk of req) await fh.write(chunk as Buffer);
      await fh.sync();
      await fh.close();
    }
    res.writeHead(201, { "content-type": "application/json" }).end("{}");
  });
  server.listen(0, "127.0.0.1", () =>
    process.stdout.write(`${(server.address() as { port: number }).port}\n`),
  );
}

// ------------------------------------------------------------------------------ parent

const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of children) c.kill("SIGKILL");
});

function startChild(args: string[]): Promise<{ proc: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [here, ...args], {
      stdio: ["ignore", "pipe", "inherit"],
      cwd: REPO,
    });
    children.add(proc);
    proc.once("exit", () => children.delete(proc));
    proc.stdout!.once("data", (d: Buffer) => resolve({ proc, port: Number(d.toString().trim()) }));
    proc.once("exit", (code) => reject(new Error(`child ${args.join(" ")} exited ${code}`)));
  });
}

function putFile(port: number, path: string, file: string, size: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const r = request(
      { host: "127.0.0.1", port, path, method: "PUT", headers: { "content-length": size } },
      (res) => {
        res.resume();
        res.on("end", () =>
          res.statusCode === 201
            ? resolve(performance.now() - t0)
            : reject(new Error(`PUT ${path}: ${res.statusCode}`)),
        );
      },
    );
    r.on("error", reject);
    createReadStream(file, { highWaterMark: 1 << 20 }).pipe(r);
  });
}

const reqPath = (i: number) => `/v1/requests/0x${i.toString(16).padStart(64, "0")}/slots/0`;

async function benchUpload(dir: string, shardMiB: number, rounds: number) {
  const size = shardMiB * MiB;
  const file = join(dir, "shard.bin");
  const ws = createWriteStream(file);
  for (let i = 0; i < shardMiB; i++) ws.write(randomBytes(MiB));
  await new Promise((r) => ws.end(r));
  const provider = await startChild(["--role", "provider", join(dir, "prov"), file]);
  const plainFsync = await startChild(["--role", "plain", join(dir, "plain"), "fsync"]);
  const plainDiscard = await startChild(["--role", "plain", join(dir, "plain"), "discard"]);
  const best = { provider: Infinity, plainFsync: Infinity, plainDiscard: Infinity };
  const cpu = { provider: 0, plainFsync: 0, plainDiscard: 0 };
  const timed = async (
    name: keyof typeof best,
    child: { proc: ChildProcess; port: number },
    path: string,
  ) => {
    const c0 = await cpuOf(child.proc.pid!);
    best[name] = Math.min(best[name], await putFile(child.port, path, file, size));
    cpu[name] += (await cpuOf(child.proc.pid!)) - c0;
  };
  let id = 1;
  for (let r = 0; r < rounds; r++) {
    await timed("plainDiscard", plainDiscard, "/");
    await timed("plainFsync", plainFsync, "/");
    await timed("provider", provider, reqPath(id++));
  }
  for (const c of [provider, plainFsync, plainDiscard]) c.proc.kill();
  const mbps = (ms: number) => Math.round((size / 1e6 / (ms / 1000)) * 10) / 10;
  return {
    shardBytes: size,
    rounds,
    providerMBps: mbps(best.provider),
    plainHttpToFileFsyncMBps: mbps(best.plainFsync),
    plainHttpDiscardMBps: mbps(best.plainDiscard),
    ratioVsPlainToFile: Math.round((best.plainFsync / best.provider) * 100) / 100,
    ratioVsPlainDiscard: Math.round((best.plainDiscard / best.provider) * 100) / 100,
    // server CPU seconds (all threads) per GiB received: independent of machine load
    cpuSecondsPerGiB: Object.fromEntries(
      Object.entries(cpu).map(([k, v]) => [
        k,
        Math.round((v / rounds / (size / 2 ** 30)) * 100) / 100,
      ]),
    ),
    target: "provider ≥ 0.5 × plain node:http upload of the same bytes",
  };
}

async function benchRss(dir: string, gib: number, shardMiB: number) {
  const size = shardMiB * MiB;
  const file = join(dir, "shard.bin");
  const provider = await startChild(["--role", "provider", join(dir, "prov-rss"), file]);
  const samples: number[] = [];
  const timer = setInterval(
    () =>
      void rssOf(provider.proc.pid!)
        .then((v) => samples.push(v))
        .catch(() => {}),
    100,
  );
  const baseline = await rssOf(provider.proc.pid!);
  const count = Math.ceil((gib * 1024) / shardMiB);
  for (let i = 0; i < count; i++) await putFile(provider.port, reqPath(1000 + i), file, size);
  clearInterval(timer);
  provider.proc.kill();
  const tail = samples.slice(Math.floor(samples.length / 4)); // after warm-up
  const sorted = [...tail].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return {
    receivedBytes: count * size,
    shards: count,
    rssIdleMiB: Math.round(baseline / MiB),
    rssMedianMiB: Math.round(median / MiB),
    rssMaxMiB: Math.round(Math.max(...tail) / MiB),
    rssMinMiB: Math.round(Math.min(...tail) / MiB),
    maxDeviationFromMedian:
      Math.round((Math.max(...tail.map((v) => Math.abs(v - median))) / median) * 100) / 100,
    samples: samples.length,
  };
}

async function benchProve(dir: string, slots: number, shardBytes: number) {
  const { ShardTreeBuilder, leafCount, verifyProof, UNIT_LEAVES } = await import(
    join(REPO, "provider-node/src/storage/merkle.ts")
  );
  const { ShardStore } = await import(join(REPO, "provider-node/src/storage/shard-store.ts"));
  const { ShardBlockstore } = await import(
    join(REPO, "provider-node/src/storage/shard-blockstore.ts")
  );
  const { FsBlockstore } = await import("blockstore-fs");
  const dataDir = join(dir, `prove-${slots}`);
  // lay out `slots` shards exactly as the store keeps them (shard, tree, meta.json)
  const roots: string[] = [];
  for (let i = 0; i < slots; i++) {
    const requestId = `0x${i.toString(16).padStart(64, "0")}`;
    const d = join(dataDir, "shards", `${requestId}-0`);
    await mkdir(d, { recursive: true });
    const fh = await open(join(d, "shard"), "w");
    const b = new ShardTreeBuilder(shardBytes);
    for (let o = 0; o < shardBytes; o += 4 * MiB) {
      const chunk = randomBytes(Math.min(4 * MiB, shardBytes - o));
      b.update(chunk);
      await fh.write(chunk);
    }
    await fh.close();
    const { root, layers } = b.finish();
    roots.push(`0x${Buffer.from(root).toString("hex")}`);
    await writeFile(join(d, "tree"), layers);
    await writeFile(
      join(d, "meta.json"),
      JSON.stringify({
        requestId,
        slot: 0,
        size: shardBytes,
        root: roots[i],
        cid: `bench-${i}`,
        storedAt: 0,
        fillTx: "0x",
      }),
    );
  }
  const bs = new ShardBlockstore(new FsBlockstore(join(dataDir, "blocks")));
  await bs.open();
  const store = new ShardStore(dataDir, bs);
  await store.open();
  // challenges as the contract draws them: a uniform unit, then a leaf inside it (§3)
  const nLeaves = leafCount(shardBytes);
  const units = Math.ceil(nLeaves / UNIT_LEAVES);
  const periods = 20;
  const times: number[] = [];
  const rss0 = process.memoryUsage().rss;
  let rssPeak = rss0;
  for (let p = 0; p < periods; p++) {
    const t0 = performance.now();
    const parts: Uint8Array[] = [];
    for (let j = 0; j < 8; j++) {
      const slot = Math.floor(Math.random() * slots);
      const unit = Math.floor(Math.random() * units);
      const first = unit * UNIT_LEAVES;
      const leaf = first + Math.floor(Math.random() * Math.min(UNIT_LEAVES, nLeaves - first));
      const key = {
        requestId: `0x${slot.toString(16).padStart(64, "0")}` as `0x${string}`,
        slot: 0,
      };
      const proof = await store.prove(key, leaf);
      if (!verifyProof(Buffer.from(roots[slot]!.slice(2), "hex"), nLeaves, leaf, proof))
        throw new Error("bad proof");
      parts.push(proof);
    }
    Buffer.concat(parts);
    times.push(performance.now() - t0);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }
  times.sort((a, b) => a - b);
  const depth = Math.ceil(Math.log2(nLeaves));
  await rm(dataDir, { recursive: true, force: true });
  return {
    slots,
    shardBytes,
    challengesPerPeriod: 8,
    periods,
    medianMsPerPeriod: Math.round(times[Math.floor(periods / 2)]! * 100) / 100,
    maxMsPerPeriod: Math.round(times[periods - 1]! * 100) / 100,
    proofBytesPerPeriod: 8 * (64 + 16 * depth),
    shardBytesReadPerProof: Math.min(4096, shardBytes),
    treeReadsPerProof: Math.max(0, depth - 6),
    rssBeforeMiB: Math.round(rss0 / MiB),
    rssPeakMiB: Math.round(rssPeak / MiB),
  };
}

async function main() {
  const role = arg("role", "");
  if (role) {
    // a child dies with its parent
    setInterval(() => {
      if (process.ppid === 1) process.exit(0);
    }, 1000).unref();
  }
  if (role === "provider")
    return providerRole(
      process.argv[process.argv.indexOf("--role") + 2]!,
      process.argv[process.argv.indexOf("--role") + 3]!,
    );
  if (role === "plain")
    return plainRole(
      process.argv[process.argv.indexOf("--role") + 2]!,
      process.argv[process.argv.indexOf("--role") + 3]!,
    );
  const loadavgAtStart = loadavg().map((v) => Math.round(v * 100) / 100);
  const dir = await mkdtemp(join(tmpdir(), "tessera-bench-provider-"));
  try {
    const shardMiB = Number(arg("shard-mib", "128"));
    const upload = await benchUpload(dir, shardMiB, Number(arg("rounds", "3")));
    const rss = await benchRss(dir, Number(arg("rss-gib", "1")), shardMiB);
    const prove = [];
    for (const s of arg("slots", "10,10000").split(",").map(Number)) {
      prove.push(await benchProve(dir, s, s <= 100 ? 64 * MiB : 16 * 1024));
    }
    process.stdout.write(
      JSON.stringify(
        {
          bench: "provider",
          node: process.version,
          cpus: cpus().length,
          loadavgAtStart,
          date: new Date().toISOString(),
          upload,
          rss,
          prove,
        },
        null,
        2,
      ) + "\n",
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
