/**
 * Governance of the Marketplace (issue 7) on the in-process chain, everything deployed through the
 * real Ignition module with the local (short) durations: the Timelock owns every parameter and is
 * the treasury; a fee change goes through delegate → propose → for/against/abstain → quorum →
 * queue → delay → execute, running deals keep the fee they started with, an out-of-bounds value is
 * rejected at execution with the named error, and a guardian appointed by governance can pause new
 * requests but not withdrawals.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { network } from "hardhat";
import type { Address, Hex } from "viem";
import { encodeAbiParameters, encodeFunctionData, getAddress, keccak256, zeroAddress } from "viem";
import { LOCAL_PARAMETERS } from "../../ignition/defaults.ts";
import { checkDeployment } from "../../scripts/deploy/lib.ts";
import {
  type Connection,
  descriptionHash,
  ProposalState,
  TOKEN,
  Vote,
} from "./helpers/governance.ts";
import { bind, deployTessera, type MarketParams, type Tessera } from "./helpers/tessera.ts";

type Bound = Awaited<ReturnType<typeof bind>>;

describe("governance of the marketplace", () => {
  let connection: Connection;
  let t: Tessera;
  let deployer: Address,
    alice: Address,
    bob: Address,
    carol: Address,
    client: Address,
    multisig: Address;
  let everyone: Address[];
  let as: Record<Address, Bound>;

  before(async () => {
    connection = await network.create();
    t = await deployTessera(connection);
    const wallets = await connection.viem.getWalletClients();
    everyone = wallets.map((w) => getAddress(w.account.address));
    [deployer, alice, bob, carol, client, multisig] = everyone as [
      Address,
      Address,
      Address,
      Address,
      Address,
      Address,
    ];
    as = {};
    for (const a of [deployer, alice, bob, carol, client, multisig])
      as[a] = await bind(connection, t, a);
    // alice 30M + carol 10M = 40M = exactly the 4 % quorum; bob 15M votes against.
    for (const [a, amount] of [
      [alice, 30_000_000n],
      [bob, 15_000_000n],
      [carol, 10_000_000n],
    ] as const) {
      await t.token.write.transfer([a, amount * TOKEN]);
      await as[a]!.token.write.delegate([a]);
    }
    await t.token.write.transfer([client, 10_000n * TOKEN]);
    await as[client]!.token.write.approve([t.marketplace.address, 2n ** 255n]);
    await connection.networkHelpers.mine();
  });

  function paramsCall(params: MarketParams): Hex {
    return encodeFunctionData({
      abi: t.marketplace.abi,
      functionName: "setParams",
      args: [
        {
          protocolFeeBps: Number(params.protocolFeeBps),
          slashBps: Number(params.slashBps),
          reporterRewardBps: Number(params.reporterRewardBps),
          repairBountyBps: Number(params.repairBountyBps),
          maxMisses: Number(params.maxMisses),
          challengesPerPeriod: Number(params.challengesPerPeriod),
          missGracePeriods: Number(params.missGracePeriods),
          challengeWindowBlocks: Number(params.challengeWindowBlocks),
          unbondingDelay: params.unbondingDelay,
          maxShardSize: params.maxShardSize,
          maxDurationPeriods: Number(params.maxDurationPeriods),
          targetedBond: params.targetedBond,
          minStake: params.minStake,
        },
      ],
    });
  }

  /** Propose `calldatas` on the marketplace, vote for/against/abstain, queue and wait the delay. */
  async function passAndQueue(calldatas: Hex[], description: string) {
    const targets = calldatas.map(() => t.marketplace.address);
    const values = calldatas.map(() => 0n);
    await as[alice]!.governor.write.propose([targets, values, calldatas, description]);
    const id = await t.governor.read.hashProposal([
      targets,
      values,
      calldatas,
      descriptionHash(description),
    ]);
    await connection.networkHelpers.time.increase(
      LOCAL_PARAMETERS.TesseraGovernance.votingDelay + 1n,
    );
    await as[alice]!.governor.write.castVoteWithReason([
      id,
      Vote.For,
      "aligns fees with the market",
    ]);
    await as[bob]!.governor.write.castVote([id, Vote.Against]);
    await as[carol]!.governor.write.castVote([id, Vote.Abstain]);
    await connection.networkHelpers.time.increase(
      LOCAL_PARAMETERS.TesseraGovernance.votingPeriod + 1n,
    );
    const snapshot = await t.governor.read.proposalSnapshot([id]);
    const [against, forVotes, abstain] = await t.governor.read.proposalVotes([id]);
    assert.equal(forVotes + abstain, await t.governor.read.quorum([snapshot]), "exactly at quorum");
    assert.ok(forVotes > against);
    assert.equal(await t.governor.read.state([id]), ProposalState.Succeeded);
    await t.governor.write.queue([targets, values, calldatas, descriptionHash(description)]);
    await connection.networkHelpers.time.increase(LOCAL_PARAMETERS.TesseraGovernance.timelockDelay);
    const execute = () =>
      t.governor.write.execute([targets, values, calldatas, descriptionHash(description)]);
    return { id, execute };
  }

  async function createRequest(): Promise<Hex> {
    const nonce = await t.marketplace.read.clientNonce([client]);
    const now = BigInt((await (await connection.viem.getPublicClient()).getBlock()).timestamp);
    await as[client]!.marketplace.write.createRequest([
      {
        k: 1,
        m: 0,
        shardSize: 1024n,
        durationPeriods: 4,
        pricePerSlotPeriod: TOKEN,
        collateralPerSlot: 0n,
        fillDeadline: now + 3600n,
        roots: [`0x${"11".repeat(16)}`],
        cids: [],
      },
    ]);
    return keccak256(
      encodeAbiParameters([{ type: "address" }, { type: "uint256" }], [client, nonce]),
    );
  }

  it("is owned by the Timelock, pays the Timelock, and has no EOA owner", async () => {
    assert.equal(getAddress(await t.marketplace.read.owner()), t.timelock.address);
    assert.equal(await t.marketplace.read.pendingOwner(), zeroAddress);
    assert.equal(getAddress(await t.marketplace.read.treasury()), t.timelock.address);
    assert.ok(
      !everyone.includes(getAddress(await t.marketplace.read.guardian())),
      "guardian is not an EOA",
    );
    await connection.viem.assertions.revertWithCustomErrorWithArgs(
      t.marketplace.write.setParams([(await t.marketplace.read.params()) as never]),
      t.marketplace,
      "OwnableUnauthorizedAccount",
      [deployer],
    );
    await connection.viem.assertions.revertWithCustomErrorWithArgs(
      t.marketplace.write.pause(),
      t.marketplace,
      "ProtocolParams__NotGuardian",
      [deployer],
    );
  });

  it("passes the deploy script's wiring check, which does catch a miswired deployment", async () => {
    const publicClient = await connection.viem.getPublicClient();
    const addresses = {
      chainId: 31337,
      deployBlock: 0,
      TesseraToken: t.token.address,
      TesseraTimelock: t.timelock.address,
      TesseraGovernor: t.governor.address,
      Marketplace: t.marketplace.address,
      FileIndex: t.fileIndex.address,
    };
    assert.deepEqual(await checkDeployment(publicClient as never, addresses, everyone), []);
    const wrong = await checkDeployment(
      publicClient as never,
      { ...addresses, TesseraToken: t.fileIndex.address },
      everyone,
    );
    assert.deepEqual(wrong, [
      "the Governor counts votes of another token",
      "the Marketplace uses another token",
    ]);
  });

  it("changes the protocol fee by vote; running deals keep the fee they started with", async () => {
    const running = await createRequest();
    assert.equal((await t.marketplace.read.getRequest([running])).protocolFeeBps, 100);

    const { id, execute } = await passAndQueue(
      [paramsCall({ ...t.params, protocolFeeBps: 250n })],
      "Raise the protocol fee to 2.5 %",
    );
    await execute();
    assert.equal(await t.governor.read.state([id]), ProposalState.Executed);
    assert.equal((await t.marketplace.read.params()).protocolFeeBps, 250);

    assert.equal(
      (await t.marketplace.read.getRequest([running])).protocolFeeBps,
      100,
      "running deal unchanged",
    );
    const later = await createRequest();
    assert.equal(
      (await t.marketplace.read.getRequest([later])).protocolFeeBps,
      250,
      "new deals use the new fee",
    );
  });

  it("rejects an out-of-bounds parameter at execution with the named error", async () => {
    const before = await t.marketplace.read.params();
    const { id, execute } = await passAndQueue(
      [paramsCall({ ...t.params, protocolFeeBps: 250n, slashBps: 6000n })],
      "Slash 60 % per miss (above the 50 % hard limit)",
    );
    await connection.viem.assertions.revertWithCustomErrorWithArgs(
      execute(),
      t.marketplace,
      "ProtocolParams__OutOfRange",
      ["slashBps", 6000n, 0n, 5000n],
    );
    assert.equal(
      await t.governor.read.state([id]),
      ProposalState.Queued,
      "the failed execution changed nothing",
    );
    assert.deepEqual(await t.marketplace.read.params(), before);
  });

  it("lets a guardian appointed by governance pause new requests, never withdrawals", async () => {
    const { execute } = await passAndQueue(
      [
        encodeFunctionData({
          abi: t.marketplace.abi,
          functionName: "setGuardian",
          args: [multisig],
        }),
      ],
      "Appoint the security multisig as guardian",
    );
    await execute();
    assert.equal(getAddress(await t.marketplace.read.guardian()), multisig);

    // Give the client a pull balance to withdraw: cancel an unfilled request after its deadline.
    const id = await createRequest();
    await connection.networkHelpers.time.increase(3601);
    await as[client]!.marketplace.write.cancelRequest([id]);
    const refund = await t.marketplace.read.balanceOf([client]);
    assert.ok(refund > 0n);

    await as[multisig]!.marketplace.write.pause();
    assert.equal(await t.marketplace.read.paused(), true);
    await connection.viem.assertions.revertWithCustomError(
      createRequest(),
      t.marketplace,
      "ProtocolParams__Paused",
    );
    const before = await t.token.read.balanceOf([client]);
    await as[client]!.marketplace.write.withdraw(); // withdrawals are never paused
    assert.equal((await t.token.read.balanceOf([client])) - before, refund);

    await as[multisig]!.marketplace.write.unpause();
    await createRequest();
  });
});
