/**
 * Chain actions against a real in-process Hardhat (EDR) chain with the real contracts, deployed
 * with viem from the repo's artifacts (built on demand).
 */
import type {} from "@nomicfoundation/hardhat-toolbox-viem";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { getAddress, parseEther, type Address, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTesseraClient, type TesseraClient } from "../../src/client/createTesseraClient.ts";
import { ContractRevertError } from "../../src/errors/chain.ts";
import { buildMerkleTree, bytesToHex, encodeMerkleProof } from "../../src/merkle/index.ts";
import { cancelRequest } from "../../src/actions/cancelRequest.ts";
import { createStorageRequest } from "../../src/actions/createStorageRequest.ts";
import { chooseProofBlock, fillLeafIndex, fillSlot } from "../../src/actions/fillSlot.ts";
import { getBalance } from "../../src/actions/getBalance.ts";
import { getChallenges } from "../../src/actions/getChallenges.ts";
import { getFileIndex } from "../../src/actions/getFileIndex.ts";
import { getMarketInfo } from "../../src/actions/getMarketInfo.ts";
import { getProvider } from "../../src/actions/getProvider.ts";
import { getRequest } from "../../src/actions/getRequest.ts";
import { getSlot } from "../../src/actions/getSlot.ts";
import { listProviders } from "../../src/actions/listProviders.ts";
import { registerProvider } from "../../src/actions/registerProvider.ts";
import { setFileIndex } from "../../src/actions/setFileIndex.ts";
import { withdraw } from "../../src/actions/withdraw.ts";
import { submitProofs } from "../../src/actions/submitProofs.ts";
import { claimSlot } from "../../src/actions/claimSlot.ts";
import { challengeSlot } from "../../src/actions/challengeSlot.ts";
import { answerChallenge } from "../../src/actions/answerChallenge.ts";
import { getTargetedChallenge } from "../../src/actions/getTargetedChallenge.ts";
import { getRequestCreated } from "../../src/actions/getRequestCreated.ts";
import { concatBytes } from "../../src/crypto/bytes.ts";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const PARAMS = {
  protocolFeeBps: 100,
  slashBps: 500,
  reporterRewardBps: 5000,
  repairBountyBps: 5000,
  maxMisses: 3,
  challengesPerPeriod: 8,
  missGracePeriods: 16,
  challengeWindowBlocks: 100,
  unbondingDelay: 604800n,
  maxShardSize: 268435456n,
  maxDurationPeriods: 3650,
  targetedBond: 10n ** 17n,
  minStake: 10n ** 20n,
};

type Conn = Awaited<ReturnType<Awaited<typeof import("hardhat")>["network"]["create"]>>;

describe("chain actions (in-process Hardhat)", () => {
  let conn: Conn;
  let alice: TesseraClient; // client
  let bob: TesseraClient; // provider
  let carol: TesseraClient; // second provider
  let bobAddress: Address;

  beforeAll(async () => {
    process.chdir(REPO);
    const hre = await import("hardhat");
    if (!existsSync(`${REPO}/artifacts/contracts/market/Marketplace.sol/Marketplace.json`)) {
      await hre.tasks.getTask("build").run({ quiet: true });
    }
    conn = await hre.network.create();
    const publicClient = await conn.viem.getPublicClient();
    const [w0, w1, w2] = await conn.viem.getWalletClients();
    const token = await conn.viem.deployContract("TesseraToken", [w0!.account.address]);
    const market = await conn.viem.deployContract("Marketplace", [
      token.address,
      w0!.account.address,
      w0!.account.address,
      20n,
      PARAMS,
    ]);
    const fileIndex = await conn.viem.deployContract("FileIndex", []);
    const addresses = {
      chainId: await publicClient.getChainId(),
      TesseraToken: token.address,
      Marketplace: market.address,
      FileIndex: fileIndex.address,
    };
    const mk = (w: typeof w0) =>
      createTesseraClient({
        publicClient: publicClient as never,
        walletClient: w as never,
        addresses,
      });
    alice = mk(w0);
    bob = mk(w1);
    carol = mk(w2);
    bobAddress = getAddress(w1!.account.address);
    for (const w of [w1, w2])
      await token.write.transfer!([w!.account.address, parseEther("10000")]);
  }, 120_000);

  afterAll(async () => {
    await conn?.close?.();
  });

  it("registers providers and lists them", async () => {
    await registerProvider(bob, {
      stake: parseEther("200"),
      capacityBytes: 1n << 30n,
      pricePerBytePeriod: 1n,
      httpEndpoint: "http://127.0.0.1:1",
    });
    await registerProvider(carol, {
      stake: parseEther("100"),
      capacityBytes: 1n << 30n,
      pricePerBytePeriod: 1n,
      httpEndpoint: "http://127.0.0.1:2",
      multiaddr: "/ip4/127.0.0.1/tcp/4001",
    });
    const { total, providers } = await listProviders(alice);
    expect(total).toBe(2);
    expect(providers.map((p) => p.httpEndpoint)).toEqual([
      "http://127.0.0.1:1",
      "http://127.0.0.1:2",
    ]);
    expect(await getProvider(alice, { provider: bobAddress })).toMatchObject({
      registered: true,
      stake: parseEther("200"),
    });
    const err = await registerProvider(bob, {
      stake: parseEther("200"),
      capacityBytes: 1n,
      pricePerBytePeriod: 1n,
      httpEndpoint: "x",
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ContractRevertError);
    expect(err.errorName).toBe("Registry__AlreadyRegistered");
    expect(err.shortMessage).toMatch(/already registered as a provider; use updateProvider/);
    const low = await registerProvider(alice, {
      stake: 1n,
      capacityBytes: 1n,
      pricePerBytePeriod: 1n,
      httpEndpoint: "x",
    }).catch((e) => e);
    expect(low.shortMessage).toMatch(/A stake of 0\.000000 TSR|below the minimum of 100 TSR/);
  });

  it("creates a request with a permit, fills a slot with a real proof, and reads it back", async () => {
    const shards = [new Uint8Array(300).fill(1), new Uint8Array(300).fill(2)];
    const trees = shards.map((s) => buildMerkleTree(s));
    const roots = trees.map((t) => bytesToHex(t.root)) as Hex[];
    const before = await getBalance(alice);
    const { requestId, escrow, approveTxHash } = await createStorageRequest(alice, {
      k: 1,
      m: 1,
      shardSize: 300,
      durationPeriods: 10,
      pricePerSlotPeriod: 1000n,
      collateralPerSlot: parseEther("1"),
      roots,
      cids: ["bafkreia", "bafkreib"],
    });
    expect(approveTxHash).toBeUndefined(); // permit, one transaction
    expect(await getRequestCreated(alice, { requestId })).toMatchObject({
      k: 1,
      m: 1,
      roots,
      cids: ["bafkreia", "bafkreib"],
    });
    expect(escrow).toBe(2n * 1000n * 10n);
    expect((await getBalance(alice)).token).toBe(before.token - escrow);
    const request = await getRequest(alice, { requestId });
    expect(request).toMatchObject({
      state: "open",
      k: 1,
      m: 1,
      shardSize: 300n,
      nLeaves: 5,
      escrow,
      roots,
    });

    const head = await chooseProofBlock(bob);
    const leaf = fillLeafIndex(head.hash, requestId, 0, request.nLeaves);
    const proof = bytesToHex(encodeMerkleProof(trees[0]!.proof(Number(leaf)))) as Hex;
    const bobBefore = await getBalance(bob);
    await fillSlot(bob, { requestId, slot: 0, proofBlock: head.number, proof });
    expect((await getBalance(bob)).token).toBe(bobBefore.token - parseEther("1")); // collateral locked
    expect(await getSlot(alice, { requestId, slot: 0 })).toMatchObject({
      state: "filled",
      provider: bobAddress,
      collateral: parseEther("1"),
    });

    const again = await fillSlot(bob, { requestId, slot: 1, proofBlock: head.number, proof }).catch(
      (e) => e,
    );
    expect(again).toBeInstanceOf(ContractRevertError);
    expect(again.shortMessage).toMatch(/holds, or was freed from, a slot|proof/);
    expect((await getBalance(bob)).allowance).toBe(0n); // a refused fill approves nothing

    const early = await cancelRequest(alice, { requestId }).catch((e) => e);
    expect(early.errorName).toBe("Marketplace__FillDeadlineNotReached");
    expect(early.shortMessage).toMatch(/only after its fill deadline/);
    await conn.provider.request({ method: "hardhat_mine", params: ["0x20"] }); // into period 1
    const { period, challenges } = await getChallenges(alice, { provider: bobAddress });
    expect(period).toBeGreaterThanOrEqual(1n);
    expect(challenges).toHaveLength(8);
    for (const c of challenges)
      expect(c).toMatchObject({ requestId, slot: 0n, nLeaves: 5n, root: roots[0] });
    expect(
      (await getChallenges(alice, { provider: alice.walletClient!.account.address })).challenges,
    ).toEqual([]);
  });

  it("pays by approve when asked and explains contract refusals", async () => {
    const root = bytesToHex(buildMerkleTree(new Uint8Array(64).fill(3)).root) as Hex;
    const common = {
      k: 1,
      m: 1,
      shardSize: 64,
      durationPeriods: 2,
      pricePerSlotPeriod: 5n,
      collateralPerSlot: 0n,
    };
    const r = await createStorageRequest(alice, {
      ...common,
      roots: [root, root],
      payment: "approve",
    });
    expect(r.approveTxHash).toBeDefined();
    const wrong = await createStorageRequest(alice, {
      ...common,
      roots: [root],
      payment: "approve",
    }).catch((e) => e);
    expect(wrong).toBeInstanceOf(ContractRevertError);
    expect(wrong.shortMessage).toBe("1 shard roots/CIDs were given, 2 (k + m) are needed.");
    expect((await getBalance(alice)).allowance).toBe(0n); // refused requests and registrations approve nothing
    // a token error bubbling up through the marketplace is decoded too
    const withCollateral = await createStorageRequest(alice, {
      ...common,
      pricePerSlotPeriod: 1000n,
      collateralPerSlot: parseEther("1"),
      roots: [root, root],
    });
    const head = await chooseProofBlock(bob);
    const tree = buildMerkleTree(new Uint8Array(64).fill(3));
    const noAllowance = await fillSlot(bob, {
      requestId: withCollateral.requestId,
      slot: 0,
      proofBlock: head.number,
      proof: bytesToHex(encodeMerkleProof(tree.proof(0))) as Hex,
      approveCollateral: false,
    }).catch((e) => e);
    expect(noAllowance.errorName).toBe("ERC20InsufficientAllowance");
    expect(noAllowance.shortMessage).toMatch(
      /may spend only 0 TSR of your tokens, 1 TSR are needed; approve more/,
    );
    const nothing = await withdraw(carol).catch((e) => e);
    expect(nothing.shortMessage).toBe("There is nothing to withdraw for this account.");
    const info = await getMarketInfo(alice);
    expect(info).toMatchObject({ periodBlocks: 20n, paused: false });
    expect(info.params.challengesPerPeriod).toBe(8);
  });

  it("runs a deal: both slots filled, aggregated proofs submitted, slot claimed, earnings withdrawn", async () => {
    const shards = [
      new Uint8Array(1000).map((_, i) => i & 0xff),
      new Uint8Array(1000).map((_, i) => (i * 7) & 0xff),
    ];
    const trees = shards.map((x) => buildMerkleTree(x));
    const roots = trees.map((t) => bytesToHex(t.root)) as Hex[];
    const { requestId } = await createStorageRequest(alice, {
      k: 1,
      m: 1,
      shardSize: 1000,
      durationPeriods: 2,
      pricePerSlotPeriod: parseEther("1"),
      collateralPerSlot: parseEther("2"),
      roots,
    });
    const nLeaves = (await getRequest(alice, { requestId })).nLeaves;
    for (const [slot, who] of [
      [0, carol],
      [1, bob],
    ] as const) {
      const head = await chooseProofBlock(who);
      const leaf = Number(fillLeafIndex(head.hash, requestId, slot, nLeaves));
      await fillSlot(who, {
        requestId,
        slot,
        proofBlock: head.number,
        proof: bytesToHex(encodeMerkleProof(trees[slot]!.proof(leaf))) as Hex,
      });
    }
    const started = await getRequest(alice, { requestId });
    expect(started.state).toBe("started");

    const carolAddress = carol.walletClient!.account.address;
    // a targeted challenge on carol's slot, answered with the segment and its path
    const { challengeId } = await challengeSlot(alice, { requestId, slot: 0, leaf: 7n });
    expect(await getTargetedChallenge(alice, { challengeId })).toMatchObject({
      status: "open",
      leaf: 7n,
      bond: PARAMS.targetedBond,
    });
    const bad = await answerChallenge(carol, {
      challengeId,
      proof: bytesToHex(encodeMerkleProof(trees[0]!.proof(6))) as Hex,
    }).catch((e) => e);
    expect(bad.errorName).toBe("Marketplace__InvalidProof");
    await answerChallenge(carol, {
      challengeId,
      proof: bytesToHex(encodeMerkleProof(trees[0]!.proof(7))) as Hex,
    });
    expect((await getTargetedChallenge(alice, { challengeId })).status).toBe("answered");
    const mineTo = async (period: number) => {
      const now = await carol.publicClient.getBlockNumber();
      const target = BigInt(period) * 20n;
      if (target > now)
        await conn.provider.request({
          method: "hardhat_mine",
          params: [`0x${(target - now).toString(16)}`],
        });
    };
    for (let p = started.startPeriod; p < started.endPeriod; p++) {
      await mineTo(p);
      const { period, challenges } = await getChallenges(carol, {
        provider: carolAddress,
        period: BigInt(p),
      });
      const proofs = challenges.map((c) => {
        expect(c.requestId).toBe(requestId);
        return encodeMerkleProof(trees[Number(c.slot)]!.proof(Number(c.leaf)));
      });
      await submitProofs(carol, { period, proofs: bytesToHex(concatBytes(...proofs)) as Hex });
    }
    const wrongPeriod = await submitProofs(carol, { period: 1n, proofs: "0x" }).catch((e) => e);
    expect(wrongPeriod.errorName).toBe("Marketplace__WrongPeriod");
    await mineTo(started.endPeriod + 1);
    await claimSlot(carol, { requestId, slot: 0 });
    expect(await getSlot(alice, { requestId, slot: 0 })).toMatchObject({ state: "closed" });
    const before = await getBalance(carol);
    // 2 proven periods at 1 TSR minus the 1 % fee, plus the 2 TSR collateral back
    // + the challenge bond, which the answer earned
    expect(before.withdrawable).toBe(
      parseEther("2") + (2n * (parseEther("1") * 99n)) / 100n + PARAMS.targetedBond,
    );
    const { amount } = await withdraw(carol);
    expect(amount).toBe(before.withdrawable);
    expect((await getBalance(carol)).token).toBe(before.token + amount);
  });

  it("records and reads the file-index pointer, refusing an older version", async () => {
    expect(await getFileIndex(alice)).toBeUndefined();
    await setFileIndex(alice, { cid: "bafkreiindexv1", version: 1 });
    await setFileIndex(alice, { cid: "bafkreiindexv2", version: 2 });
    expect(await getFileIndex(bob, { owner: alice.walletClient!.account.address })).toMatchObject({
      cid: "bafkreiindexv2",
      version: 2n,
    });
    const stale = await setFileIndex(alice, { cid: "bafkreiold", version: 2 }).catch((e) => e);
    expect(stale.errorName).toBe("FileIndex__VersionNotIncreasing");
    expect(stale.shortMessage).toMatch(/reload the index first/);
  });
});
