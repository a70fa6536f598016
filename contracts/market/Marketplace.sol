// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IMarketplace} from "../interfaces/IMarketplace.sol";
import {IProtocolParams} from "../interfaces/IProtocolParams.sol";
import {MarketplaceBase} from "./MarketplaceBase.sol";
import {MarketplaceExtension} from "./MarketplaceExtension.sol";
import {IProviderRegistry} from "../interfaces/IProviderRegistry.sol";
import {ProviderRegistry} from "../registry/ProviderRegistry.sol";
import {ProviderView} from "../types/Market.sol";
import {ProtocolParams} from "./ProtocolParams.sol";
import {Challenges} from "../libraries/Challenges.sol";
import {Params} from "../types/Params.sol";
import {RequestId, RequestIdLib} from "../types/RequestId.sol";
import {
    RequestParams,
    RequestState,
    SlotState,
    RequestView,
    SlotView,
    Challenge,
    TargetedChallenge
} from "../types/Market.sol";

/// @title Marketplace — storage requests, slots, aggregated and targeted proofs, slashing,
/// repair and pull payouts (docs/protocol.md §2–§5).
/// @notice Every external function is O(1), O(log n) or O(batch): nothing loops over requests,
/// over slots of other requests, or over providers. The only loops are over the c challenges
/// of one `submitProofs`, over the units (≤ 256) of the one slot being filled/freed, and over
/// the proven-period bitmap words (one per 256 periods) of the one slot being settled.
/// @dev Cold functions (registry, parameters, targeted challenges, permit, big views) live in
/// {MarketplaceExtension} and are reached through DELEGATECALL; the interface is unchanged.
contract Marketplace is IMarketplace, MarketplaceBase {
    using SafeERC20 for IERC20;

    /// @dev The extension holding the cold functions (same storage layout, same immutables).
    address private immutable _extension;

    /// @param token_ the Tessera token (ERC-20, ERC-2612)
    /// @param initialOwner owner of the parameters (governance Timelock)
    /// @param treasury_ receives fees and the treasury share of slashes
    /// @param periodBlocks_ period length in blocks (immutable: period numbers index all accounting)
    /// @param initialParams initial parameters, checked against the hard limits
    constructor(
        IERC20 token_,
        address initialOwner,
        address treasury_,
        uint256 periodBlocks_,
        Params memory initialParams
    ) MarketplaceBase(token_, initialOwner, treasury_, periodBlocks_, initialParams) {
        _extension = address(
            new MarketplaceExtension(token_, initialOwner, treasury_, periodBlocks_, initialParams)
        );
    }

    /// @notice The contract holding the cold functions (for verification tools).
    function extension() external view returns (address) {
        return _extension;
    }

    /// @inheritdoc IMarketplace
    function createRequest(
        RequestParams calldata p
    ) external whenNotPaused nonReentrant returns (RequestId id) {
        uint256 escrow = _validateRequest(p);
        id = _storeRequest(p, escrow);
        _token.safeTransferFrom(msg.sender, address(this), escrow);
    }

    /// @inheritdoc IMarketplace
    function cancelRequest(RequestId id) external {
        Request storage r = _request(id);
        if (r.state != RequestState.Open) revert Marketplace__WrongRequestState(id, r.state);
        if (block.timestamp <= r.fillDeadline) {
            revert Marketplace__FillDeadlineNotReached(r.fillDeadline, block.timestamp);
        }
        r.state = RequestState.Cancelled;
        uint256 escrow = r.escrow;
        r.escrow = 0;
        _credit(r.client, escrow);
        emit RequestCancelled(id);
    }

    /// @inheritdoc IMarketplace
    function fillSlot(
        RequestId id,
        uint256 slot,
        uint256 proofBlock,
        bytes calldata proof
    ) external nonReentrant {
        Request storage r = _request(id);
        RequestState state = _checkFillable(id, r);
        _checkSlotIndex(id, r, slot);
        Slot storage s = _slots[id][slot];
        SlotState slotState = s.state;
        if (slotState != SlotState.Empty && slotState != SlotState.Freed) {
            revert Marketplace__SlotNotFillable(id, slot);
        }
        if (_holds[id][msg.sender]) revert Marketplace__AlreadyHoldsSlot(id, msg.sender);
        Provider storage pr = _takeSlot(msg.sender, r.shardSize);
        if (pr.counters.consecutiveMisses >= r.maxMisses) {
            revert Marketplace__ProviderDelinquent(
                msg.sender,
                pr.counters.consecutiveMisses,
                r.maxMisses
            );
        }
        {
            uint256 ask = uint256(pr.pricePerBytePeriod) * r.shardSize;
            if (r.pricePerSlotPeriod < ask)
                revert Marketplace__PriceBelowAsk(r.pricePerSlotPeriod, ask);
        }
        if (proofBlock >= block.number || proofBlock + BLOCKHASH_WINDOW < block.number) {
            revert Marketplace__ProofBlockOutOfRange(proofBlock, block.number);
        }
        _verifySingle(
            id,
            slot,
            Challenges.fillLeaf(blockhash(proofBlock), id, slot, r.nLeaves),
            r.nLeaves,
            r.roots[slot],
            proof
        );

        // ---- effects
        uint256 current = _currentPeriod();
        if (slotState == SlotState.Freed) {
            // The vacant periods up to and including the current one go back to the client; the
            // repairer is paid from the next period on.
            if (r.startPeriod != 0) _settle(id, r, slot, s, current + 1);
            uint256 bounty = s.bounty;
            s.bounty = 0;
            // freed ≥ 1 because this slot is Freed; repairs < 2^32 fills.
            unchecked {
                r.freed -= 1;
                pr.counters.repairs += 1;
            }
            _credit(msg.sender, bounty);
            emit SlotRepaired(id, slot, msg.sender, bounty);
        }
        uint128 collateral = r.collateralPerSlot;
        s.holder = msg.sender;
        s.state = SlotState.Filled;
        s.misses = 0;
        s.collateral = collateral;
        _holds[id][msg.sender] = true;
        unchecked {
            // At most n ≤ 255 slots are filled; slotsFilled counts fills (< 2^32).
            pr.counters.slotsFilled += 1;
            r.filled += 1;
        }
        _addUnits(msg.sender, r, slot, current);
        emit SlotFilled(id, slot, msg.sender);
        if (state == RequestState.Open && r.filled == uint256(r.k) + r.m) _start(id, r, current);
        if (collateral != 0) _token.safeTransferFrom(msg.sender, address(this), collateral);
    }

    /// @inheritdoc IMarketplace
    function freeSlot(RequestId id, uint256 slot) external {
        Request storage r = _request(id);
        RequestState state = r.state;
        if (state != RequestState.Open && state != RequestState.Started) {
            revert Marketplace__WrongRequestState(id, state);
        }
        if (r.startPeriod != 0 && _currentPeriod() >= r.endPeriod)
            revert Marketplace__RequestEnded(id, r.endPeriod);
        _checkSlotIndex(id, r, slot);
        Slot storage s = _slots[id][slot];
        if (s.state != SlotState.Filled) revert Marketplace__SlotNotFilled(id, slot);
        uint256 misses = _provider(s.holder).counters.consecutiveMisses;
        if (s.misses > misses) misses = s.misses;
        if (misses < r.maxMisses) revert Marketplace__NotFreeable(id, slot, misses, r.maxMisses);
        _freeSlot(id, r, slot, s);
    }

    /// @inheritdoc IMarketplace
    function claimSlot(RequestId id, uint256 slot) external {
        Request storage r = _request(id);
        _checkSlotIndex(id, r, slot);
        Slot storage s = _slots[id][slot];
        if (s.state == SlotState.Closed) revert Marketplace__SlotClosed(id, slot);
        RequestState state = r.state;
        bool started = r.startPeriod != 0;
        bool finished;
        if (state == RequestState.Cancelled || (state == RequestState.Failed && !started)) {
            finished = true; // the whole escrow was already refunded
        } else if (started) {
            uint256 current = _currentPeriod();
            _settle(id, r, slot, s, current);
            finished = current >= r.endPeriod;
        } else {
            revert Marketplace__WrongRequestState(id, state);
        }
        if (!finished) return;

        if (started) {
            // Whatever of this slot's escrow was not settled (periods after a failure) is refunded.
            uint256 origEnd = uint256(r.startPeriod) + r.durationPeriods;
            uint256 from = s.settledUntil < r.startPeriod ? r.startPeriod : s.settledUntil;
            if (from < origEnd) {
                uint256 rest = (origEnd - from) * r.pricePerSlotPeriod;
                r.escrow -= uint128(rest); // rest ≤ escrow: each period of each slot is settled once
                s.settledUntil = uint32(origEnd);
                _credit(r.client, rest);
                emit SlotSettled(id, slot, address(0), from, origEnd, 0, 0, rest);
            }
        }
        SlotState slotState = s.state;
        s.state = SlotState.Closed;
        if (slotState == SlotState.Filled) {
            address holder = s.holder;
            uint256 collateral = s.collateral;
            s.collateral = 0;
            _holds[id][holder] = false;
            _removeUnits(holder, r, slot);
            _releaseSlot(holder, r.shardSize);
            _credit(holder, collateral);
            emit SlotReleased(id, slot, holder, collateral);
        } else {
            uint256 bounty = s.bounty;
            s.bounty = 0;
            _credit(r.client, bounty);
            emit SlotReleased(id, slot, address(0), 0);
        }
    }

    /// @inheritdoc IMarketplace
    function recordSeed(uint256 period) external {
        uint256 current = _currentPeriod();
        if (period > current) revert Marketplace__SeedUnavailable(period);
        _seedFor(period);
    }

    /// @inheritdoc IMarketplace
    function submitProofs(uint256 period, bytes calldata proofs) external {
        uint256 current = _currentPeriod();
        if (period != current) revert Marketplace__WrongPeriod(period, current);
        uint256 word = period >> 8;
        uint256 bit = uint256(1) << (period & 0xff);
        uint256 bits = _provenBits[msg.sender][word];
        if (bits & bit != 0) revert Marketplace__AlreadyProven(msg.sender, period);
        uint256[] storage units = _units[msg.sender];
        uint256 count = units.length;
        if (count == 0) revert Marketplace__NothingToProve(msg.sender);
        uint256 c = _p().challengesPerPeriod;
        uint256 offset = _verifyChallenges(_seedFor(period), units, count, c, proofs);
        if (offset != proofs.length) revert Marketplace__InvalidProofLength(offset, proofs.length);

        _provenBits[msg.sender][word] = bits | bit;
        Counters storage ctr = _provider(msg.sender).counters;
        // proofsSubmitted counts periods (< 2^32); period + 1 < 2^32 (block numbers).
        unchecked {
            ctr.proofsSubmitted += 1;
            ctr.consecutiveMisses = 0;
            ctr.lastProvenPeriodPlus1 = uint32(period + 1);
        }
        emit ProofsSubmitted(msg.sender, period, c);
    }

    /// @inheritdoc IMarketplace
    function markProofAsMissing(address provider, uint256 period) external {
        uint256 current = _currentPeriod();
        if (period >= current) revert Marketplace__PeriodNotClosed(period, current);
        Params storage prm = _p();
        uint256 grace = prm.missGracePeriods;
        if (current - period > grace) revert Marketplace__ReportTooLate(period, current, grace);
        if (_seeds[period] == bytes32(0)) revert Marketplace__PeriodVoid(period);
        Provider storage pr = _provider(provider);
        uint256 word = period >> 8;
        uint256 bit = uint256(1) << (period & 0xff);
        if (
            period < pr.dueFrom || period >= pr.dueUntil || _provenBits[provider][word] & bit != 0
        ) {
            revert Marketplace__ProofNotMissing(provider, period);
        }
        uint256 reported = _reportedBits[provider][word];
        if (reported & bit != 0) revert Marketplace__AlreadyReported(provider, period);
        _reportedBits[provider][word] = reported | bit;

        uint256 slashed = _slashStake(provider, prm.slashBps);
        uint256 reward = (slashed * prm.reporterRewardBps) / BPS;
        _credit(msg.sender, reward);
        _credit(treasury(), slashed - reward);
        Counters storage ctr = pr.counters;
        unchecked {
            // Counters are bounded by the number of periods (< 2^32).
            ctr.proofsMissed += 1;
            if (slashed != 0) ctr.slashes += 1;
            // Only a miss after the last proven period extends the streak.
            if (period + 1 > ctr.lastProvenPeriodPlus1) ctr.consecutiveMisses += 1;
        }
        emit ProofMissed(provider, period, msg.sender, slashed, reward);
    }

    /// @inheritdoc IMarketplace
    function withdraw() external nonReentrant {
        uint256 amount = _balances[msg.sender];
        if (amount == 0) revert Marketplace__NothingToWithdraw(msg.sender);
        _balances[msg.sender] = 0;
        emit Withdrawn(msg.sender, amount);
        _token.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IMarketplace
    function getSlot(RequestId id, uint256 slot) external view returns (SlotView memory v) {
        Slot storage s = _slots[id][slot];
        v.state = s.state;
        v.provider = s.holder;
        v.settledUntil = s.settledUntil;
        v.misses = s.misses;
        v.collateral = s.collateral;
        v.bounty = s.bounty;
    }

    /// @inheritdoc IMarketplace
    function isProven(address provider, uint256 period) external view returns (bool) {
        return _provenBits[provider][period >> 8] & (uint256(1) << (period & 0xff)) != 0;
    }

    /// @inheritdoc IMarketplace
    function seedOf(uint256 period) external view returns (bytes32) {
        return _seeds[period];
    }

    /// @inheritdoc IMarketplace
    function balanceOf(address account) external view returns (uint256) {
        return _balances[account];
    }

    /// @inheritdoc IMarketplace
    function clientNonce(address client) external view returns (uint256) {
        return _clientNonces[client];
    }

    /// @inheritdoc IMarketplace
    function requestCount() external view returns (uint256) {
        return _requestCount;
    }

    /// @inheritdoc IMarketplace
    function currentPeriod() public view returns (uint256) {
        return _currentPeriod();
    }

    /// @inheritdoc IMarketplace
    function periodBlocks() external view returns (uint256) {
        return _periodBlocks;
    }

    /// @inheritdoc IMarketplace
    function token() external view returns (address) {
        return address(_token);
    }

    // ================================================================== delegated to the extension

    /// @inheritdoc IMarketplace
    function createRequestWithPermit(
        RequestParams calldata,
        uint256,
        uint8,
        bytes32,
        bytes32
    ) external returns (RequestId id) {
        id; // named for the ABI; _delegate returns the extension's return data itself
        _delegate();
    }

    /// @inheritdoc IMarketplace
    function challengeSlot(RequestId, uint256, uint256) external returns (uint256 challengeId) {
        challengeId; // named for the ABI; _delegate returns the extension's return data itself
        _delegate();
    }

    /// @inheritdoc IMarketplace
    function answerChallenge(uint256, bytes calldata) external {
        _delegate();
    }

    /// @inheritdoc IMarketplace
    function markChallengeFailed(uint256) external {
        _delegate();
    }

    /// @inheritdoc IMarketplace
    function getRequest(RequestId) external view returns (RequestView memory v) {
        v; // named for the ABI; _delegate returns the extension's return data itself
        _delegateView();
    }

    /// @inheritdoc IMarketplace
    function getChallenge(uint256) external view returns (TargetedChallenge memory t) {
        t; // named for the ABI; _delegate returns the extension's return data itself
        _delegateView();
    }

    /// @inheritdoc IMarketplace
    function challengesFor(address, uint256) external view returns (Challenge[] memory out) {
        out; // named for the ABI; _delegate returns the extension's return data itself
        _delegateView();
    }

    /// @inheritdoc IProviderRegistry
    function getProvider(
        address
    ) public view override(IProviderRegistry, ProviderRegistry) returns (ProviderView memory v) {
        v; // named for the ABI; _delegate returns the extension's return data itself
        _delegateView();
    }

    /// @inheritdoc IProviderRegistry
    function register(
        uint256,
        uint64,
        uint128,
        string calldata,
        string calldata
    ) external override(IProviderRegistry, ProviderRegistry) {
        _delegate();
    }

    /// @inheritdoc IProviderRegistry
    function updateProvider(
        uint64,
        uint128,
        string calldata,
        string calldata
    ) external override(IProviderRegistry, ProviderRegistry) {
        _delegate();
    }

    /// @inheritdoc IProviderRegistry
    function addStake(uint256) external override(IProviderRegistry, ProviderRegistry) {
        _delegate();
    }

    /// @inheritdoc IProviderRegistry
    function requestUnstake(uint256) external override(IProviderRegistry, ProviderRegistry) {
        _delegate();
    }

    /// @inheritdoc IProviderRegistry
    function withdrawStake() external override(IProviderRegistry, ProviderRegistry) {
        _delegate();
    }

    /// @inheritdoc IProtocolParams
    function setParams(Params calldata) external override(IProtocolParams, ProtocolParams) {
        _delegate();
    }

    /// @inheritdoc IProtocolParams
    function setTreasury(address) external override(IProtocolParams, ProtocolParams) {
        _delegate();
    }

    /// @inheritdoc IProtocolParams
    function setGuardian(address) external override(IProtocolParams, ProtocolParams) {
        _delegate();
    }

    /// @inheritdoc IProtocolParams
    function pause() external override(IProtocolParams, ProtocolParams) {
        _delegate();
    }

    /// @inheritdoc IProtocolParams
    function unpause() external override(IProtocolParams, ProtocolParams) {
        _delegate();
    }

    /// @inheritdoc IProtocolParams
    function params()
        external
        view
        override(IProtocolParams, ProtocolParams)
        returns (Params memory p)
    {
        p; // named for the ABI; _delegate returns the extension's return data itself
        _delegateView();
    }

    /// @dev Forwards the whole call to the extension and returns or reverts with its result.
    /// Never returns to the caller's Solidity code.
    function _delegate() private {
        address ext = _extension;
        assembly {
            // Memory from 0 is overwritten: this frame ends here with return or revert.
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), ext, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) {
                revert(0, returndatasize())
            }
            return(0, returndatasize())
        }
    }

    /// @dev {_delegate} for view functions: the extension's view functions do not write state,
    /// so the call is cast to a view function type (the usual view-delegatecall pattern).
    function _delegateView() private view {
        function() internal fn = _delegate;
        function() internal view viewFn;
        assembly {
            viewFn := fn
        }
        viewFn();
    }
}
