// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {RequestId} from "../types/RequestId.sol";
import {
    RequestParams,
    RequestState,
    RequestView,
    SlotView,
    Challenge,
    TargetedChallenge
} from "../types/Market.sol";
import {IProviderRegistry} from "./IProviderRegistry.sol";
import {IProtocolParams} from "./IProtocolParams.sol";

/// @title IMarketplaceEvents — errors and events of the Marketplace (shared with its extension).
interface IMarketplaceEvents {
    // ---------------------------------------------------------------- errors: requests
    /// @notice k must be ≥ 1, m ≤ k and k + m ≤ 255.
    error Marketplace__InvalidRedundancy(uint256 k, uint256 m);
    /// @notice Shard size must be in [1, maxShardSize].
    error Marketplace__InvalidShardSize(uint256 shardSize, uint256 maxShardSize);
    /// @notice Duration must be in [1, maxDurationPeriods].
    error Marketplace__InvalidDuration(uint256 durationPeriods, uint256 maxDurationPeriods);
    /// @notice The price per slot and period must be positive.
    error Marketplace__ZeroPrice();
    /// @notice n · price · duration does not fit in 128 bits.
    error Marketplace__EscrowOverflow(
        uint256 n,
        uint256 pricePerSlotPeriod,
        uint256 durationPeriods
    );
    /// @notice `expected` roots (or cids) were required, `got` were given.
    error Marketplace__WrongShardCount(uint256 expected, uint256 got);
    /// @notice Root `index` is zero.
    error Marketplace__ZeroRoot(uint256 index);
    /// @notice The fill deadline `deadline` is not after now (`nowTime`).
    error Marketplace__FillDeadlinePassed(uint256 deadline, uint256 nowTime);
    /// @notice The fill deadline `deadline` has not passed yet (now `nowTime`).
    error Marketplace__FillDeadlineNotReached(uint256 deadline, uint256 nowTime);
    /// @notice No request with id `id`.
    error Marketplace__UnknownRequest(RequestId id);
    /// @notice Request `id` is in `state`, which does not allow this call.
    error Marketplace__WrongRequestState(RequestId id, RequestState state);
    /// @notice Request `id` ended at period `endPeriod`.
    error Marketplace__RequestEnded(RequestId id, uint256 endPeriod);
    /// @notice Request `id` has not ended (ends at `endPeriod`).
    error Marketplace__RequestNotEnded(RequestId id, uint256 endPeriod);

    // ---------------------------------------------------------------- errors: slots
    /// @notice Slot `slot` is out of range for request `id` with `n` slots.
    error Marketplace__SlotOutOfRange(RequestId id, uint256 slot, uint256 n);
    /// @notice Slot `slot` of `id` is already filled (double fill) or closed.
    error Marketplace__SlotNotFillable(RequestId id, uint256 slot);
    /// @notice Slot `slot` of `id` is not filled.
    error Marketplace__SlotNotFilled(RequestId id, uint256 slot);
    /// @notice `provider` holds a slot of request `id`, or was freed from one (a freed provider
    /// may not take its own bounty by refilling).
    error Marketplace__AlreadyHoldsSlot(RequestId id, address provider);
    /// @notice `provider` missed `misses` periods in a row (≥ the request's `maxMisses`): its
    /// slots are being freed, so it may not take new ones until it proves a period again.
    error Marketplace__ProviderDelinquent(address provider, uint256 misses, uint256 maxMisses);
    /// @notice The request pays `offered` per slot and period, below the provider's ask `ask`.
    error Marketplace__PriceBelowAsk(uint256 offered, uint256 ask);
    /// @notice The slot's holder has `misses` misses, fewer than `maxMisses`.
    error Marketplace__NotFreeable(RequestId id, uint256 slot, uint256 misses, uint256 maxMisses);
    /// @notice Slot `slot` of `id` was already closed (collateral released).
    error Marketplace__SlotClosed(RequestId id, uint256 slot);

    // ---------------------------------------------------------------- errors: proofs
    /// @notice `proofBlock` must be one of the 256 blocks before `currentBlock`.
    error Marketplace__ProofBlockOutOfRange(uint256 proofBlock, uint256 currentBlock);
    /// @notice The proof bytes have length `got`, `expected` were required.
    error Marketplace__InvalidProofLength(uint256 expected, uint256 got);
    /// @notice A proof for `leaf` of slot `slot` of `id` does not match the slot's root.
    error Marketplace__InvalidProof(RequestId id, uint256 slot, uint256 leaf);
    /// @notice Proofs for `period` are only accepted during it; now is `current`.
    error Marketplace__WrongPeriod(uint256 period, uint256 current);
    /// @notice `provider` already proved `period`.
    error Marketplace__AlreadyProven(address provider, uint256 period);
    /// @notice `provider` holds no slot.
    error Marketplace__NothingToProve(address provider);
    /// @notice The seed of `period` is not recorded and its block hash is no longer (or not yet) available.
    error Marketplace__SeedUnavailable(uint256 period);
    /// @notice `period` is not closed yet (now `current`).
    error Marketplace__PeriodNotClosed(uint256 period, uint256 current);
    /// @notice The report window for `period` closed (now `current`, grace `grace` periods).
    error Marketplace__ReportTooLate(uint256 period, uint256 current, uint256 grace);
    /// @notice `period` is void (no seed recorded): nothing was due.
    error Marketplace__PeriodVoid(uint256 period);
    /// @notice `provider` proved `period` or owed no proof for it.
    error Marketplace__ProofNotMissing(address provider, uint256 period);
    /// @notice The missing proof of `provider` for `period` was already reported.
    error Marketplace__AlreadyReported(address provider, uint256 period);

    // ---------------------------------------------------------------- errors: targeted challenges
    /// @notice `leaf` is not below `nLeaves`.
    error Marketplace__LeafOutOfRange(uint256 leaf, uint256 nLeaves);
    /// @notice Challenge `challengeId` does not exist or is not open.
    error Marketplace__ChallengeNotOpen(uint256 challengeId);
    /// @notice The answer window of `challengeId` closed at block `deadlineBlock`.
    error Marketplace__ChallengeExpired(uint256 challengeId, uint256 deadlineBlock);
    /// @notice The answer window of `challengeId` is open until block `deadlineBlock`.
    error Marketplace__ChallengeNotExpired(uint256 challengeId, uint256 deadlineBlock);

    // ---------------------------------------------------------------- errors: money
    /// @notice The caller has no pull balance.
    error Marketplace__NothingToWithdraw(address account);

    // ---------------------------------------------------------------- events
    /// @notice A client created a request and escrowed its whole price.
    event RequestCreated(RequestId indexed id, address indexed client, RequestParams params);
    /// @notice `provider` filled `slot` of `id`, locking collateral.
    event SlotFilled(RequestId indexed id, uint256 indexed slot, address indexed provider);
    /// @notice A freed slot was refilled by `provider`, who earned `bounty`.
    event SlotRepaired(
        RequestId indexed id,
        uint256 indexed slot,
        address indexed provider,
        uint256 bounty
    );
    /// @notice All slots were filled; the deal is paid for periods [startPeriod, endPeriod).
    event RequestStarted(RequestId indexed id, uint256 startPeriod, uint256 endPeriod);
    /// @notice An unfilled request was cancelled after its deadline; the client is refunded.
    event RequestCancelled(RequestId indexed id);
    /// @notice More than m slots were free at once in `period`: no period from `period` on is paid.
    event RequestFailed(RequestId indexed id, uint256 period);
    /// @notice The seed of `period` was recorded.
    event SeedRecorded(uint256 indexed period, bytes32 seed);
    /// @notice `provider` answered all `challenges` challenges of `period`.
    event ProofsSubmitted(address indexed provider, uint256 indexed period, uint256 challenges);
    /// @notice `reporter` reported `provider`'s missing proof of `period`; `slashed` taken, `reward` paid.
    event ProofMissed(
        address indexed provider,
        uint256 indexed period,
        address indexed reporter,
        uint256 slashed,
        uint256 reward
    );
    /// @notice `slot` of `id` was taken from `provider`; `bounty` kept for the repairer, `refunded` to the client.
    event SlotFreed(
        RequestId indexed id,
        uint256 indexed slot,
        address indexed provider,
        uint256 bounty,
        uint256 refunded
    );
    /// @notice Periods [fromPeriod, toPeriod) of `slot` were settled: `paid` (net) to `provider`,
    /// `fee` to the treasury, `refunded` to the client.
    event SlotSettled(
        RequestId indexed id,
        uint256 indexed slot,
        address indexed provider,
        uint256 fromPeriod,
        uint256 toPeriod,
        uint256 paid,
        uint256 fee,
        uint256 refunded
    );
    /// @notice The slot closed: `collateral` returned to `provider` (zero address for a vacant slot).
    event SlotReleased(
        RequestId indexed id,
        uint256 indexed slot,
        address indexed provider,
        uint256 collateral
    );
    /// @notice `challenger` challenged `leaf` of `slot` of `id`, held by `provider`.
    event SlotChallenged(
        uint256 indexed challengeId,
        RequestId indexed id,
        uint256 indexed slot,
        address provider,
        address challenger,
        uint256 leaf,
        uint256 bond,
        uint256 deadlineBlock
    );
    /// @notice Challenge `challengeId` was answered; the bond went to the provider.
    event ChallengeAnswered(uint256 indexed challengeId);
    /// @notice Challenge `challengeId` went unanswered: `slashed` from the slot's collateral, `reward` to the challenger.
    event ChallengeFailed(uint256 indexed challengeId, uint256 slashed, uint256 reward);
    /// @notice `account` withdrew its pull balance.
    event Withdrawn(address indexed account, uint256 amount);
}

/// @title IMarketplace — storage requests, slots, proofs, slashing, repair and payouts.
/// @notice Rules: docs/protocol.md. Tokens of stakes, escrow, collateral, bounties, bonds and
/// pull balances sit in this one contract. Errors and events: {IMarketplaceEvents}.
interface IMarketplace is IMarketplaceEvents, IProviderRegistry, IProtocolParams {
    // ---------------------------------------------------------------- requests and slots
    /// @notice Creates a request and escrows n · pricePerSlotPeriod · durationPeriods via allowance.
    function createRequest(RequestParams calldata p) external returns (RequestId id);

    /// @notice {createRequest} with an ERC-2612 permit for the escrow.
    function createRequestWithPermit(
        RequestParams calldata p,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (RequestId id);

    /// @notice Fills (or repairs) `slot` of `id`, locking collateralPerSlot and proving the leaf
    /// drawn from `blockhash(proofBlock)` (one of the last 256 blocks).
    function fillSlot(
        RequestId id,
        uint256 slot,
        uint256 proofBlock,
        bytes calldata proof
    ) external;

    /// @notice Cancels a request not started by its fill deadline; the client is refunded in full.
    function cancelRequest(RequestId id) external;

    /// @notice Frees a slot whose holder reached maxMisses (consecutive periods or targeted failures).
    function freeSlot(RequestId id, uint256 slot) external;

    /// @notice Settles the closed periods of a slot; once the deal is over also returns the collateral.
    function claimSlot(RequestId id, uint256 slot) external;

    // ---------------------------------------------------------------- proofs
    /// @notice Records the seed of `period` (allowed during its first 256 blocks).
    function recordSeed(uint256 period) external;

    /// @notice Answers all challenges of the caller for the current `period` in one call.
    function submitProofs(uint256 period, bytes calldata proofs) external;

    /// @notice Reports that `provider` did not prove the closed `period`; slashes its stake.
    function markProofAsMissing(address provider, uint256 period) external;

    /// @notice Challenges `leaf` of `slot` of `id`, posting the targeted bond.
    function challengeSlot(
        RequestId id,
        uint256 slot,
        uint256 leaf
    ) external returns (uint256 challengeId);

    /// @notice Answers targeted challenge `challengeId` with segment ‖ siblings.
    function answerChallenge(uint256 challengeId, bytes calldata proof) external;

    /// @notice Closes an unanswered challenge after its window: slashes the slot's collateral.
    function markChallengeFailed(uint256 challengeId) external;

    // ---------------------------------------------------------------- money
    /// @notice Pays the caller's whole pull balance.
    function withdraw() external;

    // ---------------------------------------------------------------- views
    function getRequest(RequestId id) external view returns (RequestView memory);
    function getSlot(RequestId id, uint256 slot) external view returns (SlotView memory);
    function getChallenge(uint256 challengeId) external view returns (TargetedChallenge memory);
    function challengesFor(
        address provider,
        uint256 period
    ) external view returns (Challenge[] memory);
    function isProven(address provider, uint256 period) external view returns (bool);
    function seedOf(uint256 period) external view returns (bytes32);
    function balanceOf(address account) external view returns (uint256);
    function clientNonce(address client) external view returns (uint256);
    function requestCount() external view returns (uint256);
    function currentPeriod() external view returns (uint256);
    function periodBlocks() external view returns (uint256);
    function token() external view returns (address);
}
