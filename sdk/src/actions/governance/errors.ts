/**
 * Errors of the governance actions. Each says what happened and what to do instead; the CLI
 * prints `shortMessage` as is. Raised either by a check before anything is sent (with the times
 * read from the chain) or by decoding the revert of the simulated call (docs/governance.md,
 * "Errors and what to tell the user").
 */
import { TesseraError } from "../../errors/base.ts";

/** Base class: every governance error is one of the subclasses below. */
export class GovernanceError extends TesseraError {
  override name = "GovernanceError";
}

/** No Governor / Timelock address for this chain. */
export class GovernanceNotDeployedError extends GovernanceError {
  override name = "GovernanceNotDeployedError";
  constructor(chainId: number) {
    super(
      `No TesseraGovernor/TesseraTimelock address for chain ${chainId}: redeploy with the governance contracts (deployments/<chainId>/addresses.json), or pass them in the client's addresses.`,
    );
  }
}

/** The proposer's delegated votes are below `proposalThreshold()`. */
export class ProposalThresholdError extends GovernanceError {
  override name = "ProposalThresholdError";
  readonly votes: bigint;
  readonly threshold: bigint;
  /** `undelegated`: tokens the proposer holds whose votes do not go to the proposer. */
  constructor(args: {
    proposer: string;
    votes: bigint;
    threshold: bigint;
    undelegated?: bigint;
    cause?: unknown;
  }) {
    const undelegated =
      args.undelegated !== undefined &&
      args.undelegated > 0n &&
      args.undelegated + args.votes >= args.threshold
        ? ` You hold ${formatTsr(args.undelegated)} TSR that are not counted until delegated: delegate them to yourself (\`tessera gov delegate\`), wait one block, and propose again.`
        : ` Ask token holders to delegate to ${args.proposer}, or ask a holder with enough votes to propose it.`;
    super(
      `Proposing needs ${formatTsr(args.threshold)} TSR of delegated votes; ${args.proposer} has ${formatTsr(args.votes)}.${undelegated}`,
      args.cause === undefined ? {} : { cause: args.cause },
    );
    this.votes = args.votes;
    this.threshold = args.threshold;
  }
}

/** A parameter change names an unknown field, changes nothing, or has a value of the wrong type. */
export class InvalidParameterChangeError extends GovernanceError {
  override name = "InvalidParameterChangeError";
}

/** A proposed value breaks a hard limit of ProtocolParams: `setParams` would always revert. */
export class ParameterOutOfRangeError extends GovernanceError {
  override name = "ParameterOutOfRangeError";
  readonly parameter: string;
  readonly value: bigint;
  readonly min: bigint;
  readonly max: bigint;
  constructor(args: {
    parameter: string;
    value: bigint;
    min: bigint;
    max: bigint;
    atExecution?: boolean;
    cause?: unknown;
  }) {
    super(
      args.atExecution
        ? `Executing fails: ${args.parameter} = ${args.value} is outside its hard limits ${args.min}..${args.max}, so this proposal can never be executed. Propose a value in ${args.min}..${args.max}.`
        : `${args.parameter} = ${args.value} is outside its hard limits ${args.min}..${args.max}; the change could never be executed. Propose a value in ${args.min}..${args.max}.`,
      args.cause === undefined ? {} : { cause: args.cause },
    );
    this.parameter = args.parameter;
    this.value = args.value;
    this.min = args.min;
    this.max = args.max;
  }
}

/** The treasury (the Timelock) does not hold what a spend proposal would transfer. */
export class TreasuryInsufficientError extends GovernanceError {
  override name = "TreasuryInsufficientError";
}

/** No ProposalCreated event for this id on this Governor. */
export class ProposalNotFoundError extends GovernanceError {
  override name = "ProposalNotFoundError";
  readonly proposalId: bigint;
  constructor(proposalId: bigint, cause?: unknown) {
    super(
      `No proposal ${proposalId} on this chain's Governor; list the proposals with \`tessera gov list\`.`,
      cause === undefined ? {} : { cause },
    );
    this.proposalId = proposalId;
  }
}

/** Support is not for / against / abstain. */
export class InvalidVoteError extends GovernanceError {
  override name = "InvalidVoteError";
  constructor(value: unknown) {
    super(`Vote "${String(value)}" is not valid: use for (1), against (0) or abstain (2).`);
  }
}

/** Voting has not opened yet (state Pending). */
export class VotingNotStartedError extends GovernanceError {
  override name = "VotingNotStartedError";
  readonly opensAt: bigint;
  constructor(args: { opensAt: bigint; now: bigint; cause?: unknown }) {
    super(
      `Voting has not started: it opens at ${formatWhen(args.opensAt, args.now)}. Vote after that.`,
      args.cause === undefined ? {} : { cause: args.cause },
    );
    this.opensAt = args.opensAt;
  }
}

/** Voting is over (state after Active). */
export class VotingClosedError extends GovernanceError {
  override name = "VotingClosedError";
  readonly closedAt: bigint;
  constructor(args: { closedAt: bigint; now: bigint; state: string; cause?: unknown }) {
    super(
      `Voting closed at ${formatWhen(args.closedAt, args.now)}; the proposal is ${args.state}. Votes can no longer be cast.`,
      args.cause === undefined ? {} : { cause: args.cause },
    );
    this.closedAt = args.closedAt;
  }
}

/** The account already voted on this proposal. */
export class AlreadyVotedError extends GovernanceError {
  override name = "AlreadyVotedError";
  constructor(args: { voter: string; proposalId: bigint; cause?: unknown }) {
    super(
      `${args.voter} has already voted on proposal ${args.proposalId}; votes are final and cannot be changed.`,
      args.cause === undefined ? {} : { cause: args.cause },
    );
  }
}

/** The voter had no delegated votes at the proposal's snapshot. */
export class NoVotingPowerError extends GovernanceError {
  override name = "NoVotingPowerError";
  constructor(args: { voter: string; snapshot: bigint; now: bigint }) {
    super(
      `${args.voter} had no delegated votes at the proposal's snapshot (${formatWhen(args.snapshot, args.now)}), so the vote would count 0. Votes count only if delegated before a proposal's snapshot: run \`tessera gov delegate\` now for the next proposals.`,
    );
  }
}

/** The proposal is not in the state the action needs (queue a defeated one, execute twice, …). */
export class ProposalStateError extends GovernanceError {
  override name = "ProposalStateError";
  readonly state: string;
  constructor(shortMessage: string, state: string, cause?: unknown) {
    super(shortMessage, cause === undefined ? {} : { cause });
    this.state = state;
  }
}

/** The proposal is queued but the timelock delay has not passed. */
export class TimelockNotReadyError extends GovernanceError {
  override name = "TimelockNotReadyError";
  readonly eta: bigint;
  constructor(args: { eta: bigint; now: bigint; cause?: unknown }) {
    super(
      `The timelock delay has not passed: the proposal can be executed at ${formatWhen(args.eta, args.now)}. Execute it after that.`,
      args.cause === undefined ? {} : { cause: args.cause },
    );
    this.eta = args.eta;
  }
}

/** Queued too long: after eta + grace period nothing can execute it. */
export class ProposalExpiredError extends GovernanceError {
  override name = "ProposalExpiredError";
  constructor(args: { expiredAt?: bigint; now?: bigint; cause?: unknown }) {
    super(
      `The proposal expired${args.expiredAt !== undefined && args.now !== undefined ? ` at ${formatWhen(args.expiredAt, args.now)}` : ""} without being executed; it can no longer run. Propose it again.`,
      args.cause === undefined ? {} : { cause: args.cause },
    );
  }
}

/** Token units (18 decimals) as a readable number: 1234.5 → "1,234.5". */
export function formatTsr(v: bigint): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const whole = (a / 10n ** 18n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const frac = (a % 10n ** 18n).toString().padStart(18, "0").replace(/0+$/, "").slice(0, 6);
  return `${neg ? "-" : ""}${whole}${frac ? `.${frac}` : ""}`;
}

/** A duration in seconds, rounded to its two largest units: 12 s, 5 min 3 s, 2 h 4 min, 3 d 1 h. */
export function formatDuration(seconds: bigint): string {
  let s = seconds < 0n ? -seconds : seconds;
  const units: [bigint, string][] = [
    [86_400n, "d"],
    [3_600n, "h"],
    [60n, "min"],
    [1n, "s"],
  ];
  const parts: string[] = [];
  for (const [size, name] of units) {
    if (s >= size || (size === 1n && parts.length === 0)) {
      parts.push(`${s / size} ${name}`);
      s %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(" ");
}

/** A unix time relative to the chain's `now`: "2026-11-24T17:00:12Z (in 12 s)" / "(5 min ago)". */
export function formatWhen(at: bigint, now: bigint): string {
  const iso = new Date(Number(at) * 1000).toISOString().replace(/\.000Z$/, "Z");
  if (at === now) return `${iso} (now)`;
  return at > now
    ? `${iso} (in ${formatDuration(at - now)})`
    : `${iso} (${formatDuration(now - at)} ago)`;
}
