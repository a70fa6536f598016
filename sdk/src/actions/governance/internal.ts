/**
 * Shared by the governance actions: the Governor/Timelock addresses, the chain clock, the paged
 * scan of `ProposalCreated`, readable proposal calls, and the mapping of Governor / Timelock /
 * ProtocolParams reverts onto the errors of errors.ts.
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  decodeFunctionData,
  getAddress,
  type Abi,
  type Address,
  type Hash,
  type Hex,
} from "viem";
import {
  fileIndexAbi,
  marketplaceAbi,
  tesseraGovernorAbi,
  tesseraTimelockAbi,
  tesseraTokenAbi,
} from "../../generated/abis.ts";
import type { TesseraClient } from "../../client/createTesseraClient.ts";
import type { TesseraError } from "../../errors/base.ts";
import { decodeChainError } from "../internal/decodeError.ts";
import { readOrThrow } from "../internal/write.ts";
import {
  AlreadyVotedError,
  formatTsr,
  GovernanceError,
  GovernanceNotDeployedError,
  InvalidVoteError,
  ParameterOutOfRangeError,
  ProposalExpiredError,
  ProposalNotFoundError,
  ProposalStateError,
  ProposalThresholdError,
  TimelockNotReadyError,
  formatWhen,
} from "./errors.ts";
import {
  PROPOSAL_STATES,
  type MarketParams,
  type ProposalAction,
  type ProposalStateName,
} from "./types.ts";

export function governanceAddresses(client: TesseraClient): {
  governor: Address;
  timelock: Address;
} {
  const { TesseraGovernor: governor, TesseraTimelock: timelock } = client.addresses;
  if (!governor || !timelock) throw new GovernanceNotDeployedError(client.chainId);
  return { governor, timelock };
}

/** The Governor's clock (ERC-6372, the block timestamp) as seen by calls now. */
export function readClock(client: TesseraClient): Promise<bigint> {
  const { governor } = governanceAddresses(client);
  return readOrThrow("clock", () =>
    client.publicClient.readContract({
      address: governor,
      abi: tesseraGovernorAbi,
      functionName: "clock",
    }),
  ).then(BigInt);
}

export function readGovernor<const F extends string>(
  client: TesseraClient,
  functionName: F,
  args: readonly unknown[] = [],
): Promise<unknown> {
  const { governor } = governanceAddresses(client);
  return readOrThrow(functionName, () =>
    client.publicClient.readContract({
      address: governor,
      abi: tesseraGovernorAbi,
      functionName: functionName as never,
      args: args as never,
    }),
  );
}

export type ProposalCreatedLog = {
  id: bigint;
  proposer: Address;
  targets: readonly Address[];
  values: readonly bigint[];
  calldatas: readonly Hex[];
  voteStart: bigint;
  voteEnd: bigint;
  description: string;
  blockNumber: bigint;
  transactionHash: Hash;
};

/** Default block range of one `eth_getLogs` call (many RPC providers cap it near 10,000). */
export const DEFAULT_LOG_BLOCK_RANGE = 10_000n;

/**
 * `ProposalCreated` logs from `fromBlock` (default: the deployment block) to `toBlock` (default:
 * latest), `blockRange` blocks per request; `visit` may return true to stop early.
 */
export async function scanProposalsCreated(
  client: TesseraClient,
  options: {
    fromBlock?: bigint;
    toBlock?: bigint;
    blockRange?: bigint;
    visit: (log: ProposalCreatedLog) => boolean | void;
  },
): Promise<void> {
  const { governor } = governanceAddresses(client);
  const from = options.fromBlock ?? BigInt(client.addresses.deployBlock ?? 0);
  const to =
    options.toBlock ??
    (await readOrThrow("getBlockNumber", () => client.publicClient.getBlockNumber()));
  const range = options.blockRange ?? DEFAULT_LOG_BLOCK_RANGE;
  if (range < 1n) throw new RangeError("blockRange must be at least 1");
  for (let start = from; start <= to; start += range) {
    const end = start + range - 1n < to ? start + range - 1n : to;
    const logs = await readOrThrow("getLogs(ProposalCreated)", () =>
      client.publicClient.getContractEvents({
        address: governor,
        abi: tesseraGovernorAbi,
        eventName: "ProposalCreated",
        fromBlock: start,
        toBlock: end,
        strict: true,
      }),
    );
    for (const log of logs) {
      const a = log.args;
      const stop = options.visit({
        id: a.proposalId,
        proposer: getAddress(a.proposer),
        targets: a.targets.map((t) => getAddress(t)),
        values: a.values,
        calldatas: a.calldatas,
        voteStart: a.voteStart,
        voteEnd: a.voteEnd,
        description: a.description,
        blockNumber: log.blockNumber,
        transactionHash: log.transactionHash,
      });
      if (stop === true) return;
    }
  }
}

/** Human names of Tessera's own addresses (for readable proposal calls). */
function contractsByAddress(client: TesseraClient): Map<string, { name: string; abi: Abi }> {
  const a = client.addresses;
  const m = new Map<string, { name: string; abi: Abi }>();
  const add = (addr: Address | undefined, name: string, abi: Abi) => {
    if (addr) m.set(addr.toLowerCase(), { name, abi });
  };
  add(a.Marketplace, "Marketplace", marketplaceAbi as Abi);
  add(a.TesseraToken, "TesseraToken", tesseraTokenAbi as Abi);
  add(a.TesseraGovernor, "TesseraGovernor", tesseraGovernorAbi as Abi);
  add(a.TesseraTimelock, "TesseraTimelock", tesseraTimelockAbi as Abi);
  add(a.FileIndex, "FileIndex", fileIndexAbi as Abi);
  return m;
}

const TOKEN_PARAMS = new Set<string>(["targetedBond", "minStake"]);
const BPS_PARAMS = new Set<string>([
  "protocolFeeBps",
  "slashBps",
  "reporterRewardBps",
  "repairBountyBps",
]);

/** One parameter value with its unit: `250 (2.5 %)`, `100 TSR`, `604800 (7 d)`. */
export function formatParam(name: string, value: bigint | number): string {
  const v = BigInt(value);
  if (BPS_PARAMS.has(name)) return `${v} (${Number(v) / 100} %)`;
  if (TOKEN_PARAMS.has(name)) return `${formatTsr(v)} TSR`;
  return `${v}`;
}

/** `protocolFeeBps: 100 (1 %) → 250 (2.5 %)` lines for the fields that differ. */
export function diffParams(before: MarketParams, after: MarketParams): string[] {
  const lines: string[] = [];
  for (const key of Object.keys(after) as (keyof MarketParams)[]) {
    if (BigInt(before[key]) !== BigInt(after[key]))
      lines.push(`${key}: ${formatParam(key, before[key])} → ${formatParam(key, after[key])}`);
  }
  return lines;
}

/** Readable form of each call; `currentParams` turns `setParams` into a diff. */
export function describeActions(
  client: TesseraClient,
  p: { targets: readonly Address[]; values: readonly bigint[]; calldatas: readonly Hex[] },
  currentParams?: MarketParams,
): ProposalAction[] {
  const known = contractsByAddress(client);
  return p.targets.map((target, i) => {
    const value = p.values[i] ?? 0n;
    const calldata = p.calldatas[i] ?? "0x";
    const contract = known.get(target.toLowerCase());
    let summary = `call ${target} with ${calldata.length > 2 ? `${(calldata.length - 2) / 2} bytes` : "no data"}`;
    if (contract && calldata.length >= 10) {
      try {
        const d = decodeFunctionData({ abi: contract.abi, data: calldata });
        const args = (d.args ?? []) as readonly unknown[];
        if (d.functionName === "setParams" && currentParams) {
          const diff = diffParams(currentParams, args[0] as MarketParams);
          summary = `${contract.name}.setParams(${diff.length ? diff.join(", ") : "the parameters now in effect"})`;
        } else if (contract.name === "TesseraToken" && d.functionName === "transfer") {
          summary = `TesseraToken.transfer(${String(args[0])}, ${formatTsr(args[1] as bigint)} TSR)`;
        } else {
          summary = `${contract.name}.${d.functionName}(${args.map(showArg).join(", ")})`;
        }
      } catch {
        /* not a function of that contract: keep the raw summary */
      }
    }
    if (value > 0n) summary += ` sending ${formatTsr(value)} ETH`;
    return { target, value, calldata, summary };
  });
}

function showArg(v: unknown): string {
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "object" && v !== null)
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));
  return String(v);
}

/** Errors of every contract a governance call can revert with (the Timelock bubbles up targets'). */
const governanceErrorsAbi = [
  ...tesseraGovernorAbi,
  ...tesseraTimelockAbi,
  ...marketplaceAbi,
  ...tesseraTokenAbi,
].filter((e) => e.type === "error") as Abi;

/** The decoded custom error of a reverted call (Governor, Timelock, or a bubbled target error). */
export function revertOf(error: unknown): { name: string; args: readonly unknown[] } | undefined {
  if (!(error instanceof BaseError)) {
    const cause = (error as { cause?: unknown } | null)?.cause;
    return cause ? revertOf(cause) : undefined;
  }
  const reverted = error.walk(
    (e) => e instanceof ContractFunctionRevertedError,
  ) as ContractFunctionRevertedError | null;
  if (!reverted) return undefined;
  const name = reverted.data?.errorName;
  if (name && name !== "Error") return { name, args: reverted.data?.args ?? [] };
  const raw = reverted.raw;
  if (raw && raw !== "0x") {
    try {
      const d = decodeErrorResult({ abi: governanceErrorsAbi, data: raw });
      return { name: d.errorName, args: d.args ?? [] };
    } catch {
      /* unknown selector */
    }
  }
  return undefined;
}

/**
 * A governance revert as one of our errors: the ones whose meaning does not depend on the
 * proposal's times are mapped here; for the others the action re-reads the proposal (see
 * callers). Anything else goes through the sdk's generic decoder.
 */
export function governanceError(
  error: unknown,
  functionName: string,
  context: { proposalId?: bigint; atExecution?: boolean } = {},
): TesseraError {
  const r = revertOf(error);
  if (r) {
    const a = r.args;
    switch (r.name) {
      case "GovernorInsufficientProposerVotes":
        return new ProposalThresholdError({
          proposer: String(a[0]),
          votes: a[1] as bigint,
          threshold: a[2] as bigint,
          cause: error,
        });
      case "GovernorAlreadyCastVote":
        return new AlreadyVotedError({
          voter: String(a[0]),
          proposalId: context.proposalId ?? 0n,
          cause: error,
        });
      case "GovernorNonexistentProposal":
        return new ProposalNotFoundError(a[0] as bigint, error);
      case "GovernorInvalidVoteType":
        return new InvalidVoteError("(refused by the Governor)");
      case "ProtocolParams__OutOfRange":
        return new ParameterOutOfRangeError({
          parameter: String(a[0]),
          value: a[1] as bigint,
          min: a[2] as bigint,
          max: a[3] as bigint,
          ...(context.atExecution ? { atExecution: true } : {}),
          cause: error,
        });
      case "TesseraTimelock__OperationExpired":
        return new ProposalExpiredError({ cause: error });
      case "GovernorUnexpectedProposalState":
        return new ProposalStateError(
          `Proposal ${String(a[0])} is ${["pending", "active", "canceled", "defeated", "succeeded", "queued", "expired", "executed"][Number(a[1])] ?? `in state ${String(a[1])}`}, which does not allow ${functionName}; list it with \`tessera gov list\` to see what it needs.`,
          String(a[1]),
          error,
        );
      case "GovernorOnlyExecutor":
      case "OwnableUnauthorizedAccount":
        return new ProposalStateError(
          `Only governance may do this (${r.name}): make it a proposal.`,
          "unauthorized",
          error,
        );
    }
  }
  return decodeChainError(error, functionName);
}

/** `"123"`, `"0x7b"` or a bigint → bigint proposal id. */
export function toProposalId(id: bigint | string | number): bigint {
  if (typeof id === "bigint") return id;
  try {
    const v = BigInt(typeof id === "string" ? id.trim() : id);
    if (v < 0n) throw new Error();
    return v;
  } catch {
    throw new GovernanceError(
      `Proposal id "${String(id)}" is not a number; copy it from \`tessera gov list\`.`,
    );
  }
}

/** Where a proposal stands now: state, times, tallies (one consistent set of reads). */
export type ProposalStatus = {
  id: bigint;
  now: bigint;
  state: ProposalStateName;
  snapshot: bigint;
  deadline: bigint;
  eta: bigint;
  expiry: bigint;
  votes: { against: bigint; for: bigint; abstain: bigint };
};

export async function readProposalStatus(
  client: TesseraClient,
  id: bigint,
): Promise<ProposalStatus> {
  try {
    const [now, state, snapshot, deadline, eta, expiry, votes] = (await Promise.all([
      readGovernor(client, "clock"),
      readGovernor(client, "state", [id]),
      readGovernor(client, "proposalSnapshot", [id]),
      readGovernor(client, "proposalDeadline", [id]),
      readGovernor(client, "proposalEta", [id]),
      readGovernor(client, "proposalExpiry", [id]),
      readGovernor(client, "proposalVotes", [id]),
    ])) as [
      number | bigint,
      number,
      bigint,
      bigint,
      bigint,
      bigint,
      readonly [bigint, bigint, bigint],
    ];
    return {
      id,
      now: BigInt(now),
      state: PROPOSAL_STATES[state] ?? "pending",
      snapshot,
      deadline,
      eta,
      expiry,
      votes: { against: votes[0], for: votes[1], abstain: votes[2] },
    };
  } catch (e) {
    throw governanceError(e, "state", { proposalId: id });
  }
}

/**
 * Why a proposal in `status` cannot be queued / executed, as the error to throw; undefined if it
 * can. Times are the chain's.
 */
export async function queueOrExecuteBlocker(
  client: TesseraClient,
  status: ProposalStatus,
  action: "queue" | "execute",
): Promise<TesseraError | undefined> {
  const { id, now, state } = status;
  const cmd = (verb: string) => `\`tessera gov ${verb} ${id}\``;
  switch (state) {
    case "pending":
      return new ProposalStateError(
        `Voting has not started yet (it opens at ${formatWhen(status.snapshot + 1n, now)} and closes at ${formatWhen(status.deadline, now)}); a proposal can be ${action === "queue" ? "queued" : "executed"} only after it passes.`,
        state,
      );
    case "active":
      return new ProposalStateError(
        `Voting is still open until ${formatWhen(status.deadline, now)}; ${action} the proposal after it closes, if it passes.`,
        state,
      );
    case "canceled":
      return new ProposalStateError(
        `The proposal was canceled; it cannot be ${action === "queue" ? "queued" : "executed"}. Propose again.`,
        state,
      );
    case "defeated": {
      const v = status.votes;
      const quorum = (await readGovernor(client, "quorum", [status.snapshot])) as bigint;
      const why =
        v.for <= v.against
          ? `for ${formatTsr(v.for)} ≤ against ${formatTsr(v.against)}`
          : `quorum not reached: for + abstain = ${formatTsr(v.for + v.abstain)} < ${formatTsr(quorum)}`;
      return new ProposalStateError(
        `The proposal was defeated (${why} TSR); it cannot be ${action === "queue" ? "queued" : "executed"}. Propose again.`,
        state,
      );
    }
    case "succeeded":
      return action === "queue"
        ? undefined
        : new ProposalStateError(
            `The proposal passed but is not queued yet: queue it first (${cmd("queue")}), then execute it after the timelock delay.`,
            state,
          );
    case "queued":
      if (action === "queue")
        return new ProposalStateError(
          `The proposal is already queued; execute it from ${formatWhen(status.eta, now)} (${cmd("execute")}).`,
          state,
        );
      return now < status.eta ? new TimelockNotReadyError({ eta: status.eta, now }) : undefined;
    case "expired":
      return new ProposalExpiredError({ expiredAt: status.expiry, now });
    case "executed":
      return new ProposalStateError(
        `The proposal was already executed; there is nothing left to do.`,
        state,
      );
  }
}
