import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { revertMessage } from "../../src/actions/internal/revertMessages.ts";
import { decodeChainError } from "../../src/actions/internal/decodeError.ts";
import { createTesseraClientFromDeployments, loadDeployment } from "../../src/deployments/node.ts";
import { ChainError, DeploymentNotFoundError } from "../../src/errors/chain.ts";
import { SchemaValidationError } from "../../src/errors/manifest.ts";

describe("revert messages", () => {
  it("has sentences for known errors and a readable fallback", () => {
    expect(revertMessage("Registry__StakeBelowMinimum", [5n * 10n ** 17n, 100n * 10n ** 18n])).toBe(
      "A stake of 0.5 TSR is below the minimum of 100 TSR.",
    );
    expect(
      revertMessage("Something__New", [1n, "0x1234567890123456789012345678901234567890", true]),
    ).toBe("The contract refused: Something__New(1, 0x12345678…7890, true).");
    expect(decodeChainError(new Error("socket hang up"), "getRequest")).toBeInstanceOf(ChainError);
    expect(decodeChainError(new Error("socket hang up"), "getRequest").shortMessage).toBe(
      "getRequest: socket hang up",
    );
  });
});

describe("deployments", () => {
  it("reads deployments/<chainId>/addresses.json and explains what is missing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tessera-deploy-"));
    try {
      await mkdir(join(dir, "31337"));
      const a = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
      await writeFile(
        join(dir, "31337", "addresses.json"),
        JSON.stringify({
          chainId: 31337,
          deployBlock: 1,
          TesseraToken: a,
          Marketplace: a,
          FileIndex: a,
        }),
      );
      expect(await loadDeployment(31337, { dir })).toMatchObject({
        chainId: 31337,
        Marketplace: a,
      });
      await expect(loadDeployment(8453, { dir })).rejects.toThrow(DeploymentNotFoundError);
      const publicClient = { getChainId: async () => 31337 } as never;
      expect(
        (await createTesseraClientFromDeployments({ publicClient, dir })).addresses.Marketplace,
      ).toBe(a);
      await writeFile(
        join(dir, "31337", "addresses.json"),
        JSON.stringify({ chainId: 31337, TesseraToken: "0x12" }),
      );
      await expect(loadDeployment(31337, { dir })).rejects.toThrow(SchemaValidationError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
