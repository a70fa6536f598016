/**
 * The whole life of a governance proposal on the in-process chain, deployed through the real
 * Ignition module (ignition/modules/Governance.ts) with the public-chain defaults:
 * roles after deployment, delegate → propose → vote (for / against / abstain) → quorum → queue →
 * wait → execute; defeated, expired and every bad input with its named error.
 */
import assert from "node:assert/strict";
import { before, beforeEach, describe, it } from "node:test";
import { network } from "hardhat";
import type { Address } from "viem";
import { encodeFunctionData, getAddress, zeroAddress } from "viem";
import { GOVERNANCE_DEFAULTS, TOTAL_SUPPLY } from "../../ignition/defaults.ts";
import {
  CANCELLER_ROLE,
  DEFAULT_ADMIN_ROLE,
  EXECUTOR_ROLE,
  PROPOSER_ROLE,
} from "../../ignition/modules/Governance.ts";
import {
  as,
  castVotes,
  type Connection,
  deployGovernance,
  descriptionHash,
  endVoting,
  type Governance,
  makeVoters,
  ProposalState,
  propose,
  type Proposal,
  startVoting,
  stateBitmap,
  TOKEN,
  tokenTransferCall,
  Vote,
} from "./helpers/governance.ts";

describe("governance", () => {
  let connection: Connection;
  let gov: Governance;
  let deployer: Address,
    alice: Address,
    bob: Address,
    carol: Address,
    dave: Address,
    recipient: Address;
  let everyone: Address[];

  before(async () => {
    connection = await network.create();
    const wallets = await connection.viem.getWalletClients();
    everyone = wallets.map((w) => getAddress(w.account.address));
    [deployer, alice, bob, carol, dave, recipient] = everyone as [
      Address,
      Address,
      Address,
      Address,
      Address,
      Address,
    ];
  });

  beforeEach(async () => {
    gov = await deployGovernance(connection);
  });

  /** A treasury spend: the Timelock transfers `amount` of its tokens to `to`. */
  function spend(to: Address, amount: bigint, description: string): Proposal {
    return {
      targets: [gov.token.address],
      values: [0n],
      calldatas: [tokenTransferCall(gov, to, amount)],
      description,
    };
  }

  /** alice 50M, bob 30M, carol 20M (quorum is 4 % of 1e9 = 40M), dave 0.5M (below the 1M threshold). */
  async function standardVoters() {
    await makeVoters(connection, gov, [
      [alice, 50_000_000n * TOKEN],
      [bob, 30_000_000n * TOKEN],
      [carol, 20_000_000n * TOKEN],
      [dave, 500_000n * TOKEN],
    ]);
  }

  async function passAndQueue(p: Proposal, proposer = alice): Promise<bigint> {
    const id = await propose(connection, gov, proposer, p);
    await startVoting(connection, gov);
    await castVotes(connection, gov, id, [
      [alice, Vote.For],
      [bob, Vote.Against],
      [carol, Vote.Abstain],
    ]);
    await endVoting(connection, gov);
    assert.equal(await gov.governor.read.state([id]), ProposalState.Succeeded);
    await gov.governor.write.queue([
      p.targets,
      p.values,
      p.calldatas,
      descriptionHash(p.description),
    ]);
    assert.equal(await gov.governor.read.state([id]), ProposalState.Queued);
    return id;
  }

  it("deploys with the documented defaults and a timestamp clock", async () => {
    const g = gov.governor.read;
    assert.equal(await g.votingDelay(), GOVERNANCE_DEFAULTS.votingDelay);
    assert.equal(await g.votingPeriod(), GOVERNANCE_DEFAULTS.votingPeriod);
    assert.equal(await g.proposalThreshold(), TOTAL_SUPPLY / 1000n);
    assert.equal(await g.quorumNumerator(), 4n);
    assert.equal(await g.CLOCK_MODE(), "mode=timestamp");
    assert.equal(await gov.token.read.CLOCK_MODE(), "mode=timestamp");
    assert.equal(await gov.timelock.read.getMinDelay(), GOVERNANCE_DEFAULTS.timelockDelay);
    assert.equal(await gov.timelock.read.gracePeriod(), GOVERNANCE_DEFAULTS.gracePeriod);
    assert.equal(getAddress(await g.timelock()), gov.timelock.address);
    assert.equal(getAddress(await g.token()), gov.token.address);
    assert.equal(await gov.token.read.balanceOf([deployer]), TOTAL_SUPPLY);
  });

  it("leaves no externally owned account with any timelock role", async () => {
    const t = gov.timelock.read;
    for (const account of everyone) {
      for (const role of [DEFAULT_ADMIN_ROLE, PROPOSER_ROLE, CANCELLER_ROLE, EXECUTOR_ROLE]) {
        assert.equal(
          await t.hasRole([role, account]),
          false,
          `${account} must not hold role ${role}`,
        );
      }
    }
    assert.equal(
      await t.hasRole([DEFAULT_ADMIN_ROLE, gov.timelock.address]),
      true,
      "self-administered",
    );
    assert.equal(await t.hasRole([DEFAULT_ADMIN_ROLE, gov.governor.address]), false);
    assert.equal(await t.hasRole([PROPOSER_ROLE, gov.governor.address]), true, "governor proposes");
    assert.equal(await t.hasRole([CANCELLER_ROLE, gov.governor.address]), true, "governor cancels");
    assert.equal(await t.hasRole([EXECUTOR_ROLE, zeroAddress]), true, "anyone executes");

    // The deployer cannot schedule directly on the timelock.
    await connection.viem.assertions.revertWithCustomErrorWithArgs(
      gov.timelock.write.schedule([
        gov.token.address,
        0n,
        "0x",
        `0x${"0".repeat(64)}`,
        `0x${"0".repeat(64)}`,
        172_800n,
      ]),
      gov.timelock,
      "AccessControlUnauthorizedAccount",
      [deployer, PROPOSER_ROLE],
    );
  });

  it("runs a treasury spend through its whole life and transfers exactly the amount", async () => {
    await standardVoters();
    const treasuryFunds = 1_000_000n * TOKEN;
    await gov.token.write.transfer([gov.timelock.address, treasuryFunds]);
    const amount = 123_456n * TOKEN + 789n;
    const p = spend(
      recipient,
      amount,
      "Grant #1: 123,456 TSR to the recipient for the subgraph work",
    );

    const id = await propose(connection, gov, alice, p);
    assert.equal((await gov.governor.read.proposalSnapshot([id])) > 0n, true);
    await startVoting(connection, gov);
    assert.equal(await gov.governor.read.state([id]), ProposalState.Active);

    await castVotes(connection, gov, id, [
      [alice, Vote.For, "funds a public good"],
      [bob, Vote.Against, "too expensive"],
      [carol, Vote.Abstain],
    ]);
    const [against, forVotes, abstain] = await gov.governor.read.proposalVotes([id]);
    assert.equal(forVotes, 50_000_000n * TOKEN);
    assert.equal(against, 30_000_000n * TOKEN);
    assert.equal(abstain, 20_000_000n * TOKEN);
    const snapshot = await gov.governor.read.proposalSnapshot([id]);
    assert.equal(await gov.governor.read.quorum([snapshot]), 40_000_000n * TOKEN);
    assert.equal(await gov.governor.read.hasVoted([id, bob]), true);
    assert.equal(await gov.governor.read.hasVoted([id, dave]), false);

    await endVoting(connection, gov);
    assert.equal(await gov.governor.read.state([id]), ProposalState.Succeeded);
    await gov.governor.write.queue([
      p.targets,
      p.values,
      p.calldatas,
      descriptionHash(p.description),
    ]);
    assert.equal(await gov.governor.read.state([id]), ProposalState.Queued);
    const eta = await gov.governor.read.proposalEta([id]);
    assert.equal(
      await gov.governor.read.proposalExpiry([id]),
      eta + GOVERNANCE_DEFAULTS.gracePeriod,
    );

    await connection.networkHelpers.time.increaseTo(eta);
    const executor = await as(connection, gov, dave); // anyone may execute
    await executor.governor.write.execute([
      p.targets,
      p.values,
      p.calldatas,
      descriptionHash(p.description),
    ]);
    assert.equal(await gov.governor.read.state([id]), ProposalState.Executed);
    assert.equal(await gov.token.read.balanceOf([recipient]), amount);
    assert.equal(await gov.token.read.balanceOf([gov.timelock.address]), treasuryFunds - amount);
  });

  it("changes a governed setting (the voting period) through the timelock", async () => {
    await standardVoters();
    const p: Proposal = {
      targets: [gov.governor.address],
      values: [0n],
      calldatas: [
        encodeFunctionData({
          abi: gov.governor.abi,
          functionName: "setVotingPeriod",
          args: [3 * 86_400],
        }),
      ],
      description: "Shorten the voting period to 3 days",
    };
    const id = await passAndQueue(p);
    await connection.networkHelpers.time.increase(GOVERNANCE_DEFAULTS.timelockDelay);
    await gov.governor.write.execute([
      p.targets,
      p.values,
      p.calldatas,
      descriptionHash(p.description),
    ]);
    assert.equal(await gov.governor.read.state([id]), ProposalState.Executed);
    assert.equal(await gov.governor.read.votingPeriod(), 3n * 86_400n);

    // ... and nobody can call it directly.
    await connection.viem.assertions.revertWithCustomErrorWithArgs(
      gov.governor.write.setVotingPeriod([1]),
      gov.governor,
      "GovernorOnlyExecutor",
      [deployer],
    );
  });

  it("does not queue a defeated proposal (more against than for)", async () => {
    await standardVoters();
    const p = spend(recipient, 1n, "Defeated spend");
    const id = await propose(connection, gov, alice, p);
    await startVoting(connection, gov);
    await castVotes(connection, gov, id, [
      [alice, Vote.Against],
      [bob, Vote.For],
    ]);
    await endVoting(connection, gov);
    assert.equal(await gov.governor.read.state([id]), ProposalState.Defeated);
    await connection.viem.assertions.revertWithCustomErrorWithArgs(
      gov.governor.write.queue([p.targets, p.values, p.calldatas, descriptionHash(p.description)]),
      gov.governor,
      "GovernorUnexpectedProposalState",
      [id, ProposalState.Defeated, stateBitmap(ProposalState.Succeeded)],
    );
  });

  it("defeats a proposal that misses quorum even with no votes against", async () => {
    await standardVoters();
    const p = spend(recipient, 1n, "Quorum not reached");
    const id = await propose(connection, gov, bob, p);
    await startVoting(connection, gov);
    await castVotes(connection, gov, id, [[bob, Vote.For]]); // 30M < 40M quorum
    await endVoting(connection, gov);
    assert.equal(await gov.governor.read.state([id]), ProposalState.Defeated);
  });

  it("expires a queued proposal after the grace period: it can never be executed", async () => {
    await standardVoters();
    await gov.token.write.transfer([gov.timelock.address, 10n * TOKEN]);
    const p = spend(recipient, 10n * TOKEN, "Spend that nobody executes in time");
    const id = await passAndQueue(p);
    const expiry = await gov.governor.read.proposalExpiry([id]);

    await connection.networkHelpers.time.increaseTo(expiry);
    assert.equal(
      await gov.governor.read.state([id]),
      ProposalState.Queued,
      "still executable at the expiry second",
    );
    await connection.networkHelpers.time.increase(1);
    assert.equal(await gov.governor.read.state([id]), ProposalState.Expired);

    await connection.viem.assertions.revertWithCustomErrorWithArgs(
      gov.governor.write.execute([
        p.targets,
        p.values,
        p.calldatas,
        descriptionHash(p.description),
      ]),
      gov.governor,
      "GovernorUnexpectedProposalState",
      [id, ProposalState.Expired, stateBitmap(ProposalState.Queued)],
    );
    // Not through the timelock directly either (executor = anyone).
    const salt =
      `0x${(BigInt(gov.governor.address) << 96n).toString(16).padStart(64, "0")}` as const;
    const saltXor =
      `0x${(BigInt(salt) ^ BigInt(descriptionHash(p.description))).toString(16).padStart(64, "0")}` as const;
    const opId = await gov.timelock.read.hashOperationBatch([
      p.targets,
      p.values,
      p.calldatas,
      `0x${"0".repeat(64)}`,
      saltXor,
    ]);
    assert.equal(await gov.timelock.read.isOperationExpired([opId]), true);
    await connection.viem.assertions.revertWithCustomErrorWithArgs(
      gov.timelock.write.executeBatch([
        p.targets,
        p.values,
        p.calldatas,
        `0x${"0".repeat(64)}`,
        saltXor,
      ]),
      gov.timelock,
      "TesseraTimelock__OperationExpired",
      [opId, expiry],
    );
    assert.equal(await gov.token.read.balanceOf([recipient]), 0n);
  });

  describe("bad input", () => {
    beforeEach(standardVoters);

    it("rejects a proposal from an account below the threshold", async () => {
      const p = spend(recipient, 1n, "Dave's proposal");
      const { governor } = await as(connection, gov, dave);
      await connection.viem.assertions.revertWithCustomErrorWithArgs(
        governor.write.propose([p.targets, p.values, p.calldatas, p.description]),
        gov.governor,
        "GovernorInsufficientProposerVotes",
        [dave, 500_000n * TOKEN, TOTAL_SUPPLY / 1000n],
      );
    });

    it("rejects voting before the vote starts, twice, and after it ends", async () => {
      const p = spend(recipient, 1n, "Timing");
      const id = await propose(connection, gov, alice, p);
      const { governor: asBob } = await as(connection, gov, bob);

      await connection.viem.assertions.revertWithCustomErrorWithArgs(
        asBob.write.castVote([id, Vote.For]),
        gov.governor,
        "GovernorUnexpectedProposalState",
        [id, ProposalState.Pending, stateBitmap(ProposalState.Active)],
      );

      await startVoting(connection, gov);
      await asBob.write.castVote([id, Vote.For]);
      await connection.viem.assertions.revertWithCustomErrorWithArgs(
        asBob.write.castVote([id, Vote.Against]),
        gov.governor,
        "GovernorAlreadyCastVote",
        [bob],
      );

      await endVoting(connection, gov);
      const { governor: asCarol } = await as(connection, gov, carol);
      await connection.viem.assertions.revertWithCustomErrorWithArgs(
        asCarol.write.castVote([id, Vote.For]),
        gov.governor,
        "GovernorUnexpectedProposalState",
        [id, ProposalState.Defeated, stateBitmap(ProposalState.Active)],
      );
    });

    it("rejects an invalid vote type", async () => {
      const p = spend(recipient, 1n, "Vote type");
      const id = await propose(connection, gov, alice, p);
      await startVoting(connection, gov);
      const { governor } = await as(connection, gov, bob);
      await connection.viem.assertions.revertWithCustomError(
        governor.write.castVote([id, 3]),
        gov.governor,
        "GovernorInvalidVoteType",
      );
    });

    it("rejects executing before the timelock delay", async () => {
      await gov.token.write.transfer([gov.timelock.address, 5n]);
      const p = spend(recipient, 5n, "Too early");
      await passAndQueue(p);
      await connection.viem.assertions.revertWithCustomError(
        gov.governor.write.execute([
          p.targets,
          p.values,
          p.calldatas,
          descriptionHash(p.description),
        ]),
        gov.timelock,
        "TimelockUnexpectedOperationState",
      );
      await connection.networkHelpers.time.increase(GOVERNANCE_DEFAULTS.timelockDelay);
      await gov.governor.write.execute([
        p.targets,
        p.values,
        p.calldatas,
        descriptionHash(p.description),
      ]);
      assert.equal(await gov.token.read.balanceOf([recipient]), 5n);
    });

    it("does not count tokens delegated after the snapshot", async () => {
      const p = spend(recipient, 1n, "Late delegation");
      const id = await propose(connection, gov, alice, p);
      await startVoting(connection, gov);
      // eve gets tokens and delegates after the snapshot: her vote weighs nothing
      const eve = everyone[6]!;
      await gov.token.write.transfer([eve, 100_000_000n * TOKEN]);
      const { token } = await as(connection, gov, eve);
      await token.write.delegate([eve]);
      await castVotes(connection, gov, id, [[eve, Vote.For]]);
      const [, forVotes] = await gov.governor.read.proposalVotes([id]);
      assert.equal(forVotes, 0n);
    });
  });
});
