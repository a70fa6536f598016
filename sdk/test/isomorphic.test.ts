/**
 * The browser-safe part of the sdk that this suite covers (keys, Shamir, manifests, sharing,
 * transport, actions) must not import Node built-ins: only the modules imported by path
 * (`keys/node.ts`, `deployments/node.ts`) may. A cheap guard in place of a browser run.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));
const DIRS = [
  "keys",
  "shamir",
  "manifest",
  "index",
  "sharing",
  "transport",
  "actions",
  "client",
  "deployments",
  "errors",
];
const CRYPTO = [
  "aead",
  "bytes",
  "ecies",
  "kdf",
  "keyCheck",
  "keyWrap",
  "passwordKdf",
  "random",
  "zeroize",
].map((f) => `crypto/${f}.ts`);
const NODE_ONLY = new Set(["keys/node.ts", "deployments/node.ts"]);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("isomorphic modules", () => {
  it("import no Node built-ins outside the Node-only files", () => {
    const all = [...DIRS.flatMap((d) => files(join(SRC, d))), ...CRYPTO.map((f) => join(SRC, f))];
    const offenders = all
      .map((f) => relative(SRC, f))
      .filter((f) => !NODE_ONLY.has(f))
      .filter((f) =>
        /from\s+["'](node:|fs|path|os|crypto|http)["']/.test(readFileSync(join(SRC, f), "utf8")),
      );
    expect(all.length).toBeGreaterThan(40);
    expect(offenders).toEqual([]);
  });
});
