/**
 * The whole provider on a real local chain: hardhat node + deployed TesseraToken/Marketplace,
 * two provider nodes (one in-process, one a `tessera-provider start` child process), a client
 * that encodes a file with the sdk pipeline and uploads with the sdk transport.
 * upload → fill → proofs over several periods (with a kill -9 + restart in between) → deal end →
 * claim + withdraw; the data dirs never contain the plaintext marker.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { parseEventLogs, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChainService, INITIAL_CHAIN_STATE, type ChainState } from "../src/chain/chain-service.ts";
import { loadDeployment } from "../src/chain/contracts.ts";
import { providerMetrics } from "../src/services/metrics.ts";
import { StateFile } from "../src/storage/state.ts";
import type { ProviderConfig } from "../src/config.ts";
import { createProviderNode, type ProviderNode } from "../src/services/provider-node.ts";
import {
  account,
  createStoredRequest,
  freePort,
  REPO,
  startChain,
  type TestChain,
} from "./helpers/chain.ts";

const TOKEN = 10n ** 18n;
const MARKER = "TESSERA-PLAINTEXT-MARKER-5f1c2a";

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function scanFor(dir: string, needle: Buffer): Promise<string[]> {
  const hits: string[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    // a live node may rename its state file between readdir and readFile
    const bytes = await readFile(path).catch(() => undefined);
    if (bytes?.includes(needle)) hits.push(path);
  }
  return hits;
}

describe("provider on a local chain", () => {
  let dir: string;
  let chain: TestChain;
  let nodeA: ProviderNode; // in-process
  let cfgA: ProviderConfig;
  let procB: ChildProcess | undefined; // child process, killed with SIGKILL
  let configB: ProviderConfig;
  let configBFile: string;
  const client = account(1);
  const provA = account(4);
  const provB = account(5);

  const startB = async () => {
    procB = spawn(
      process.execPath,
      [join(REPO, "provider-node/src/cli/index.ts"), "start", "--config", configBFile],
      {
        cwd: REPO,
        stdio: ["ignore", process.env.PROVIDER_TEST_LOG ? "inherit" : "ignore", "inherit"],
      },
    );
    await waitFor(
      "provider B to answer",
      async () => (await fetch(`http://127.0.0.1:${configB.http.port}/health`)).ok,
    );
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tessera-chain-"));
    chain = await startChain({ dir, periodBlocks: 10n });
    for (const p of [client, provA, provB])
      await chain.write(account(0), "token", "transfer", [p.address, 100_000n * TOKEN]);
    const base = (
      name: string,
      key: Hex,
      httpPort: number,
      p2pPort: number,
      wsPort: number,
    ): ProviderConfig => ({
      dataDir: join(dir, name),
      rpcUrl: chain.rpcUrl,
      chainId: 31337,
      privateKey: key,
      deploymentsDir: chain.deploymentsDir,
      http: { host: "127.0.0.1", port: httpPort },
      libp2p: { tcpPort: p2pPort, wsPort },
      register: { stake: "1000", capacityBytes: String(1 << 30), pricePerBytePeriod: "1" },
      pollIntervalMs: 100,
      logLevel: "warn",
    });
    cfgA = base("provA", provA.privateKey, await freePort(), await freePort(), await freePort());
    nodeA = await createProviderNode(cfgA, {
      logger: pino({ level: "warn" }),
      deployment: loadDeployment(chain.deploymentsDir, 31337),
    });
    await nodeA.start();
    configB = base("provB", provB.privateKey, await freePort(), await freePort(), await freePort());
    configBFile = join(dir, "provB.json");
    await writeFile(configBFile, JSON.stringify(configB));
    await startB();
  }, 120_000);

  afterAll(async () => {
    procB?.kill("SIGKILL");
    await nodeA?.stop();
    await chain?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("stores, fills, proves every period across a kill -9, then pays out", async () => {
    // both providers registered and staked on first start
    const pA = await chain.read<{ registered: boolean; stake: bigint }>("market", "getProvider", [
      provA.address,
    ]);
    expect(pA.registered).toBe(true);
    expect(pA.stake).toBe(1000n * TOKEN);
    await waitFor(
      "provider B registered",
      async () =>
        (await chain.read<{ registered: boolean }>("market", "getProvider", [provB.address]))
          .registered,
    );

    // the client encodes a file with a plaintext marker into k=1 + m=1 encrypted shards
    const plaintext = Buffer.concat([
      Buffer.from(MARKER.repeat(2000)),
      randomBytes(300_000),
      Buffer.from(MARKER),
    ]);
    const duration = 3;
    const { requestId, shards, encoded, price, collateral } = await createStoredRequest(
      chain,
      client,
      plaintext,
      { k: 1, m: 1, durationPeriods: duration },
    );

    // a corrupted upload is refused and costs the provider nothing
    const bad = Buffer.from(shards[0]!);
    bad[100]! ^= 0xff;
    const refused = await fetch(`${nodeA.httpUrl}/v1/requests/${requestId}/slots/0`, {
      method: "PUT",
      body: bad,
    });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      "ROOT_MISMATCH",
    );
    expect(nodeA.store.list()).toEqual([]);

    // uploads; each provider fills its slot on chain and answers with the fill tx.
    // (Plain fetch: this process loaded @helia/libp2p → @libp2p/http → undici 8, which replaces
    // Node's global fetch dispatcher and rejects the sdk transport's explicit Content-Length.)
    const upload = async (endpoint: string, slot: number) => {
      const res = await fetch(`${endpoint}/v1/requests/${requestId}/slots/${slot}`, {
        method: "PUT",
        body: shards[slot]! as BodyInit,
      });
      const body = (await res.json()) as { txHash: string; cid: string };
      expect(res.status, JSON.stringify(body)).toBe(201);
      expect(body.cid).toBe(encoded.shards[slot]!.cid);
      return body;
    };
    const upA = await upload(nodeA.httpUrl, 0);
    const upB = await upload(`http://127.0.0.1:${configB.http.port}`, 1);
    expect(upA.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(upB.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    const slot0 = await chain.read<{ state: number; provider: string }>("market", "getSlot", [
      requestId,
      0n,
    ]);
    expect(slot0.provider).toBe(provA.address);
    const req = await chain.read<{ state: number; startPeriod: number; endPeriod: number }>(
      "market",
      "getRequest",
      [requestId],
    );
    expect(req.state).toBe(2); // Started
    // a second upload for a filled slot is refused before any byte is read
    const taken = await fetch(
      `http://127.0.0.1:${configB.http.port}/v1/requests/${requestId}/slots/0`,
      { method: "PUT", body: shards[0]! as BodyInit },
    );
    expect(taken.status).toBe(409);

    // a targeted challenge on A's slot is answered by the node on its own
    await chain.write(client, "token", "approve", [chain.marketplace, 10n ** 18n]);
    const ch = await chain.write(client, "market", "challengeSlot", [requestId, 0n, 1234n]);
    const challenged = parseEventLogs({
      abi: chain.marketplaceAbi,
      logs: ch.logs as never,
      eventName: "SlotChallenged",
    })[0] as unknown as { args: { challengeId: bigint } };
    await waitFor(
      "A answers the targeted challenge",
      async () =>
        (
          await chain.read<{ status: number }>("market", "getChallenge", [
            challenged.args.challengeId,
          ])
        ).status === 2,
    );

    const proven = (who: string, period: number) =>
      chain.read<boolean>("market", "isProven", [who, BigInt(period)]);
    for (let period = req.startPeriod; period < req.endPeriod; period++) {
      await chain.mineToPeriod(BigInt(period));
      if (period === req.startPeriod + 1) {
        // crash B right at the start of a period and bring it back: it must still prove it
        procB!.kill("SIGKILL");
        await new Promise((r) => procB!.once("exit", r));
        await startB();
      }
      await waitFor(`A proves period ${period}`, () => proven(provA.address, period));
      await waitFor(`B proves period ${period}`, () => proven(provB.address, period));
    }
    const status = (await (await fetch(`${nodeA.httpUrl}/status`)).json()) as {
      lastProof: { period: number };
      slots: unknown[];
    };
    expect(status.lastProof.period).toBe(req.endPeriod - 1);
    expect(status.slots).toHaveLength(1);
    const metrics = await (await fetch(`${nodeA.httpUrl}/metrics`)).text();
    // every period of the deal (and the fill period, whose challenges already include the slot)
    expect(
      Number(/tessera_provider_proofs_submitted_total (\d+)/.exec(metrics)?.[1]),
    ).toBeGreaterThanOrEqual(duration);
    expect(metrics).toMatch(/tessera_provider_proofs_missed_total 0/);

    // nothing on the providers' disks contains the plaintext
    for (const d of [nodeA.config.dataDir, configB.dataDir])
      expect(await scanFor(d, Buffer.from(MARKER))).toEqual([]);

    // the deal ends: the nodes claim (collateral back), release the space, and A withdraws
    await chain.mineToPeriod(BigInt(req.endPeriod + 1));
    await waitFor("A releases its slot", async () => nodeA.store.list().length === 0);
    const before = await chain.read<bigint>("token", "balanceOf", [provA.address]);
    const { amount } = await nodeA.chain!.withdraw();
    const after = await chain.read<bigint>("token", "balanceOf", [provA.address]);
    expect(amount).toBeGreaterThanOrEqual(collateral + (price * BigInt(duration) * 99n) / 100n);
    expect(after - before).toBe(amount);

    // B through the CLI: withdraw command
    await waitFor(
      "B releases its slot",
      async () =>
        (
          (await (await fetch(`http://127.0.0.1:${configB.http.port}/status`)).json()) as {
            slots: unknown[];
          }
        ).slots.length === 0,
    );
    procB!.kill("SIGTERM");
    await new Promise((r) => procB!.once("exit", r));
    procB = undefined;
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn(
        process.execPath,
        [join(REPO, "provider-node/src/cli/index.ts"), "withdraw", "--config", configBFile],
        { cwd: REPO },
      );
      let s = "";
      p.stdout.on("data", (d: Buffer) => (s += d.toString()));
      p.on("exit", (code) =>
        code === 0 ? resolve(s) : reject(new Error(`withdraw exited ${code}`)),
      );
    });
    expect(BigInt((JSON.parse(out) as { amount: string }).amount)).toBeGreaterThanOrEqual(
      collateral,
    );

    // the gas-price cap: nothing is sent above it
    const capped = new ChainService(
      {
        rpcUrl: chain.rpcUrl,
        chainId: 31337,
        privateKey: provB.privateKey,
        deployment: loadDeployment(chain.deploymentsDir, 31337),
        httpEndpoint: "",
        multiaddr: "",
        maxGasPriceGwei: "0.000000001",
        withdrawEveryPeriods: 0,
        pollIntervalMs: 1000,
      },
      {
        store: nodeA.store,
        state: new StateFile<ChainState>(join(dir, "capped-state.json"), {
          ...INITIAL_CHAIN_STATE,
        }),
        metrics: providerMetrics(),
        log: pino({ level: "silent" }),
      },
    );
    const nonce = await chain.publicClient.getTransactionCount({ address: provB.address });
    await expect(capped.requestUnstake(1n)).rejects.toThrow(/above the cap/);
    expect(await chain.publicClient.getTransactionCount({ address: provB.address })).toBe(nonce);
  }, 180_000);

  it("releases the space of a slot freed after missed proofs, from events seen after a restart", async () => {
    if (!procB) await startB();
    const data = [randomBytes(70_000), randomBytes(70_000)];
    const { shardCid, merkleRoot } = await import("@tessera/sdk");
    const roots = data.map((d) => `0x${Buffer.from(merkleRoot(d)).toString("hex")}`);
    const cids = await Promise.all(data.map(async (d) => (await shardCid(d)).toString()));
    const price = 70_000n * 2n;
    await chain.write(client, "token", "approve", [chain.marketplace, price * 2n * 50n]);
    const { logs } = await chain.write(client, "market", "createRequest", [
      {
        k: 1,
        m: 1,
        shardSize: 70_000n,
        durationPeriods: 50,
        pricePerSlotPeriod: price,
        collateralPerSlot: TOKEN,
        fillDeadline: BigInt(Math.floor(Date.now() / 1000) + 3600),
        roots,
        cids,
      },
    ]);
    const requestId = (
      parseEventLogs({
        abi: chain.marketplaceAbi,
        logs: logs as never,
        eventName: "RequestCreated",
      })[0] as unknown as {
        args: { id: Hex };
      }
    ).args.id;
    for (const [slot, url] of [nodeA.httpUrl, `http://127.0.0.1:${configB.http.port}`].entries()) {
      const res = await fetch(`${url}/v1/requests/${requestId}/slots/${slot}`, {
        method: "PUT",
        body: data[slot]! as BodyInit,
      });
      expect(res.status).toBe(201);
    }
    expect(nodeA.store.get({ requestId, slot: 0 })).toBeDefined();

    // A goes down; anyone reports its missing proofs until its slots may be freed
    await nodeA.stop();
    const start = Number(await chain.read<bigint>("market", "currentPeriod"));
    for (let p = start + 1; p <= start + 3; p++) {
      // B (still up) records each period's seed and proves; A's periods are then missing
      await chain.mineToPeriod(BigInt(p));
      await waitFor(`B proves period ${p}`, () =>
        chain.read<boolean>("market", "isProven", [provB.address, BigInt(p)]),
      );
      await chain.mineToPeriod(BigInt(p + 1));
      await chain.write(client, "market", "markProofAsMissing", [provA.address, BigInt(p)]);
    }
    await chain.write(client, "market", "freeSlot", [requestId, 0n]);

    // back up, A replays the events it missed, sees its slot freed and deletes the shard
    nodeA = await createProviderNode(cfgA, {
      logger: pino({ level: "warn" }),
      deployment: loadDeployment(chain.deploymentsDir, 31337),
    });
    await nodeA.start();
    await waitFor(
      "A deletes the freed shard",
      async () => !nodeA.store.get({ requestId, slot: 0 }),
    );
    expect(
      await scanFor(join(nodeA.config.dataDir, "shards"), Buffer.from(data[0]!.subarray(0, 64))),
    ).toEqual([]);
  }, 120_000);
});
