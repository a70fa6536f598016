// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MarketplaceBase} from "./MarketplaceBase.sol";
import {ProviderView} from "../types/Market.sol";
import {Challenges} from "../libraries/Challenges.sol";
import {Params} from "../types/Params.sol";
import {RequestId, RequestIdLib} from "../types/RequestId.sol";
import {
    RequestParams,
    SlotState,
    ChallengeStatus,
    RequestView,
    Challenge,
    TargetedChallenge
} from "../types/Market.sol";

/// @title MarketplaceExtension — the Marketplace's colder functions (registry, parameters,
/// targeted challenges, permit, large views), run by {Marketplace} through DELEGATECALL so the
/// Marketplace stays under the 24 KiB code-size limit. Deployed by the Marketplace constructor
/// with the same immutables; it shares the Marketplace's storage layout (same bases, no state of
/// its own). Called directly it only touches its own, meaningless storage.
contract MarketplaceExtension is MarketplaceBase {
    using SafeERC20 for IERC20;

    constructor(
        IERC20 token_,
        address initialOwner,
        address treasury_,
        uint256 periodBlocks_,
        Params memory initialParams
    ) MarketplaceBase(token_, initialOwner, treasury_, periodBlocks_, initialParams) {}

    /// @dev See {IMarketplace}.
    function createRequestWithPermit(
        RequestParams calldata p,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external whenNotPaused nonReentrant returns (RequestId id) {
        uint256 escrow = _validateRequest(p);
        // A front-run permit (same signature used by someone else) must not block the request:
        // ignore a failing permit; the transfer below reverts if the allowance is short.
        try
            IERC20Permit(address(_token)).permit(
                msg.sender,
                address(this),
                escrow,
                deadline,
                v,
                r,
                s
            )
        {} catch {}
        id = _storeRequest(p, escrow);
        _token.safeTransferFrom(msg.sender, address(this), escrow);
    }

    /// @dev See {IMarketplace}.
    function challengeSlot(
        RequestId id,
        uint256 slot,
        uint256 leaf
    ) external nonReentrant returns (uint256 challengeId) {
        Request storage r = _request(id);
        _requireActive(id, r);
        _checkSlotIndex(id, r, slot);
        Slot storage s = _slots[id][slot];
        if (s.state != SlotState.Filled) revert Marketplace__SlotNotFilled(id, slot);
        if (leaf >= r.nLeaves) revert Marketplace__LeafOutOfRange(leaf, r.nLeaves);
        Params storage prm = _p();
        uint256 bond = prm.targetedBond;
        uint256 deadline = block.number + prm.challengeWindowBlocks;
        challengeId = ++_challengeCount;
        ChallengeRecord storage c = _challenges[challengeId];
        c.challenger = msg.sender;
        c.deadlineBlock = uint64(deadline);
        c.slot = uint8(slot);
        c.status = ChallengeStatus.Open;
        c.provider = s.holder;
        c.leaf = uint32(leaf); // leaf < nLeaves ≤ 2^24
        c.bond = uint128(bond);
        c.id = id;
        emit SlotChallenged(challengeId, id, slot, s.holder, msg.sender, leaf, bond, deadline);
        _token.safeTransferFrom(msg.sender, address(this), bond);
    }

    /// @dev See {IMarketplace}.
    function answerChallenge(uint256 challengeId, bytes calldata proof) external {
        ChallengeRecord storage c = _challenges[challengeId];
        if (c.status != ChallengeStatus.Open) revert Marketplace__ChallengeNotOpen(challengeId);
        if (block.number > c.deadlineBlock)
            revert Marketplace__ChallengeExpired(challengeId, c.deadlineBlock);
        RequestId id = c.id;
        Request storage r = _requests[id];
        uint256 slot = c.slot;
        _verifySingle(id, slot, c.leaf, r.nLeaves, r.roots[slot], proof);
        c.status = ChallengeStatus.Answered;
        _credit(c.provider, c.bond);
        emit ChallengeAnswered(challengeId);
    }

    /// @dev See {IMarketplace}.
    function markChallengeFailed(uint256 challengeId) external {
        ChallengeRecord storage c = _challenges[challengeId];
        if (c.status != ChallengeStatus.Open) revert Marketplace__ChallengeNotOpen(challengeId);
        if (block.number <= c.deadlineBlock) {
            revert Marketplace__ChallengeNotExpired(challengeId, c.deadlineBlock);
        }
        c.status = ChallengeStatus.Failed;
        RequestId id = c.id;
        uint256 slot = c.slot;
        Request storage r = _requests[id];
        Slot storage s = _slots[id][slot];
        address challenger = c.challenger;
        uint256 slashed;
        uint256 reward;
        // The slot may have changed hands (freed, closed) since the challenge: then nobody is
        // slashed and the challenger just gets the bond back.
        if (s.state == SlotState.Filled && s.holder == c.provider) {
            slashed = (uint256(s.collateral) * r.slashBps) / BPS;
            reward = (slashed * r.reporterRewardBps) / BPS;
            // slashed ≤ collateral (slashBps ≤ 5000); misses ≤ maxMisses ≤ 32.
            unchecked {
                s.collateral -= uint128(slashed);
                s.misses += 1;
            }
            Counters storage ctr = _provider(c.provider).counters;
            unchecked {
                ctr.proofsMissed += 1;
                if (slashed != 0) ctr.slashes += 1;
            }
            _credit(treasury(), slashed - reward);
        }
        _credit(challenger, c.bond + reward);
        emit ChallengeFailed(challengeId, slashed, reward);
        // Still the challenged holder's slot (checked above, unchanged since): free it at maxMisses.
        if (
            s.state == SlotState.Filled &&
            s.holder == c.provider &&
            s.misses >= r.maxMisses &&
            _isActive(r)
        ) {
            _freeSlot(id, r, slot, s);
        }
    }

    /// @dev See {IMarketplace}.
    function getRequest(RequestId id) external view returns (RequestView memory v) {
        Request storage r = _requests[id];
        v.client = r.client;
        v.state = r.state;
        v.k = r.k;
        v.m = r.m;
        v.filled = r.filled;
        v.freed = r.freed;
        v.shardSize = r.shardSize;
        v.nLeaves = r.nLeaves;
        v.durationPeriods = r.durationPeriods;
        v.startPeriod = r.startPeriod;
        v.endPeriod = r.endPeriod;
        v.fillDeadline = r.fillDeadline;
        v.pricePerSlotPeriod = r.pricePerSlotPeriod;
        v.collateralPerSlot = r.collateralPerSlot;
        v.escrow = r.escrow;
        v.protocolFeeBps = r.protocolFeeBps;
        v.slashBps = r.slashBps;
        v.reporterRewardBps = r.reporterRewardBps;
        v.repairBountyBps = r.repairBountyBps;
        v.maxMisses = r.maxMisses;
        v.index = r.index;
        v.roots = r.roots;
    }

    /// @dev See {IMarketplace}.
    function getChallenge(uint256 challengeId) external view returns (TargetedChallenge memory t) {
        ChallengeRecord storage c = _challenges[challengeId];
        t.id = c.id;
        t.slot = c.slot;
        t.provider = c.provider;
        t.challenger = c.challenger;
        t.leaf = c.leaf;
        t.bond = c.bond;
        t.deadlineBlock = c.deadlineBlock;
        t.status = c.status;
    }

    /// @dev See {IMarketplace}.
    function challengesFor(
        address provider,
        uint256 period
    ) external view returns (Challenge[] memory out) {
        bytes32 seed = _seeds[period];
        if (seed == bytes32(0)) {
            bytes32 bh =
                period == 0 || period > _currentPeriod()
                    ? bytes32(0)
                    : blockhash(period * _periodBlocks - 1);
            if (bh == bytes32(0)) revert Marketplace__SeedUnavailable(period);
            seed = Challenges.seed(bh, period);
        }
        uint256[] storage units = _units[provider];
        uint256 count = units.length;
        if (count == 0) return out;
        uint256 c = _p().challengesPerPeriod;
        out = new Challenge[](c);
        for (uint256 j; j < c; ++j) {
            uint256 rnd = Challenges.draw(seed, provider, j);
            uint256 entry = units[rnd % count];
            uint256 nLeaves = uint32(entry >> 96);
            out[j] = Challenge({
                id: _requestIds[uint64(entry >> 16)],
                slot: uint8(entry >> 8),
                leaf: Challenges.leafInUnit(rnd, uint16(entry >> 80), nLeaves),
                nLeaves: nLeaves,
                root: bytes16(bytes32(entry))
            });
        }
    }

    /// @dev {ProviderRegistry.getProvider} plus the size of the provider's unit list.
    function getProvider(address provider) public view override returns (ProviderView memory v) {
        v = super.getProvider(provider);
        v.units = _units[provider].length;
    }
}
