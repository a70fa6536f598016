/**
 * Faults, end to end with real processes: a provider whose stored shard is damaged (the client
 * still gets the right bytes, `tessera verify --challenge` raises a targeted challenge on the bad
 * leaf, the provider cannot answer and is slashed), and a client killed in the middle of an upload
 * (no tokens lost: the upload is resumed and completed, or the request is refunded).
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, writeSync, closeSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Abi, Address, Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { client, ok, startTestStack, type Client, type TestStack } from "./helpers.ts";

const CHALLENGE_WINDOW_BLOCKS = 8;

describe("tessera under faults", () => {
  let stack: TestStack;
  let work: string;
  let marketAbi: Abi;
  let tokenAbi: Abi;

  const read = <T>(contract: "Marketplace" | "TesseraToken", functionName: string, args: unknown[] = []) =>
    stack.publicClient.readContract({
      address: stack.deployment![contract],
      abi: contract === "Marketplace" ? marketAbi : tokenAbi,
      functionName,
      args,
    }) as Promise<T>;

  beforeAll(async () => {
    stack = await startTestStack("faults", {
      deployParameters: { TesseraMarketplace: { params: { challengeWindowBlocks: BigInt(CHALLENGE_WINDOW_BLOCKS) } } },
    });
    work = mkdtempSync(join(stack.tmp, "work-"));
    const abiFile = (name: string) => JSON.parse(readFileSync(join(stack.deploymentsDir, String(stack.chainId), "abis", `${name}.json`), "utf8"));
    marketAbi = abiFile("Marketplace");
    tokenAbi = abiFile("TesseraToken");
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("detects a damaged shard on download, challenges exactly its bad leaf and gets the provider slashed", async () => {
    const alice = client(stack, 0);
    await ok(alice, ["keys", "init"]);
    const source = join(work, "report.bin");
    writeFileSync(source, randomBytes((1 << 20) + 1));
    const put = await ok(alice, ["--json", "put", source, "--redundancy", "4+2", "--duration", "2000p"]);
    const requestId: Hex = put.json.files[0].requestId;

    // Damage slot 2's shard on its provider's disk: flip 4 bytes at offset 100000 (leaf 1562).
    const slot = 2;
    const holder = (await read<{ provider: Address }>("Marketplace", "getSlot", [requestId, 2n])).provider;
    const provider = stack.providers.find((p) => p.account.address.toLowerCase() === holder.toLowerCase())!;
    const shardFile = join(provider.dataDir, "shards", `${requestId}-${slot}`, "shard");
    expect(existsSync(shardFile)).toBe(true);
    const fd = openSync(shardFile, "r+");
    const bytes = Buffer.alloc(4);
    readSync(fd, bytes, 0, 4, 100_000);
    writeSync(fd, Buffer.from(bytes.map((b) => b ^ 0xff)), 0, 4, 100_000);
    closeSync(fd);

    // The download drops the bad shard and still returns the right bytes.
    const out = join(work, "report.out");
    const get = await ok(alice, ["get", "report.bin", "-o", out]);
    expect(readFileSync(out).equals(readFileSync(source))).toBe(true);
    void get;

    const before = await read<{ collateral: bigint }>("Marketplace", "getSlot", [requestId, BigInt(slot)]);
    const providerBefore = await read<{ slashes: number }>("Marketplace", "getProvider", [holder]);

    // verify finds it, names the first bad leaf and raises a targeted challenge there.
    const verify = await alice.run(["--json", "verify", "report.bin", "--challenge"]);
    expect(verify.code, verify.stderr).toBe(7);
    const bad = verify.json.shards.filter((s: { status: string }) => s.status !== "ok");
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ shard: slot, status: "corrupt", badLeaf: Math.floor(100_000 / 64) });
    expect(bad[0].challengeId).toBeDefined();

    // The provider cannot answer from damaged bytes; once the window passes, verify settles it.
    let settled: { status: string } | undefined;
    for (let i = 0; i < 60 && settled?.status !== "failed"; i++) {
      await sleep(2000);
      const again = await alice.run(["--json", "verify", "report.bin"]);
      settled = again.json?.challenges?.find((c: { id: string }) => c.id === bad[0].challengeId);
    }
    expect(settled?.status).toBe("failed");
    const after = await read<{ collateral: bigint }>("Marketplace", "getSlot", [requestId, BigInt(slot)]);
    const providerAfter = await read<{ slashes: number }>("Marketplace", "getProvider", [holder]);
    expect(after.collateral).toBeLessThan(before.collateral);
    expect(providerAfter.slashes).toBeGreaterThan(providerBefore.slashes);
  });

  /**
   * Starts `tessera put` and SIGKILLs it as soon as its storage request exists. With `freeze`,
   * every provider is paused (SIGSTOP) at that moment so no slot can be filled before the kill.
   */
  async function putAndKill(c: Client, source: string, extra: string[] = [], freeze = false): Promise<void> {
    const child = c.spawn(["put", source, "--redundancy", "4+2", "--duration", "2000p", ...extra]);
    const pending = join(c.home, "pending");
    const exited = new Promise((r) => child.once("exit", r));
    for (let i = 0; i < 600; i++) {
      if (existsSync(pending) && readdirSync(pending).some((f) => f.endsWith(".json"))) {
        if (freeze) for (const p of stack.providers) if (p.proc) process.kill(-p.proc.pid, "SIGSTOP");
        break;
      }
      if (child.exitCode !== null) throw new Error("tessera put finished before it could be killed");
      await sleep(50);
    }
    child.kill("SIGKILL");
    await exited;
    if (freeze) for (const p of stack.providers) if (p.proc) process.kill(-p.proc.pid, "SIGCONT");
  }

  async function tokens(address: Address): Promise<bigint> {
    return await read<bigint>("TesseraToken", "balanceOf", [address]);
  }

  it("a client killed mid-upload resumes on the next put and pays once", async () => {
    const bob = client(stack, 1);
    await ok(bob, ["keys", "init"]);
    const source = join(work, "big.bin");
    writeFileSync(source, randomBytes(64 << 20));
    const start = await tokens(stack.clients[1]!.address);
    await putAndKill(bob, source);

    const again = await ok(bob, ["--json", "put", source, "--redundancy", "4+2", "--duration", "2000p"]);
    expect(again.json.files[0].resumed).toBe(true);
    const deals = await ok(bob, ["--json", "deals"]);
    // One request for the file, one for the file index — every one fully filled and running.
    expect(deals.json.deals).toHaveLength(2);
    for (const d of deals.json.deals) expect(d.state).toBe("started");
    const escrowed = deals.json.deals.reduce((sum: bigint, d: { escrow: string }) => sum + BigInt(d.escrow), 0n);
    expect(start - (await tokens(stack.clients[1]!.address))).toBe(escrowed);

    await ok(bob, ["get", "big.bin", "-o", join(work, "big.out")]);
    expect(readFileSync(join(work, "big.out")).equals(readFileSync(source))).toBe(true);
  });

  it("a client killed mid-upload and not resumed gets its escrow back after the fill deadline", async () => {
    const carol = client(stack, 2);
    await ok(carol, ["keys", "init"]);
    const source = join(work, "abandoned.bin");
    writeFileSync(source, randomBytes(64 << 20));
    const start = await tokens(stack.clients[2]!.address);
    await putAndKill(carol, source, ["--fill-window", "15s"], true);

    const deals = await ok(carol, ["--json", "deals"]);
    expect(deals.json.deals).toHaveLength(1);
    expect(deals.json.deals[0].state).toBe("open");
    expect(deals.json.deals[0].filled).toBeLessThan(6);
    expect(await tokens(stack.clients[2]!.address)).toBeLessThan(start);
    let refunded: string[] = [];
    for (let i = 0; i < 30 && refunded.length === 0; i++) {
      await sleep(2000);
      refunded = (await ok(carol, ["--json", "deals", "--refund"])).json.refunded;
    }
    expect(refunded).toEqual([deals.json.deals[0].id]);
    expect(await tokens(stack.clients[2]!.address)).toBe(start);
  });
});
