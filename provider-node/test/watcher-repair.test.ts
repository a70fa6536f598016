/**
 * Watcher + repair on a real local chain: three provider nodes hold the 2 + 1 shards of a file
 * encoded with the sdk; the holder of data shard 0 is stopped; periods pass; a watcher node
 * (markMissing) reports each missed period and frees the slot once misses reach maxMisses; a
 * repair node rebuilds shard 0 from shards 1 and 2 (Reed-Solomon, stripe by stripe), stores it
 * through the verify-and-store path and refills the slot. The rebuilt shard is byte-identical
 * (same CID); the reporter earned exactly reporterRewardBps of each slash and the repairer the
 * repair bounty.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDeployment } from "../src/chain/contracts.ts";
import type { ProviderConfig } from "../src/config.ts";
import { createProviderNode, type ProviderNode } from "../src/services/provider-node.ts";
import {
  account,
  createStoredRequest,
  freePort,
  startChain,
  type TestChain,
} from "./helpers/chain.ts";

const TOKEN = 10n ** 18n;
const STAKE = 1000n * TOKEN;
const SLASH_BPS = 500n; // helpers/chain.ts params
const REPORTER_BPS = 5000n;
const REPAIR_BPS = 5000n;

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("watcher and repair", () => {
  let dir: string;
  let chain: TestChain;
  const nodes: ProviderNode[] = [];
  const client = account(1);
  const holders = [account(4), account(5), account(6)];
  const watcherAcc = account(7);
  const repairAcc = account(8);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tessera-repair-"));
    chain = await startChain({ dir, periodBlocks: 20n });
    for (const p of [client, ...holders, repairAcc])
      await chain.write(account(0), "token", "transfer", [p.address, 100_000n * TOKEN]);
  }, 120_000);

  afterAll(async () => {
    for (const n of nodes) await n.stop().catch(() => {});
    await chain?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const startNode = async (
    name: string,
    key: Hex,
    extra: Partial<ProviderConfig>,
  ): Promise<ProviderNode> => {
    const node = await createProviderNode(
      {
        dataDir: join(dir, name),
        rpcUrl: chain.rpcUrl,
        chainId: 31337,
        privateKey: key,
        deploymentsDir: chain.deploymentsDir,
        http: { host: "127.0.0.1", port: await freePort() },
        libp2p: { tcpPort: await freePort(), wsPort: await freePort() },
        pollIntervalMs: 100,
        logLevel: "warn",
        ...extra,
      },
      {
        logger: pino({ level: process.env.PROVIDER_TEST_LOG ? "info" : "warn" }),
        deployment: loadDeployment(chain.deploymentsDir, 31337),
      },
    );
    await node.start();
    nodes.push(node);
    return node;
  };

  it("reports the misses of a stopped holder, frees its slot and rebuilds the shard elsewhere", async () => {
    const register = { stake: "1000", capacityBytes: String(1 << 30), pricePerBytePeriod: "1" };
    const holderNodes: ProviderNode[] = [];
    for (const [i, acc] of holders.entries())
      holderNodes.push(await startNode(`holder${i}`, acc.privateKey, { register }));
    // the watcher is not a provider (it stakes nothing); the repairer is
    const watcher = await startNode("watcher", watcherAcc.privateKey, {
      watcher: { markMissing: true, repair: false },
    });
    const repairer = await startNode("repairer", repairAcc.privateKey, {
      register,
      watcher: { markMissing: false, repair: true },
    });

    // ~700 KB of incompressible plaintext, k = 2 + m = 1: shards of ~350 KB = one full 256 KiB
    // piece + a shorter last piece, so the rebuild crosses a stripe boundary
    const { requestId, shards, encoded, collateral } = await createStoredRequest(
      chain,
      client,
      randomBytes(700_000),
      { k: 2, m: 1, durationPeriods: 30 },
    );
    // fill all three slots within one fresh period: no holder owes a proof before the next one
    // (a holder that filled a period earlier would owe the current period and could rightly be
    // reported if the test mined past it before the node's next poll)
    await chain.mineToPeriod((await chain.publicClient.getBlockNumber()) / chain.periodBlocks + 1n);
    for (const [slot, node] of holderNodes.entries()) {
      // plain fetch: this process loaded Helia (undici 8 rejects an explicit Content-Length)
      const res = await fetch(`${node.httpUrl}/v1/requests/${requestId}/slots/${slot}`, {
        method: "PUT",
        body: shards[slot]! as BodyInit,
      });
      // The fill that starts the deal races the chain loop's RequestStarted update of the same
      // shard's metadata; ShardStore.update serialises them, so every upload is acknowledged.
      expect(res.status, await res.clone().text()).toBe(201);
      await res.arrayBuffer();
      await waitFor(`slot ${slot} filled by its holder`, async () => {
        const s = await chain.read<{ state: number; provider: Hex }>("market", "getSlot", [
          requestId,
          BigInt(slot),
        ]);
        return s.state === 1 && s.provider === holders[slot]!.address;
      });
      expect(node.store.get({ requestId, slot })?.cid).toBe(encoded.shards[slot]!.cid);
    }
    const req = await chain.read<{ state: number; startPeriod: number }>("market", "getRequest", [
      requestId,
    ]);
    expect(req.state).toBe(2); // Started

    // the holder of data shard 0 goes away
    await holderNodes[0]!.stop();
    nodes.splice(nodes.indexOf(holderNodes[0]!), 1);

    const proven = (who: Hex, period: bigint) =>
      chain.read<boolean>("market", "isProven", [who, period]);
    const slot0 = () =>
      chain.read<{ state: number; provider: Hex }>("market", "getSlot", [requestId, 0n]);
    let period = (await chain.publicClient.getBlockNumber()) / chain.periodBlocks;
    // until the slot is taken from the stopped holder (freed, then maybe already refilled)
    for (let i = 0; i < 10 && (await slot0()).provider === holders[0]!.address; i++) {
      period += 1n;
      await chain.mineToPeriod(period);
      for (const h of holders.slice(1))
        await waitFor(`${h.address} proves ${period}`, () => proven(h.address, period));
      await waitFor(
        `the watcher checks period ${period - 1n}`,
        async () => watcher.watcher!.lastCheckedPeriod >= period - 1n,
      );
    }
    expect((await slot0()).provider, "slot 0 taken from the stopped holder").not.toBe(
      holders[0]!.address,
    );

    // the repair node rebuilds shard 0 and refills the slot
    const refilled = await waitFor("the repairer refills slot 0", async () => {
      const s = await slot0();
      return s.state === 1 && s.provider === repairAcc.address ? s : undefined;
    });
    expect(refilled.provider).toBe(repairAcc.address);
    const meta = repairer.store.get({ requestId, slot: 0 });
    expect(meta?.cid).toBe(encoded.shards[0]!.cid);
    expect(meta?.root).toBe(encoded.shards[0]!.root);
    const rebuilt = await readFile(repairer.store.shardPath({ requestId, slot: 0 }));
    expect(Buffer.compare(rebuilt, Buffer.from(shards[0]!))).toBe(0);
    // and the watcher did not report the healthy holders nor the repairer
    expect(watcher.store.list()).toEqual([]);

    // money: the reporter got reporterRewardBps of each slash of the stopped holder's stake
    const events = await chain.publicClient.getContractEvents({
      address: chain.marketplace,
      abi: chain.marketplaceAbi,
      fromBlock: 0n,
      toBlock: "latest",
    });
    const freedEvents = events.filter(
      (e) => (e as { eventName: string }).eventName === "SlotFreed",
    ) as unknown as { args: { slot: bigint; provider: Hex; bounty: bigint } }[];
    expect(freedEvents.map((e) => [e.args.slot, e.args.provider])).toEqual([
      [0n, holders[0]!.address],
    ]);
    const missed = events
      .filter((e) => (e as { eventName: string }).eventName === "ProofMissed")
      .map(
        (e) =>
          (
            e as unknown as {
              args: {
                provider: Hex;
                period: bigint;
                reporter: Hex;
                slashed: bigint;
                reward: bigint;
              };
            }
          ).args,
      );
    expect(missed.length).toBeGreaterThanOrEqual(3); // maxMisses
    let stake = STAKE;
    let rewards = 0n;
    for (const m of missed) {
      expect(m.provider, `period ${m.period} reported`).toBe(holders[0]!.address);
      expect(m.reporter).toBe(watcherAcc.address);
      const slashed = (stake * SLASH_BPS) / 10_000n;
      expect(m.slashed).toBe(slashed);
      expect(m.reward).toBe((slashed * REPORTER_BPS) / 10_000n);
      stake -= slashed;
      rewards += m.reward;
    }
    expect(await chain.read<bigint>("market", "balanceOf", [watcherAcc.address])).toBe(rewards);
    // the repairer was credited the repair bounty carved from the freed collateral
    expect(await chain.read<bigint>("market", "balanceOf", [repairAcc.address])).toBe(
      (collateral * REPAIR_BPS) / 10_000n,
    );
    // the watcher's cursor, checked period and holder set survive a restart (watcher.json)
    await waitFor("the watcher sees the repairer's fill", async () =>
      watcher.watcher!.holders().includes(repairAcc.address.toLowerCase()),
    );
    const checked = watcher.watcher!.lastCheckedPeriod;
    await watcher.stop();
    nodes.splice(nodes.indexOf(watcher), 1);
    const saved = JSON.parse(await readFile(join(dir, "watcher", "watcher.json"), "utf8")) as {
      lastBlock: string;
      holders: Record<string, string[]>;
    };
    expect(Object.keys(saved.holders).sort()).toEqual(
      [holders[1]!, holders[2]!, repairAcc].map((a) => a.address.toLowerCase()).sort(),
    );
    const again = await startNode("watcher", watcherAcc.privateKey, {
      watcher: { markMissing: true, repair: false },
    });
    // read right after start(), before its first poll could have scanned anything
    expect(again.watcher!.lastCheckedPeriod).toBeGreaterThanOrEqual(checked);
    expect(again.watcher!.holders().sort()).toEqual(Object.keys(saved.holders).sort());

    // the repaired slot is proven by its new holder from the next period on
    const filledAt = (await chain.publicClient.getBlockNumber()) / chain.periodBlocks;
    await chain.mineToPeriod(filledAt + 1n);
    await waitFor("the repairer proves its first period", () =>
      proven(repairAcc.address, filledAt + 1n),
    );
  });
});
