/**
 * End-to-end benchmark (issue 6, "Performance"). Prints one JSON object.
 *
 *   node scripts/bench/e2e/run.ts [--sizes 256,1024] [--layouts 4+2,10+4] [--rss-size 4096]
 *   node scripts/bench/e2e/run.ts --sizes 64 --layouts 4+2            # a quick run
 *
 * For each layout a whole local stack is started (Hardhat node, contracts, k+m provider
 * processes — scripts/demo/stack.ts), then for each size (MiB) of random data:
 *   - baseline "pipeline": sdk encodeFile of the same file, no sinks (in this process);
 *   - baseline "httpCopy": a plain HTTP PUT of the same bytes to a local server that discards
 *     them (one stream, Node http on both sides);
 *   - "upload": `tessera put` (encode to disk, pay, upload the n shards, index) as a child;
 *   - "download": `tessera get` (fetch k-of-n, verify, rebuild, decrypt) as a child.
 * Throughputs are MB/s (10^6 bytes) of file bytes. Client peak RSS is the child's VmHWM.
 * Targets: upload ≥ 40 % of the pipeline-alone throughput; client peak RSS ≤ 300 MiB for the
 * 1 GiB file, and no larger for `--rss-size` (default 4 GiB, on the last layout; 0 to skip).
 */
import { spawn } from "node:child_process";
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { randomBytes, createCipheriv } from "node:crypto";
import { REPO_ROOT, findFreePortBase, startStack } from "../../demo/stack.ts";
import { encodeFile } from "../../../sdk/src/pipeline/index.ts";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "256,1024" },
    layouts: { type: "string", default: "4+2,10+4" },
    "rss-size": { type: "string", default: "4096" },
    keep: { type: "boolean", default: false },
  },
});
const MiB = 1 << 20;
const sizes = values.sizes.split(",").map(Number);
const layouts = values.layouts.split(",").map((l) => l.split("+").map(Number) as [number, number]);
const rssSize = Number(values["rss-size"]);
const mbps = (bytes: number, ms: number) => Math.round((bytes / 1e6 / (ms / 1000)) * 10) / 10;
const log = (line: string) => process.stderr.write(`${line}\n`);

/** Random (incompressible) bytes from an AES-CTR keystream, streamed to disk. */
async function randomFile(path: string, bytes: number): Promise<void> {
  const cipher = createCipheriv("aes-256-ctr", randomBytes(32), randomBytes(16));
  const zero = Buffer.alloc(MiB);
  const out = createWriteStream(path);
  for (let left = bytes; left > 0; left -= MiB) {
    if (!out.write(cipher.update(left >= MiB ? zero : zero.subarray(0, left)))) await new Promise<void>((r) => out.once("drain", () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

async function pipelineAlone(file: string, k: number, m: number): Promise<number> {
  const started = performance.now();
  await encodeFile(createReadStream(file, { highWaterMark: MiB }) as AsyncIterable<Uint8Array>, {
    k,
    m,
    fileKey: randomBytes(32),
    fileId: randomBytes(16),
  });
  return performance.now() - started;
}

async function httpCopy(file: string, bytes: number): Promise<number> {
  const server = createServer((req, res) => {
    req.on("data", () => {});
    req.on("end", () => res.end("ok"));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method: "PUT", path: "/", headers: { "content-length": String(bytes) } }, (res) => {
      res.resume();
      res.on("end", resolve);
    });
    req.on("error", reject);
    createReadStream(file, { highWaterMark: MiB }).pipe(req);
  });
  const ms = performance.now() - started;
  server.close();
  return ms;
}

/** Runs the CLI as a child; returns wall time and the child's peak RSS (VmHWM). */
async function timedCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; peakRssMiB: number; stdout: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, [join(REPO_ROOT, "cli/src/bin.ts"), ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let peakKiB = 0;
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
      if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
    } catch {
      /* exited */
    }
  }, 50);
  const code = await new Promise<number | null>((r) => child.on("close", r));
  clearInterval(poll);
  if (code !== 0) throw new Error(`tessera ${args.join(" ")} exited ${code}: ${stderr}`);
  return { ms: performance.now() - started, peakRssMiB: Math.round(peakKiB / 1024), stdout };
}

const results: unknown[] = [];
const work = mkdtempSync(join(tmpdir(), "tessera-bench-e2e-"));
try {
  for (const [k, m] of layouts) {
    const n = k + m;
    log(`starting a stack with ${n} providers`);
    const base = await findFreePortBase(n + 1);
    const stack = await startStack({
      dir: join(work, `stack-${k}-${m}`),
      rpcPort: base + n,
      providerPortBase: base,
      providers: n,
      deploymentsDir: join(work, `deployments-${k}-${m}`),
      deployEnv: { TESSERA_PERIOD_BLOCKS: "20" },
      // 1 GiB with 4+2 makes 256 MiB + ε shards: allow up to 1 GiB per shard on this chain.
      deployParameters: { TesseraMarketplace: { params: { maxShardSize: 1n << 30n } } },
      fundTokens: "1000000",
    });
    try {
      const home = mkdtempSync(join(work, "client-"));
      const env = {
        ...process.env,
        TESSERA_HOME: home,
        TESSERA_RPC_URL: stack.rpcUrl,
        TESSERA_PRIVATE_KEY: stack.clients[0]!.privateKey,
        TESSERA_DEPLOYMENTS: join(work, `deployments-${k}-${m}`),
        TESSERA_PASSPHRASE: "bench",
        TESSERA_YES: "1",
      };
      await timedCli(["keys", "init"], env);
      // The RSS-only size (4 GiB) runs on the last layout (10+4: 4 GiB at 4+2 would need shards above 2^30 bytes).
      const last = layouts[layouts.length - 1]!;
      const runSizes = [...sizes, ...(rssSize > 0 && !sizes.includes(rssSize) && k === last[0] && m === last[1] ? [rssSize] : [])];
      for (const sizeMiB of runSizes) {
        const bytes = sizeMiB * MiB;
        const file = join(work, `data-${sizeMiB}`);
        log(`${k}+${m}, ${sizeMiB} MiB: generating`);
        await randomFile(file, bytes);
        const rssOnly = !sizes.includes(sizeMiB);
        const pipelineMs = rssOnly ? undefined : await pipelineAlone(file, k, m);
        const copyMs = rssOnly ? undefined : await httpCopy(file, bytes);
        log(`${k}+${m}, ${sizeMiB} MiB: tessera put`);
        const put = await timedCli(["--json", "put", file, "--redundancy", `${k}+${m}`, "--duration", "2000p", "--as", `bench-${sizeMiB}`], env);
        log(`${k}+${m}, ${sizeMiB} MiB: tessera get`);
        const out = join(work, `out-${sizeMiB}`);
        const get = await timedCli(["get", `bench-${sizeMiB}`, "-o", out], env);
        rmSync(out, { force: true });
        rmSync(file, { force: true });
        const uploadMBps = mbps(bytes, put.ms);
        const pipelineMBps = pipelineMs === undefined ? undefined : mbps(bytes, pipelineMs);
        results.push({
          layout: `${k}+${m}`,
          providers: n,
          sizeMiB,
          upload: { MBps: uploadMBps, seconds: Math.round(put.ms) / 1000, peakRssMiB: put.peakRssMiB },
          download: { MBps: mbps(bytes, get.ms), seconds: Math.round(get.ms) / 1000, peakRssMiB: get.peakRssMiB },
          baseline: {
            pipelineAloneMBps: pipelineMBps,
            httpCopyMBps: copyMs === undefined ? undefined : mbps(bytes, copyMs),
          },
          uploadVsPipeline: pipelineMBps ? Math.round((uploadMBps / pipelineMBps) * 100) / 100 : undefined,
          targets: {
            uploadAtLeast40PctOfPipeline: pipelineMBps ? uploadMBps >= 0.4 * pipelineMBps : undefined,
            clientRssAtMost300MiB: sizeMiB >= 1024 ? Math.max(put.peakRssMiB, get.peakRssMiB) <= 300 : undefined,
            ...(rssOnly ? { rssOnlyRun: true } : {}),
          },
        });
      }
    } finally {
      await stack.stop();
    }
  }
} finally {
  if (!values.keep) rmSync(work, { recursive: true, force: true });
}
process.stdout.write(
  `${JSON.stringify({ benchmark: "e2e", machine: { cpus: (await import("node:os")).cpus().length, node: process.version }, results }, null, 2)}\n`,
);
