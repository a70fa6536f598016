/**
 * Deployment tooling (scripts/deploy/lib.ts): parameters per chain, the local parameters file in
 * sync with the TypeScript defaults, and the deployments/<chainId>/ layout the sdk reads.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { LOCAL_PARAMETERS, MARKETPLACE_DEFAULTS } from "../../ignition/defaults.ts";
import {
  parametersFor,
  readDeployment,
  readParametersFile,
  REPO_ROOT,
  writeDeployment,
} from "../../scripts/deploy/lib.ts";

describe("deploy tooling", () => {
  it("keeps ignition/parameters/local.json equal to LOCAL_PARAMETERS", () => {
    assert.deepEqual(
      readParametersFile(join(REPO_ROOT, "ignition/parameters/local.json")),
      LOCAL_PARAMETERS,
    );
  });

  it("uses short durations only on the local chain", () => {
    assert.deepEqual(parametersFor(31337, {}), LOCAL_PARAMETERS);
    assert.deepEqual(parametersFor(84532, {}), {}, "public chains use the module defaults");
  });

  it("merges a parameters file and TESSERA_PERIOD_BLOCKS over the defaults", () => {
    const dir = mkdtempSync(join(tmpdir(), "tessera-deploy-"));
    try {
      const file = join(dir, "params.json");
      writeFileSync(
        file,
        JSON.stringify({
          TesseraGovernance: {
            tokenRecipient: "0x000000000000000000000000000000000000dEaD",
            votingPeriod: "600n",
          },
        }),
      );
      const merged = parametersFor(31337, {
        TESSERA_DEPLOY_PARAMETERS: file,
        TESSERA_PERIOD_BLOCKS: "5",
      });
      assert.equal(merged.TesseraGovernance?.votingPeriod, 600n);
      assert.equal(merged.TesseraGovernance?.votingDelay, 1n, "untouched local value kept");
      assert.equal(
        merged.TesseraGovernance?.tokenRecipient,
        "0x000000000000000000000000000000000000dEaD",
      );
      assert.equal(merged.TesseraMarketplace?.periodBlocks, 5n);
      assert.throws(
        () => parametersFor(1, { TESSERA_DEPLOY_PARAMETERS: join(dir, "missing.json") }),
        /does not exist/,
      );
      assert.throws(() => parametersFor(1, { TESSERA_PERIOD_BLOCKS: "0" }), /must be >= 1/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("completes a partial Marketplace params struct with the defaults and rejects unknown fields", () => {
    const dir = mkdtempSync(join(tmpdir(), "tessera-deploy-"));
    try {
      const file = join(dir, "params.json");
      writeFileSync(
        file,
        JSON.stringify({ TesseraMarketplace: { params: { challengeWindowBlocks: "10n" } } }),
      );
      const merged = parametersFor(31337, { TESSERA_DEPLOY_PARAMETERS: file });
      assert.deepEqual(merged.TesseraMarketplace?.params, {
        ...MARKETPLACE_DEFAULTS.params,
        challengeWindowBlocks: 10n,
      });
      assert.equal(merged.TesseraMarketplace?.periodBlocks, 20n);
      writeFileSync(file, JSON.stringify({ TesseraMarketplace: { params: { feeBps: 1 } } }));
      assert.throws(
        () => parametersFor(31337, { TESSERA_DEPLOY_PARAMETERS: file }),
        /unknown fields: feeBps/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("writes addresses.json and abis/ in the agreed layout", () => {
    const root = mkdtempSync(join(tmpdir(), "tessera-deployments-"));
    try {
      const token = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
      const dir = writeDeployment(
        {
          chainId: 31337,
          deployBlock: 3,
          TesseraToken: token,
          FileIndex: "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512",
        },
        {
          TesseraToken: [
            { type: "function", name: "x", inputs: [], outputs: [], stateMutability: "view" },
          ],
        },
        root,
      );
      assert.equal(dir, join(root, "31337"));
      const written = JSON.parse(readFileSync(join(dir, "addresses.json"), "utf8"));
      assert.deepEqual(Object.keys(written), [
        "chainId",
        "deployBlock",
        "TesseraToken",
        "FileIndex",
      ]);
      assert.equal(
        written.TesseraToken,
        "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        "checksummed",
      );
      assert.deepEqual(readDeployment(31337, root), written);
      assert.equal(
        JSON.parse(readFileSync(join(dir, "abis", "TesseraToken.json"), "utf8"))[0].name,
        "x",
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
