/** Governance actions (docs/governance.md): delegate, propose, vote, queue, execute, list. */
export * from "./castVote.ts";
export * from "./createProposal.ts";
export * from "./delegate.ts";
export * from "./errors.ts";
export * from "./executeProposal.ts";
export * from "./getProposal.ts";
export * from "./getVotingPower.ts";
export * from "./listProposals.ts";
export * from "./proposeParameterChange.ts";
export * from "./proposeTreasurySpend.ts";
export * from "./queueProposal.ts";
export * from "./types.ts";
export {
  DEFAULT_LOG_BLOCK_RANGE,
  describeActions,
  diffParams,
  formatParam,
  scanProposalsCreated,
  type ProposalCreatedLog,
} from "./internal.ts";
