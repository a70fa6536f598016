/**
 * Deployment defaults shared by the Ignition modules, the deploy script and the tests.
 *
 * Public chains use the module defaults below; the local chain (31337) uses the short values of
 * ignition/parameters/local.json (mirrored in LOCAL_PARAMETERS). Durations are seconds, except
 * `periodBlocks` (blocks).
 */

const TOKEN = 10n ** 18n;
/** TesseraToken.TOTAL_SUPPLY (fixed in the contract). */
export const TOTAL_SUPPLY = 1_000_000_000n * TOKEN;

export const GOVERNANCE_DEFAULTS = {
  /** Seconds between proposing and the vote snapshot/start: time to delegate and read. */
  votingDelay: 86_400n, // 1 day
  /** Seconds the vote is open. */
  votingPeriod: 604_800n, // 1 week
  /** Votes needed to propose: 0.1 % of the supply. */
  proposalThreshold: TOTAL_SUPPLY / 1000n, // 1,000,000 TSR
  /** Quorum: 4 % of the supply at the snapshot (for + abstain votes count). */
  quorumPercent: 4n,
  /** Seconds between queueing and execution: time to exit before a change applies. */
  timelockDelay: 172_800n, // 2 days
  /** Seconds a ready operation stays executable before it expires. */
  gracePeriod: 1_209_600n, // 14 days
} as const;

/** Marketplace defaults (docs/contracts-api.md). Period length is immutable per deployment. */
export const MARKETPLACE_DEFAULTS = {
  /** Blocks per period: 43,200 × 2 s = 1 day on OP-stack chains (one aggregated proof a day). */
  periodBlocks: 43_200n,
  params: {
    protocolFeeBps: 100n,
    slashBps: 500n,
    reporterRewardBps: 5000n,
    repairBountyBps: 5000n,
    maxMisses: 3n,
    challengesPerPeriod: 8n,
    missGracePeriods: 16n,
    challengeWindowBlocks: 100n,
    unbondingDelay: 604_800n,
    maxShardSize: 268_435_456n,
    maxDurationPeriods: 3650n,
    targetedBond: 10n ** 17n,
    minStake: 10n ** 20n,
  },
} as const;

/** Ignition parameters for the local chain (same content as ignition/parameters/local.json). */
export const LOCAL_PARAMETERS = {
  TesseraGovernance: {
    votingDelay: 1n,
    votingPeriod: 300n,
    timelockDelay: 60n,
    gracePeriod: 3600n,
  },
  TesseraMarketplace: {
    periodBlocks: 20n,
  },
} as const;
