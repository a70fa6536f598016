/**
 * One storage deal's whole life on the in-process chain (issue 3), deployed through the real
 * Ignition module: request → all n slots filled with first proofs → several periods of aggregated
 * proofs → one provider loses its shard → it fails a targeted challenge (collateral slashed) and
 * misses its aggregated proofs (each marked missing by a watcher: stake slashed, watcher rewarded)
 * → the slot is freed → another provider repairs it and collects the bounty → the deal ends →
 * slots are claimed, the treasury (Timelock) withdraws its fees through a governance proposal, and
 * every party withdraws. Each withdrawal equals what the rules of docs/protocol.md say, to the wei,
 * and the marketplace ends holding nothing.
 *
 * Proofs are built with the sdk's Merkle implementation (@tessera/sdk, sdk/src/merkle/).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { before, describe, it } from "node:test";
import { buildMerkleTree, encodeMerkleProof, type MerkleTree } from "@tessera/sdk/merkle/index";
import { network } from "hardhat";
import type { Address, Hex } from "viem";
import {
  bytesToHex,
  concatHex,
  encodeAbiParameters,
  encodeFunctionData,
  getAddress,
  keccak256,
} from "viem";
import { descriptionHash, ProposalState, Vote, type Connection } from "./helpers/governance.ts";
import { bind, deployTessera, type Tessera } from "./helpers/tessera.ts";

const TOKEN = 10n ** 18n;
const BPS = 10_000n;

// Deal terms.
const K = 2;
const M = 1;
const N = K + M;
const SHARD_BYTES = 4096; // 64 leaves, depth 6
const DURATION = 9; // periods
const PRICE = 10n * TOKEN; // per slot per proven period
const COLLATERAL = 50n * TOKEN;
const STAKE = 200n * TOKEN;
const PRICE_PER_BYTE = 1n; // provider ask: 4096 wei per slot-period, far below PRICE

// The provider that loses its shard holds this slot; the repairer refills it.
const LOST_SLOT = 2;

type Bound = Awaited<ReturnType<typeof bind>>;

describe("deal life (issue 3 scenario)", () => {
  let connection: Connection;
  let t: Tessera;
  let periodBlocks: bigint;
  let client: Address, watcher: Address, deployer: Address;
  let providers: Address[]; // slot i is filled by providers[i]; providers[3] repairs
  let as: Record<Address, Bound>;
  let shards: Uint8Array[];
  let trees: MerkleTree[];
  let requestId: Hex;
  let start: bigint;
  /** Which shards each provider still has: request slot → tree. */
  const holdings = new Map<Address, Map<number, MerkleTree>>();
  /** Token amounts each party withdrew from the marketplace over the whole life. */
  const withdrawn = new Map<Address, bigint>();

  const publicClient = () => connection.viem.getPublicClient();

  async function latestBlock(): Promise<bigint> {
    return await (await publicClient()).getBlockNumber();
  }

  /** Mine until the next transaction executes in period `p` (with the rest of the period ahead). */
  async function enterPeriod(p: bigint) {
    const target = p * periodBlocks; // latest = first block of p: the next tx lands in p too
    const latest = await latestBlock();
    assert.ok(latest <= target, `already past the start of period ${p}`);
    if (latest < target) await connection.networkHelpers.mine(target - latest);
    assert.equal(await t.marketplace.read.currentPeriod(), p);
  }

  async function proveFor(provider: Address, period: bigint) {
    const challenges = await t.marketplace.read.challengesFor([provider, period]);
    const held = holdings.get(provider)!;
    const parts: Hex[] = challenges.map((c) => {
      assert.equal(c.id, requestId);
      const tree = held.get(Number(c.slot));
      assert.ok(tree, `${provider} was challenged on slot ${c.slot} it does not hold`);
      assert.equal(c.root, bytesToHex(tree.root));
      return bytesToHex(encodeMerkleProof(tree.proof(Number(c.leaf))));
    });
    await as[provider]!.marketplace.write.submitProofs([period, concatHex(parts)]);
    assert.equal(await t.marketplace.read.isProven([provider, period]), true);
  }

  async function fill(provider: Address, slot: number) {
    const proofBlock = await latestBlock();
    const { hash } = await (await publicClient()).getBlock({ blockNumber: proofBlock });
    const nLeaves = BigInt(SHARD_BYTES / 64);
    const leaf =
      BigInt(
        keccak256(
          encodeAbiParameters(
            [{ type: "bytes32" }, { type: "bytes32" }, { type: "uint256" }],
            [hash, requestId, BigInt(slot)],
          ),
        ),
      ) % nLeaves;
    const proof = bytesToHex(encodeMerkleProof(trees[slot]!.proof(Number(leaf))));
    await as[provider]!.marketplace.write.fillSlot([requestId, BigInt(slot), proofBlock, proof]);
    holdings.get(provider)!.set(slot, trees[slot]!);
  }

  async function withdrawAll(account: Address) {
    const owed = await t.marketplace.read.balanceOf([account]);
    const before = await t.token.read.balanceOf([account]);
    await as[account]!.marketplace.write.withdraw();
    assert.equal((await t.token.read.balanceOf([account])) - before, owed);
    withdrawn.set(account, (withdrawn.get(account) ?? 0n) + owed);
    return owed;
  }

  before(async () => {
    connection = await network.create();
    // A short targeted-challenge window so that the failed challenge resolves inside one period.
    t = await deployTessera(connection, { params: { challengeWindowBlocks: 10n } });
    periodBlocks = await t.marketplace.read.periodBlocks();
    const wallets = await connection.viem.getWalletClients();
    const addresses = wallets.map((w) => getAddress(w.account.address));
    [deployer, client, watcher] = addresses as [Address, Address, Address];
    providers = addresses.slice(3, 7);
    as = {};
    for (const a of [deployer, client, watcher, ...providers]) as[a] = await bind(connection, t, a);

    // Tokens: the deployer holds the supply on the local chain.
    for (const a of [client, watcher, ...providers])
      await t.token.write.transfer([a, 10_000n * TOKEN]);
    for (const p of providers) {
      await as[p]!.token.write.approve([t.marketplace.address, 2n ** 255n]);
      await as[p]!.marketplace.write.register([
        STAKE,
        1n << 20n,
        PRICE_PER_BYTE,
        `http://127.0.0.1/${p}`,
        "/ip4/127.0.0.1/tcp/4001",
      ]);
      holdings.set(p, new Map());
    }
    await as[client]!.token.write.approve([t.marketplace.address, 2n ** 255n]);

    shards = Array.from({ length: N }, () => new Uint8Array(randomBytes(SHARD_BYTES)));
    trees = shards.map((s) => buildMerkleTree(s));
  });

  it("creates the request with the whole payment escrowed", async () => {
    const now = BigInt((await (await publicClient()).getBlock()).timestamp);
    const clientBefore = await t.token.read.balanceOf([client]);
    await as[client]!.marketplace.write.createRequest([
      {
        k: K,
        m: M,
        shardSize: BigInt(SHARD_BYTES),
        durationPeriods: DURATION,
        pricePerSlotPeriod: PRICE,
        collateralPerSlot: COLLATERAL,
        fillDeadline: now + 86_400n,
        roots: trees.map((tree) => bytesToHex(tree.root)),
        cids: [],
      },
    ]);
    requestId = keccak256(
      encodeAbiParameters([{ type: "address" }, { type: "uint256" }], [client, 0n]),
    );
    const request = await t.marketplace.read.getRequest([requestId]);
    assert.equal(request.client, client);
    assert.equal(request.escrow, BigInt(N) * PRICE * BigInt(DURATION));
    assert.equal(
      clientBefore - (await t.token.read.balanceOf([client])),
      BigInt(N) * PRICE * BigInt(DURATION),
    );
    assert.equal(request.protocolFeeBps, Number(t.params.protocolFeeBps), "deal snapshots the fee");
  });

  it("starts the deal when all n slots are filled", async () => {
    for (let slot = 0; slot < N; slot++) await fill(providers[slot]!, slot);
    const request = await t.marketplace.read.getRequest([requestId]);
    assert.equal(request.state, 2, "Started");
    assert.equal(request.filled, N);
    start = BigInt(request.startPeriod);
    assert.equal(BigInt(request.endPeriod), start + BigInt(DURATION));
    for (let slot = 0; slot < N; slot++) {
      const s = await t.marketplace.read.getSlot([requestId, BigInt(slot)]);
      assert.equal(getAddress(s.provider), providers[slot]);
      assert.equal(s.collateral, COLLATERAL);
    }
  });

  it("pays nothing before proofs and accepts the first two periods of proofs from everyone", async () => {
    for (const p of [start, start + 1n]) {
      await enterPeriod(p);
      for (let slot = 0; slot < N; slot++) await proveFor(providers[slot]!, p);
    }
  });

  it("catches the provider that lost its shard: failed targeted challenge and missed proofs", async () => {
    const loser = providers[LOST_SLOT]!;
    holdings.get(loser)!.delete(LOST_SLOT); // the disk died

    // Period start+2: the others prove; the client challenges the lost slot directly.
    await enterPeriod(start + 2n);
    for (const slot of [0, 1]) await proveFor(providers[slot]!, start + 2n);
    const bond = t.params.targetedBond;
    await as[client]!.marketplace.write.challengeSlot([requestId, BigInt(LOST_SLOT), 5n]);
    const challengeId = 1n;
    const challenge = await t.marketplace.read.getChallenge([challengeId]);
    assert.equal(getAddress(challenge.provider), loser);
    assert.equal(challenge.bond, bond);
    // Nobody can answer it (a wrong segment is rejected with the named error).
    const wrong = bytesToHex(encodeMerkleProof({ ...trees[0]!.proof(5), leaf: 5 }));
    await connection.viem.assertions.revertWithCustomError(
      as[loser]!.marketplace.write.answerChallenge([challengeId, wrong]),
      t.marketplace,
      "Marketplace__InvalidProof",
    );
    await connection.networkHelpers.mine(challenge.deadlineBlock - (await latestBlock()));
    await as[watcher]!.marketplace.write.markChallengeFailed([challengeId]); // anyone; bond + reward go to the challenger
    const slashed = (COLLATERAL * t.params.slashBps) / BPS;
    assert.equal(
      (await t.marketplace.read.getSlot([requestId, BigInt(LOST_SLOT)])).collateral,
      COLLATERAL - slashed,
    );
    assert.ok(
      (await latestBlock()) < (start + 3n) * periodBlocks,
      "the challenge resolved inside period start+2",
    );

    // Periods start+3, start+4: the others prove; the watcher reports each missed period once it closed.
    for (const p of [start + 3n, start + 4n]) {
      await enterPeriod(p);
      for (const slot of [0, 1]) await proveFor(providers[slot]!, p);
      await as[watcher]!.marketplace.write.markProofAsMissing([loser, p - 1n]);
    }
    // The loser cannot be freed yet: two consecutive misses reported.
    await connection.viem.assertions.revertWithCustomErrorWithArgs(
      as[watcher]!.marketplace.write.freeSlot([requestId, BigInt(LOST_SLOT)]),
      t.marketplace,
      "Marketplace__NotFreeable",
      [requestId, BigInt(LOST_SLOT), 2n, BigInt(t.params.maxMisses)],
    );
    const info = await t.marketplace.read.getProvider([loser]);
    assert.equal(info.proofsMissed, 3, "one failed targeted challenge + two missed periods");
    assert.equal(info.consecutiveMisses, 2);
  });

  it("frees the slot after maxMisses and lets another provider repair it for the bounty", async () => {
    const loser = providers[LOST_SLOT]!;
    const repairer = providers[3]!;
    await enterPeriod(start + 5n);
    for (const slot of [0, 1]) await proveFor(providers[slot]!, start + 5n);
    await as[watcher]!.marketplace.write.markProofAsMissing([loser, start + 4n]);
    await as[watcher]!.marketplace.write.freeSlot([requestId, BigInt(LOST_SLOT)]);

    const freed = await t.marketplace.read.getSlot([requestId, BigInt(LOST_SLOT)]);
    const remaining = COLLATERAL - (COLLATERAL * t.params.slashBps) / BPS;
    assert.equal(freed.state, 2, "Freed");
    assert.equal(freed.bounty, (remaining * t.params.repairBountyBps) / BPS);
    assert.equal((await t.marketplace.read.getProvider([loser])).activeSlots, 0);

    // A current holder may not take a second slot of the same request.
    await connection.viem.assertions.revertWithCustomErrorWithArgs(
      as[providers[0]!]!.marketplace.write.fillSlot([
        requestId,
        BigInt(LOST_SLOT),
        (await latestBlock()) - 1n,
        "0x",
      ]),
      t.marketplace,
      "Marketplace__AlreadyHoldsSlot",
      [requestId, providers[0]!],
    );
    // The repairer rebuilt the shard (from any k others, off chain) and fills the slot.
    await fill(repairer, LOST_SLOT);
    const repaired = await t.marketplace.read.getSlot([requestId, BigInt(LOST_SLOT)]);
    assert.equal(getAddress(repaired.provider), repairer);
    assert.equal(repaired.state, 1, "Filled");
    assert.equal((await t.marketplace.read.getProvider([repairer])).repairs, 1);
    assert.equal((await t.marketplace.read.getRequest([requestId])).state, 2, "still Started");
  });

  it("runs the remaining periods with the repairer proving from the next period", async () => {
    for (let p = start + 6n; p < start + BigInt(DURATION); p++) {
      await enterPeriod(p);
      for (const provider of [providers[0]!, providers[1]!, providers[3]!])
        await proveFor(provider, p);
    }
    await enterPeriod(start + BigInt(DURATION)); // the deal has ended
  });

  it("settles every party to the wei after the deal ends", async () => {
    for (let slot = 0; slot < N; slot++)
      await as[watcher]!.marketplace.write.claimSlot([requestId, BigInt(slot)]);
    assert.equal((await t.marketplace.read.getRequest([requestId])).escrow, 0n, "no escrow left");

    const { protocolFeeBps, slashBps, reporterRewardBps, repairBountyBps, targetedBond } = t.params;
    const net = (periods: bigint) => periods * PRICE - (periods * PRICE * protocolFeeBps) / BPS;
    const fee = (periods: bigint) => (periods * PRICE * protocolFeeBps) / BPS;

    // Targeted challenge: 5 % of the slot collateral, half to the challenger (the client).
    const collateralSlash = (COLLATERAL * slashBps) / BPS;
    const collateralReward = (collateralSlash * reporterRewardBps) / BPS;
    const remaining = COLLATERAL - collateralSlash;
    const bounty = (remaining * repairBountyBps) / BPS;
    // Three missed periods: 5 % of the loser's stake each time, half to the watcher.
    let loserStake = STAKE;
    let watcherRewards = 0n;
    let treasurySlashes = collateralSlash - collateralReward;
    for (let i = 0; i < 3; i++) {
      const s = (loserStake * slashBps) / BPS;
      const r = (s * reporterRewardBps) / BPS;
      loserStake -= s;
      watcherRewards += r;
      treasurySlashes += s - r;
    }

    const expected = new Map<Address, bigint>([
      [providers[0]!, net(9n) + COLLATERAL],
      [providers[1]!, net(9n) + COLLATERAL],
      [providers[2]!, net(2n)], // proved start, start+1; collateral slashed / bounty / refunded
      [providers[3]!, net(3n) + bounty + COLLATERAL], // proved start+6..start+8
      // Periods start+2..start+5 of the lost slot (unproven or vacant) + the collateral left
      // after the bounty + the challenge bond back + the challenger's share of the slash.
      [client, 4n * PRICE + (remaining - bounty) + targetedBond + collateralReward],
      [watcher, watcherRewards],
    ]);
    const treasuryOwed = fee(9n) + fee(9n) + fee(2n) + fee(3n) + treasurySlashes;

    for (const [account, amount] of expected) {
      assert.equal(await t.marketplace.read.balanceOf([account]), amount, `balance of ${account}`);
    }
    assert.equal(
      await t.marketplace.read.balanceOf([t.timelock.address]),
      treasuryOwed,
      "treasury",
    );

    for (const account of expected.keys()) await withdrawAll(account);
    await connection.viem.assertions.revertWithCustomErrorWithArgs(
      as[client]!.marketplace.write.withdraw(),
      t.marketplace,
      "Marketplace__NothingToWithdraw",
      [client],
    );
    for (const [account, amount] of expected) assert.equal(withdrawn.get(account), amount);
    assert.equal((await t.marketplace.read.getProvider([providers[2]!])).stake, loserStake);

    // The treasury is the Timelock: its fees leave only through a governance proposal.
    const timelockBefore = await t.token.read.balanceOf([t.timelock.address]);
    await passProposal(
      [t.marketplace.address],
      [encodeFunctionData({ abi: t.marketplace.abi, functionName: "withdraw" })],
      "Withdraw the protocol fees to the treasury",
    );
    assert.equal(
      (await t.token.read.balanceOf([t.timelock.address])) - timelockBefore,
      treasuryOwed,
    );

    // Providers unstake; after the unbonding delay the marketplace holds nothing at all.
    for (const p of providers) {
      const { stake } = await t.marketplace.read.getProvider([p]);
      await as[p]!.marketplace.write.requestUnstake([stake]);
    }
    await connection.networkHelpers.time.increase(t.params.unbondingDelay);
    for (const p of providers) {
      const before = await t.token.read.balanceOf([p]);
      await as[p]!.marketplace.write.withdrawStake();
      const got = (await t.token.read.balanceOf([p])) - before;
      assert.equal(got, p === providers[2] ? loserStake : STAKE, `stake of ${p}`);
    }
    assert.equal(
      await t.token.read.balanceOf([t.marketplace.address]),
      0n,
      "the marketplace holds nothing",
    );
  });

  /** Delegate the deployer's supply, propose, vote, queue, wait and execute (local durations). */
  async function passProposal(targets: Address[], calldatas: Hex[], description: string) {
    const gov = as[deployer]!.governor;
    await as[deployer]!.token.write.delegate([deployer]);
    await connection.networkHelpers.mine();
    const values = targets.map(() => 0n);
    await gov.write.propose([targets, values, calldatas, description]);
    const id = await gov.read.hashProposal([
      targets,
      values,
      calldatas,
      descriptionHash(description),
    ]);
    await connection.networkHelpers.time.increase((await gov.read.votingDelay()) + 1n);
    await gov.write.castVote([id, Vote.For]);
    await connection.networkHelpers.time.increase((await gov.read.votingPeriod()) + 1n);
    await gov.write.queue([targets, values, calldatas, descriptionHash(description)]);
    await connection.networkHelpers.time.increase(await t.timelock.read.getMinDelay());
    await gov.write.execute([targets, values, calldatas, descriptionHash(description)]);
    assert.equal(await gov.read.state([id]), ProposalState.Executed);
  }
});
