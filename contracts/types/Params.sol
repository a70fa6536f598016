// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @notice Every governance-settable protocol parameter, in one struct (docs/protocol.md §6).
/// @dev Hard limits are enforced by {ProtocolParams}; see `contracts/market/ProtocolParams.sol`.
struct Params {
    /// Protocol fee on every provider payout, in basis points (≤ 1000).
    uint16 protocolFeeBps;
    /// Slash per missed period (of stake) or failed targeted challenge (of slot collateral), bps (≤ 5000).
    uint16 slashBps;
    /// Share of a slash paid to the caller that reported it, bps (≤ 10000); the rest goes to the treasury.
    uint16 reporterRewardBps;
    /// Share of a freed slot's remaining collateral kept as bounty for the repairer, bps (≤ 10000).
    uint16 repairBountyBps;
    /// Misses (consecutive periods, or failed targeted challenges on a slot) before a slot may be freed (1..32).
    uint8 maxMisses;
    /// Aggregated challenges per provider per period, c (1..128).
    uint16 challengesPerPeriod;
    /// Periods after a period closed during which a missing proof may be reported (1..1024).
    uint32 missGracePeriods;
    /// Blocks a provider has to answer a targeted challenge (1..1_000_000).
    uint32 challengeWindowBlocks;
    /// Seconds between requestUnstake and withdrawStake (≤ 365 days).
    uint64 unbondingDelay;
    /// Largest shard a request may ask for, in bytes (64..2^30).
    uint64 maxShardSize;
    /// Longest deal, in periods (1..65536).
    uint32 maxDurationPeriods;
    /// Tokens a targeted challenger posts (≥ 1); paid to the provider when it answers.
    uint128 targetedBond;
    /// Minimum stake to register and to fill slots (≥ 1).
    uint128 minStake;
}
