import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../../scripts/demo/stack.ts";

// The stack library itself: the chain comes up with interval mining, processes are tracked by
// PID files, and stop() leaves nothing running.
describe("local stack", () => {
  let stack: Stack;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "tessera-stack-"));
    stack = await startStack({
      dir,
      rpcPort: 28545,
      providers: 0,
      blockTimeMs: 250,
      compile: false,
      deploymentsDir: join(dir, "deployments"),
    });
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the chain on 127.0.0.1 with interval mining", async () => {
    expect(stack.chainId).toBe(31337);
    expect(stack.deployment?.Marketplace).toMatch(/^0x[0-9a-fA-F]{40}$/);
    const first = await stack.publicClient.getBlockNumber({ cacheTime: 0 });
    let later = first;
    for (let i = 0; i < 100 && later <= first; i++) {
      await sleep(100);
      later = await stack.publicClient.getBlockNumber({ cacheTime: 0 });
    }
    expect(later).toBeGreaterThan(first);
  });

  it("records the chain's PID and removes every process on stop", async () => {
    const pidFile = join(dir, "pids", "hardhat-node.pid");
    const pid = Number(readFileSync(pidFile, "utf8"));
    expect(() => process.kill(pid, 0)).not.toThrow();
    await stack.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    expect(existsSync(pidFile)).toBe(false);
  });
});
