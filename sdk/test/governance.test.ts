/**
 * Governance actions on a real in-process Hardhat (EDR) chain, the protocol deployed through the
 * real Ignition module (test/contracts/helpers/tessera.ts) with a 60 s voting delay, 300 s voting
 * period and 60 s timelock delay: delegate → propose a fee change → vote from several accounts →
 * queue → wait → execute → the parameter changed; a treasury spend; and every bad input with the
 * named error and the sentence that says what to do instead.
 */
import type {} from "@nomicfoundation/hardhat-toolbox-viem";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { encodeFunctionData, getAddress, parseEther, type Address } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTesseraClient, type TesseraClient } from "../src/client/createTesseraClient.ts";
import { marketplaceAbi, tesseraTokenAbi } from "../src/generated/abis.ts";
import {
  AlreadyVotedError,
  castVote,
  createProposal,
  delegate,
  executeProposal,
  formatDuration,
  formatTsr,
  formatWhen,
  getProposal,
  getVotingPower,
  InvalidParameterChangeError,
  InvalidVoteError,
  listProposals,
  mergeParams,
  NoVotingPowerError,
  parseVoteSupport,
  ParameterOutOfRangeError,
  ProposalExpiredError,
  ProposalNotFoundError,
  ProposalStateError,
  ProposalThresholdError,
  proposeParameterChange,
  proposeTreasurySpend,
  queueProposal,
  readMarketParams,
  TimelockNotReadyError,
  TreasuryInsufficientError,
  VotingClosedError,
  VotingNotStartedError,
  type MarketParams,
} from "../src/actions/governance/index.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const M = 1_000_000n * 10n ** 18n; // a million TSR

type Conn = Awaited<ReturnType<Awaited<typeof import("hardhat")>["network"]["create"]>>;

describe("governance actions (in-process Hardhat)", () => {
  let conn: Conn;
  let deployer: TesseraClient, alice: TesseraClient, bob: TesseraClient, carol: TesseraClient;
  let dave: TesseraClient, eve: TesseraClient; // dave 0.5M (below the 1M threshold), eve none
  let recipient: Address;
  let increase: (seconds: bigint | number) => Promise<void>;

  beforeAll(async () => {
    process.chdir(REPO);
    const hre = await import("hardhat");
    if (
      !existsSync(`${REPO}/artifacts/contracts/governance/TesseraGovernor.sol/TesseraGovernor.json`)
    )
      await hre.tasks.getTask("build").run({ quiet: true });
    conn = await hre.network.create();
    // The real Ignition module with the local parameters; voting opens after 60 s.
    const { deployTessera } = await import("../../test/contracts/helpers/tessera.ts");
    const t = await deployTessera(conn, { governance: { votingDelay: 60n } });
    const publicClient = await conn.viem.getPublicClient();
    const wallets = await conn.viem.getWalletClients();
    const addresses = {
      chainId: await publicClient.getChainId(),
      deployBlock: 0,
      TesseraToken: t.token.address,
      Marketplace: t.marketplace.address,
      FileIndex: t.fileIndex.address,
      TesseraGovernor: t.governor.address,
      TesseraTimelock: t.timelock.address,
    };
    const mk = (i: number) =>
      createTesseraClient({
        publicClient: publicClient as never,
        walletClient: wallets[i] as never,
        addresses,
      });
    [deployer, alice, bob, carol, dave, eve] = [0, 1, 2, 3, 4, 5].map(mk) as [
      TesseraClient,
      TesseraClient,
      TesseraClient,
      TesseraClient,
      TesseraClient,
      TesseraClient,
    ];
    recipient = getAddress(wallets[6]!.account.address);
    // alice 30M + carol 10M = 40M = the 4 % quorum; bob 15M.
    for (const [c, amount] of [
      [alice, 30n * M],
      [bob, 15n * M],
      [carol, 10n * M],
      [dave, M / 2n],
    ] as const)
      await wallets[0]!.writeContract({
        address: t.token.address,
        abi: tesseraTokenAbi,
        functionName: "transfer",
        args: [c.walletClient!.account.address, amount],
        chain: null,
      });
    increase = async (s) => {
      await conn.networkHelpers.time.increase(s);
    };
  }, 120_000);

  afterAll(async () => {
    await conn?.close?.();
  });

  let feeProposal: bigint;

  it("refuses to propose without delegated votes, and says to delegate", async () => {
    const err = await proposeParameterChange(alice, { changes: { protocolFeeBps: 250 } }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(ProposalThresholdError);
    expect(err.shortMessage).toMatch(
      /Proposing needs 1,000,000 TSR of delegated votes; 0x[0-9a-fA-F]{40} has 0\./,
    );
    expect(err.shortMessage).toMatch(/delegate them to yourself \(`tessera gov delegate`\)/);
  });

  it("delegates, and reports voting power", async () => {
    for (const c of [alice, bob, carol, dave]) {
      const r = await delegate(c);
      expect(r.delegatee).toBe(getAddress(c.walletClient!.account.address));
      expect(r.votes).toBe(r.balance);
    }
    await conn.networkHelpers.mine();
    const power = await getVotingPower(alice);
    expect(power).toMatchObject({
      votes: 30n * M,
      canPropose: true,
      proposalThreshold: M,
      quorum: 40n * M,
    });
    expect(power.delegatee).toBe(power.account);
    expect((await getVotingPower(dave)).canPropose).toBe(false);
  });

  it("refuses bad proposals before sending anything", async () => {
    const low = await proposeParameterChange(dave, { changes: { protocolFeeBps: 250 } }).catch(
      (e) => e,
    );
    expect(low).toBeInstanceOf(ProposalThresholdError);
    expect(low.shortMessage).toMatch(/has 500,000\. Ask token holders to delegate/);

    const out = await proposeParameterChange(alice, { changes: { protocolFeeBps: 5000 } }).catch(
      (e) => e,
    );
    expect(out).toBeInstanceOf(ParameterOutOfRangeError);
    expect(out.shortMessage).toBe(
      "protocolFeeBps = 5000 is outside its hard limits 0..1000; the change could never be executed. Propose a value in 0..1000.",
    );
    const slash = await proposeParameterChange(alice, { changes: { slashBps: 9000 } }).catch(
      (e) => e,
    );
    expect(slash.shortMessage).toMatch(/slashBps = 9000 is outside its hard limits 0\.\.5000/);

    const unknown = await proposeParameterChange(alice, { changes: { feeBps: 1 } as never }).catch(
      (e) => e,
    );
    expect(unknown).toBeInstanceOf(InvalidParameterChangeError);
    expect(unknown.shortMessage).toMatch(
      /Unknown parameter "feeBps": the Marketplace parameters are protocolFeeBps, slashBps/,
    );
    const same = await proposeParameterChange(alice, { changes: { protocolFeeBps: 100 } }).catch(
      (e) => e,
    );
    expect(same.shortMessage).toMatch(/Nothing would change/);
    const neg = await proposeParameterChange(alice, { changes: { maxMisses: "-1" } }).catch(
      (e) => e,
    );
    expect(neg).toBeInstanceOf(InvalidParameterChangeError);

    const spend = await proposeTreasurySpend(alice, {
      to: recipient,
      amount: parseEther("1"),
    }).catch((e) => e);
    expect(spend).toBeInstanceOf(TreasuryInsufficientError);
    expect(spend.shortMessage).toMatch(
      /^The treasury \(the Timelock 0x[0-9a-fA-F]{40}\) is empty, so it cannot pay 1 TSR\. Propose a spend once/,
    );
    expect(await listProposals(alice)).toEqual([]);
  });

  it("proposes a fee change with a readable description (dry run first)", async () => {
    const dry = await proposeParameterChange(alice, {
      changes: { protocolFeeBps: 250 },
      description: "Fund audits.",
      dryRun: true,
    });
    expect(dry.proposalId).toBeUndefined();
    expect(dry.changes).toEqual(["protocolFeeBps: 100 (1 %) → 250 (2.5 %)"]);

    const r = await proposeParameterChange(alice, {
      changes: { protocolFeeBps: 250 },
      description: "Fund audits.",
    });
    feeProposal = r.proposalId!;
    expect(r.description).toMatch(
      /^# Change protocol parameters: protocolFeeBps: 100 → 250\n\nFund audits\.\n\n## Changes\n- protocolFeeBps: 100 \(1 %\) → 250 \(2\.5 %\)\n/,
    );
    expect(r.voteEnd! - r.voteStart!).toBe(300n);

    const again = await proposeParameterChange(alice, {
      changes: { protocolFeeBps: 250 },
      description: "Fund audits.",
    }).catch((e) => e);
    expect(again).toBeInstanceOf(ProposalStateError);
    expect(again.shortMessage).toMatch(
      /identical proposal .* already exists: \d+, pending\. Change the description/,
    );

    const p = await getProposal(bob, { proposalId: feeProposal.toString() });
    expect(p).toMatchObject({
      state: "pending",
      title: "Change protocol parameters: protocolFeeBps: 100 → 250",
      proposer: getAddress(alice.walletClient!.account.address),
      hasVoted: false,
      quorum: undefined,
      eta: undefined,
    });
    expect(p.actions.map((a) => a.summary)).toEqual([
      "Marketplace.setParams(protocolFeeBps: 100 (1 %) → 250 (2.5 %))",
    ]);
  });

  it("refuses a vote before voting starts, with the opening time", async () => {
    const err = await castVote(bob, { proposalId: feeProposal, support: "for" }).catch((e) => e);
    expect(err).toBeInstanceOf(VotingNotStartedError);
    expect(err.shortMessage).toMatch(
      /^Voting has not started: it opens at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(in (1 min 1 s|1 min|5\d s)\)\. Vote after that\.$/,
    );
    const queueEarly = await queueProposal(alice, { proposalId: feeProposal }).catch((e) => e);
    expect(queueEarly).toBeInstanceOf(ProposalStateError);
    expect(queueEarly.shortMessage).toMatch(/^Voting has not started yet/);
  });

  it("votes for / against / abstain from several accounts; a second vote and no-power votes are refused", async () => {
    await increase(61);
    const a = await castVote(alice, {
      proposalId: feeProposal,
      support: "for",
      reason: "audits matter",
    });
    expect(a).toMatchObject({ support: "for", weight: 30n * M, reason: "audits matter" });
    await castVote(bob, { proposalId: feeProposal, support: 0 });
    await castVote(carol, { proposalId: feeProposal, support: "abstain" });

    const twice = await castVote(bob, { proposalId: feeProposal, support: "for" }).catch((e) => e);
    expect(twice).toBeInstanceOf(AlreadyVotedError);
    expect(twice.shortMessage).toMatch(/has already voted on proposal \d+; votes are final/);
    const none = await castVote(eve, { proposalId: feeProposal, support: "for" }).catch((e) => e);
    expect(none).toBeInstanceOf(NoVotingPowerError);
    expect(none.shortMessage).toMatch(
      /had no delegated votes at the proposal's snapshot .*run `tessera gov delegate`/,
    );
    const bad = await castVote(dave, { proposalId: feeProposal, support: "maybe" }).catch((e) => e);
    expect(bad).toBeInstanceOf(InvalidVoteError);
    const missing = await castVote(dave, { proposalId: 12345n, support: "for" }).catch((e) => e);
    expect(missing).toBeInstanceOf(ProposalNotFoundError);

    const p = await getProposal(alice, { proposalId: feeProposal });
    expect(p).toMatchObject({
      state: "active",
      votes: { for: 30n * M, against: 15n * M, abstain: 10n * M },
      quorum: 40n * M,
      hasVoted: true,
    });
    const early = await queueProposal(alice, { proposalId: feeProposal }).catch((e) => e);
    expect(early).toBeInstanceOf(ProposalStateError);
    expect(early.shortMessage).toMatch(
      /^Voting is still open until .* \(in \d+ min \d+ s\); queue the proposal after it closes/,
    );
  });

  it("refuses a vote after voting ended, then queues, refuses an early execute, executes after the delay", async () => {
    await increase(301);
    const late = await castVote(dave, { proposalId: feeProposal, support: "for" }).catch((e) => e);
    expect(late).toBeInstanceOf(VotingClosedError);
    expect(late.shortMessage).toMatch(
      /^Voting closed at .* \(\d+ s ago\); the proposal is succeeded\. Votes can no longer be cast\.$/,
    );

    const notQueued = await executeProposal(alice, { proposalId: feeProposal }).catch((e) => e);
    expect(notQueued.shortMessage).toMatch(/passed but is not queued yet: queue it first/);

    const q = await queueProposal(dave, { proposalId: feeProposal }); // anyone may queue
    const early = await executeProposal(dave, { proposalId: feeProposal }).catch((e) => e);
    expect(early).toBeInstanceOf(TimelockNotReadyError);
    expect(early.shortMessage).toMatch(
      /^The timelock delay has not passed: the proposal can be executed at .*Z \(in (1 min|5\d s)\)\. Execute it after that\.$/,
    );
    expect(early.eta).toBe(q.eta);
    expect((await readMarketParams(alice)).protocolFeeBps).toBe(100);

    await increase(61);
    await executeProposal(eve, { proposalId: feeProposal });
    expect((await readMarketParams(alice)).protocolFeeBps).toBe(250);
    const twice = await executeProposal(eve, { proposalId: feeProposal }).catch((e) => e);
    expect(twice.shortMessage).toMatch(/already executed/);
  });

  it("pays exactly the amount of a treasury spend; a defeated proposal cannot be queued", async () => {
    const timelock = deployer.addresses.TesseraTimelock!;
    await deployer.walletClient!.writeContract({
      address: deployer.addresses.TesseraToken,
      abi: tesseraTokenAbi,
      functionName: "transfer",
      args: [timelock, parseEther("1000")],
      chain: null,
    });
    const spend = await proposeTreasurySpend(bob, {
      to: recipient,
      amount: parseEther("123.5"),
      description: "Grant.",
    });
    expect(spend.description).toMatch(/^# Pay 123\.5 TSR from the treasury to 0x/);
    const doomed = await proposeParameterChange(bob, { changes: { slashBps: 1000 } });
    // Bypassing proposeParameterChange's check: an out-of-range setParams can pass the vote but
    // never execute; the revert bubbled up through the Timelock is decoded.
    const current = await readMarketParams(bob);
    const raw = await createProposal(bob, {
      targets: [bob.addresses.Marketplace],
      values: [0n],
      calldatas: [
        encodeFunctionData({
          abi: marketplaceAbi,
          functionName: "setParams",
          args: [{ ...current, protocolFeeBps: 5000 }],
        }),
      ],
      description: "# Raw fee change",
    });
    await increase(61);
    await castVote(alice, { proposalId: spend.proposalId, support: "for" });
    await castVote(carol, { proposalId: spend.proposalId, support: "for" });
    await castVote(alice, { proposalId: doomed.proposalId!, support: "against" });
    await castVote(bob, { proposalId: doomed.proposalId!, support: "for" });
    await castVote(alice, { proposalId: raw.proposalId, support: "for" });
    await castVote(carol, { proposalId: raw.proposalId, support: "for" });
    await increase(301);

    const defeated = await queueProposal(bob, { proposalId: doomed.proposalId! }).catch((e) => e);
    expect(defeated).toBeInstanceOf(ProposalStateError);
    expect(defeated.shortMessage).toMatch(
      /^The proposal was defeated \(for 15,000,000 ≤ against 30,000,000 TSR\); it cannot be queued\. Propose again\.$/,
    );

    // listProposals pages the log scan (2 blocks per request here) and keeps every proposal.
    const listed = await listProposals(carol, { blockRange: 2n });
    expect(listed.map((p) => p.state)).toEqual(["executed", "succeeded", "defeated", "succeeded"]);
    expect(listed[1]!.actions.map((a) => a.summary)).toEqual([
      `TesseraToken.transfer(${recipient}, 123.5 TSR)`,
    ]);
    expect((await listProposals(carol, { states: ["defeated"] })).map((p) => p.id)).toEqual([
      doomed.proposalId,
    ]);

    await queueProposal(bob, { proposal: listed[1]! });
    await queueProposal(bob, { proposalId: raw.proposalId });
    await increase(61);
    const before = await deployer.publicClient.readContract({
      address: deployer.addresses.TesseraToken,
      abi: tesseraTokenAbi,
      functionName: "balanceOf",
      args: [recipient],
    });
    await executeProposal(bob, { proposal: listed[1]! });
    const never = await executeProposal(bob, { proposalId: raw.proposalId }).catch((e) => e);
    expect(never).toBeInstanceOf(ParameterOutOfRangeError);
    expect(never.shortMessage).toBe(
      "Executing fails: protocolFeeBps = 5000 is outside its hard limits 0..1000, so this proposal can never be executed. Propose a value in 0..1000.",
    );
    const after = await deployer.publicClient.readContract({
      address: deployer.addresses.TesseraToken,
      abi: tesseraTokenAbi,
      functionName: "balanceOf",
      args: [recipient],
    });
    expect(after - before).toBe(parseEther("123.5"));
    expect((await getVotingPower(bob)).treasury).toBe(parseEther("1000") - parseEther("123.5"));
    const tooMuch = await proposeTreasurySpend(bob, {
      to: recipient,
      amount: parseEther("1000"),
    }).catch((e) => e);
    expect(tooMuch).toBeInstanceOf(TreasuryInsufficientError);
    expect(tooMuch.shortMessage).toBe(
      "The treasury holds 876.5 TSR (plus 0 TSR of fees in the marketplace); it cannot pay 1,000 TSR. Propose at most 876.5 TSR.",
    );

    // Left queued past eta + the grace period (1 h), the raw proposal expires for good.
    await increase(3601);
    const expired = await executeProposal(bob, { proposalId: raw.proposalId }).catch((e) => e);
    expect(expired).toBeInstanceOf(ProposalExpiredError);
    expect(expired.shortMessage).toMatch(
      /^The proposal expired at \S+Z \((\d+ min )?\d+ s ago\) without being executed; it can no longer run\. Propose it again\.$/,
    );
    expect((await getProposal(bob, { proposalId: raw.proposalId })).state).toBe("expired");
  });
});

describe("governance formatting and input parsing", () => {
  it("formats durations, times relative to the chain clock and token amounts", () => {
    expect(formatDuration(0n)).toBe("0 s");
    expect(formatDuration(61n)).toBe("1 min 1 s");
    expect(formatDuration(3_600n)).toBe("1 h");
    expect(formatDuration(90_061n)).toBe("1 d 1 h");
    expect(formatWhen(1_000n, 988n)).toBe("1970-01-01T00:16:40Z (in 12 s)");
    expect(formatWhen(1_000n, 1_300n)).toBe("1970-01-01T00:16:40Z (5 min ago)");
    expect(formatTsr(1_234_567n * 10n ** 17n)).toBe("123,456.7");
  });

  it("parses votes and merges parameter changes", () => {
    expect(parseVoteSupport("For")).toEqual({ support: 1, name: "for" });
    expect(parseVoteSupport(0)).toEqual({ support: 0, name: "against" });
    expect(parseVoteSupport("abstain")).toEqual({ support: 2, name: "abstain" });
    expect(() => parseVoteSupport("3")).toThrow(InvalidVoteError);
    const current = { protocolFeeBps: 100, minStake: 10n ** 20n } as unknown as MarketParams;
    expect(mergeParams(current, { protocolFeeBps: "250", minStake: 5n })).toEqual({
      protocolFeeBps: 250,
      minStake: 5n,
    });
    expect(() => mergeParams(current, { protocolFeeBps: "2.5" })).toThrow(/is not a whole number/);
    expect(() => mergeParams(current, {})).toThrow(/No parameter to change/);
  });
});
