// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {RequestId} from "./RequestId.sol";

/// @notice What a client asks for in `createRequest`.
struct RequestParams {
    /// Data shards (≥ 1).
    uint8 k;
    /// Parity shards (≤ k); n = k + m ≤ 255.
    uint8 m;
    /// Bytes per shard (1..maxShardSize).
    uint64 shardSize;
    /// Length of the deal in periods (1..maxDurationPeriods).
    uint32 durationPeriods;
    /// Paid to a slot's holder for each proven period (before the protocol fee).
    uint128 pricePerSlotPeriod;
    /// Locked by each filler.
    uint128 collateralPerSlot;
    /// Unix time after which an unfilled request can be cancelled.
    uint64 fillDeadline;
    /// The n shard Merkle roots (docs/protocol.md §1).
    bytes16[] roots;
    /// The n shard CIDs (or none); only emitted in {IMarketplace.RequestCreated}.
    string[] cids;
}

enum RequestState {
    None,
    Open,
    Started,
    Cancelled,
    Failed
}

enum SlotState {
    Empty,
    Filled,
    Freed,
    Closed
}

enum ChallengeStatus {
    None,
    Open,
    Answered,
    Failed
}

/// @notice A request as returned by `getRequest`.
struct RequestView {
    address client;
    RequestState state;
    uint8 k;
    uint8 m;
    uint8 filled;
    uint8 freed;
    uint64 shardSize;
    uint32 nLeaves;
    uint32 durationPeriods;
    uint32 startPeriod;
    uint32 endPeriod;
    uint64 fillDeadline;
    uint128 pricePerSlotPeriod;
    uint128 collateralPerSlot;
    uint128 escrow;
    uint16 protocolFeeBps;
    uint16 slashBps;
    uint16 reporterRewardBps;
    uint16 repairBountyBps;
    uint8 maxMisses;
    uint64 index;
    bytes16[] roots;
}

/// @notice A slot as returned by `getSlot`.
struct SlotView {
    SlotState state;
    address provider;
    uint32 settledUntil;
    uint8 misses;
    uint128 collateral;
    uint128 bounty;
}

/// @notice One aggregated challenge (docs/protocol.md §3).
struct Challenge {
    RequestId id;
    uint256 slot;
    uint256 leaf;
    uint256 nLeaves;
    bytes16 root;
}

/// @notice A targeted challenge (docs/protocol.md §4).
struct TargetedChallenge {
    RequestId id;
    uint256 slot;
    address provider;
    address challenger;
    uint256 leaf;
    uint256 bond;
    uint256 deadlineBlock;
    ChallengeStatus status;
}

/// @notice A provider as returned by `getProvider`.
struct ProviderView {
    bool registered;
    uint128 stake;
    uint128 unbonding;
    uint64 unbondingReadyAt;
    uint64 capacityBytes;
    uint64 usedBytes;
    uint128 pricePerBytePeriod;
    string httpEndpoint;
    string multiaddr;
    uint32 slotsFilled;
    uint32 proofsSubmitted;
    uint32 proofsMissed;
    uint32 slashes;
    uint32 repairs;
    uint32 consecutiveMisses;
    uint32 activeSlots;
    uint256 units;
}
