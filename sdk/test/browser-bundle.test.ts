/**
 * The pipeline as a browser gets it: bundled by esbuild with the "browser" condition (WASM
 * Merkle hashing, in-thread hashing, CompressionStream DEFLATE, as-sha256 CIDs, memory shard
 * store) and run here. Shards made by the browser build must be identical to Node's for the same
 * input (compression off) and repairable/decodable by Node, and the other way round.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as node from "../src/pipeline/index.ts";

type Web = typeof import("./fixtures/browser-entry.ts");
let web: Web;
let bundle: string;
const dir = mkdtempSync(join(tmpdir(), "tessera-browser-bundle-"));

beforeAll(async () => {
  const result = await build({
    entryPoints: [new URL("./fixtures/browser-entry.ts", import.meta.url).pathname],
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["browser"],
    write: false,
    logLevel: "silent",
  });
  bundle = result.outputFiles[0]!.text;
  const file = join(dir, "bundle.mjs");
  writeFileSync(file, bundle);
  web = (await import(pathToFileURL(file).href)) as Web;
  const require = createRequire(import.meta.url);
  const entry = require.resolve("@digitaldefiance/reed-solomon-erasure.wasm");
  web.setErasureWasm(readFileSync(new URL("./reed_solomon_erasure_bg.wasm", pathToFileURL(entry))));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const p of source) parts.push(p);
  return Buffer.concat(parts);
}

describe("browser build of the pipeline", () => {
  it("contains no Node built-ins or native addons and picks the browser implementations", () => {
    expect(bundle).not.toMatch(/from ["']node:/);
    expect(bundle).not.toMatch(/require\(["'](node:)?(fs|crypto|zlib|worker_threads)["']\)/);
    expect(bundle).not.toContain("hashtree-linux");
    expect(web.hasherName).toBe("@chainsafe/as-sha256");
    expect(web.codec.defaultCodec).toBe("deflate");
  });

  it("without compression, browser and Node produce identical shards and commitments", async () => {
    const data = randomBytes(700_000);
    const options = {
      fileKey: randomBytes(32),
      fileId: randomBytes(16),
      compression: "none" as const,
      chunkSize: 65_536,
      pieceBytes: 16_384,
    };
    const [ws, ns] = [
      Array.from({ length: 14 }, () => web.memorySink()),
      Array.from({ length: 14 }, () => node.memorySink()),
    ];
    const fromWeb = await web.encodeFile(data, { ...options, sinks: ws });
    const fromNode = await node.encodeFile(data, { ...options, sinks: ns });
    expect(fromWeb.shards).toEqual(fromNode.shards);
    ws.forEach((s, i) => expect(Buffer.from(s.bytes()).equals(ns[i]!.bytes())).toBe(true));
  });

  it("browser-encoded (DEFLATE) files decode in Node from any k shards, and Node-encoded (zstd) ones in the browser", async () => {
    const text = Buffer.from("browser and node must agree on every byte\n".repeat(20_000));
    const fileKey = randomBytes(32);
    const fileId = randomBytes(16);
    const layout = { chunkSize: 65_536, pieceBytes: 16_384 };
    const ws = Array.from({ length: 14 }, () => web.memorySink());
    const fromWeb = await web.encodeFile(text, { fileKey, fileId, ...layout, sinks: ws });
    expect(fromWeb.encryptedSize).toBeLessThan(text.length / 5);
    const someK = ws.map((s, i) => (i % 4 === 1 ? undefined : s.bytes()));
    const params = { ...fromWeb, fileKey, shards: fromWeb.shards, plaintextSize: text.length };
    expect(
      (
        await collect(
          node.decodeFileChunks(node.memoryShardSources(someK), params, {
            store: node.memoryShardStore(),
          }),
        )
      ).equals(text),
    ).toBe(true);

    const ns = Array.from({ length: 14 }, () => node.memorySink());
    const fromNode = await node.encodeFile(text, { fileKey, fileId, ...layout, sinks: ns });
    const params2 = { ...fromNode, fileKey, shards: fromNode.shards, plaintextSize: text.length };
    const otherK = ns.map((s, i) => (i < 4 ? undefined : s.bytes()));
    expect(
      (await collect(web.decodeFileChunks(web.memoryShardSources(otherK), params2))).equals(text),
    ).toBe(true);
  });
});
